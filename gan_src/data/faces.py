"""The Olivetti faces (AT&T / ORL database): the public stand-in for the Toronto Face Database of
Figure 2 (b), which is not public.

The faces are one file in the data root (:func:`gan_src.data.root.data_root`),
``olivetti/olivetti_faces_uint8.npy``: uint8, 400 x 64 x 64, upright, in scikit-learn's order.
:func:`fetch_olivetti` makes it with scikit-learn's ``fetch_olivetti_faces`` where it is missing
(scikit-learn comes with ``pip install "gan-book[book]"`` and with Colab; the network is needed once).
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import Tensor

from .root import ENV_VAR, DataCorruptError, DataNotFoundError, data_root

OLIVETTI_FILE = Path("olivetti") / "olivetti_faces_uint8.npy"


def fetch_olivetti(root: str | os.PathLike | None = None) -> Path:
    """The path of the Olivetti faces file in ``root`` (``ROOT/olivetti/olivetti_faces_uint8.npy``),
    made first where it is missing: scikit-learn's ``fetch_olivetti_faces`` downloads the faces (into
    its own cache, ``~/scikit_learn_data``) and they are stored as uint8, ``round(255 x)``.
    :class:`~gan_src.data.DataNotFoundError` when scikit-learn is missing or the download fails."""
    import numpy as np

    path = data_root(root) / OLIVETTI_FILE
    if path.is_file():
        return path
    try:
        from sklearn.datasets import fetch_olivetti_faces
    except ImportError:
        raise DataNotFoundError(
            f"Olivetti faces not found at {path}, and scikit-learn, which fetches them, is not installed: "
            f'pip install "gan-book[book]" (or scikit-learn), or set {ENV_VAR} to a folder holding {OLIVETTI_FILE}'
        ) from None
    try:
        faces = fetch_olivetti_faces().images  # float in [0, 1]
    except Exception as err:  # urllib's URLError offline, an HTTP error, a damaged cache
        raise DataNotFoundError(
            f"Olivetti faces not found at {path} and scikit-learn could not download them ({type(err).__name__}: "
            f"{err}; offline?). Run where the network is reachable, or set {ENV_VAR} to a folder holding "
            f"{OLIVETTI_FILE}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # renamed when whole: no half file is ever read
    try:
        with open(part, "wb") as f:
            np.save(f, (faces * 255).round().astype(np.uint8))
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def load_olivetti(root: str | os.PathLike | None = None, side: int = 64, download: bool = False) -> Tensor:
    """The 400 Olivetti faces (40 people x 10) as float32 rows of ``side**2`` pixels in [0, 1].

    Reads ``ROOT/olivetti/olivetti_faces_uint8.npy`` (with ``download``, made first where it is
    missing: :func:`fetch_olivetti`) and scales it as ``sklearn.datasets.fetch_olivetti_faces`` does
    (minus the minimum, over the maximum). ``side < 64`` shrinks the faces with an anti-aliased
    bilinear filter (48 gives TFD's 48 x 48).
    """
    import numpy as np

    path = fetch_olivetti(root) if download else data_root(root) / OLIVETTI_FILE
    if not path.is_file():
        raise DataNotFoundError(
            f"Olivetti faces not found at {path}. Set {ENV_VAR} to a folder holding {OLIVETTI_FILE}, or fetch them "
            "once with scikit-learn: gan_src.data.fetch_olivetti(), or load_olivetti(download=True).")
    try:
        x = torch.from_numpy(np.load(path)).to(torch.float32)
    except (ValueError, OSError, EOFError) as err:
        raise DataCorruptError(f"Olivetti faces file {path} is damaged ({err}); delete it and make it again "
                               "(gan_src.data.fetch_olivetti)") from None
    if x.shape[1:] != (64, 64):
        raise DataCorruptError(f"Olivetti faces file {path} holds an array of shape {tuple(x.shape)}, not "
                               "(400, 64, 64); delete it and make it again (gan_src.data.fetch_olivetti)")
    x = (x - x.min()) / (x.max() - x.min())
    if side != x.shape[-1]:
        x = torch.nn.functional.interpolate(x[:, None], size=(side, side), mode="bilinear",
                                            antialias=True, align_corners=False)[:, 0].clamp_(0, 1)
    return x.reshape(len(x), -1).contiguous()
