"""Figure 1's drawing and animation (gan_src.figure1) on a short real run of the 1-D GAN."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

import torch  # noqa: E402

from gan_src.figure1 import (D_at, animation_html, draw_figure1, draw_panel, panel_rows,  # noqa: E402
                             panel_snapshots)
from gan_src.toy1d import Toy1DConfig, grid_moments, train_toy1d  # noqa: E402


@pytest.fixture(scope="module")
def run():
    return train_toy1d(Toy1DConfig(iterations=100, snapshot_every=10))


def test_panel_draws_D_p_data_p_g_and_the_mapping(run):
    fig, ax = plt.subplots()
    snap = run.snapshots[-1]
    draw_panel(ax, run, snap, "(d)")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"D", r"$p_\mathrm{data}$", "$p_g$"}
    assert lines["D"].get_linestyle() == "--" and lines["D"].get_color() == "tab:blue"
    assert lines[r"$p_\mathrm{data}$"].get_linestyle() == ":" and lines[r"$p_\mathrm{data}$"].get_color() == "black"
    assert lines["$p_g$"].get_linestyle() == "-" and lines["$p_g$"].get_color() == "tab:green"
    assert (lines["D"].get_ydata() == snap.D.numpy()).all()
    (mapping,) = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_label() == "x = G(z)"]
    segments = mapping.get_segments()
    assert len(segments) == run.config.n_mapped
    # each segment runs from the z line up to x = G(z) on the x line
    assert [s[1][0] for s in segments] == pytest.approx(snap.x_of_z.tolist())
    assert all(s[0][1] < s[1][1] for s in segments)
    assert ax.get_title() == "(d)"
    plt.close(fig)


def test_figure1_has_four_panels_and_one_legend(run):
    snaps = [s for s in run.snapshots if s.phase == "after_G"]
    fig = draw_figure1(run, [(t, s) for t, s in zip("abcd", snaps)], optimal_D=True)
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes] == list("abcd")
    assert all(len(ax.get_lines()) == 4 for ax in fig.axes)  # D*, D, p_data, p_g
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["$D^*$", "D", r"$p_\mathrm{data}$", "$p_g$"]
    plt.close(fig)


def test_animation_html_holds_one_frame_per_snapshot(run):
    html = animation_html(run, max_frames=60, dpi=30)
    n = 1 + run.config.iterations // run.config.snapshot_every  # the start and every after_G snapshot
    assert f"new Array({n})" in html
    assert html.count("data:image/png;base64") == n
    thinned = animation_html(run, max_frames=4, dpi=30)
    assert "new Array(4)" in thinned and thinned.count("data:image/png;base64") == 4


def test_panel_snapshots_are_a_then_D_steps_then_G_steps_then_the_end(run):
    weights = {k: v.clone() for k, v in run.G.state_dict().items()}
    a, b, c, d = panel_snapshots(run, at=50, d_steps=20, g_steps=5, seed=1)
    assert (a.phase, a.iteration) == ("after_G", 49) and any(a is s for s in run.snapshots)
    assert (b.phase, c.phase) == ("after_D", "after_G") and d is run.snapshots[-1]
    assert torch.equal(b.p_g, a.p_g) and not torch.equal(b.D, a.D)  # only D moved in (b)
    assert torch.equal(c.D, b.D) and not torch.equal(c.p_g, b.p_g)  # only G moved in (c)
    again = panel_snapshots(run, at=50, d_steps=20, g_steps=5, seed=1)
    assert torch.equal(again[2].p_g, c.p_g)
    assert not torch.equal(panel_snapshots(run, at=50, d_steps=20, g_steps=5, seed=2)[1].D, b.D)
    assert all(torch.equal(v, weights[k]) for k, v in run.G.state_dict().items())  # the run is left as it was


def test_D_at_reads_the_nearest_grid_point(run):
    snap = run.snapshots[-1]
    i = int((run.x - 4.0).abs().argmin())
    assert D_at(run, snap, 4.0) == snap.D[i].item()
    step = float(run.x[1] - run.x[0])
    assert D_at(run, snap, float(run.x[i]) + 0.4 * step) == snap.D[i].item()
    assert D_at(run, snap, float(run.x[i]) + 0.6 * step) == snap.D[i + 1].item()


def test_panel_rows_have_the_moments_then_D_one_column_per_snapshot(run):
    snaps = run.snapshots[-3:]
    rows = panel_rows(run, snaps, xs=(3.0, 4.0))
    assert [row[0] for row in rows] == ["mean of $p_g$", "std of $p_g$", "$D(3)$", "$D(4)$"]
    assert rows[0][1:] == [f"{grid_moments(run.x, s.p_g)[0]:.2f}" for s in snaps]
    assert rows[1][1:] == [f"{grid_moments(run.x, s.p_g)[1]:.2f}" for s in snaps]
    assert rows[3][1:] == [f"{D_at(run, s, 4.0):.2f}" for s in snaps]
