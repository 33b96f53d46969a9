"""Section 7, extension 4: semi-supervised learning with the discriminator's features.

"Semi-supervised learning: features from the discriminator or inference net could improve
performance of classifiers when limited labeled data is available." (Section 7)

D is trained on the 50,000 training images without their labels; its hidden layers are a
representation learned from unlabelled data. Given a few labelled images, the same linear
classifier (multinomial logistic regression) is fitted on D's features and on the raw pixels,
and both are scored on the test set.

Everything a fit depends on is chosen without the test set and without more labels than the
budget: features are centred and scaled with the *unlabelled* training images, and the weight
decay is chosen by cross-validation on the labelled examples alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .models import Maxout

WEIGHT_DECAYS: tuple[float, ...] = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)  # searched by cross-validation


@torch.no_grad()
def hidden_features(D: nn.Module, x: Tensor, batch_size: int = 2_000) -> Tensor:
    """The outputs of every maxout layer of D, concatenated (480 per image for the paper's MNIST D).

    D runs in eval mode, i.e. without dropout; with inverted dropout that is the network whose
    expected activations training saw. D's mode is restored afterwards.
    """
    layers = [m for m in D.modules() if isinstance(m, Maxout)]
    if not layers:
        raise ValueError("D has no maxout layers to take features from")
    outputs: list[Tensor] = []
    hooks = [layer.register_forward_hook(lambda module, inputs, output: outputs.append(output)) for layer in layers]
    was_training = D.training
    D.eval()
    try:
        device = next(D.parameters()).device
        chunks = []
        for xb in x.split(batch_size):
            outputs.clear()
            D(xb.to(device))
            chunks.append(torch.cat(outputs, dim=1).cpu())
    finally:
        for hook in hooks:
            hook.remove()
        D.train(was_training)
    return torch.cat(chunks)


def labelled_subset(labels: Tensor, per_class: int, seed: int, n_classes: int = 10) -> Tensor:
    """Indices of ``per_class`` examples of each class, drawn without replacement (seeded)."""
    gen = torch.Generator().manual_seed(seed)
    picks = []
    for c in range(n_classes):
        pool = (labels == c).nonzero().flatten()
        if len(pool) < per_class:
            raise ValueError(f"class {c} has {len(pool)} examples, fewer than per_class={per_class}")
        picks.append(pool[torch.randperm(len(pool), generator=gen)[:per_class]])
    return torch.cat(picks)


@dataclass(frozen=True)
class Scaler:
    """Centre each feature and divide all of them by one common scale (their RMS after centring),
    both estimated on unlabelled data. One scale keeps the relative sizes of the features (a
    rarely-on pixel is not blown up) and makes one weight-decay grid fit every representation."""

    mean: Tensor
    scale: float

    @classmethod
    def fit(cls, unlabelled: Tensor) -> Scaler:
        x = unlabelled.double()
        mean = x.mean(0)
        return cls(mean, (x - mean).pow(2).mean().sqrt().item())

    def __call__(self, x: Tensor) -> Tensor:
        return (x.double() - self.mean) / self.scale


def fit_softmax(x: Tensor, y: Tensor, weight_decay: float, n_classes: int = 10, max_iter: int = 200) -> nn.Linear:
    """Multinomial logistic regression: minimise mean cross-entropy + weight_decay / 2 * ||W||^2
    (bias not penalised), full batch, by L-BFGS in float64. The problem is convex and starts
    from zero, so the result does not depend on a seed."""
    x, y = x.double(), y.long()
    model = nn.Linear(x.shape[1], n_classes).double()
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=max_iter, tolerance_grad=1e-6,
                            line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) + 0.5 * weight_decay * model.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return model


@torch.no_grad()
def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Fraction of rows of ``x`` whose arg-max class is ``y``."""
    return (model(x.double()).argmax(1) == y).double().mean().item()


def cross_validate(x: Tensor, y: Tensor, weight_decays: Sequence[float] = WEIGHT_DECAYS, folds: int = 5,
                   n_classes: int = 10) -> float:
    """The weight decay with the lowest held-out cross-entropy in ``folds``-fold cross-validation on the
    labelled examples alone. Folds are stratified: the i-th example of each class goes to fold i mod folds."""
    rank = torch.zeros(len(y), dtype=torch.long)
    for c in range(n_classes):
        members = (y == c).nonzero().flatten()
        rank[members] = torch.arange(len(members))
    fold = rank % folds
    losses = []
    for wd in weight_decays:
        total = 0.0
        for k in range(folds):
            held = fold == k
            model = fit_softmax(x[~held], y[~held], wd, n_classes)
            with torch.no_grad():
                total += F.cross_entropy(model(x[held].double()), y[held].long(), reduction="sum").item()
        losses.append(total)
    return weight_decays[min(range(len(losses)), key=losses.__getitem__)]


@dataclass(frozen=True)
class Result:
    """One labelled draw: its seed, the chosen weight decay, and the test accuracy."""

    seed: int
    weight_decay: float
    accuracy: float


def evaluate(unlabelled: Tensor, labels: Tensor, test: Tensor, test_labels: Tensor, per_class: int,
             seeds: Sequence[int], weight_decays: Sequence[float] = WEIGHT_DECAYS) -> list[Result]:
    """For each seed: draw ``per_class`` labelled examples of every class from the training rows
    ``unlabelled`` (features or pixels, one row per image; ``labels`` used only for the drawn ones),
    scale with :class:`Scaler` fitted on all training rows, choose the weight decay by
    :func:`cross_validate`, fit :func:`fit_softmax` on the labelled rows and score it on ``test``."""
    scaler = Scaler.fit(unlabelled)
    test = scaler(test)
    results = []
    for seed in seeds:
        idx = labelled_subset(labels, per_class, seed)
        x, y = scaler(unlabelled[idx]), labels[idx]
        wd = cross_validate(x, y, weight_decays)
        results.append(Result(seed, wd, accuracy(fit_softmax(x, y, wd), test, test_labels)))
    return results
