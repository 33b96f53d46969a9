"""The files gan_src writes and reads back: whole or not at all, with a digest, checked on load.

This module is the file format; :mod:`gan_src.run_folder` says which files a run holds and when
they are written. Every file is written whole or not at all (:func:`write_atomically`): into a
temporary file of a name no other writer uses, flushed to the disk, then renamed over the target,
and the folder's entry flushed too. A crash or a full disk leaves the previous file as it was and
no temporary file behind.

Every checkpoint and G snapshot records a digest of what it holds (:func:`digest`: SHA-256 of
every tensor's bytes, shape and dtype and of every other value), checked whenever it is read
(:func:`read`): a flipped bit in the weights makes a file refused, not loaded. Files of format 1
(written before digests) still load, unchecked. What a training checkpoint holds is checked too,
before any of it reaches the networks and optimisers (:func:`load`, :func:`check_against`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import pickle
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import torch
from torch import nn
from torch.optim import Optimizer

KEYS = ("config", "epoch", "step", "history", "G", "D", "opt_D", "opt_G", "rng_states")  # what resuming needs
FORMAT = 2         # 2: with a digest; 1 (or no "format"): written before digests, loaded unchecked
DIGEST = "sha256"  # the key of the digest
ZIP_MAGIC = b"PK\x03\x04"  # torch.save has written zip archives since torch 1.6; gan_src writes nothing else
# the state of each parameter in the optimisers of gan_src.optim.make_optimizer
OPTIMISER_STATE = {"momentum": {"velocity"}, "adam": {"step", "exp_avg", "exp_avg_sq"}}


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, unreadable, damaged or from something else, or that cannot be written."""


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
    if any of it fails. An interruption (Ctrl-C, or SIGTERM turned into one) is raised as itself."""
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
        interrupt = _cause(err, KeyboardInterrupt)
        if interrupt is not None and interrupt is not err:
            # torch.save turns an interruption inside its zip writer into a RuntimeError of its own
            raise interrupt from None
        cause = _cause(err, OSError)
        if cause is not None:
            raise CheckpointError(f"cannot write {path} ({cause.strerror or cause}); "
                                  f"the {path.name} there before, if any, is unchanged") from err
        raise
    _fsync_folder(path.parent)  # the rename itself survives a power cut only once the folder is flushed
    return path


def _cause(err: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    """The exception of type ``kind`` behind ``err``, if any: torch.save meeting a full disk raises an
    OSError, then a RuntimeError of its zip writer while closing the file, which hides it."""
    while err is not None and not isinstance(err, kind):
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


def digest(content: Any) -> str:
    """The SHA-256 digest (hex) of ``content``: dicts, lists and tuples in their order, every tensor's
    dtype, shape and bytes, and the type and value of every number, string and None. TypeError for
    anything else (gan_src saves nothing else)."""
    h = hashlib.sha256()
    _feed(h, content)
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu().contiguous()
        h.update(f"tensor {t.dtype} {tuple(t.shape)}:".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy())
    elif isinstance(value, Mapping):
        h.update(f"{type(value).__name__} {len(value)}{{".encode())
        for key, item in value.items():
            _feed(h, key)
            _feed(h, item)
        h.update(b"}")
        if getattr(value, "_metadata", None) is not None:  # a state_dict's versions, which load_state_dict reads
            _feed(h, dict(value._metadata))
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__} {len(value)}[".encode())
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif value is None or isinstance(value, (bool, int, float, str)):
        text = repr(value).encode()  # a float's repr gives back the same float
        h.update(f"{type(value).__name__} {len(text)}:".encode() + text)
    else:
        raise TypeError(f"cannot digest a {type(value).__name__}")


def save(content: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write ``content`` (a checkpoint, or ``{"G": state_dict}`` for a G snapshot) with
    ``torch.save``, atomically (:func:`write_atomically`), as format :data:`FORMAT`: with its digest."""
    content = {**{k: v for k, v in content.items() if k != DIGEST}, "format": FORMAT}
    content[DIGEST] = digest(content)
    return write_atomically(path, lambda f: torch.save(content, f))


