"""Pretrained generators shipped with the package, each with its provenance.

``load("mnist")`` returns the paper's MNIST G (Section 5) with trained weights, in eval
mode, ready for ``G(z)`` with z ~ p_z (:func:`gan_src.noise.mnist_p_z`);
``load("mnist_conditional")`` the class-conditional G(z, c) of Section 7
(:mod:`gan_src.conditional`); ``load("faces")``, ``load("cifar10")`` and ``load("cifar10_conv")``
the scaled-down generators of Figure 2 (b)-(d) (:mod:`gan_src.figure2`). Each model is two files in this folder:

- ``{name}_G.pt``: G's ``state_dict``, stored in float16 or float32 (loaded as float32);
- ``{name}_D.pt`` (optional): D's ``state_dict`` from the same run (its checkpoint), for uses of the trained
  D such as Section 7's semi-supervised features (:func:`load_discriminator`);
- ``{name}.json``: how it was made: command, seed, epochs, wall time, machine, git commit,
  and its Parzen-window log-likelihood (Table 1) with the sigma that produced it; its
  ``"architecture"`` names the networks the weights belong to, an experiment of
  :data:`gan_src.experiments.EXPERIMENTS` (``"mnist"`` when absent); its ``"sha256"`` the SHA-256
  of each weights file (``sha256sum``'s), checked at every load (a record without it is not checked).

:func:`export` writes both from a training checkpoint (``python -m gan_src train``) or a
G snapshot, read through :mod:`gan_src.run_folder`; D is kept too when the source is a training
checkpoint. ``tools/ship_*.py`` export through :func:`gan_src.shipping.ship`, which writes the
record; results that are not models live in :mod:`gan_src.results`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..checkpoint import CheckpointError, read, write_atomically
from ..experiments import EXPERIMENTS, Experiment
from ..run_folder import discriminator_state, generator_state

FOLDER = Path(__file__).resolve().parent
MAX_BYTES = 12 * 1024 * 1024  # per shipped G: weights are committed to git and installed with the package


class PretrainedNotFoundError(LookupError):
    """No shipped (or exported) model of that name."""


def available(folder: str | os.PathLike | None = None) -> list[str]:
    """Names with both files, ``{name}_G.pt`` and ``{name}.json``, in ``folder`` (default: this package)."""
    folder = Path(folder) if folder is not None else FOLDER
    return sorted(p.name[: -len("_G.pt")] for p in folder.glob("*_G.pt")
                  if (folder / f"{p.name[: -len('_G.pt')]}.json").is_file())


def _paths(name: str, folder: str | os.PathLike | None) -> tuple[Path, Path]:
    folder = Path(folder) if folder is not None else FOLDER
    weights, info = folder / f"{name}_G.pt", folder / f"{name}.json"
    if name not in available(folder):  # a name, never a path: "../x" must not reach outside the folder
        names = ", ".join(available(folder)) or "none yet"
        raise PretrainedNotFoundError(
            f"no pretrained model {name!r} in {folder} (available: {names}). Export one with "
            "gan_src.pretrained.export(CHECKPOINT, NAME, provenance), or evaluate a checkpoint directly.")
    return weights, info


def provenance(name: str = "mnist", folder: str | os.PathLike | None = None) -> dict[str, Any]:
    """The provenance record ``{name}.json``: how the weights were produced and what they score."""
    return json.loads(_paths(name, folder)[1].read_text())


def architecture(name: str = "mnist", folder: str | os.PathLike | None = None) -> Experiment:
    """The experiment whose networks the shipped model ``name`` is made of, as its record names it."""
    key = provenance(name, folder).get("architecture", "mnist")
    if key not in EXPERIMENTS:
        raise PretrainedNotFoundError(
            f"the pretrained model {name!r} needs the architecture {key!r}, which this version of gan_src does not "
            f"know (known: {', '.join(EXPERIMENTS)}); upgrade gan_src.")
    return EXPERIMENTS[key]


def load(name: str = "mnist", device: str | torch.device = "cpu", folder: str | os.PathLike | None = None) -> nn.Module:
    """The pretrained G called ``name``, as float32 on ``device``, in eval mode."""
    weights, _ = _paths(name, folder)
    G = architecture(name, folder).generator()
    G.load_state_dict(_cast(_read(weights, name, folder), torch.float32))
    return G.to(device).eval()


def load_discriminator(name: str = "mnist", device: str | torch.device = "cpu",
                       folder: str | os.PathLike | None = None) -> nn.Module:
    """The pretrained D shipped beside G ``name`` (from the same run; the record's ``source`` or
    ``discriminator_source`` says which file), as float32 on ``device``, in eval mode."""
    _paths(name, folder)
    weights = Path(folder if folder is not None else FOLDER) / f"{name}_D.pt"
    if not weights.is_file():
        raise PretrainedNotFoundError(f"the pretrained model {name!r} ships G only (no {weights.name})")
    D = architecture(name, folder).discriminator()
    D.load_state_dict(_cast(_read(weights, name, folder), torch.float32))
    return D.to(device).eval()


def _read(weights: Path, name: str, folder: str | os.PathLike | None) -> dict[str, torch.Tensor]:
    """A shipped weights file, checked against the SHA-256 its record holds."""
    return read(weights, sha256=provenance(name, folder).get("sha256", {}).get(weights.name))


def _cast(state: dict[str, torch.Tensor], dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Floating-point tensors as ``dtype``; integer ones (batch norm's step count) as they are."""
    return {k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}


