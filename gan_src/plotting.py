"""Figures: grids of samples, as in Figure 2."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import torch
from torch import Tensor
from torchvision.utils import make_grid


def image_grid(x: Tensor, nrow: int = 10, side: int = 28) -> Tensor:
    """Rows of flattened grey images in [0, 1] -> one (H, W) grid image, 2-pixel white gutters."""
    images = x.detach().float().cpu().reshape(-1, 1, side, side)
    return make_grid(images, nrow=nrow, padding=2, pad_value=1.0)[0]


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


@torch.no_grad()
def sample(G: torch.nn.Module, p_z, n: int, seed: int = 0) -> Tensor:
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
