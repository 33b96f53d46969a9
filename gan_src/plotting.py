"""Figures: grids of samples (Figures 2 and 3), the curves of Table 1's evaluation, samples of a 1-D G
against p_data, and samples and densities on the 2-D mixtures of Section 6."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import torch
from torch import Tensor
from torchvision.utils import make_grid

from .modes import mode_report
from .noise import NoisePrior
from .parzen import parzen_log_likelihood

if TYPE_CHECKING:
    from .toy2d import Toy2DConfig, Toy2DRun


def image_grid(x: Tensor, nrow: int = 10, side: int = 28, channels: int = 1) -> Tensor:
    """Rows of flattened images in [0, 1] -> one grid image, 2-pixel white gutters: (H, W) for grey
    images, (H, W, 3) for colour ones (``channels=3``, rows stored channel-major as C x side x side)."""
    images = x.detach().float().cpu().reshape(-1, channels, side, side)
    grid = make_grid(images, nrow=nrow, padding=2, pad_value=1.0)
    return grid[0] if channels == 1 else grid.permute(1, 2, 0)


def show_grid(x: Tensor, nrow: int = 10, title: str | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Draw :func:`image_grid` of ``x`` on ``ax`` (a new figure when None)."""
    grid = image_grid(x, nrow)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.6 * nrow, 0.6 * grid.shape[0] / grid.shape[1] * nrow))
    ax.imshow(grid.numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def nearest_neighbour_panel(x: Tensor, train: Tensor, cols: int, side: int = 28, channels: int = 1,
                            title: str | None = None, ax: plt.Axes | None = None,
                            cell_inches: float = 0.8) -> tuple[plt.Axes, Tensor]:
    """Figure 2's layout: the samples ``x`` (rows of flattened images) in rows of ``cols``, and in an
    extra, framed rightmost column the row of ``train`` nearest (squared L2,
    :func:`gan_src.neighbours.nearest`) to the sample beside it.

    Returns the axes and the squared distances from each row's last sample to its nearest training image.
    """
    from .neighbours import nearest

    rows = len(x) // cols
    x = x[: rows * cols].reshape(rows, cols, -1).float().cpu()
    index, dist = nearest(x[:, -1], train)
    panel = torch.cat([x, train[index].reshape(rows, 1, -1).float().cpu()], dim=1).reshape(rows * (cols + 1), -1)
    grid = image_grid(panel, nrow=cols + 1, side=side, channels=channels)
    if ax is None:
        _, ax = plt.subplots(figsize=(cell_inches * (cols + 1), cell_inches * rows))
    ax.imshow(grid.numpy(), cmap="gray" if channels == 1 else None, vmin=0, vmax=1, interpolation="nearest")
    cell = grid.shape[1] / (cols + 1)
    ax.add_patch(plt.Rectangle((cols * cell, 0), cell, grid.shape[0] - 1, fill=False, ec="gold", lw=3))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax, dist


def parzen_curve(curve: list[dict], marks: dict[int, str], paper: tuple[float, float], real: float,
                 ax: plt.Axes | None = None) -> plt.Axes:
    """Table 1's number against training time: the test and validation Parzen LL of a run's scored
    snapshots (rows of ``snapshots.score``; ``valid_all`` where scored), the paper's 225 ± 2 as a band,
    real training images as centres as a dotted line, and a dashed line with its label at each epoch
    of ``marks`` (where the run's random streams changed)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    lines = (("test", "o-", "test (10,000 images)"), ("valid", ".--", "validation, first 1,000 images"),
             ("valid_all", "s:", "validation, all 10,000 images"))
    for key, style, label in lines:
        rows = [r for r in curve if key in r]
        ax.plot([r["epoch"] for r in rows], [r[key] for r in rows], style, ms=2.5, lw=1, label=label,
                alpha=0.7 if key == "valid" else 1)
    mean, se = paper
    ax.axhspan(mean - se, mean + se, color="C3", alpha=0.25)
    ax.axhline(mean, color="C3", lw=1, label=f"paper, Table 1: {mean:.0f} ± {se:.0f}")
    ax.axhline(real, color="0.4", ls=":", label=f"real training images: {real:.0f}")
    for n, (epoch, label) in enumerate(sorted(marks.items())):
        ax.axvline(epoch, color="0.5", lw=0.8, ls="--")
        ax.text(epoch + 8, 15 + 25 * n, label, color="0.3", fontsize=9)
    ax.set(xlabel="epoch (500 steps each)", ylabel="Parzen log-likelihood (nats)", ylim=(0, 260))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=9, frameon=False)
    return ax


def sigma_curves(curves: dict[str, tuple[Sequence[float], Sequence[float]]], paper: tuple[float, float],
                 ax: plt.Axes | None = None) -> plt.Axes:
    """The Parzen protocol's choice of sigma (Section 5): for each set of centres, label ->
    (candidate sigmas, mean validation LL at each), on a log sigma axis, with the paper's number."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for (label, (sigmas, values)), style in zip(curves.items(), ("o-", "s--", "^:", "v-.")):
        ax.plot(sigmas, values, style, label=label)
    ax.axhline(paper[0], color="0.3", lw=0.8)
    ax.text(min(min(s) for s, _ in curves.values()) * 1.01, paper[0] + 15, f"paper: {paper[0]:.0f}",
            color="0.3", fontsize=9)
    ax.set(xscale="log", xlabel=r"$\sigma$", ylabel="mean LL, 1,000 validation images", ylim=(-400, 400),
           title=r"Parzen window: sensitivity to $\sigma$")
    ax.legend()
    return ax


def seed_curves(curves: dict[int, list[dict]], paper: tuple[float, float], shipped: int,
                ax: plt.Axes | None = None) -> plt.Axes:
    """Test Parzen LL against epoch of runs that differ only in their seed (seed -> curve rows), the
    ``shipped`` seed's run marked, with Table 1's number."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for seed, rows in curves.items():
        ax.plot([r["epoch"] for r in rows], [r["test"] for r in rows], "o-", ms=3,
                label=f"seed {seed}" + (" (the shipped run)" if seed == shipped else ""))
    ax.axhline(paper[0], color="C3", lw=1, label=f"paper, Table 1: {paper[0]:.0f} ± {paper[1]:.0f}")
    last = min(max(r["epoch"] for r in rows) for rows in curves.values())
    ax.set(xlabel="epoch (500 steps each)", ylabel="Parzen log-likelihood (nats)",
           title=f"The first {last} epochs, {len(curves)} seeds (test set)")
    ax.legend()
    return ax


@torch.no_grad()
def sample(G: torch.nn.Module, p_z: NoisePrior, n: int, seed: int = 0) -> Tensor:
    """n samples x = G(z), z ~ p_z, drawn from a fixed seed so that figures repeat."""
    G.eval()
    device = next(G.parameters()).device
    return G(p_z(n, torch.Generator().manual_seed(seed)).to(device)).cpu()


def grid_player(frames: Tensor, nrow: int, title: Callable[[int], str], figsize: tuple[float, float] = (6, 1.4),
                interval: int = 80) -> str:
    """A self-contained HTML/JavaScript player (matplotlib's ``to_jshtml``) of image grids:
    frame i shows ``image_grid(frames[i], nrow)`` under ``title(i)``. It plays in a static
    web page without a kernel, e.g. Figure 3's walk through z-space."""
    from matplotlib import animation

    fig, ax = plt.subplots(figsize=figsize, dpi=72)
    image = ax.imshow(image_grid(frames[0], nrow).numpy(), cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
    heading = ax.set_title(title(0))

    def show(i: int):
        image.set_data(image_grid(frames[i], nrow).numpy())
        heading.set_text(title(i))
        return image, heading

    player = animation.FuncAnimation(fig, show, frames=len(frames), interval=interval)
    plt.close(fig)
    return player.to_jshtml(default_mode="reflect")


@dataclass
class SampleHistogram:
    """What a histogram of 1-D samples shows: where they lie and its tallest bar."""

    lo: float      # the smallest sample
    hi: float      # the largest
    peak: float    # the tallest bar's height, a density
    peak_x: float  # the centre of that bar


def samples_against_density(x: Tensor, grid: Tensor, density: Tensor, sample_label: str, density_label: str,
                            bins: int = 60, ax: plt.Axes | None = None) -> SampleHistogram:
    """1-D samples x as a density histogram of ``bins`` bars (green, as p_g in Figure 1) over a density
    tabulated on ``grid`` (black, dotted, as p_data); returns their range and the tallest bar."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    heights, edges, _ = ax.hist(x.numpy(), bins=bins, density=True, color="tab:green", alpha=0.5,
                                label=sample_label)
    ax.plot(grid, density, "k:", lw=2, label=density_label)
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    top = heights.argmax()
    return SampleHistogram(x.min().item(), x.max().item(), float(heights[top]),
                           float((edges[top] + edges[top + 1]) / 2))


def mixture_samples(ax: plt.Axes, x: Tensor, cfg: Toy2DConfig, title: str = "") -> plt.Axes:
    """Samples of G (blue dots) and the modes of p_data (red crosses) on ``cfg``'s 2-D mixture."""
    ax.scatter(x[:, 0], x[:, 1], s=1, alpha=0.3, color="tab:blue", rasterized=True)
    ax.scatter(cfg.modes[:, 0], cfg.modes[:, 1], marker="x", s=25, lw=1, color="red")
    r = 1.5 if cfg.mixture == "ring" else 5.5
    ax.set(xlim=(-r, r), ylim=(-r, r), aspect="equal", xticks=[], yticks=[])
    ax.set_title(title, fontsize=10)
    return ax


def mixture_snapshots(runs: dict[str, Toy2DRun], iterations: Sequence[int],
                      figsize: tuple[float, float] = (7, 12)) -> plt.Figure:
    """One column per run (label -> run), one row per iteration: the run's snapshot of G(z) for its
    fixed z, titled with modes covered and % high-quality samples (:func:`gan_src.modes.mode_report`)."""
    fig, axes = plt.subplots(len(iterations), len(runs), figsize=figsize, dpi=100, squeeze=False)
    for col, (label, run) in zip(axes.T, runs.items()):
        cfg = run.config
        for row, (ax, it) in enumerate(zip(col, iterations)):
            report = mode_report(run.snapshots[it], cfg.modes, cfg.std)
            title = f"{report.modes_covered} modes, {100 * report.high_quality:.0f} % HQ"
            mixture_samples(ax, run.snapshots[it], cfg, f"{label}\n{title}" if row == 0 else title)
    for ax, it in zip(axes[:, 0], iterations):
        ax.set_ylabel(f"iteration {it}", fontsize=11)
    fig.tight_layout()
    return fig


def ring_log_density(modes: Tensor, std: float, estimates: dict[str, tuple[Tensor, float]],
                     ax: plt.Axes | None = None) -> plt.Axes:
    """Log density along the unit circle through the ring's modes: the exact p_data (a Parzen window
    with one kernel of width ``std`` on each mode) and Parzen estimates, label -> (centres, sigma)."""
    theta = torch.linspace(-math.pi, math.pi, 2_001)
    circle = torch.stack([theta.cos(), theta.sin()], dim=1)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.6), dpi=100)
    ax.plot(theta, parzen_log_likelihood(circle, modes, std), color="black", lw=2.5, alpha=0.4,
            label=r"exact $p_\mathrm{data}$")
    for (name, (centres, sigma)), style in zip(estimates.items(), ("k:", "tab:blue", "tab:red", "tab:orange")):
        ax.plot(theta, parzen_log_likelihood(circle, centres, sigma), style, lw=1.2,
                label=rf"{name} ($\sigma$ = {sigma:.3f})")
    ax.set_ylim(-30, 9)
    ax.set_xlabel(r"angle on the unit circle (radians); modes at multiples of $\pi/4$")
    ax.set_ylabel("log density")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)
    return ax