def export(checkpoint_path: str | os.PathLike, name: str, provenance: dict[str, Any],
           dtype: torch.dtype = torch.float16, folder: str | os.PathLike | None = None,
           architecture: str = "mnist", discriminator_path: str | os.PathLike | None = None,
           keep_discriminator: bool = True) -> tuple[Path, Path]:
    """Write ``{name}_G.pt`` (G's weights as ``dtype``) and ``{name}.json`` (``provenance`` plus
    the source file, the stored dtype and each file's SHA-256) into ``folder`` (default: this package); also
    ``{name}_D.pt`` when the source is a training checkpoint, or when ``discriminator_path`` names
    one (e.g. G from the snapshot chosen by validation, D from the same run's last checkpoint; the
    record's ``discriminator_source`` says which); ``keep_discriminator=False`` ships G alone.
    ``architecture`` names the networks
    (an experiment of :data:`~gan_src.experiments.EXPERIMENTS`); it is recorded unless it is the default ``"mnist"``.
    Returns the paths of G and the record."""
    folder = Path(folder) if folder is not None else FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    G = _serialised(_cast(generator_state(checkpoint_path, architecture), dtype))
    if len(G) > MAX_BYTES:
        raise ValueError(f"{name}_G.pt would take more than {MAX_BYTES} bytes; export with dtype=torch.float16")
    D_source = checkpoint_path if discriminator_path is None else discriminator_path
    D = discriminator_state(D_source, architecture) if keep_discriminator else None
    if discriminator_path is not None and D is None:
        raise CheckpointError(f"{discriminator_path} holds no D of the {architecture!r} networks")
    files = {f"{name}_G.pt": G} | ({f"{name}_D.pt": _serialised(_cast(D, dtype))} if D is not None else {})
    for file, data in files.items():
        write_atomically(folder / file, lambda f: f.write(data))
    weights, info = folder / f"{name}_G.pt", folder / f"{name}.json"
    record = {**provenance, "source": str(checkpoint_path), "dtype": str(dtype).removeprefix("torch."),
              "discriminator": D is not None,
              "sha256": {file: hashlib.sha256(data).hexdigest() for file, data in files.items()}}
    if discriminator_path is not None:
        record["discriminator_source"] = str(discriminator_path)
    if architecture != "mnist":  # records without the key (e.g. the shipped "mnist") mean "mnist"
        record["architecture"] = architecture
    info.write_text(json.dumps(record, indent=2) + "\n")
    return weights, info


def _serialised(state: dict[str, torch.Tensor]) -> bytes:
    """What ``torch.save`` writes for ``state``."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()
