"""Section 6 in the book: the "Helvetica scenario" and the missing p_g on the 2-D mixtures, in tables.

The chapter trains GANs on the ring and the grid (:mod:`gan_src.toy2d`) and measures them with
VEEGAN's two numbers (:mod:`gan_src.modes`). Here are what it sets beside its runs and how it
tabulates them: the plain-GAN results published by VEEGAN and PacGAN, two references that are
no GAN at all (points spread uniformly over the mixture's support), the per-seed results, the
sweep over k and the learning-rate ratio, and the Parzen windows (:mod:`gan_src.parzen`)
against the exact log p_data on the ring.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import torch

from .modes import N_SAMPLES, ModeReport, mode_report
from .parzen import ParzenResult
from .toy2d import MIXTURES

Row = Sequence[object]


class Coverage(NamedTuple):
    """VEEGAN's two numbers for a generator, averaged over its runs."""

    modes: float   # modes covered (of 8 on the ring, of 25 on the grid)
    hq: float      # % high-quality samples


# The plain GAN's results as published, on the same mixtures and metrics (2,500 samples of G):
# mixture -> (modes covered, % HQ). VEEGAN: Srivastava et al. (2017); PacGAN: Lin et al. (2018).
PUBLISHED: dict[str, dict[str, Coverage]] = {
    "VEEGAN (2017)": {"ring": Coverage(1.0, 99.3), "grid": Coverage(3.3, 0.5)},
    "PacGAN (2018)": {"ring": Coverage(6.3, 98.2), "grid": Coverage(17.3, 94.8)},
}
COLUMNS = ("ring: modes (of 8)", "ring: % HQ", "grid: modes (of 25)", "grid: % HQ")


def coverage(reports: Iterable[ModeReport]) -> Coverage:
    """The mean modes covered and the mean % of high-quality samples of several runs."""
    reports = list(reports)
    return Coverage(statistics.mean(r.modes_covered for r in reports),
                    100 * statistics.mean(r.high_quality for r in reports))


def uniform_references(n: int = N_SAMPLES, seed: int = 0) -> dict[str, Coverage]:
    """What a "generator" that spreads n points evenly scores, mixture -> coverage: uniform on the
    circle through the ring's modes, and uniform on the square [-5, 5]^2 around the grid."""
    generator = torch.Generator().manual_seed(seed)
    angle = 2 * math.pi * torch.rand(n, generator=generator)
    circle = torch.stack([angle.cos(), angle.sin()], dim=1)
    square = 10 * torch.rand(n, 2, generator=generator) - 5
    references = {}
    for mixture, x in (("ring", circle), ("grid", square)):
        modes, std = MIXTURES[mixture]
        references[mixture] = coverage([mode_report(x, modes(), std)])
    return references


def coverage_rows(table: dict[str, dict[str, Coverage]]) -> list[Row]:
    """One row per generator (name -> mixture -> coverage): its numbers on the ring, then the grid,
    in the order of :data:`COLUMNS`."""
    return [[name, *(f"{v:.1f}" for v in row["ring"] + row["grid"])] for name, row in table.items()]


def seed_rows(seeds: Iterable[int], ring: Sequence[ModeReport], grid: Sequence[ModeReport]) -> list[Row]:
    """One row per seed: its run on the ring, then on the grid, in the order of :data:`COLUMNS`."""
    return [[seed, on_ring.modes_covered, f"{100 * on_ring.high_quality:.1f}",
             on_grid.modes_covered, f"{100 * on_grid.high_quality:.1f}"]
            for seed, on_ring, on_grid in zip(seeds, ring, grid)]


def sweep_rows(sweep: dict[tuple[int, float], Sequence[ModeReport]]) -> list[Row]:
    """The sweep over (k, lr_D / lr_G) -> one report per seed, as rows (k, ratio, modes covered,
    % HQ): each the mean over the seeds, with the seeds' values in parentheses."""
    rows = []
    for (k, ratio), reports in sweep.items():
        modes = [r.modes_covered for r in reports]
        hq = [100 * r.high_quality for r in reports]
        rows.append([k, f"{ratio:g}",
                     f"{statistics.mean(modes):.1f} ({', '.join(map(str, modes))})",
                     f"{statistics.mean(hq):.1f} ({', '.join(f'{h:.1f}' for h in hq)})"])
    return rows


def parzen_rows(fits: dict[str, ParzenResult], reports: dict[str, ModeReport],
                exact: tuple[float, float]) -> list[Row]:
    """Parzen windows on the ring, one row per set of centres (name -> its fit and the mode report of
    its first samples): sigma, test log-likelihood ± standard error, modes covered and % HQ; then
    the exact log p_data (mean, standard error) of the same test points."""
    rows: list[Row] = [[name, f"{fit.sigma:.3f}", f"{fit.mean:.2f} ± {fit.se:.2f}",
                        f"{reports[name].modes_covered}, {100 * reports[name].high_quality:.1f}"]
                       for name, fit in fits.items()]
    return rows + [[r"exact $\log p_\mathrm{data}$", "", f"{exact[0]:.2f} ± {exact[1]:.2f}", ""]]
