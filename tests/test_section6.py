"""Section 6's tables and figures on the 2-D mixtures (gan_src.section6, gan_src.plotting): the
means, the uniform references and the rows say what their samples are known to be."""

import math

import matplotlib
import pytest
import torch

from gan_src import plotting, section6
from gan_src.data import gaussian_mixture, grid_modes, ring_modes
from gan_src.modes import ModeReport, mode_report
from gan_src.parzen import ParzenResult, parzen_log_likelihood
from gan_src.section6 import Coverage, coverage
from gan_src.toy2d import Toy2DConfig, train_toy2d

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def report(modes_covered: int, high_quality: float, n_modes: int = 8) -> ModeReport:
    return ModeReport(modes_covered, n_modes, high_quality, torch.zeros(n_modes, dtype=torch.long))


def test_coverage_is_the_mean_over_runs_in_percent():
    assert coverage([report(2, 0.5), report(5, 0.25), report(8, 0.0)]) == Coverage(5, 25.0)
    ring = ring_modes()
    collapsed = ring[3] + 0.001 * torch.randn(2500, 2, generator=torch.Generator().manual_seed(0))
    assert coverage([mode_report(collapsed, ring, 0.01)]) == (1, 100.0)


def test_uniform_references_spread_over_the_support():
    """Uniform on the circle: every mode, and 8 arcs of 2 x 3 std = 0.06 of 2 pi, 7.6 % HQ. Uniform on
    [-5, 5]^2: discs of radius 0.15 around 25 modes, 1.8 % of the square; a mode is missed with
    probability exp(-2500 x 0.0707 / 100) = 0.17, so about 21 of 25 are covered."""
    refs = section6.uniform_references()
    assert refs["ring"].modes == 8
    assert refs["ring"].hq == pytest.approx(100 * 8 * 0.06 / (2 * math.pi), abs=1.5)
    assert refs["grid"].hq == pytest.approx(100 * 25 * math.pi * 0.15**2 / 100, abs=0.6)
    assert 17 <= refs["grid"].modes <= 25
    assert section6.uniform_references() == refs
    assert section6.uniform_references(seed=1) != refs


def test_samples_of_p_data_score_like_p_data_not_like_the_uniform_references():
    gen = torch.Generator().manual_seed(0)
    on_grid = mode_report(gaussian_mixture(2500, grid_modes(), 0.05, gen), grid_modes(), 0.05)
    assert coverage([on_grid]).hq > 95 > section6.uniform_references()["grid"].hq


def test_rows_format_coverage_per_generator_and_per_seed():
    table = {"VEEGAN (2017)": section6.PUBLISHED["VEEGAN (2017)"],
             "ours": {"ring": Coverage(6, 5.28), "grid": Coverage(18.4, 1.68)}}
    assert section6.coverage_rows(table) == [["VEEGAN (2017)", "1.0", "99.3", "3.3", "0.5"],
                                             ["ours", "6.0", "5.3", "18.4", "1.7"]]
    assert len(section6.COLUMNS) == 4
    rows = section6.seed_rows(range(2), [report(7, 0.0524), report(5, 0.0312)],
                              [report(18, 0.0168, 25), report(19, 0.02, 25)])
    assert rows == [[0, 7, "5.2", 18, "1.7"], [1, 5, "3.1", 19, "2.0"]]


def test_sweep_rows_give_the_mean_and_each_seed():
    sweep = {(1, 0.1): [report(0, 0.0), report(2, 0.01), report(0, 0.0)],
             (3, 10.0): [report(2, 0.6), report(3, 0.852), report(2, 0.5)]}
    assert section6.sweep_rows(sweep) == [
        [1, "0.1", "0.7 (0, 2, 0)", "0.3 (0.0, 1.0, 0.0)"],
        [3, "10", "2.3 (2, 3, 2)", "65.1 (60.0, 85.2, 50.0)"]]


