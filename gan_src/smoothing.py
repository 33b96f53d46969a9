"""Section 2's identity for back-propagating through noise:

    lim_{sigma -> 0} grad_x E_{eps ~ N(0, sigma^2 I)} f(x + eps) = grad_x f(x).

The left-hand side computed two ways, each differentiated by autograd in float64:
Gauss-Hermite quadrature (the expectation exactly, to rounding, for smooth f) and Monte
Carlo over fixed standard normal draws eps = sigma xi. Plus the related-work chapter's
worked example, a function whose smoothed gradient is known in closed form.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

Function = Callable[[Tensor], Tensor]  # rows x = (x1, ..., xd) -> f(x), one value a row


def gradient(f: Function, x: Tensor) -> Tensor:
    """grad_x f(x) at one point x (a 1-D tensor), by autograd."""
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x)
    return grad


def gauss_hermite(nodes: int) -> tuple[Tensor, Tensor]:
    """Nodes t_i and weights w_i (float64) with sum_i w_i g(t_i) = E g(t), t ~ N(0, 1),
    exact for polynomials g of degree below 2 * ``nodes``."""
    t, w = np.polynomial.hermite_e.hermegauss(nodes)  # weight exp(-t^2 / 2)
    return torch.tensor(t), torch.tensor(w / math.sqrt(2 * math.pi))


def smoothed_gradient_quadrature(f: Function, x: Tensor, sigma: float,
                                 nodes: int = 40) -> Tensor:
    """grad_x E f(x + eps), eps ~ N(0, sigma^2 I), with the expectation by
    Gauss-Hermite quadrature on a product grid of ``nodes`` per axis."""
    t, w = gauss_hermite(nodes)
    grids = torch.meshgrid(*[t] * x.numel(), indexing="ij")
    eps = sigma * torch.stack(grids, dim=-1)
    weight = w
    for _ in range(x.numel() - 1):  # the product weight w_i w_j ...
        weight = weight[..., None] * w
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad((weight * f(x + eps)).sum(), x)
    return grad


def smoothed_gradient_monte_carlo(f: Function, x: Tensor, sigma: float,
                                  samples: int, seed: int = 0) -> Tensor:
    """grad_x E f(x + eps), eps = sigma xi, with the expectation as the mean
    over ``samples`` standard normal draws xi (float64, from ``seed``: the
    same draws for every sigma)."""
    xi = torch.randn(samples, x.numel(), dtype=torch.float64,
                     generator=torch.Generator().manual_seed(seed))
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x + sigma * xi).mean(), x)
    return grad


def f(x: Tensor) -> Tensor:
    """f(x) = sin(x1) x2^2 + exp(x1 / 2) x2, for rows x = (x1, x2)."""
    x1, x2 = x[..., 0], x[..., 1]
    return torch.sin(x1) * x2**2 + torch.exp(x1 / 2) * x2


def f_smoothed_gradient(x: Tensor, sigma: float) -> Tensor:
    """grad_x E f(x + eps) for :func:`f`, in closed form:
    E f(x + eps) = exp(-sigma^2/2) sin(x1) (x2^2 + sigma^2) + exp(x1/2 + sigma^2/8) x2."""
    x1, x2 = x[0].item(), x[1].item()
    s, e = math.exp(-sigma**2 / 2), math.exp(x1 / 2 + sigma**2 / 8)
    return torch.tensor([s * math.cos(x1) * (x2**2 + sigma**2) + e * x2 / 2,
                         2 * s * math.sin(x1) * x2 + e], dtype=torch.float64)
