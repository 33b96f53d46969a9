"""A run on disk: the files of one training run (``--out``), their names, how an epoch is saved and
read back, and the lock that keeps one process at a time on them. Nothing else in gan_src names them.

::

    RUN/checkpoint.pt              models, optimisers, schedules, random states: what resuming needs
    RUN/metrics.jsonl              one JSON line per epoch (the checkpoint's history)
    RUN/snapshots/G_epochNNNN.pt   G's weights every --snapshot-every epochs
    RUN/parzen.jsonl               their Parzen scores (``parzen --snapshots RUN/snapshots --out RUN/parzen.jsonl``)
    RUN/.lock                      held by the process that writes the run, naming it
    RUN/warm_start.json            a run continued from a shipped model: where it began (tools/)

Each file is written whole or not at all (:func:`gan_src.checkpoint.write_atomically`); checkpoints and
snapshots carry a digest, checked whenever they are read (:mod:`gan_src.checkpoint`, the file format).
:func:`save_epoch` writes an epoch's snapshot and metrics before the checkpoint that accounts for them.
Before any compute, :func:`check_writable` makes sure files can be created and :func:`check_new` that a
new run would not mix with an old one; :func:`claim` then holds the folder for the whole run, so that a
second run on it stops at once. ``parzen --snapshots DIR --out CURVE`` holds its curve file the same
way (:func:`claim_curve`).
"""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import checkpoint
from .checkpoint import CheckpointError
from .experiments import EXPERIMENTS, Experiment, identify

try:
    import fcntl
except ImportError:  # Windows: no flock; runs there are not locked
    fcntl = None

CHECKPOINT_NAME = "checkpoint.pt"
METRICS_NAME = "metrics.jsonl"
PARZEN_NAME = "parzen.jsonl"
SNAPSHOTS = "snapshots"
SNAPSHOT_NAME = re.compile(r"G_epoch(\d+)\.pt")  # G_epoch0010.pt: G after epoch 10
LOCK_NAME = ".lock"
# what a maintainer's tools add to a run they continue (tools/warm_start_mnist.py) and ship (tools/ship_mnist.py)
WARM_START_NAME = "warm_start.json"    # where a continuation of a shipped model began
STEP_CHANGE_NAME = "faster_step.json"  # a change of the training step made during the run, if any
OVERWRITES = "deletes its checkpoint, metrics, Parzen curve and snapshots"  # what --overwrite does


class RunFolderError(RuntimeError):
    """A run folder that cannot be written, belongs to another run, or is in use."""


# --- the layout ---------------------------------------------------------------------------------------


def checkpoint_path(out: str | os.PathLike) -> Path:
    return Path(out) / CHECKPOINT_NAME


def metrics_path(out: str | os.PathLike) -> Path:
    return Path(out) / METRICS_NAME


def curve_path(out: str | os.PathLike) -> Path:
    """The run's Parzen curve, ``RUN/parzen.jsonl``."""
    return Path(out) / PARZEN_NAME


def snapshots_folder(out: str | os.PathLike) -> Path:
    return Path(out) / SNAPSHOTS


def snapshot_path(out: str | os.PathLike, epoch: int) -> Path:
    """``RUN/snapshots/G_epochNNNN.pt``, G after ``epoch``."""
    return snapshots_folder(out) / f"G_epoch{epoch:04d}.pt"


def snapshot_files(folder: str | os.PathLike) -> list[Path]:
    """The ``G_epoch*.pt`` files in ``folder`` (a run's ``snapshots/``), by name; none when it is missing."""
    return sorted(Path(folder).glob("G_epoch*.pt"))


def find_snapshots(folder: str | os.PathLike) -> dict[int, Path]:
    """Epoch -> snapshot file, in epoch order; :class:`~gan_src.checkpoint.CheckpointError` for a
    folder without snapshots, a ``G_epoch*.pt`` of another name, or two files of one epoch."""
    snapshots: dict[int, Path] = {}
    for path in snapshot_files(folder):
        match = SNAPSHOT_NAME.fullmatch(path.name)
        if match is None:
            raise CheckpointError(f"{path} is not named G_epochNNNN.pt (NNNN its epoch); rename or move it")
        epoch = int(match.group(1))
        if epoch in snapshots:
            raise CheckpointError(f"{path} and {snapshots[epoch]} are both epoch {epoch}; move one away")
        snapshots[epoch] = path
    if not snapshots:
        raise CheckpointError(f"no G_epochNNNN.pt snapshots in {folder}")
    return dict(sorted(snapshots.items()))


def run_files(out: Path) -> list[Path]:
    """The files of a run in ``out``: checkpoint, metrics, Parzen curve and G snapshots, those that exist."""
    files = [checkpoint_path(out), metrics_path(out), curve_path(out)]
    return [p for p in files if p.is_file()] + snapshot_files(snapshots_folder(out))


# --- an epoch, saved and read back --------------------------------------------------------------------


def save_epoch(out: Path, state: dict[str, Any], snapshot: bool = False) -> None:
    """Write a finished epoch: G's snapshot (with ``snapshot``), the metrics (``state["history"]``), then
    the training checkpoint ``state`` (:data:`gan_src.checkpoint.KEYS`), last: the epoch it records has
    its snapshot and metrics on disk, whenever the process is killed."""
    if snapshot:
        checkpoint.save({"G": state["G"]}, snapshot_path(out, state["epoch"]))
    write_metrics(out, state["history"])
    checkpoint.save(state, checkpoint_path(out))