def test_parzen_rows_end_with_the_exact_log_likelihood():
    fit = ParzenResult(sigma=0.0178, sigmas=(0.01, 0.0178), curve=(1.0, 2.0), mean=3.14159, se=0.0271,
                       n_test=2500)
    rows = section6.parzen_rows({"G": fit}, {"G": report(8, 0.0748)}, (7.5, 0.02))
    assert rows == [["G", "0.018", "3.14 ± 0.03", "8, 7.5"],
                    [r"exact $\log p_\mathrm{data}$", "", "7.50 ± 0.02", ""]]


def test_mixture_samples_draw_the_samples_and_the_modes_on_the_mixtures_square():
    for mixture, half_width in (("ring", 1.5), ("grid", 5.5)):
        cfg = Toy2DConfig(mixture=mixture)
        x = torch.randn(30, 2, generator=torch.Generator().manual_seed(0))
        _, ax = plt.subplots()
        plotting.mixture_samples(ax, x, cfg, "title")
        dots, crosses = ax.collections
        assert torch.allclose(torch.as_tensor(dots.get_offsets()).float(), x)
        assert torch.allclose(torch.as_tensor(crosses.get_offsets()).float(), cfg.modes)
        assert ax.get_xlim() == ax.get_ylim() == (-half_width, half_width)
        assert ax.get_title() == "title"
        plt.close("all")


def test_mixture_snapshots_show_each_run_at_each_iteration_with_its_metrics():
    cfg = dict(iterations=4, snapshot_every=2, n_snapshot=200, hidden=8, m=16)
    runs = {"ring run": train_toy2d(Toy2DConfig(mixture="ring", **cfg)),
            "grid run": train_toy2d(Toy2DConfig(mixture="grid", seed=1, **cfg))}
    fig = plotting.mixture_snapshots(runs, iterations=(0, 4))
    axes = [[ax for ax in fig.axes if ax.get_subplotspec().colspan.start == col] for col in range(2)]
    for col, (label, run) in zip(axes, runs.items()):
        for row, (ax, it) in enumerate(zip(col, (0, 4))):
            r = mode_report(run.snapshots[it], run.config.modes, run.config.std)
            title = f"{r.modes_covered} modes, {100 * r.high_quality:.0f} % HQ"
            assert ax.get_title() == (f"{label}\n{title}" if row == 0 else title)
            assert torch.allclose(torch.as_tensor(ax.collections[0].get_offsets()).float(), run.snapshots[it])
    assert [ax.get_ylabel() for ax in axes[0]] == ["iteration 0", "iteration 4"]
    plt.close(fig)


def test_ring_log_density_peaks_at_the_modes_and_draws_each_estimate():
    modes, std = ring_modes(), 0.01
    centres = gaussian_mixture(500, modes, std, torch.Generator().manual_seed(0))
    ax = plotting.ring_log_density(modes, std, {"samples": (centres, 0.05)})
    exact, estimate = ax.get_lines()
    theta, log_p = exact.get_xdata(), exact.get_ydata()
    assert theta[0] == pytest.approx(-math.pi) and theta[-1] == pytest.approx(math.pi)
    # at a mode: one of 8 kernels of width 0.01 in 2-D, log(1 / (8 * 2 pi std^2))
    assert log_p.max() == pytest.approx(-math.log(8 * 2 * math.pi * std**2), abs=1e-3)
    peak = theta[log_p.argmax()] / (math.pi / 4)
    assert peak == pytest.approx(round(peak), abs=1e-2)
    circle = torch.stack([torch.as_tensor(theta).cos(), torch.as_tensor(theta).sin()], dim=1).float()
    assert torch.allclose(torch.as_tensor(estimate.get_ydata()).double(), parzen_log_likelihood(circle, centres, 0.05))
    assert estimate.get_label() == r"samples ($\sigma$ = 0.050)"
    plt.close("all")
