"""Jupyter controls for the chapters (ipywidgets, imported only when one is built): a slider along
one walk through z-space, Figure 3's interpolation, drawn by PyTorch in the reader's kernel."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from torch import nn

from .noise import NoisePrior


@torch.no_grad()
def walk_images(G: nn.Module, z0: torch.Tensor, z1: torch.Tensor, t: float) -> torch.Tensor:
    """G at the two ends of the segment z0 -> z1 and at the point a fraction ``t`` along it:
    three rows x = G(z), as Figure 3's linear interpolation in z-space."""
    return G(torch.stack([z0, (1 - t) * z0 + t * z1, z1])).cpu()


def walk_slider(G: nn.Module, p_z: NoisePrior, generator: torch.Generator, side: int = 28):
    """A slider ``t`` in [0, 1] along a segment between two draws of ``p_z`` (from ``generator``),
    showing G(z0), the point at t and G(z1); "new end points" draws another segment.

    Returns the widget (a ``VBox``: the slider and the button, then the three images)."""
    import ipywidgets as widgets

    ends = list(p_z(2, generator))
    out = widgets.Output()
    slider = widgets.FloatSlider(value=0.5, min=0, max=1, step=0.05, description="t")
    button = widgets.Button(description="new end points")

    def draw(t: float) -> None:
        x = walk_images(G, *ends, t)
        with out:
            out.clear_output(wait=True)
            _, axes = plt.subplots(1, 3, figsize=(4.5, 1.7))
            for ax, image, label in zip(axes, x, ["$z_0$", f"t = {t:.2f}", "$z_1$"]):
                ax.imshow(image.view(side, side).numpy(), cmap="gray", vmin=0, vmax=1)
                ax.set_title(label)
                ax.set_axis_off()
            plt.show()

    def new_ends(_: object = None) -> None:
        ends[:] = p_z(2, generator)
        draw(slider.value)

    slider.observe(lambda change: draw(change["new"]), names="value")
    button.on_click(new_ends)
    draw(slider.value)
    return widgets.VBox([widgets.HBox([slider, button]), out])