def objective_runs(runs: dict[str, tuple[torch.nn.Module, torch.nn.Module, list[dict]]], p_z: NoisePrior,
                   seed: int = 0) -> plt.Figure:
    """Section 3's two generator objectives side by side, runs objective -> (G, D, history):
    on top mean D(G(z)) and mean D(x) of each history row (``"step"``, ``"D_fake"``, ``"D_real"``),
    below 64 samples of each run's G (:func:`sample` with ``seed``), one panel per run."""
    fig, axes = plt.subplot_mosaic([["curves", "curves"], list(runs)], figsize=(7, 8.2), height_ratios=[1, 1.45])
    curves = axes["curves"]
    for objective, (_, _, hist) in runs.items():
        steps = [row["step"] for row in hist]
        name = objective.replace("_", "-")
        curves.plot(steps, [row["D_fake"] for row in hist], "o-", label=f"{name}: mean D(G(z))")
        curves.plot(steps, [row["D_real"] for row in hist], "x:", label=f"{name}: mean D(x)")
    curves.set_xlabel("iterations of Algorithm 1")
    curves.set_ylabel("mean over 100 iterations")
    curves.legend(frameon=False, fontsize=9)
    for objective, (G, _, _) in runs.items():
        show_grid(sample(G, p_z, 64, seed=seed), nrow=8, title=f"G, {objective.replace('_', '-')}",
                  ax=axes[objective])
    return fig
