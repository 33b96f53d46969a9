"""Langevin dynamics, the Markov chain a GAN does without ("Markov chains are never needed", Section 6).

A model given by a density (or an energy) is sampled by running a chain whose stationary
distribution is the model. Unadjusted Langevin dynamics needs only the score, the gradient of
the log-density:

    x_{t+1} = x_t + eps / 2 * grad_x log p(x_t) + sqrt(eps) * xi_t,   xi_t ~ N(0, I).

The chapters grant the chain the *exact* score of p_data (:func:`normal_score` for the 1-D
Gaussian of the introduction, :func:`mixture_score` for the 2-D mixtures of Section 6) and
compare it with G, whose samples cost one forward pass each.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

Score = Callable[[Tensor], Tensor]  # x -> grad_x log p(x), of x's shape


def langevin(x: Tensor, score: Score, eps: float, steps: int,
             generator: torch.Generator) -> Tensor:
    """``steps`` steps of unadjusted Langevin dynamics from the states
    ``x`` (one chain per entry, or per row in R^d), step size ``eps``."""
    for _ in range(steps):
        noise = torch.randn(x.shape, generator=generator)
        x = x + eps / 2 * score(x) + eps**0.5 * noise
    return x


def normal_score(mean: float, std: float) -> Score:
    """The score of N(mean, std^2): -(x - mean) / std^2."""
    return lambda x: -(x - mean) / std**2


def mixture_score(modes: Tensor, std: float) -> Score:
    """The score of an equal mixture of isotropic Gaussians N(mode, std^2 I), for rows x in R^d:
    (sum_j w_j(x) mode_j - x) / std^2, with w_j(x) the modes' responsibilities for x."""
    def score(x: Tensor) -> Tensor:
        sq_dist = torch.cdist(x, modes).pow(2)
        weights = torch.softmax(-sq_dist / (2 * std**2), dim=1)
        return (weights @ modes - x) / std**2
    return score
