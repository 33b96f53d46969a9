"""A run folder (``--out``): the files of one training run, kept by one process at a time.

``python -m gan_src train`` writes ``checkpoint.pt``, ``metrics.jsonl`` and ``snapshots/`` into it
(:func:`gan_src.train.train`; ``parzen --snapshots`` adds ``parzen.jsonl``). Before any compute,
:func:`check_writable` makes sure files can be created there and :func:`check_new` that a new run
would not mix with an old one; :func:`claim` then holds the folder for the whole run: an exclusive
lock (``.lock``, which names its holder), so that a second run on the same folder stops at once.
``parzen --snapshots DIR --out CURVE`` holds its curve file the same way (:func:`claim_curve`).
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .checkpoint import CHECKPOINT_NAME

try:
    import fcntl
except ImportError:  # Windows: no flock; runs there are not locked
    fcntl = None

LOCK_NAME = ".lock"
METRICS_NAME = "metrics.jsonl"
PARZEN_NAME = "parzen.jsonl"  # the curve of the run's snapshots (``parzen --snapshots DIR --out RUN/parzen.jsonl``)
SNAPSHOTS = "snapshots"
OVERWRITES = "deletes its checkpoint, metrics, Parzen curve and snapshots"  # what --overwrite does


class RunFolderError(RuntimeError):
    """A run folder that cannot be written, belongs to another run, or is in use."""


def run_files(out: Path) -> list[Path]:
    """The files of a run in ``out``: checkpoint, metrics, Parzen curve and G snapshots, those that exist."""
    files = [out / name for name in (CHECKPOINT_NAME, METRICS_NAME, PARZEN_NAME)]
    return [p for p in files if p.is_file()] + sorted((out / SNAPSHOTS).glob("G_epoch*.pt"))


def check_writable(out: Path, snapshots: bool = False) -> None:
    """Make ``out`` (if it is missing) and create a file in it, so that a folder where the
    checkpoint could not be written fails now rather than after an epoch of compute; with
    ``snapshots``, also refuse a ``snapshots`` there that is not a folder."""
    if out.exists() and not out.is_dir():
        raise RunFolderError(f"--out {out} is a file, not a folder; choose another --out")
    if snapshots and (out / SNAPSHOTS).exists() and not (out / SNAPSHOTS).is_dir():
        raise RunFolderError(f"{out / SNAPSHOTS} is a file, not a folder, and --snapshot-every writes G's "
                             "snapshots there; move it away")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as err:
        raise RunFolderError(f"cannot write into {out} ({err.strerror or err}); choose a writable --out") from None


def check_new(out: Path) -> None:
    """Refuse to start a new run in a folder that holds another's files (it would mix with them)."""
    files = run_files(out)
    if files:
        names = ", ".join(str(p.relative_to(out)) for p in files[:3]) + (", ..." if len(files) > 3 else "")
        if not (out / CHECKPOINT_NAME).is_file():
            raise RunFolderError(f"{out} holds a run that stopped before its first checkpoint ({names}), so there is "
                                 f"nothing to resume; start afresh with --overwrite ({OVERWRITES})")
        raise RunFolderError(f"{out} already holds a run ({names}); continue it with --resume, or start afresh "
                             f"with --overwrite ({OVERWRITES})")


def check_resumable(out: Path) -> None:
    """Refuse to resume a folder without a checkpoint, saying whether a run began there."""
    if not (out / CHECKPOINT_NAME).is_file() and run_files(out):
        raise RunFolderError(f"no checkpoint at {out / CHECKPOINT_NAME}: the run there stopped before its first "
                             f"checkpoint, so there is nothing to resume; start afresh with --overwrite ({OVERWRITES})")


def holder(out: Path) -> str | None:
    """Who holds the lock on ``out`` (``pid ... on HOST since ...``), or None when nobody does."""
    path = out / LOCK_NAME
    if fcntl is None or not path.is_file():
        return None
    with open(path) as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)  # shared: conflicts only with a run's exclusive lock
        except BlockingIOError:
            return f.read().strip() or "another process"
    return None  # closing the file released the probe's lock


def check_free(out: Path) -> None:
    """Refuse a folder that another run holds (:func:`claim`)."""
    who = holder(out)
    if who is not None:
        raise _in_use(out, who)


def _in_use(out: Path, who: str) -> RunFolderError:
    return RunFolderError(f"{out} is in use by another run ({who}); wait for it to end, or choose another --out")


@contextmanager
def claim(out: Path, overwrite: bool = False, resume: bool = False) -> Iterator[None]:
    """Hold ``out`` exclusively while the block runs; the lock file names this process.

    Inside the lock (so that no other run can interfere): temporary files that a killed writer left
    are removed; ``overwrite`` deletes the old run's files (:func:`run_files`); a new run (neither
    flag) is checked again with :func:`check_new`.
    """
    with _locked(out / LOCK_NAME, lambda who: _in_use(out, who)):
        # a writer's temporary files (gan_src.checkpoint.temporary_name): only a killed one leaves any
        for leftover in [*out.glob(f".{CHECKPOINT_NAME}.*.tmp"), *out.glob(f".{METRICS_NAME}.*.tmp"),
                         *(out / SNAPSHOTS).glob(".G_epoch*.pt.*.tmp")]:
            leftover.unlink()
        if overwrite:
            for path in run_files(out):
                path.unlink()
        elif not resume:
            check_new(out)
        yield


def curve_lock(curve: Path) -> Path:
    """The lock file of a Parzen curve file (``parzen --snapshots DIR --out CURVE``), beside it."""
    return curve.with_name(f".{curve.name}.lock")


@contextmanager
def claim_curve(curve: Path) -> Iterator[None]:
    """Hold the curve file ``curve`` exclusively while the block runs, as :func:`claim` holds a run
    folder: a second ``parzen --snapshots`` writing the same file stops at once, naming the first
    (two would mix their rows and lose some). Temporary files of a killed writer are removed."""
    def busy(who: str) -> RunFolderError:
        return RunFolderError(f"{curve} is being written by another parzen run ({who}); wait for it to end, "
                              "or choose another --out")
    with _locked(curve_lock(curve), busy):
        for leftover in curve.parent.glob(f".{curve.name}.*.tmp"):
            leftover.unlink()
        yield


@contextmanager
def _locked(path: Path, busy: Callable[[str], RunFolderError]) -> Iterator[None]:
    """An exclusive lock on the file ``path``, which names this process while it holds it;
    ``busy(holder)`` is raised at once when another process holds it."""
    lock = open(path, "a+")
    try:
        if fcntl is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                raise busy(lock.read().strip() or "another process") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        lock.flush()
        yield
    finally:
        lock.close()  # releases the lock; the file stays (deleting it would race with the next holder's open)
