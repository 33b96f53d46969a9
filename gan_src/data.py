"""Data: MNIST with the authors' splits (Section 5), the Olivetti faces (a public stand-in
for TFD) and CIFAR-10 for Figure 2 (b)-(d), and the toy distributions used by the theory
chapters (Figure 1's 1-D setting, 2-D Gaussian mixtures).

Every data root comes from, in order: the ``root`` argument, the environment
variable ``GAN_SRC_DATA``, or a per-user cache folder. torchvision downloads
MNIST (and, on request, the full CIFAR-10) there when the files are missing and
the network is reachable; a download that fails leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

ENV_VAR = "GAN_SRC_DATA"

# mnist.yaml: train = rows 0-49,999 of the training file, valid = rows 50,000-59,999.
MNIST_TRAIN_ROWS = 50_000


class DataNotFoundError(RuntimeError):
    """Raised when a dataset is neither on disk nor downloadable."""


class DataCorruptError(RuntimeError):
    """Raised when a data file is there but damaged (truncated, overwritten) or not the expected file."""


# The four uncompressed MNIST files: size in bytes and MD5, as gunzip makes them from the published
# archives (whose MD5s torchvision checks when it downloads them, ``torchvision.datasets.MNIST.resources``).
MNIST_FILES = {
    "train-images-idx3-ubyte": (47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": (60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": (7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": (10_008, "27ae3e4e09519cfbb04c329615203637"),
}


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


@contextmanager
def _undo_on_failure(folder: Path, *files: Path) -> Iterator[None]:
    """On an exception, remove what a failed download made: ``folder`` and the folders above it that
    did not exist before (torchvision makes them before it downloads) and any of ``files`` that did
    not exist (a partial download). Folders and files that were there stay."""
    made = None  # the highest of folder and its parents that does not exist yet
    for path in (folder, *folder.parents):
        if path.exists():
            break
        made = path
    new_files = [f for f in files if not f.exists()]
    try:
        yield
    except BaseException:
        for f in new_files:
            f.unlink(missing_ok=True)
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        raise


def _torchvision_mnist(root: Path, train: bool, download: bool):
    from torchvision.datasets import MNIST

    try:
        with _undo_on_failure(root / "MNIST" / "raw"):
            return MNIST(str(root), train=train, download=download)
    except (RuntimeError, OSError):  # torchvision: RuntimeError; urllib: URLError (an OSError)
        raw = root / "MNIST" / "raw"
        for archive, md5 in MNIST.resources:  # torchvision downloads an archive afresh when its MD5 differs
            path = raw / archive
            if path.is_file() and not (raw / archive.removesuffix(".gz")).is_file() and _md5(path) != md5:
                why = "offline?" if download else "download disabled"
                raise DataCorruptError(
                    f"MNIST archive {path} is corrupt ({path.stat().st_size:,} bytes; its MD5 differs from the "
                    f"published archive's) and no good copy could be downloaded ({why}). Delete it and run where "
                    f"the network is reachable, or replace it with a good copy (set {ENV_VAR} to its folder)."
                ) from None
        # from None: torchvision's own chain (one traceback per mirror and file) says no more than this
        raise DataNotFoundError(
            f"MNIST not found in {root / 'MNIST' / 'raw'} and it could not be downloaded "
            f"({'offline?' if download else 'download disabled'}). Set {ENV_VAR} to a folder "
            "holding MNIST/raw/, or run where the network is reachable."
        ) from None


def check_mnist_files(raw: Path) -> None:
    """:class:`DataCorruptError` naming the first of the MNIST files in ``raw`` that is present but not
    the published one (its size or MD5 differs). Missing files are left to torchvision (which downloads
    them). The MD5s take about 0.14 s for the 55 MB (2-core CPU; torchvision's own loading, 0.4-1.3 s)."""
    for name, (size, md5) in MNIST_FILES.items():
        path = raw / name
        if not path.is_file():
            continue
        found = path.stat().st_size
        if found == size and _md5(path) == md5:
            continue
        what = f"{found:,} bytes instead of {size:,}" if found != size else "its MD5 differs from the published file's"
        raise DataCorruptError(
            f"MNIST file {path} is corrupt ({what}). Delete it and run where the network is reachable "
            f"(torchvision downloads it afresh), or replace it with a good copy (set {ENV_VAR} to its folder).")


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_mnist(root: str | os.PathLike | None = None, download: bool = True) -> MNISTSplits:
    """MNIST through torchvision's real loader, split as the authors' ``mnist.yaml``.

    Pixels are divided by 255 and kept real-valued (not binarised): train is the
    first 50,000 training images, validation the last 10,000, test the 10,000
    test images. Files on disk are checked first (:func:`check_mnist_files`).
    """
    root = data_root(root)
    check_mnist_files(root / "MNIST" / "raw")
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


# --- Figure 2 (b)-(d): faces and CIFAR-10 ------------------------------------

OLIVETTI_FILE = Path("olivetti") / "olivetti_faces_uint8.npy"
CIFAR_SUBSET_FILE = Path("cifar10_subset") / "cifar10_prefix_subset.npz"
# The offline subset: the first 932 images of each of the five training batches of 10,000 (torchvision's
# CIFAR10.data holds data_batch_1..5 in order) and the first 846 test images.
CIFAR_BATCH, CIFAR_SUBSET_PER_BATCH, CIFAR_SUBSET_TEST = 10_000, 932, 846


def load_olivetti(root: str | os.PathLike | None = None, side: int = 64) -> Tensor:
    """The 400 Olivetti faces (AT&T / ORL database; 40 people x 10) as float32 rows of ``side**2``
    pixels in [0, 1]: the stand-in for the Toronto Face Database of Figure 2 (b), which is not public.

    Reads ``ROOT/olivetti/olivetti_faces_uint8.npy`` (uint8, 400 x 64 x 64, upright, in
    scikit-learn's order) and scales it as ``sklearn.datasets.fetch_olivetti_faces`` does
    (minus the minimum, over the maximum). ``side < 64`` shrinks the faces with an anti-aliased
    bilinear filter (48 gives TFD's 48 x 48). scikit-learn is not a dependency; where it is
    installed (e.g. Colab), make the file with::

        import numpy as np, pathlib
        from sklearn.datasets import fetch_olivetti_faces
        folder = pathlib.Path(ROOT) / "olivetti"; folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "olivetti_faces_uint8.npy",
                (fetch_olivetti_faces().images * 255).round().astype(np.uint8))
    """
    import numpy as np

    path = data_root(root) / OLIVETTI_FILE
    if not path.is_file():
        raise DataNotFoundError(
            f"Olivetti faces not found at {path}. Set {ENV_VAR} to a folder holding {OLIVETTI_FILE}, or make the "
            "file with scikit-learn's fetch_olivetti_faces (see the docstring of gan_src.data.load_olivetti).")
    try:
        x = torch.from_numpy(np.load(path)).to(torch.float32)
    except (ValueError, OSError, EOFError) as err:
        raise DataCorruptError(f"Olivetti faces file {path} is damaged ({err}); delete it and make it again "
                               "(see the docstring of gan_src.data.load_olivetti)") from None
    if x.shape[1:] != (64, 64):
        raise DataCorruptError(f"Olivetti faces file {path} holds an array of shape {tuple(x.shape)}, not "
                               "(400, 64, 64); delete it and make it again (see gan_src.data.load_olivetti)")
    x = (x - x.min()) / (x.max() - x.min())
    if side != x.shape[-1]:
        x = torch.nn.functional.interpolate(x[:, None], size=(side, side), mode="bilinear",
                                            antialias=True, align_corners=False)[:, 0].clamp_(0, 1)
    return x.reshape(len(x), -1).contiguous()


@dataclass(frozen=True)
class CIFAR10:
    """Pixels in [0, 1] as float32 rows of 3,072 (channel-major, C x H x W = 3 x 32 x 32), and labels."""

    train: Tensor
    test: Tensor
    train_labels: Tensor
    test_labels: Tensor
    full: bool  # True: the 50,000 / 10,000 images of the real data set; False: the offline prefix subset

    def prefix_subset(self) -> CIFAR10:
        """The offline subset's images, taken out of the full data set by position: the first 932 images
        of each training batch (4,660; the images the shipped CIFAR-10 generators were trained on) and
        the first 846 test images. A subset is returned as it is."""
        if not self.full:
            return self
        train, test = cifar10_subset_positions()
        return CIFAR10(train=self.train[train], test=self.test[test], train_labels=self.train_labels[train],
                       test_labels=self.test_labels[test], full=False)


def cifar10_subset_positions() -> tuple[Tensor, Tensor]:
    """Where the offline subset's training and test images sit in the full data set (torchvision's order)."""
    first = torch.arange(CIFAR_SUBSET_PER_BATCH)
    train = (torch.arange(5)[:, None] * CIFAR_BATCH + first).flatten()
    return train, torch.arange(CIFAR_SUBSET_TEST)


def cifar10_subset_on_disk(root: str | os.PathLike | None = None) -> bool:
    """Whether the offline CIFAR-10 subset (``ROOT/cifar10_subset/cifar10_prefix_subset.npz``) is there."""
    return (data_root(root) / CIFAR_SUBSET_FILE).is_file()


def load_cifar10(root: str | os.PathLike | None = None, full: bool | None = False,
                 download: bool = True) -> CIFAR10:
    """CIFAR-10 (Krizhevsky, 2009) for Figure 2 (c), (d).

    ``full=False`` (default) reads the offline *prefix subset* ``ROOT/cifar10_subset/cifar10_prefix_subset.npz``:
    the first 932 images of each training batch (4,660 images) and the first 846 test images, all that
    survives of a truncated copy. It is NOT the full data set.

    ``full=True`` uses the whole data set through ``torchvision.datasets.CIFAR10(ROOT, download=download)``
    (50,000 training and 10,000 test images; a 163 MB download into ROOT, e.g. in Colab). The command line
    does the same with ``python -m gan_src train --dataset cifar10 --full-cifar10``.

    ``full=None`` chooses: the subset when its file is in ROOT (as on the project's machines), else the
    full data set (downloaded where it is not in ROOT either, as in Colab). The result's ``full`` says
    which; :meth:`CIFAR10.prefix_subset` takes the subset's images out of the full set.
    """
    import numpy as np

    root = data_root(root)
    if full is None:
        full = not cifar10_subset_on_disk(root)
    if full:
        from torchvision.datasets import CIFAR10 as TorchvisionCIFAR10

        try:
            with _undo_on_failure(root, root / "cifar-10-python.tar.gz"):
                train_set = TorchvisionCIFAR10(str(root), train=True, download=download)
                test_set = TorchvisionCIFAR10(str(root), train=False, download=download)
        except (RuntimeError, OSError):
            raise DataNotFoundError(
                f"CIFAR-10 not found in {root / 'cifar-10-batches-py'} and it could not be downloaded "
                f"({'offline?' if download else 'download disabled'}). Run where the network is reachable, "
                f"or use the offline subset (full=False, {CIFAR_SUBSET_FILE} under ${ENV_VAR}).") from None
        x_train, y_train = train_set.data, np.asarray(train_set.targets)
        x_test, y_test = test_set.data, np.asarray(test_set.targets)
    else:
        path = root / CIFAR_SUBSET_FILE
        if not path.is_file():
            raise DataNotFoundError(
                f"CIFAR-10 subset not found at {path}. Set {ENV_VAR} to a folder holding {CIFAR_SUBSET_FILE}, "
                "or load the full data set with load_cifar10(full=True) where the network is reachable.")
        try:
            with np.load(path) as f:
                x_train, y_train, x_test, y_test = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as err:
            raise DataCorruptError(f"CIFAR-10 subset file {path} is damaged ({err}); replace it with a good copy, "
                                   "or use the full data set (full=True; --full-cifar10)") from None

    def rows(images) -> Tensor:  # N x H x W x C uint8 -> N x (C * H * W) float in [0, 1]
        return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).reshape(len(images), -1).float() / 255

    return CIFAR10(train=rows(x_train), test=rows(x_test), train_labels=torch.as_tensor(y_train).long(),
                   test_labels=torch.as_tensor(y_test).long(), full=full)


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
