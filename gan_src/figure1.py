"""Figure 1 of the paper, drawn from a real run of the 1-D GAN in :mod:`gan_src.toy1d`.

Figure 1's conventions: the discriminative distribution D (blue, dashed), the data
generating distribution p_data (black, dotted), the generative distribution p_g (green,
solid). "The lower horizontal line is the domain from which z is sampled, in this case
uniformly. The horizontal line above is part of the domain of x. The upward arrows show
how the mapping x = G(z) imposes the non-uniform distribution p_g on transformed samples."
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection

from .toy1d import Snapshot, Toy1DRun, grid_moments, inner_loop

D_STYLE = {"color": "tab:blue", "linestyle": "--", "label": "D"}
P_DATA_STYLE = {"color": "black", "linestyle": ":", "label": r"$p_\mathrm{data}$"}
P_G_STYLE = {"color": "tab:green", "linestyle": "-", "label": r"$p_g$"}
Z_LEVEL, X_LEVEL = -0.55, -0.1  # heights of the z line and the x line below the curves
Y_TOP = 1.6                     # a very peaked p_g (early in training) is clipped here


def panel_snapshots(run: Toy1DRun, at: int = 200, d_steps: int = 50, g_steps: int = 5,
                    seed: int = 1) -> tuple[Snapshot, Snapshot, Snapshot, Snapshot]:
    """Figure 1's four moments of ``run``: (a) after ``at`` iterations, G just updated; (b) then
    ``d_steps`` steps of D with G fixed, towards D*; (c) then ``g_steps`` steps of G with D fixed
    (:func:`gan_src.toy1d.inner_loop`, its batches drawn from ``seed``); (d) the end of the run."""
    a = next(s for s in run.snapshots if s.phase == "after_G" and s.iteration + 1 == at)
    b, c = inner_loop(run, a, d_steps=d_steps, g_steps=g_steps, seed=seed)
    return a, b, c, run.snapshots[-1]


def D_at(run: Toy1DRun, snap: Snapshot, x0: float) -> float:
    """D(x) of ``snap`` at the grid point nearest x0."""
    return snap.D[(run.x - x0).abs().argmin()].item()


def panel_rows(run: Toy1DRun, snaps: Sequence[Snapshot],
               xs: Sequence[float] = (3.5, 4.0, 4.5)) -> list[list[str]]:
    """A table of the panels, one column per snapshot, to 2 decimals: the mean and standard deviation
    of p_g (:func:`gan_src.toy1d.grid_moments`), then D(x) at each x of ``xs``."""
    moments = [grid_moments(run.x, snap.p_g) for snap in snaps]
    rows = [["mean of $p_g$", *(f"{m:.2f}" for m, s in moments)],
            ["std of $p_g$", *(f"{s:.2f}" for m, s in moments)]]
    return rows + [[f"$D({x0:g})$", *(f"{D_at(run, snap, x0):.2f}" for snap in snaps)] for x0 in xs]


def _z_positions(run: Toy1DRun) -> list[float]:
    """Where each fixed z sits on the drawn z line: p_z's support stretched over the middle of the x-range."""
    x0, x1 = float(run.x[0]), float(run.x[-1])
    left, right = x0 + 0.2 * (x1 - x0), x1 - 0.2 * (x1 - x0)
    a = run.config.z_half_width
    return [left + (float(z) + a) / (2 * a) * (right - left) for z in run.z]


