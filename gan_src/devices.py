"""Where the chapters run: the GPU when there is one (Colab's GPU runtime), else the CPU."""

from __future__ import annotations

import torch


def best_device() -> torch.device:
    """``cuda`` when PyTorch sees a CUDA GPU, else ``cpu``.

    Chapters choose it once (``DEVICE = best_device()``) and pass it to ``train(..., device=DEVICE)``
    and ``pretrained.load(..., device=DEVICE)``. Results computed on the GPU differ in their last
    digits from the CPU's; the chapters' claims (:mod:`gan_src.claims`) hold on both.
    """
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
