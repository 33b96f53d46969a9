"""G and D (Section 3): the paper's MNIST networks and small MLPs for toy problems.

The MNIST architectures follow the authors' ``mnist.yaml``:

- G: z (100) -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid, weights U(-0.05, 0.05),
  output bias = logit of the per-pixel training mean. Noise enters only at the
  bottom layer and G has no dropout (Section 5).
- D: maxout 240 units x 5 pieces -> maxout 240 x 5 -> 1 logit, weights
  U(-0.005, 0.005), dropout on every layer's input (0.2 on pixels, 0.5 later).

D returns a *logit*; D(x) = sigmoid(logit). Every loss works on logits.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from .noise import Z_DIM, mnist_p_z  # noqa: F401  p_z lives in gan_src.noise; chapters import it from here too

X_DIM = 784


class Maxout(nn.Module):
    """A maxout layer (Goodfellow et al., 2013): ``units`` maxima over ``pieces`` linear pieces."""

    def __init__(self, in_features: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(in_features, units * pieces)

    def forward(self, x: Tensor) -> Tensor:
        # pylearn2 groups consecutive pieces: unit j is the max over columns j*pieces ... j*pieces+pieces-1.
        # .max(dim) gives amax's values; its backward routes through the saved argmax, which is
        # cheaper than amax's tie-splitting backward (benchmarks/train_step.py).
        return self.linear(x).view(-1, self.units, self.pieces).max(dim=2).values


class Dropout(nn.Module):
    """Inverted dropout as pylearn2's ``Dropout`` cost applies it (Section 5: D is trained with dropout):
    in training, each input is kept with probability 1 - p and scaled by 1 / (1 - p).

    The mask is drawn as ``rand < 1 - p`` from torch's global generator, one uniform per unit
    like Theano's ``binomial``: the same distribution as ``nn.Dropout``, about half the cost of
    its ``bernoulli_`` on CPU, and a different random stream.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = 1 - self.p
        return x * torch.rand_like(x).lt_(keep).mul_(1 / keep)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _init_uniform(module: nn.Module, r: float, generator: torch.Generator | None) -> None:
    """``irange: r`` in pylearn2: weights U(-r, r), biases zero."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.uniform_(layer.weight, -r, r, generator=generator)
            nn.init.zeros_(layer.bias)


def mnist_generator(pixel_mean: Tensor | None = None, generator: torch.Generator | None = None,
                    in_features: int = Z_DIM) -> nn.Sequential:
    """The paper's MNIST G: 100 -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid (2,503,984 parameters).

    ``pixel_mean`` (784 values in [0, 1]) sets the output bias to its logit, clipped
    to [1e-7, 1 - 1e-7] as pylearn2's ``init_sigmoid_bias_from_marginals`` does.
    ``in_features`` widens the input, e.g. to z and a one-hot class (Section 7; :mod:`gan_src.conditional`).
    """
    G = nn.Sequential(
        nn.Linear(in_features, 1200), nn.ReLU(),
        nn.Linear(1200, 1200), nn.ReLU(),
        nn.Linear(1200, X_DIM), nn.Sigmoid(),
    )
    _init_uniform(G, 0.05, generator)
    if pixel_mean is not None:
        with torch.no_grad():
            G[4].bias.copy_(torch.logit(pixel_mean.clamp(1e-7, 1 - 1e-7)))
    return G


def mnist_discriminator(generator: torch.Generator | None = None, in_features: int = X_DIM) -> nn.Sequential:
    """The paper's MNIST D: maxout 240x5 -> maxout 240x5 -> 1 logit (1,231,441 parameters).

    ``in_features`` widens the input, e.g. to x and a one-hot class (Section 7; :mod:`gan_src.conditional`).
    """
    D = nn.Sequential(
        Dropout(0.2), Maxout(in_features, 240, 5),
        Dropout(0.5), Maxout(240, 240, 5),
        Dropout(0.5), nn.Linear(240, 1),
        nn.Flatten(0),
    )
    _init_uniform(D, 0.005, generator)
    return D


class Rescale(nn.Module):
    """x -> (x - centre) / half_width: maps the plotted x-range onto [-1, 1] before D's first layer.

    A freshly initialised ReLU MLP has its kinks near the origin; without this, D is nearly
    linear over x in [2, 6] and cannot form the bump that tells a too-wide p_g from p_data.
    """

    def __init__(self, start: float, stop: float) -> None:
        super().__init__()
        self.centre, self.half_width = (start + stop) / 2, (stop - start) / 2

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.centre) / self.half_width


def mlp(in_dim: int, out_dim: int, hidden: int = 64, depth: int = 2,
        generator: torch.Generator | None = None) -> nn.Sequential:
    """A small ReLU MLP for the 1-D and 2-D problems: G (noise -> x) or D (x -> logit), initialised as
    ``nn.Linear`` does, from ``generator`` (torch's global generator, when None)."""
    layers: list[nn.Module] = []
    width = in_dim
    with torch.random.fork_rng(devices=[], enabled=generator is not None):  # leave the global stream alone
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        layers.append(nn.Linear(width, out_dim))
    net = nn.Sequential(*layers)
    if generator is not None:
        reset_linears(net, generator)
    return net


@torch.no_grad()
def reset_linears(module: nn.Module, generator: torch.Generator) -> None:
    """Re-draw every ``nn.Linear`` of ``module`` from ``generator``, with ``nn.Linear``'s own default
    distributions (Kaiming-uniform weights, biases uniform in +-1/sqrt(fan_in)), in module order:
    the same numbers as building them after ``torch.manual_seed``, without touching the global stream."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            if layer.bias is not None:
                bound = 1 / math.sqrt(layer.in_features) if layer.in_features > 0 else 0
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def architecture(net: nn.Sequential) -> str:
    """One line naming ``net``'s layers in order, e.g. ``Linear(100→1200) → ReLU → …`` (the table of
    Section 5's setting); ``Flatten`` is left out."""
    def name(m: nn.Module) -> str:
        if isinstance(m, Maxout):
            return f"Maxout({m.units}×{m.pieces})"
        if isinstance(m, Dropout):
            return f"Dropout(p={m.p})"
        if isinstance(m, nn.Linear):
            return f"Linear({m.in_features}→{m.out_features})"
        return type(m).__name__

    return " → ".join(name(m) for m in net if not isinstance(m, nn.Flatten))


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)