def draw_panel(ax: plt.Axes, run: Toy1DRun, snap: Snapshot, title: str | None = None,
               optimal_D: bool = False) -> plt.Axes:
    """One panel of Figure 1: D, p_data and p_g above; the z line, the x line and x = G(z) below.

    ``optimal_D=True`` adds D*(x) = p_data / (p_data + p_g) (Proposition 1, thin, light blue)
    where p_data + p_g > 0.05 (elsewhere D* is the ratio of two negligible numbers).
    """
    x = run.x.numpy()
    if optimal_D:
        total = run.p_data + snap.p_g
        d_star = torch.where(total > 0.05, run.p_data / total.clamp_min(1e-12), torch.nan)
        ax.plot(x, d_star.numpy(), color="lightskyblue", linewidth=3, alpha=0.7, label=r"$D^*$", zorder=1)
    ax.plot(x, snap.D.numpy(), **D_STYLE)
    ax.plot(x, run.p_data.numpy(), **P_DATA_STYLE)
    ax.plot(x, snap.p_g.numpy(), **P_G_STYLE)
    x0, x1 = float(x[0]), float(x[-1])
    ax.hlines([X_LEVEL, Z_LEVEL], x0, x1, color="black", linewidth=1.0)
    segments = [[(zx, Z_LEVEL), (float(gz), X_LEVEL)] for zx, gz in zip(_z_positions(run), snap.x_of_z)]
    ax.add_collection(LineCollection(segments, colors="0.3", linewidths=0.8, label="x = G(z)"))
    # both labels inside the band between the two lines, where no arrow starts (the z positions
    # begin a fifth of the way in): below the z line a label is cut off by the axes' edge
    pad = 0.01 * (x1 - x0)
    ax.text(x0 + pad, Z_LEVEL + 0.03, "z", va="bottom")
    ax.text(x0 + pad, X_LEVEL - 0.03, "x", va="top")
    ax.set_xlim(x0, x1)
    ax.set_ylim(Z_LEVEL - 0.15, Y_TOP)
    ax.set_yticks([0, 0.5, 1.0])
    if title:
        ax.set_title(title)
    return ax


def draw_figure1(run: Toy1DRun, panels: Sequence[tuple[str, Snapshot]], optimal_D: bool = False,
                 cols: int = 2, figsize: tuple[float, float] = (7, 5.4)) -> plt.Figure:
    """Figure 1: one :func:`draw_panel` per ``(title, snapshot)`` of ``panels``, ``cols`` to a row,
    sharing their axes, under one legend (the x = G(z) lines below each panel explain themselves)."""
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=figsize, sharex=True, sharey=True, squeeze=False)
    for ax, (title, snap) in zip(axes.flat, panels):
        draw_panel(ax, run, snap, title, optimal_D=optimal_D)
    for ax in axes.flat[len(panels):]:
        ax.remove()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    legend = dict(zip(labels, handles))
    legend.pop("x = G(z)")
    fig.legend(legend.values(), legend.keys(), loc="upper center", ncol=len(legend), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def animate(run: Toy1DRun, frames: Sequence[Snapshot] | None = None, max_frames: int = 60,
            dpi: float | None = None, interval: int = 200) -> FuncAnimation:
    """The run as an animation, one :func:`draw_panel` per frame with the legend beside it: the
    snapshots ``frames``, by default the start and every ``after_G`` snapshot, thinned to at most
    ``max_frames`` and always ending on the last one."""
    if frames is None:
        snaps = [s for s in run.snapshots if s.phase in ("start", "after_G")]
        step = max(1, -(-len(snaps) // max_frames))
        frames = snaps[::step]
        if frames[-1] is not snaps[-1]:
            frames = frames[: max_frames - 1] + [snaps[-1]]
    fig, ax = plt.subplots(figsize=(6.2, 3.0), dpi=dpi)
    fig.subplots_adjust(left=0.07, right=0.77, bottom=0.1, top=0.9)

    def update(i: int) -> None:
        ax.clear()
        snap = frames[i]
        it = 0 if snap.phase == "start" else snap.iteration + 1
        draw_panel(ax, run, snap, f"iteration {it} of {run.config.iterations}")
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)

    anim = FuncAnimation(fig, update, len(frames), interval=interval)
    plt.close(fig)  # the caller shows the animation, not the empty figure
    return anim


def animation_html(run: Toy1DRun, **kwargs) -> str:
    """:func:`animate` as a self-contained HTML/JavaScript player (``to_jshtml``) for static web pages."""
    return animate(run, **kwargs).to_jshtml(default_mode="once")
