"""Claims with bands: how a chapter checks a number that comes out of a training run.

Seeded training is chaotic: a last-bit difference in one matmul (another CPU's kernels, another
thread count, another BLAS, a GPU) grows into a different run, so the digits a run prints differ
from machine to machine. A chapter therefore prints such a number as it came out (its cell is
not compared by nbval) and checks the paper's claim about it with :func:`check`: the value must
lie in a band recorded in :data:`BANDS`, derived from the spread measured over seeds, thread
counts and kernel paths (``tools/measure_bands.py``), and chosen so that a deliberately broken
implementation falls outside it (``tests/test_claims.py``). A failing claim raises, so
``pytest --nbval`` fails. Numbers that are exact on any machine (closed forms, quadrature) are
compared by nbval as printed.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    """Where a run-dependent number must fall for a claim to hold."""

    low: float
    high: float
    claim: str          # what the band checks, in the paper's terms
    measured: str       # the spread it was derived from, and over what
    broken: str         # the broken variant that falls outside (tests/test_claims.py)

    def __contains__(self, value: float) -> bool:
        return math.isfinite(value) and self.low <= value <= self.high


class ClaimFailed(AssertionError):
    """A run-dependent number fell outside its band: the claim did not hold on this run."""


# Measured 2026-11-30 with tools/measure_bands.py on an AMD EPYC (AVX2): seeds x {1 thread; ATen's
# portable path; MKL held to SSE4.2 + ATen portable + 1 thread} plus the committed default
# (2 threads); and, where stated, the 24-29 reruns of seed 0 under other kernel paths of an Intel
# Xeon (AVX-512/AMX), measured on that machine. Each band covers every measured value with room to
# spare and excludes the broken variant named with it (tests/test_claims.py).
_EPYC = "tools/measure_bands.py, AMD EPYC"
BANDS: dict[str, Band] = {
    # 4. Theoretical results: D trained against fixed samples approaches D* (Proposition 1)
    "theory.d_error": Band(
        0.0, 0.05, "Proposition 1: D -> D*",
        f"0.0136-0.0311 over seeds 0-4 x 3 kernel configurations ({_EPYC}); 0.0192-0.0325 over the Intel reruns",
        "real and fake swapped: D -> 1 - D*"),
    "theory.v_gap": Band(
        0.0, 0.005, "V(G, trained D) <= C(G), nearly equal",
        f"0.00038-0.00183 over seeds 0-4 x 3 kernel configurations ({_EPYC}); 0.0011 on the Intel machine",
        "real and fake swapped"),
    # 3. Adversarial nets
    "adversarial.epoch1_gap": Band(
        0.25, 0.65, "mean D(x) - D(G(z)) after 1 epoch: D ahead, G learning",
        f"0.400-0.449 over seeds 0-2 x 2 kernel configurations and 0.449 committed ({_EPYC})",
        "D frozen: gap near 0 (a frozen G is not caught: D needs more than an epoch even against it)"),
    "adversarial.mm_D_fake": Band(
        0.0, 0.1, "minimax: D rejects G(z) and log(1 - D(G(z))) saturates",
        f"0.0033-0.0326 over seeds 0-2 x 2 kernel configurations ({_EPYC}); 0.003 on the Intel machine",
        "D never steps: D(G(z)) stays near 1/2"),
    "adversarial.grad_ratio": Band(
        3.0, math.inf, "non-saturating G gradient / minimax G gradient: 'much stronger gradients'",
        f"6.2-10,400 over seeds 0-2 x 2 kernel configurations ({_EPYC}); 12,802 at seed 0 with the step of "
        "gan_src.train (dropout masks from rand < keep: another random stream)",
        "the non-saturating loss silently the minimax one: ratio 1"),
    # 6. Advantages: 2-D mixtures (5 runs per mixture; the sweep's edges over 3 runs)
    "advantages.ring_modes": Band(
        2.0, 8.0, "ring: mean modes covered of 8",
        f"4.4-7.0 over seed sets 0-2 x 2 kernel configurations and 6.2 committed ({_EPYC}); 3.6-6.2 on the Intel machine",
        "G never learns (lr_G = 0): 0 modes"),
    "advantages.grid_modes": Band(
        14.0, 22.0, "grid: mean modes covered of 25, below the uniform reference's 24",
        f"17.0-19.2 over seed sets 0-2 x 2 kernel configurations and 19.0 committed ({_EPYC}); 17.4-19.4 on the Intel machine",
        "G never learns (lr_G = 0): 1 mode, the centre"),
    "advantages.g_ahead_modes": Band(
        0.0, 1.5, "lr_G = 10 lr_D: G outruns D and collapses (Helvetica)",
        f"0-1 over seed sets 0-2 x 2 kernel configurations ({_EPYC})",
        "the two learning rates swapped: 6-7 modes"),
    "advantages.d_ahead_modes": Band(
        1.0, 4.0, "k = 3, lr_D = 10 lr_G: D far ahead, G settles on a few modes",
        f"2.3-2.7 over seed sets 0-2 x 2 kernel configurations ({_EPYC})",
        "k ignored (k = 1): 6-7 modes"),
    "advantages.d_ahead_hq": Band(
        35.0, 100.0, "k = 3, lr_D = 10 lr_G: ... with mostly high-quality samples",
        f"66.7 committed; single runs 52.8-85.0 over first seeds 0, 5, 10 x 2 kernel configurations ({_EPYC})",
        "k ignored (k = 1): about 14 %"),
    "advantages.parzen_real_gap": Band(
        -0.1, 0.1, "Parzen window on 10,000 real samples ~ exact log p_data (2-D)",
        f"0.018 in every run ({_EPYC}); 0.02 committed",
        "sigma left at 1 instead of chosen on validation data"),
    # 7. Conclusions, extension 2: an inference net for the shipped G (gan_src.inference)
    "conclusions.inference_test_ratio": Band(
        0.0, 0.5, "G(E(x)) reconstructs test digits far better than unrelated samples of G",
        f"0.297-0.307 over seeds 0-4 (1 thread), 0.293-0.307 over seeds 0-2 with ATen's portable path "
        f"and MKL held to SSE4.2 ({_EPYC}), the shipped G of epoch 840; at seed 0, 0.294 with that of "
        "epoch 1340 and 0.289 with that of epoch 1450; 0.299-0.304 with that of epoch 720, 0.309-0.324 with that "
        "of epoch 500",
        "E never trained (0 steps): 0.80-0.81"),
    "conclusions.inference_G_ratio": Band(
        0.0, 0.75, "samples of G reconstruct better than real test digits",
        f"0.550-0.580 over seeds 0-4 (1 thread), 0.558-0.581 over seeds 0-2 with ATen's portable path "
        f"and MKL held to SSE4.2 ({_EPYC}), the shipped G of epoch 840; at seed 0, 0.600 with that of "
        "epoch 1340 and 0.641 with that of epoch 1450; 0.544-0.560 with that of epoch 720, 0.483-0.513 with that "
        "of epoch 500",
        "E never trained (0 steps): 1.00-1.01"),
}


def check(name: str, value: float, digits: int = 3) -> None:
    """Print ``check: NAME = VALUE in [LOW, HIGH] (CLAIM) ✓``; raise :class:`ClaimFailed` outside the band."""
    band = BANDS[name]
    ok = value in band
    line = (f"check: {name} = {value:.{digits}f} in [{band.low:g}, {band.high:g}] "
            f"({band.claim}) {'✓' if ok else '✗'}")
    print(textwrap.fill(line, 78, subsequent_indent="    ", break_on_hyphens=False))  # fits the page's column
    if not ok:
        raise ClaimFailed(f"{line}; the band was measured over {band.measured}")


def glue(name: str, value: object, display: bool = False) -> None:
    """myst-nb's ``glue`` (prose quotes ``{glue:text}`name:.3f```); outside a book build
    (Colab), where myst-nb is not installed, it does nothing."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=display)
