"""Figure 1's drawing and animation (gan_src.figure1) on a short real run of the 1-D GAN."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

from gan_src.figure1 import animation_html, draw_figure1, draw_panel  # noqa: E402
from gan_src.toy1d import Toy1DConfig, train_toy1d  # noqa: E402


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
