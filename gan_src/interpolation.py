"""Figure 3: "Digits obtained by linearly interpolating between coordinates in z space
of the full model." """

from __future__ import annotations

import torch
from torch import Tensor, nn


def lerp_path(z0: Tensor, z1: Tensor, steps: int) -> Tensor:
    """``steps`` points on the segment from z0 to z1, both ends included: shape (steps, *z0.shape)."""
    if steps < 2:
        raise ValueError(f"an interpolation needs at least 2 steps, got {steps}")
    t = torch.linspace(0, 1, steps, dtype=z0.dtype).view(-1, *([1] * z0.dim()))
    return (1 - t) * z0 + t * z1


@torch.no_grad()
def interpolate(G: nn.Module, z0: Tensor, z1: Tensor, steps: int) -> Tensor:
    """G's outputs along the straight line between the rows of z0 and z1.

    z0 and z1 have shape (rows, z_dim); the result has shape (rows, steps, x_dim):
    row r shows G((1 - t) z0[r] + t z1[r]) for t = 0 ... 1.
    """
    G.eval()
    device = next(G.parameters()).device
    path = lerp_path(z0, z1, steps).transpose(0, 1)  # (rows, steps, z_dim)
    return G(path.reshape(-1, path.shape[-1]).to(device)).cpu().view(path.shape[0], steps, -1)