def load(out: str | os.PathLike) -> dict[str, Any]:
    """The run's training checkpoint, read and checked (:func:`gan_src.checkpoint.load`)."""
    return checkpoint.load(checkpoint_path(out))


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """Rows as JSON lines, the file rewritten whole (atomically): an interrupted writer leaves no half line."""
    text = "".join(json.dumps(row) + "\n" for row in rows)
    checkpoint.write_atomically(path, lambda f: f.write(text.encode()))


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON-lines file (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_metrics(out: Path, history: list[dict]) -> None:
    """``RUN/metrics.jsonl``, rewritten from the run's per-epoch history."""
    write_jsonl(metrics_path(out), history)


def read_metrics(out: str | os.PathLike) -> list[dict]:
    return read_jsonl(metrics_path(out))


def read_curve(path: Path) -> list[dict]:
    """The rows of a Parzen curve file, one JSON object with an integer ``epoch`` per line (none if the
    file does not exist yet); ValueError naming the file and line otherwise."""
    if path.is_dir():
        raise ValueError(f"{path} is a folder; name a JSON lines file (e.g. RUN/parzen.jsonl)")
    if not path.exists():
        return []
    rows = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row["epoch"], int):
                raise TypeError("epoch")
        except (ValueError, TypeError, KeyError):
            raise ValueError(f"{path} is not a Parzen curve (line {n} is not JSON with an epoch); "
                             "choose another file, or delete it") from None
        rows.append(row)
    return rows


write_curve = write_jsonl  # a curve is rewritten whole, as the metrics are


# --- G (and D) from a run -----------------------------------------------------------------------------


def _experiment(key: str) -> Experiment:
    if key not in EXPERIMENTS:
        raise ValueError(f"unknown architecture {key!r}; choose one of {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[key]


def matches(state: Any, model: nn.Module) -> bool:
    """Whether ``state`` has the names and shapes of ``model``'s weights, floating-point where they are."""
    expected = model.state_dict()
    return (isinstance(state, dict) and state.keys() == expected.keys()
            and all(torch.is_tensor(state[k]) and state[k].shape == v.shape
                    and state[k].is_floating_point() == v.is_floating_point() for k, v in expected.items()))


def generator_state(path: str | os.PathLike, architecture: str = "mnist") -> dict[str, torch.Tensor]:
    """G's ``state_dict`` from a training checkpoint (``checkpoint.pt``) or a G snapshot
    (``snapshots/G_epochNNNN.pt``) of the networks ``architecture`` (an experiment of
    :data:`~gan_src.experiments.EXPERIMENTS`); :class:`~gan_src.checkpoint.CheckpointError`, naming
    the experiment the file does hold, otherwise."""
    G = _experiment(architecture).generator()
    state = checkpoint.read(path)
    if isinstance(state, dict) and isinstance(state.get("G"), dict):
        state = state["G"]
    if not matches(state, G):
        found = identify(state)
        if found is None:
            raise CheckpointError(f"{path} holds neither a gan_src training checkpoint nor the weights of "
                                  f"the {architecture!r} G")
        raise CheckpointError(f"{path} holds the {found!r} G, not the {architecture!r} G")
    bad = next((k for k, v in state.items() if v.is_floating_point() and not torch.isfinite(v).all()), None)
    if bad is not None:
        raise CheckpointError(f"{path}: G's {bad} holds NaN or infinite values; it is not a good G (choose another "
                              "checkpoint or snapshot)")
    return state


def load_generator(path: str | os.PathLike, architecture: str = "mnist") -> nn.Module:
    """The G of ``architecture`` with the weights of a checkpoint or snapshot (:func:`generator_state`)."""
    G = _experiment(architecture).generator()
    G.load_state_dict(generator_state(path, architecture))
    return G


def discriminator_state(path: str | os.PathLike, architecture: str = "mnist") -> dict[str, torch.Tensor] | None:
    """D's ``state_dict`` from a training checkpoint; None for a G snapshot (which has no D)."""
    state = checkpoint.read(path)
    D = state.get("D") if isinstance(state, dict) else None
    return D if matches(D, _experiment(architecture).discriminator()) else None


# --- checked before any compute, locked while a run writes ---------------------------------------------


def check_writable(out: Path, snapshots: bool = False) -> None:
    """Make ``out`` (if it is missing) and create a file in it, so that a folder where the
    checkpoint could not be written fails now rather than after an epoch of compute; with
    ``snapshots``, also refuse a ``snapshots`` there that is not a folder."""
    if out.exists() and not out.is_dir():
        raise RunFolderError(f"--out {out} is a file, not a folder; choose another --out")
    folder = snapshots_folder(out)
    if snapshots and folder.exists() and not folder.is_dir():
        raise RunFolderError(f"{folder} is a file, not a folder, and --snapshot-every writes G's "
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
        if not checkpoint_path(out).is_file():
            raise RunFolderError(f"{out} holds a run that stopped before its first checkpoint ({names}), so there is "
                                 f"nothing to resume; start afresh with --overwrite ({OVERWRITES})")
        raise RunFolderError(f"{out} already holds a run ({names}); continue it with --resume, or start afresh "
                             f"with --overwrite ({OVERWRITES})")


def check_resumable(out: Path) -> None:
    """Refuse to resume a folder without a checkpoint, saying whether a run began there."""
    if not checkpoint_path(out).is_file() and run_files(out):
        raise RunFolderError(f"no checkpoint at {checkpoint_path(out)}: the run there stopped before its first "
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
                         *snapshots_folder(out).glob(".G_epoch*.pt.*.tmp")]:
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
