"""Saving and resuming a training run exactly: models, optimisers, schedules, RNG states."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

CHECKPOINT_NAME = "checkpoint.pt"


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, unreadable or from something else."""


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


def save(state: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write ``state`` atomically: a crash mid-write leaves the previous checkpoint intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    return path


def load(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save`, on the CPU."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for a damaged or foreign file
        raise CheckpointError(f"cannot read checkpoint {path}: {type(err).__name__}: {str(err).splitlines()[0]}") from err
    if not isinstance(state, dict) or "G" not in state or "epoch" not in state:
        raise CheckpointError(f"{path} is not a gan_src training checkpoint")
    return state
