"""A run folder (``--out``): the files of one training run, kept by one process at a time.

``python -m gan_src train`` writes ``checkpoint.pt``, ``metrics.jsonl`` and ``snapshots/`` into it
(:func:`gan_src.train.train`; ``parzen --snapshots`` adds ``parzen.jsonl``). Before any compute,
:func:`check_writable` makes sure files can be created there and :func:`check_new` that a new run
would not mix with an old one; :func:`claim` then holds the folder for the whole run: an exclusive
lock (``.lock``, which names its holder), so that a second run on the same folder stops at once.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Iterator
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


class RunFolderError(RuntimeError):
    """A run folder that cannot be written, belongs to another run, or is in use."""


def run_files(out: Path) -> list[Path]:
    """The files of a run in ``out``: checkpoint, metrics, Parzen curve and G snapshots, those that exist."""
    files = [out / name for name in (CHECKPOINT_NAME, METRICS_NAME, PARZEN_NAME)]
    return [p for p in files if p.is_file()] + sorted((out / SNAPSHOTS).glob("G_epoch*.pt"))


def check_writable(out: Path) -> None:
    """Make ``out`` (if it is missing) and create a file in it, so that a folder where the
    checkpoint could not be written fails now rather than after an epoch of compute."""
    if out.exists() and not out.is_dir():
        raise RunFolderError(f"--out {out} is a file, not a folder; choose another --out")
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
        raise RunFolderError(f"{out} already holds a run ({names}); continue it with --resume, or start afresh "
                             "with --overwrite (deletes its checkpoint, metrics, Parzen curve and snapshots)")


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
    lock = open(out / LOCK_NAME, "a+")
    try:
        if fcntl is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                raise _in_use(out, lock.read().strip() or "another process") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        lock.flush()
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
    finally:
        lock.close()  # releases the lock; the file stays (deleting it would race with the next run's open)
