"""Section 4 of the paper on tabulated 1-D densities: the optimal D (Proposition 1), the
virtual training criterion C(G) (Eq. 4, Theorem 1) and the functional-gradient argument of
Proposition 2; plus a small D trained to convergence against fixed samples, to check
Proposition 1 with the losses that Algorithm 1 uses.

Densities p_data and p_g are float64 arrays of their values on a uniform grid with spacing
dx (see :func:`gan_src.divergences.grid`); integrals are Riemann sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import Tensor, nn

from .divergences import Array, as_distribution, js_divergence, kl_divergence, normal_pdf, xlogy
from .losses import discriminator_loss
from .models import Rescale, mlp


def optimal_discriminator(p_data: ArrayLike, p_g: ArrayLike) -> Array:
    """D*_G(x) = p_data(x) / (p_data(x) + p_g(x)), Proposition 1, Eq. (2).

    Outside Supp(p_data) U Supp(p_g) every value of D is optimal (it does not
    enter V); there we return 1/2.
    """
    p_data, p_g = as_distribution(p_data), as_distribution(p_g)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5),
                     where=total > 0)


def value_on_grid(p_data: ArrayLike, p_g: ArrayLike, D: ArrayLike, dx: float) -> float:
    """V(G, D) = integral of p_data log D + p_g log(1 - D) dx, Eq. (3), for any D: x -> [0, 1]."""
    p_data, p_g, D = as_distribution(p_data), as_distribution(p_g), np.asarray(D, dtype=np.float64)
    return float(np.sum(xlogy(p_data, D) + xlogy(p_g, 1.0 - D)) * dx)


def virtual_training_criterion(p_data: ArrayLike, p_g: ArrayLike, dx: float) -> float:
    """C(G) = max_D V(G, D) = E_pdata[log D*_G] + E_pg[log(1 - D*_G)], Eq. (4).

    Computed by quadrature with D*_G of Eq. (2); Theorem 1 says C(G) = -log 4 + 2 JSD, Eq. (6).
    """
    p_data, p_g = as_distribution(p_data), as_distribution(p_g)
    total = p_data + p_g
    # D* and 1 - D* as p_data / total and p_g / total: 1 - D* computed as a difference would round
    # to 0 in the tails where p_g << p_data and turn a finite integral into -inf.
    ratio_data = np.divide(p_data, total, out=np.ones_like(total), where=total > 0)
    ratio_g = np.divide(p_g, total, out=np.ones_like(total), where=total > 0)
    return float(np.sum(xlogy(p_data, ratio_data) + xlogy(p_g, ratio_g)) * dx)



def gaussian_criteria(p_data: ArrayLike, x: ArrayLike, dx: float, mus: ArrayLike,
                      sigmas: ArrayLike) -> tuple[Array, Array]:
    """C(G) of Eq. (4) and JSD(p_data || p_g) for every Gaussian p_g = N(mu, s^2) on the grid ``x``:
    two arrays, one row per s in ``sigmas`` and one column per mu in ``mus``. Theorem 1: the first
    equals -log 4 + 2 x the second, and is smallest where p_g = p_data."""
    C = np.empty((len(sigmas), len(mus)))
    jsd = np.empty_like(C)
    for i, s in enumerate(sigmas):
        for j, mu in enumerate(mus):
            q = normal_pdf(x, mu, s)
            C[i, j] = virtual_training_criterion(p_data, q, dx)
            jsd[i, j] = js_divergence(p_data, q, dx)
    return C, jsd

# The quantities of Theorem 1 for one pair (p_data, p_g), as the appendix tabulates them
THEOREM1_LABELS = (r"$p_\text{data}$", r"$p_g$",
                   r"$\mathrm{KL}(p_\text{data} \,\Vert\, p_g)$",
                   r"$\mathrm{KL}(p_g \,\Vert\, p_\text{data})$",
                   r"$\mathrm{JSD}(p_\text{data} \,\Vert\, p_g)$",
                   r"$C(G)$ from Eq. (4)", r"$-\log 4 + 2\,\mathrm{JSD}$")


def theorem1_column(p_data: ArrayLike, p_g: ArrayLike) -> list[str]:
    """Theorem 1 for one pair of discrete distributions, one cell per
    :data:`THEOREM1_LABELS`: the pair, both KLs, the JSD, C(G) from Eq. (4)
    and -log 4 + 2 JSD from Eq. (6), to 4 decimals ("∞" where KL is)."""
    p_data, p_g = as_distribution(p_data), as_distribution(p_g)
    jsd = js_divergence(p_data, p_g)
    values = (kl_divergence(p_data, p_g), kl_divergence(p_g, p_data), jsd,
              virtual_training_criterion(p_data, p_g, 1.0), -math.log(4) + 2 * jsd)
    return [", ".join(f"{v:g}" for v in p_data), ", ".join(f"{v:g}" for v in p_g),
            *("∞" if v == math.inf else f"{v:.4f}" for v in values)]


def theorem1_rows(pairs: dict[str, tuple[ArrayLike, ArrayLike]]) -> list[list[str]]:
    """A table with one column per named pair (p_data, p_g) and one row per
    :data:`THEOREM1_LABELS` (the label first)."""
    columns = [theorem1_column(p_data, p_g) for p_data, p_g in pairs.values()]
    return [[label, *(column[i] for column in columns)] for i, label in enumerate(THEOREM1_LABELS)]


def criterion_gradient(p_data: ArrayLike, p_g: ArrayLike) -> Array:
    """A (sub)gradient of C in p_g, at p_g: the function log(1 - D*_G(x)).

    U(p_g, D) = V(G, D) is linear in p_g with derivative log(1 - D(x)); the
    derivative of U(., D*_G) at the maximising D*_G is a subderivative of
    C = sup_D U (proof of Proposition 2). Only its part orthogonal to
    constants matters, since p_g must keep integrating to 1.
    """
    p_data, p_g = as_distribution(p_data), as_distribution(p_g)
    with np.errstate(divide="ignore"):
        log_p_data, log_p_g = np.log(p_data), np.log(p_g)
    return log_p_g - np.logaddexp(log_p_data, log_p_g)


@dataclass
class FunctionalDescent:
    """The trajectory of :func:`functional_gradient_descent`."""

    jsd: list[float]                  # JSD(p_data || p_g) before step 0, 1, ..., and after the last
    criterion: list[float]            # C(G) at the same moments
    snapshots: dict[int, Array] = field(default_factory=dict)  # step -> p_g on the grid


def functional_gradient_descent(
    p_data: ArrayLike, p_g: ArrayLike, dx: float, steps: int,
    lr: float = 0.5, snapshot_at: tuple[int, ...] = (),
) -> FunctionalDescent:
    """Proposition 2 on a grid: D is set to its optimum D*_G, then p_g takes
    a descent step on C.

    The step is exponentiated gradient (mirror descent on the probability
    simplex), so p_g stays a density:
    p_g <- p_g exp(-lr * log(1 - D*_G)) / Z
         = p_g^(1 - lr) (p_data + p_g)^lr / Z.
    It works in log space so that tails where D*_G is 0 or 1 to machine
    precision stay finite. With lr = 1 the step is exactly
    p_g <- (p_g + p_data) / 2.
    """
    p_data, p_g = as_distribution(p_data), as_distribution(p_g)
    if np.any((p_data > 0) & (p_g == 0)):
        raise ValueError("p_g must be positive wherever p_data is: a "
                         "multiplicative step cannot create mass there")
    with np.errstate(divide="ignore"):
        log_p = np.log(p_g)
    out = FunctionalDescent(jsd=[], criterion=[])
    for step in range(steps + 1):
        p_g = np.exp(log_p)
        out.jsd.append(js_divergence(p_data, p_g, dx))
        out.criterion.append(virtual_training_criterion(p_data, p_g, dx))
        if step in snapshot_at:
            out.snapshots[step] = p_g.copy()
        if step == steps:
            break
        # D = D*_G, recomputed every step
        log_p = log_p - lr * criterion_gradient(p_data, p_g)
        # renormalise: sum p_g dx = 1
        log_p = log_p - np.logaddexp.reduce(log_p) - np.log(dx)
    return out


def value_from_logits(p_data: ArrayLike, p_g: ArrayLike, logits: ArrayLike, dx: float) -> float:
    """V(G, D) of Eq. (3) for D = sigmoid(logits): log D = logsigmoid(l), log(1 - D) = logsigmoid(-l).

    Unlike :func:`value_on_grid` this stays finite where D rounds to exactly 0 or 1.
    """
    p_data, p_g = as_distribution(p_data), as_distribution(p_g)
    logits = np.asarray(logits, dtype=np.float64)
    log_D, log_1m_D = -np.logaddexp(0.0, -logits), -np.logaddexp(0.0, logits)
    return float(np.sum(p_data * log_D + p_g * log_1m_D) * dx)


def train_discriminator(x_data: Tensor, x_g: Tensor, x_grid: Tensor,
                        steps: int = 500, lr: float = 2e-2, hidden: int = 32,
                        seed: int = 0) -> Tensor:
    """Train a small D against FIXED samples of p_data and p_g; return D's
    logits on ``x_grid`` (float64).

    D(x) = sigmoid(logit); keep the logits to evaluate V where D saturates
    (:func:`value_from_logits`).

    Full-batch steps on discriminator_loss (-V, Eq. 1), i.e. Algorithm 1's
    inner loop with G frozen and k = ``steps``. Proposition 1 is about the
    maximiser, not the route to it, so any gradient-based rule will do ("any
    standard gradient-based learning rule", Algorithm 1): Adam gets a small
    MLP there in a few hundred steps without tuning a momentum schedule. D
    sees x rescaled from the grid's range to [-1, 1] (``models.Rescale``).
    """
    lo, hi = float(x_grid.min()), float(x_grid.max())
    init = torch.Generator().manual_seed(seed)
    D = nn.Sequential(Rescale(lo, hi),
                      mlp(1, 1, hidden=hidden, generator=init),
                      nn.Flatten(0))
    opt = torch.optim.Adam(D.parameters(), lr=lr)
    real = x_data.reshape(-1, 1).float()
    fake = x_g.reshape(-1, 1).float()
    for _ in range(steps):
        opt.zero_grad()
        discriminator_loss(D(real), D(fake)).backward()
        opt.step()
    with torch.no_grad():
        return D(x_grid.reshape(-1, 1).float()).double()
