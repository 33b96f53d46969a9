"""The toy distributions of the theory chapters: Figure 1's 1-D Gaussian and the 2-D Gaussian mixtures."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def gaussian_1d(n: int, generator: torch.Generator, mean: float = 4.0, std: float = 0.5) -> Tensor:
    """Samples of shape (n, 1) from N(mean, std^2): the data of Figure 1."""
    return mean + std * torch.randn(n, 1, generator=generator)


def ring_modes(n_modes: int = 8, radius: float = 1.0) -> Tensor:
    """Centres of the 2-D ring mixture (VEEGAN / PacGAN: 8 modes on the unit circle)."""
    angles = torch.arange(n_modes, dtype=torch.float64) * (2 * math.pi / n_modes)
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()


def grid_modes(side: int = 5, spacing: float = 2.0) -> Tensor:
    """Centres of the 2-D grid mixture (VEEGAN / PacGAN: 25 modes on {-4,-2,0,2,4}^2)."""
    ticks = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    return torch.cartesian_prod(ticks, ticks)


def gaussian_mixture(n: int, modes: Tensor, std: float, generator: torch.Generator) -> Tensor:
    """n samples from an equal-weight mixture of isotropic Gaussians centred at ``modes``."""
    which = torch.randint(len(modes), (n,), generator=generator)
    return modes[which] + std * torch.randn(n, modes.shape[1], generator=generator)