def read(path: str | os.PathLike, sha256: str | None = None) -> Any:
    """Whatever gan_src saved in ``path`` (a checkpoint, a G snapshot, a shipped model), on the CPU,
    loaded safely (``weights_only=True``) and checked against its digest (format 2; format 1 has none),
    and, given ``sha256``, the file's bytes against that; :class:`CheckpointError` for a missing,
    empty, unreadable, foreign or damaged file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes), not a gan_src checkpoint; delete it")
    source: Path | io.BytesIO = path
    if sha256 is not None:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise CheckpointError(f"{path} is damaged: its SHA-256 is not the one recorded when it was shipped; "
                                  "restore it (reinstall gan_src, or check out the file again)")
        source = io.BytesIO(data)  # the bytes checked, not the file again
    with open(path, "rb") as f:
        zipped = f.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    if not zipped:  # refused here: torch.load warns about such a file before it refuses it
        raise CheckpointError(f"cannot read checkpoint {path}: not a file that gan_src wrote, or a damaged one "
                              "(not a zip archive of torch.save)")
    try:
        state = torch.load(source, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for a damaged or foreign file
        # torch's refusal advises loading with weights_only=False, which runs any code the file holds: not passed on
        unsafe = isinstance(err, pickle.UnpicklingError) or "weights_only" in str(err)
        first = str(err).strip().split("\n")[0].split(". ")[0]
        reason = f": {first}" if first and not unsafe else ""
        raise CheckpointError(f"cannot read checkpoint {path}: not a file that gan_src wrote, or a damaged one "
                              f"({type(err).__name__}{reason})") from err
    return _checked(state, path)


def _checked(state: Any, path: Path) -> Any:
    """``state`` without its digest, once the digest matches; a file of format 1 as it is."""
    if not isinstance(state, dict) or not isinstance(state.get("format", 1), int) or state.get("format", 1) < 2:
        return state
    if state["format"] > FORMAT:
        raise CheckpointError(f"{path} is of format {state['format']}, written by a newer gan_src; upgrade gan_src")
    content = {k: v for k, v in state.items() if k != DIGEST}
    try:
        found = digest(content)
    except (TypeError, RuntimeError) as err:  # RuntimeError: a tensor without plain bytes, or nesting too deep
        raise CheckpointError(f"{path} holds what gan_src never writes ({err}); a foreign or damaged file") from None
    if state.get(DIGEST) != found:
        raise CheckpointError(f"{path} is damaged: what it holds does not match the digest recorded when it was "
                              "written; restore it from a copy, or delete it (a run's checkpoint: start afresh with --overwrite)")
    return content


def load(path: str | os.PathLike) -> dict[str, Any]:
    """Read a training checkpoint written by :func:`save`, on the CPU, and check what it holds besides
    the networks and optimisers (:func:`check_against` checks those): the epoch, step, history, the
    random states and, if recorded, the experiment, snapshot interval and training data."""
    state = read(path)
    if not isinstance(state, dict) or "G" not in state or "epoch" not in state:
        raise CheckpointError(f"{path} is not a gan_src training checkpoint (a G snapshot, or a foreign file?)")
    missing = [key for key in KEYS if key not in state]
    if missing:
        raise CheckpointError(f"{path} is an incomplete training checkpoint: it lacks {', '.join(missing)}; "
                              "it cannot be resumed (start afresh with --overwrite)")
    problem = _problem(state)
    if problem is not None:
        raise CheckpointError(f"{path} is not a checkpoint gan_src can resume: {problem}; "
                              "start afresh with --overwrite")
    return state


def _problem(state: dict[str, Any]) -> str | None:
    """What is wrong in a checkpoint's scalars, history and random states, if anything."""
    for key in ("epoch", "step"):
        if type(state[key]) is not int or state[key] < 0:
            return f"its {key} is {state[key]!r}, not a whole number >= 0"
    if not isinstance(state["config"], dict):
        return f"its config is a {type(state['config']).__name__}, not a table of settings"
    history = state["history"]
    if not (isinstance(history, list) and all(isinstance(row, dict) for row in history)):
        return "its history is not a list of per-epoch rows"
    try:
        json.dumps(history)  # rewritten as metrics.jsonl on resuming
    except (TypeError, ValueError):
        return "its history holds values that are not numbers or text"
    if not isinstance(state.get("experiment"), (str, type(None))):
        return f"its experiment is a {type(state['experiment']).__name__}, not a name"
    every = state.get("snapshot_every")
    if every is not None and (type(every) is not int or every < 1):
        return f"its snapshot interval is {every!r}, not a whole number >= 1"
    data = state.get("data")
    if data is not None and not (isinstance(data, dict) and data.keys() == {"rows", "sha256"}
                                 and type(data["rows"]) is int and isinstance(data["sha256"], str)):
        return f"its data record is {data!r}, not the rows and digest of the training data"
    return _rng_problem(state["rng_states"])


