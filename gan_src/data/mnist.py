"""MNIST with the authors' splits (``mnist.yaml``; Section 5), read by torchvision's loader.

torchvision downloads the files into the data root (:func:`gan_src.data.root.data_root`) when they
are missing and the network is reachable; files on disk are checked against the published sizes
and MD5s first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from .root import ENV_VAR, DataCorruptError, DataNotFoundError, data_root, file_md5, undo_on_failure

# mnist.yaml: train = rows 0-49,999 of the training file, valid = rows 50,000-59,999.
MNIST_TRAIN_ROWS = 50_000

# The four uncompressed MNIST files: size in bytes and MD5, as gunzip makes them from the published
# archives (whose MD5s torchvision checks when it downloads them, ``torchvision.datasets.MNIST.resources``).
MNIST_FILES = {
    "train-images-idx3-ubyte": (47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": (60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": (7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": (10_008, "27ae3e4e09519cfbb04c329615203637"),
}


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
        with undo_on_failure(root / "MNIST" / "raw"):
            return MNIST(str(root), train=train, download=download)
    except (RuntimeError, OSError):  # torchvision: RuntimeError; urllib: URLError (an OSError)
        raw = root / "MNIST" / "raw"
        for archive, md5 in MNIST.resources:  # torchvision downloads an archive afresh when its MD5 differs
            path = raw / archive
            if path.is_file() and not (raw / archive.removesuffix(".gz")).is_file() and file_md5(path) != md5:
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
        if found == size and file_md5(path) == md5:
            continue
        what = f"{found:,} bytes instead of {size:,}" if found != size else "its MD5 differs from the published file's"
        raise DataCorruptError(
            f"MNIST file {path} is corrupt ({what}). Delete it and run where the network is reachable "
            f"(torchvision downloads it afresh), or replace it with a good copy (set {ENV_VAR} to its folder).")


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
