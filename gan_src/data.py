"""Data: MNIST with the authors' splits (Section 5) and the toy distributions
used by the theory chapters (Figure 1's 1-D setting, 2-D Gaussian mixtures).

The MNIST root comes from, in order: the ``root`` argument, the environment
variable ``GAN_SRC_DATA``, or a per-user cache folder. torchvision downloads
the files there when they are missing and the network is reachable.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

ENV_VAR = "GAN_SRC_DATA"

# mnist.yaml: train = rows 0-49,999 of the training file, valid = rows 50,000-59,999.
MNIST_TRAIN_ROWS = 50_000


class DataNotFoundError(RuntimeError):
    """Raised when a dataset is neither on disk nor downloadable."""


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds (or will hold) ``MNIST/raw/``.

    ``root`` wins, then ``$GAN_SRC_DATA``, then ``$XDG_CACHE_HOME/gan_src``
    (``~/.cache/gan_src`` by default).
    """
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "gan_src"


@dataclass(frozen=True)
class MNISTSplits:
    """Pixels in [0, 1] as float32 rows of 784, and the digit labels."""

    train: Tensor
    valid: Tensor
    test: Tensor
    train_labels: Tensor
    valid_labels: Tensor
    test_labels: Tensor


def _torchvision_mnist(root: Path, train: bool, download: bool):
    from torchvision.datasets import MNIST

    try:
        return MNIST(str(root), train=train, download=download)
    except (RuntimeError, OSError) as err:  # torchvision: RuntimeError; urllib: URLError (an OSError)
        raise DataNotFoundError(
            f"MNIST not found in {root / 'MNIST' / 'raw'} and it could not be downloaded "
            f"({'offline?' if download else 'download disabled'}). Set {ENV_VAR} to a folder "
            "holding MNIST/raw/, or run where the network is reachable."
        ) from err


def load_mnist(root: str | os.PathLike | None = None, download: bool = True) -> MNISTSplits:
    """MNIST through torchvision's real loader, split as the authors' ``mnist.yaml``.

    Pixels are divided by 255 and kept real-valued (not binarised): train is the
    first 50,000 training images, validation the last 10,000, test the 10,000
    test images.
    """
    root = data_root(root)
    train_set = _torchvision_mnist(root, train=True, download=download)
    test_set = _torchvision_mnist(root, train=False, download=download)

    def rows(images: Tensor) -> Tensor:
        return images.reshape(len(images), -1).to(torch.float32).div_(255.0)

    x, y = rows(train_set.data), train_set.targets
    return MNISTSplits(
        train=x[:MNIST_TRAIN_ROWS],
        valid=x[MNIST_TRAIN_ROWS:],
        test=rows(test_set.data),
        train_labels=y[:MNIST_TRAIN_ROWS],
        valid_labels=y[MNIST_TRAIN_ROWS:],
        test_labels=test_set.targets,
    )


# --- p_z: noise priors -------------------------------------------------------


def uniform_noise(n: int, dim: int, generator: torch.Generator, half_width: float = math.sqrt(3)) -> Tensor:
    """z ~ U(-a, a)^dim. The default a = sqrt(3) gives unit variance (``mnist.yaml``)."""
    return (torch.rand(n, dim, generator=generator) * 2 - 1) * half_width


# --- toy distributions for the theory chapters --------------------------------


def gaussian_1d(n: int, generator: torch.Generator, mean: float = 4.0, std: float = 0.5) -> Tensor:
    """Samples of shape (n, 1) from N(mean, std^2): the data of Figure 1."""
    return mean + std * torch.randn(n, 1, generator=generator)


def ring_modes(n_modes: int = 8, radius: float = 1.0) -> Tensor:
    """Centres of the 2-D ring mixture (VEEGAN / PacGAN: 8 modes on the unit circle)."""
    angles = torch.arange(n_modes, dtype=torch.float64) * (2 * math.pi / n_modes)
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()


def grid_modes(side: int = 5, spacing: float = 2.0) -> Tensor:
    """Centres of the 2-D grid mixture (VEEGAN / PacGAN: 25 modes on {-4,-2,0,2,4}^2)."""
    ticks = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    return torch.cartesian_prod(ticks, ticks)


def gaussian_mixture(n: int, modes: Tensor, std: float, generator: torch.Generator) -> Tensor:
    """n samples from an equal-weight mixture of isotropic Gaussians centred at ``modes``."""
    which = torch.randint(len(modes), (n,), generator=generator)
    return modes[which] + std * torch.randn(n, modes.shape[1], generator=generator)