def _rng_problem(states: Any) -> str | None:
    """Whether the random states could be restored, tried on generators of their own (the process's
    streams stay untouched)."""
    if not isinstance(states, dict) or "rng" not in states or "torch" not in states:
        return "its random number states are missing"
    cuda = states.get("cuda", [])
    try:
        for state in (states["rng"], states["torch"]):
            torch.Generator().set_state(state)
        if not isinstance(cuda, (list, tuple)):
            raise TypeError
        if torch.cuda.is_available():
            for state in cuda:
                torch.Generator(device="cuda").set_state(state)
    except (RuntimeError, TypeError):
        return "its random number states are damaged (not the states of torch's generators)"
    return None


def check_against(state: dict[str, Any], path: str | os.PathLike, networks: dict[str, nn.Module],
                  optimisers: dict[str, Optimizer], optimizer: str) -> None:
    """:class:`CheckpointError` unless every tensor of a loaded training checkpoint fits the networks
    (``{"G": G, "D": D}``) and optimisers (``{"opt_G": ..., "opt_D": ...}``, of kind ``optimizer``)
    that it is about to be loaded into, in shape and dtype, and is finite; so is every optimiser
    setting that is not scheduled. A velocity of another shape would otherwise reach the fused
    optimiser step, which does not check shapes and can crash the process. Networks and optimisers
    may live on the meta device: only their shapes and dtypes are read."""
    for key, module in networks.items():
        expected = module.state_dict()
        saved = state[key]
        if not isinstance(saved, dict) or saved.keys() != expected.keys():
            raise CheckpointError(f"{path} holds another {key} than these networks' (its weights have other names)")
        for name, tensor in expected.items():
            _check_tensor(saved[name], tensor, f"{key}'s {name}", path)
    for key, opt in optimisers.items():
        _check_optimiser(state[key], opt, optimizer, key, path)


def _check_tensor(saved: Any, expected: torch.Tensor, what: str, path: str | os.PathLike) -> None:
    if not isinstance(saved, torch.Tensor):
        raise CheckpointError(f"{path}: {what} is a {type(saved).__name__}, not a tensor; a foreign or damaged file")
    if saved.shape != expected.shape or saved.dtype != expected.dtype:
        raise CheckpointError(f"{path}: {what} is {saved.dtype} of shape {tuple(saved.shape)}, not "
                              f"{expected.dtype} of shape {tuple(expected.shape)}; a foreign or damaged file")
    if saved.is_floating_point() and not torch.isfinite(saved).all():
        raise CheckpointError(f"{path}: {what} holds NaN or infinite values, so it is not a good checkpoint; "
                              "resume from a copy of an earlier one, or start afresh with --overwrite")


def _check_optimiser(saved: Any, opt: Optimizer, optimizer: str, key: str, path: str | os.PathLike) -> None:
    expected = opt.state_dict()["param_groups"]
    if not (isinstance(saved, dict) and isinstance(saved.get("state"), dict)
            and isinstance(saved.get("param_groups"), list) and len(saved["param_groups"]) == len(expected)):
        raise CheckpointError(f"{path}: {key} is not the state of a {optimizer} optimiser of these networks")
    for group, ours in zip(saved["param_groups"], expected):
        if not isinstance(group, dict) or group.get("params") != ours["params"]:
            raise CheckpointError(f"{path}: {key} is not the state of a {optimizer} optimiser of these networks")
        for name, value in group.items():
            if name in ("lr", "momentum"):  # scheduled: set again before every step
                if type(value) is not float or not math.isfinite(value):
                    raise CheckpointError(f"{path}: {key}'s {name} is {value!r}, not a finite number")
            elif name != "params" and (name not in ours or value != ours[name]):
                raise CheckpointError(f"{path}: {key} sets {name} = {value!r}, which the {optimizer} optimiser "
                                      f"of gan_src does not ({ours.get(name, 'no such setting')!r})")
    params = [p for group in opt.param_groups for p in group["params"]]
    if not saved["state"].keys() <= set(range(len(params))):
        raise CheckpointError(f"{path}: {key} holds state for other parameters than these networks'")
    for index, entry in saved["state"].items():  # a parameter without state starts from zeros (a warm start)
        param = params[index]
        if not isinstance(entry, dict) or entry.keys() != OPTIMISER_STATE[optimizer]:
            found = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise CheckpointError(f"{path}: {key} holds {found}, not the state of the run's {optimizer} optimiser "
                                  f"({', '.join(sorted(OPTIMISER_STATE[optimizer]))})")
        for name, value in entry.items():
            like = torch.empty((), dtype=torch.float32) if name == "step" else param
            _check_tensor(value, like, f"{key}'s {name} of parameter {index}", path)
