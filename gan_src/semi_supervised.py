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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .data.mnist import MNISTSplits
from .models import Maxout

WEIGHT_DECAYS: tuple[float, ...] = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)  # searched by cross-validation


@torch.no_grad()
def hidden_features(D: nn.Module, x: Tensor, batch_size: int = 2_000) -> Tensor:
    """The outputs of every maxout layer of D, concatenated.

    That is 480 features per image for the paper's MNIST D. D runs in eval
    mode, i.e. without dropout; with inverted dropout that is the network
    whose expected activations training saw. D's mode is restored afterwards.
    """
    layers = [m for m in D.modules() if isinstance(m, Maxout)]
    if not layers:
        raise ValueError("D has no maxout layers to take features from")
    outputs: list[Tensor] = []
    hooks = [layer.register_forward_hook(
                 lambda module, inputs, output: outputs.append(output))
             for layer in layers]
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


def _span_basis(x: Tensor) -> Tensor | None:
    """With fewer rows than features, an orthonormal basis Q (features x rows) of the rows' span.

    The optimal W of a penalised softmax regression lies in the span of the rows it is fitted to:
    the loss sees W only through x W^T, and a component outside the span only adds to the penalty.
    With x^T = Q R (reduced QR), W = V Q^T and ||W|| = ||V||: the same problem on the rows x Q,
    100 numbers per image instead of 784 when 100 labelled images are pixels."""
    return torch.linalg.qr(x.T)[0] if len(x) < x.shape[1] else None


def _fit(x: Tensor, y: Tensor, weight_decay: float, n_classes: int, max_iter: int, tolerance: float,
         init: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
    """Minimise mean cross-entropy + weight_decay / 2 * ||W||^2 over W (K, d) and b (K) by L-BFGS,
    from zero or from ``init``; float64 rows ``x`` (n, d). Returns (W, b)."""
    n, d = x.shape
    targets = F.one_hot(y.long(), n_classes).double()
    W = (init[0] if init is not None else torch.zeros(n_classes, d, dtype=torch.float64)).clone().requires_grad_()
    b = (init[1] if init is not None else torch.zeros(n_classes, dtype=torch.float64)).clone().requires_grad_()
    opt = torch.optim.LBFGS([W, b], lr=1, max_iter=max_iter, tolerance_grad=tolerance, tolerance_change=1e-12,
                            line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        # the gradient in closed form, softmax(logits) - targets: several times faster than autograd here
        with torch.no_grad():
            logits = x @ W.T + b
            log_z = torch.logsumexp(logits, dim=1)
            loss = (log_z - (logits * targets).sum(1)).mean() + 0.5 * weight_decay * W.pow(2).sum()
            residual = torch.exp(logits - log_z[:, None]) - targets
            W.grad = residual.T @ x / n + weight_decay * W
            b.grad = residual.mean(0)
        return loss

    opt.step(closure)
    return W.detach(), b.detach()


def fit_softmax(x: Tensor, y: Tensor, weight_decay: float, n_classes: int = 10, max_iter: int = 500,
                tolerance: float = 1e-5) -> nn.Linear:
    """Multinomial logistic regression: minimise mean cross-entropy + weight_decay / 2 * ||W||^2
    (bias not penalised), full batch, by L-BFGS in float64 until every gradient entry is below
    ``tolerance``. The problem is convex and starts from zero, so the result does not depend on a seed."""
    x = x.double()
    basis = _span_basis(x)
    W, b = _fit(x if basis is None else x @ basis, y, weight_decay, n_classes, max_iter, tolerance)
    model = nn.Linear(x.shape[1], n_classes).double()
    with torch.no_grad():
        model.weight.copy_(W if basis is None else W @ basis.T)
        model.bias.copy_(b)
    return model


@torch.no_grad()
def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """Fraction of rows of ``x`` whose arg-max class is ``y``."""
    return (model(x.double()).argmax(1) == y).double().mean().item()


def cross_validate(x: Tensor, y: Tensor, weight_decays: Sequence[float] = WEIGHT_DECAYS, folds: int = 5,
                   n_classes: int = 10, max_iter: int = 500, tolerance: float = 1e-5) -> float:
    """The weight decay with the lowest held-out cross-entropy in ``folds``-fold cross-validation on the
    labelled examples alone. Folds are stratified: the i-th example of each class goes to fold i mod folds.
    Within a fold the penalties are fitted from the strongest to the weakest, each fit starting from the
    previous solution (a warm start; the optimum of each convex fit is unchanged)."""
    x, y = x.double(), y.long()
    basis = _span_basis(x)  # the span of all labelled rows contains that of every fold's
    if basis is not None:
        x = x @ basis
    rank = torch.zeros(len(y), dtype=torch.long)
    for c in range(n_classes):
        members = (y == c).nonzero().flatten()
        rank[members] = torch.arange(len(members))
    fold = rank % folds
    order = sorted(range(len(weight_decays)), key=lambda i: -weight_decays[i])
    losses = [0.0] * len(weight_decays)
    for k in range(folds):
        train, held = fold != k, fold == k
        fit = None
        for i in order:
            fit = _fit(x[train], y[train], weight_decays[i], n_classes, max_iter, tolerance, init=fit)
            with torch.no_grad():
                losses[i] += F.cross_entropy(x[held] @ fit[0].T + fit[1], y[held], reduction="sum").item()
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


def representations(splits: MNISTSplits, networks: Mapping[str, nn.Module]) -> dict[str, tuple[Tensor, Tensor]]:
    """(training rows, test rows) of each representation compared: the raw pixels, then the
    :func:`hidden_features` of each named discriminator."""
    reps = {"raw pixels": (splits.train, splits.test)}
    for name, D in networks.items():
        reps[name] = (hidden_features(D, splits.train), hidden_features(D, splits.test))
    return reps


def probe(reps: Mapping[str, tuple[Tensor, Tensor]], labels: Tensor, test_labels: Tensor, per_class: int,
          seeds: Sequence[int]) -> dict[str, list[Result]]:
    """The same protocol (:func:`evaluate`: the same labelled draws, scaling and cross-validation)
    on every representation of :func:`representations`."""
    return {name: evaluate(train_x, labels, test_x, test_labels, per_class=per_class, seeds=seeds)
            for name, (train_x, test_x) in reps.items()}


def accuracies(results: Mapping[str, Sequence[Result]]) -> dict[str, np.ndarray]:
    """The test accuracy of each draw, representation by representation."""
    return {name: np.array([r.accuracy for r in rs]) for name, rs in results.items()}


PROBE_COLUMNS = ["features", "size", "test accuracy", "min", "max"]


def probe_rows(reps: Mapping[str, tuple[Tensor, Tensor]], results: Mapping[str, Sequence[Result]]) -> list[list]:
    """One row per representation under :data:`PROBE_COLUMNS`: its size, the mean test accuracy
    ± the standard deviation over draws, the worst and the best draw."""
    rows = []
    for name, acc in accuracies(results).items():
        rows.append([name, reps[name][0].shape[1], f"{acc.mean():.3f} ± {acc.std(ddof=1):.3f}",
                     f"{acc.min():.3f}", f"{acc.max():.3f}"])
    return rows
