"""Saving and resuming a training run exactly: models, optimisers, schedules, RNG states.

Every file here is written whole or not at all (:func:`write_atomically`): into a temporary
file of a name no other writer uses, flushed to the disk, then renamed over the target, and the
folder's entry flushed too. A crash or a full disk leaves the previous file as it was and no
temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import torch

CHECKPOINT_NAME = "checkpoint.pt"
KEYS = ("config", "epoch", "step", "history", "G", "D", "opt_D", "opt_G", "rng_states")  # what resuming needs


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, unreadable or from something else, or that cannot be written."""


def rng_states(rng: torch.Generator) -> dict[str, Any]:
    """Every random stream a run draws from: its own generator (data order, z) and
    torch's global ones (dropout in D)."""
    states = {"rng": rng.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_rng_states(states: dict[str, Any], rng: torch.Generator) -> None:
    """Inverse of :func:`rng_states`."""
    rng.set_state(states["rng"])
    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def temporary_name(path: Path) -> Path:
    """A hidden name beside ``path`` that no other process picks: ``.NAME.PID.RANDOM.tmp``."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_atomically(path: str | os.PathLike, write: Callable[[IO[bytes]], Any]) -> Path:
    """Call ``write(file)`` on a temporary file, flush it to the disk (fsync) and rename it to
    ``path`` (making its folder if needed); :class:`CheckpointError`, and no temporary file left,
    if any of it fails."""
    path = Path(path)
    tmp = temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        cause = _os_error(err)
        if cause is not None:
            raise CheckpointError(f"cannot write {path} ({cause.strerror or cause}); "
                                  f"the {path.name} there before, if any, is unchanged") from err
        raise
    _fsync_folder(path.parent)  # the rename itself survives a power cut only once the folder is flushed
    return path


def _os_error(err: BaseException | None) -> OSError | None:
    """The OSError behind ``err``, if any: torch.save meeting a full disk raises one, then a
    RuntimeError of its zip writer while closing the file, which hides it."""
    while err is not None and not isinstance(err, OSError):
        err = err.__cause__ or err.__context__
    return err


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows, where folders cannot be opened; the rename is all there is
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot flush a folder
        pass
    finally:
        os.close(fd)


def save(state: Any, path: str | os.PathLike) -> Path:
    """Write ``state`` with ``torch.save``, atomically (:func:`write_atomically`)."""
    return write_atomically(path, lambda f: torch.save(state, f))


def read(path: str | os.PathLike) -> Any:
    """Whatever gan_src saved in ``path`` (a checkpoint or a G snapshot), on the CPU, loaded safely
    (``weights_only=True``); :class:`CheckpointError` for a missing, empty or unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes), not a gan_src checkpoint; delete it")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for a damaged or foreign file
        # torch's refusal advises loading with weights_only=False, which runs any code the file holds: not passed on
        unsafe = isinstance(err, pickle.UnpicklingError) or "weights_only" in str(err)
        first = str(err).strip().split("\n")[0].split(". ")[0]
        reason = f": {first}" if first and not unsafe else ""
        raise CheckpointError(f"cannot read checkpoint {path}: not a file that gan_src wrote, or a damaged one "
                              f"({type(err).__name__}{reason})") from err


def load(path: str | os.PathLike) -> dict[str, Any]:
    """Read a training checkpoint written by :func:`save`, on the CPU."""
    state = read(path)
    if not isinstance(state, dict) or "G" not in state or "epoch" not in state:
        raise CheckpointError(f"{path} is not a gan_src training checkpoint (a G snapshot, or a foreign file?)")
    missing = [key for key in KEYS if key not in state]
    if missing:
        raise CheckpointError(f"{path} is an incomplete training checkpoint: it lacks {', '.join(missing)}; "
                              "it cannot be resumed (start afresh with --overwrite)")
    return state
