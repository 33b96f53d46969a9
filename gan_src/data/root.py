"""Where the data sets live on disk, and the two errors every loader raises.

Every data root comes from, in order: the ``root`` argument, the environment variable
``GAN_SRC_DATA``, or a per-user cache folder. A loader that may download (torchvision's MNIST and
CIFAR-10, scikit-learn's Olivetti faces) leaves nothing behind when the download fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV_VAR = "GAN_SRC_DATA"


class DataNotFoundError(RuntimeError):
    """Raised when a dataset is neither on disk nor downloadable."""


class DataCorruptError(RuntimeError):
    """Raised when a data file is there but damaged (truncated, overwritten) or not the expected file."""


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


@contextmanager
def undo_on_failure(folder: Path, *files: Path) -> Iterator[None]:
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


def file_md5(path: Path) -> str:
    """The MD5 of a file, as ``md5sum`` prints it."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
