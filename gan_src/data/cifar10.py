"""CIFAR-10 (Krizhevsky, 2009) for Figure 2 (c), (d): the offline prefix subset, or the full data set
through torchvision.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from .root import ENV_VAR, DataCorruptError, DataNotFoundError, data_root, undo_on_failure

CIFAR_SUBSET_FILE = Path("cifar10_subset") / "cifar10_prefix_subset.npz"
# The offline subset: the first 932 images of each of the five training batches of 10,000 (torchvision's
# CIFAR10.data holds data_batch_1..5 in order) and the first 846 test images.
CIFAR_BATCH, CIFAR_SUBSET_PER_BATCH, CIFAR_SUBSET_TEST = 10_000, 932, 846
CIFAR_TRAIN_ROWS = 5 * CIFAR_BATCH  # the full training set: data_batch_1..5


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
            with undo_on_failure(root, root / "cifar-10-python.tar.gz"):
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
