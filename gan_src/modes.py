"""Mode coverage on 2-D Gaussian mixtures: how the "Helvetica scenario" of Section 6 is measured.

The metrics are VEEGAN's (Srivastava et al., 2017), also used by PacGAN (Lin et al., 2018):

- a sample is *high-quality* if it lies within 3 standard deviations of its nearest mode;
- a mode is *covered* if it is the nearest mode of at least one high-quality sample.

Both papers report them over 2,500 samples of G. A generator in the Helvetica scenario
("G collapses too many values of z to the same value of x", Section 6) can score a high
percentage of high-quality samples while covering a single mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

N_SAMPLES = 2500   # VEEGAN's and PacGAN's sample count
THRESHOLD = 3.0    # "within 3 standard deviations"


@dataclass(frozen=True)
class ModeReport:
    """The two numbers VEEGAN reports for one set of samples, plus the per-mode counts."""

    modes_covered: int        # modes that are the nearest mode of >= 1 high-quality sample
    n_modes: int
    high_quality: float       # fraction of samples within THRESHOLD std of their nearest mode
    counts: Tensor            # high-quality samples per mode, shape (n_modes,)


def nearest_mode(samples: Tensor, modes: Tensor) -> tuple[Tensor, Tensor]:
    """Index of each sample's nearest mode and the Euclidean distance to it."""
    dist = torch.cdist(samples.double(), modes.double())
    d, idx = dist.min(dim=1)
    return idx, d


def mode_histogram(samples: Tensor, modes: Tensor, std: float, threshold: float = THRESHOLD) -> Tensor:
    """High-quality samples per mode (shape (n_modes,)): the per-mode histogram of VEEGAN's metric."""
    idx, d = nearest_mode(samples, modes)
    good = d <= threshold * std
    return torch.bincount(idx[good], minlength=len(modes))


def mode_report(samples: Tensor, modes: Tensor, std: float,
                threshold: float = THRESHOLD) -> ModeReport:
    """Modes covered and the fraction of high-quality samples
    (VEEGAN, Srivastava et al. 2017)."""
    if samples.ndim != 2 or samples.shape[1] != modes.shape[1]:
        raise ValueError(f"samples must have shape (n, {modes.shape[1]}), "
                         f"got {tuple(samples.shape)}")
    counts = mode_histogram(samples, modes, std, threshold)
    return ModeReport(
        modes_covered=int((counts > 0).sum()),
        n_modes=len(modes),
        high_quality=counts.sum().item() / len(samples),
        counts=counts,
    )
