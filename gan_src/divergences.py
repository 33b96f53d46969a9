"""KL and Jensen-Shannon divergences, the quantities behind Theorem 1 (Section 4.1, Eqs. 5-6).

Distributions are arrays of non-negative numbers: probabilities of a discrete distribution
(``dx = 1``), or a density tabulated on a uniform grid with spacing ``dx``, in which case the
integrals are Riemann sums (for smooth densities that vanish at both ends of the grid these
equal the trapezoidal rule and converge very fast). Everything is computed in float64, in
nats (natural logarithm), with the convention 0 log 0 = 0.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def as_distribution(p: ArrayLike) -> Array:
    """``p`` as a float64 array, refusing negative or non-finite entries (they are no distribution)."""
    p = np.asarray(p, dtype=np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("a distribution needs finite, non-negative entries; got negative, inf or nan values")
    return p


def grid(start: float, stop: float, n: int) -> tuple[Array, float]:
    """A uniform grid of ``n`` points from ``start`` to ``stop`` and its spacing dx."""
    x = np.linspace(start, stop, n, dtype=np.float64)
    return x, float(x[1] - x[0])


def normal_pdf(x: ArrayLike, mean: float = 0.0, std: float = 1.0) -> Array:
    """The density of N(mean, std^2) at x, in float64."""
    u = (np.asarray(x, dtype=np.float64) - mean) / std
    return np.exp(-0.5 * u * u) / (std * math.sqrt(2 * math.pi))


def mixture_pdf(x: ArrayLike, means: list[float], stds: list[float], weights: list[float]) -> Array:
    """The density of a mixture of 1-D Gaussians at x (weights are normalised to sum to 1)."""
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    return sum(wi * normal_pdf(x, m, s) for wi, m, s in zip(w, means, stds))


def xlogy(p: Array, q: Array) -> Array:
    """p * log(q) elementwise, 0 where p = 0 (the 0 log 0 = 0 convention); -inf where p > 0 = q."""
    out = np.zeros(np.broadcast(p, q).shape, dtype=np.float64)
    pos = np.broadcast_to(p > 0, out.shape)
    pb, qb = np.broadcast_to(p, out.shape), np.broadcast_to(q, out.shape)
    with np.errstate(divide="ignore"):
        out[pos] = pb[pos] * np.log(qb[pos])
    return out


def kl_divergence(p: ArrayLike, q: ArrayLike, dx: float = 1.0) -> float:
    """KL(p || q) = sum_x p(x) log(p(x) / q(x)) dx, in nats; +inf when p puts
    mass where q has none.

    KL is not symmetric: KL(p || q) != KL(q || p) in general (see the appendix).
    """
    p, q = as_distribution(p), as_distribution(q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    return float(np.sum(xlogy(p, p) - xlogy(p, q)) * dx)


def js_divergence(p: ArrayLike, q: ArrayLike, dx: float = 1.0) -> float:
    """JSD(p || q) = KL(p || M)/2 + KL(q || M)/2 with M = (p + q)/2, in nats.

    Symmetric, 0 iff p = q, at most log 2 (reached iff the supports are
    disjoint). Theorem 1, Eq. (6): the virtual training criterion is
    C(G) = -log 4 + 2 JSD(p_data || p_g).
    """
    p, q = as_distribution(p), as_distribution(q)
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, dx) + 0.5 * kl_divergence(q, m, dx)


def entropy(p: ArrayLike, dx: float = 1.0) -> float:
    """H(p) = -sum_x p(x) log p(x) dx: Shannon entropy, or differential entropy for a tabulated density."""
    p = as_distribution(p)
    return float(-np.sum(xlogy(p, p)) * dx)


def kl_normal(mean_p: float, std_p: float, mean_q: float, std_q: float) -> float:
    """Closed form KL(N(mean_p, std_p^2) || N(mean_q, std_q^2)) in nats."""
    return math.log(std_q / std_p) + (std_p**2 + (mean_p - mean_q) ** 2) / (2 * std_q**2) - 0.5


def normal_entropy(std: float) -> float:
    """Differential entropy of N(mean, std^2): log(std sqrt(2 pi e)) nats."""
    return 0.5 * math.log(2 * math.pi * math.e * std**2)
