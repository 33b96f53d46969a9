"""Nearest training examples, as in Figure 2's rightmost column: evidence that G does
not simply memorise its training set ("the rightmost column shows the nearest training
example of the neighboring sample", Figure 2 caption)."""

from __future__ import annotations

import torch
from torch import Tensor


@torch.no_grad()
def nearest(queries: Tensor, pool: Tensor, batch_size: int = 1024,
            dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    """Index into ``pool`` of each query's nearest row by squared L2 distance, and that distance
    (clamped at 0): the one batched nearest-row kernel of the package (Figure 2's column, k-means).

    Uses ||q||^2 - 2 q.p + ||p||^2; in float64 (the default) near-duplicates are ranked exactly,
    float32 is enough to rank k-means centres at a fraction of the cost.
    """
    queries, pool = queries.flatten(1).to(dtype), pool.flatten(1).to(dtype)
    pool_sq = pool.pow(2).sum(1)
    index, dist = [], []
    for q in queries.split(batch_size):
        d = q.pow(2).sum(1, keepdim=True) - 2 * q @ pool.T + pool_sq
        best = d.min(dim=1)
        index.append(best.indices)
        dist.append(best.values.clamp_min(0))
    return torch.cat(index), torch.cat(dist)


@torch.no_grad()
def mean_pairwise_distance(x: Tensor) -> float:
    """Mean squared L2 distance between two different rows of ``x``: a measure of how varied samples are.

    A G that has collapsed (the "Helvetica scenario", Section 6) scores near 0; real images score
    their own spread. Computed exactly as 2 x the sum of the per-pixel unbiased variances, since
    the mean of ||x_i - x_j||^2 over pairs i != j equals 2 tr Cov(x).
    """
    return 2 * x.flatten(1).double().var(dim=0).sum().item()
