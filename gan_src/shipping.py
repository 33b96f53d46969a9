"""Shipping a trained run as a pretrained model (:mod:`gan_src.pretrained`), in one function.

Every ``tools/ship_*.py`` takes the same steps through :func:`ship`: check that the run holds the
experiment, read its record (:func:`run_record`), load G from the checkpoint or the snapshot chosen,
write the exact command that trained the run (:func:`gan_src.cli_train.train_command`, from the config its
checkpoint records), then let the script add what it measures (a Parzen score, nearest neighbours)
and export the weights with their provenance (:func:`gan_src.pretrained.export`).
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import experiments, pretrained, run_folder
from .cli_train import on_full_cifar10, train_command


def run_record(run: str | os.PathLike, epoch: int | None = None) -> dict[str, Any]:
    """The provenance fields every shipped model shares, read from a training run folder (its
    checkpoint and metrics): its config and seed, the epochs and steps (up to ``epoch``, default the
    checkpoint's), the summed training seconds, machine, torch and the current git commit."""
    ckpt = run_folder.load(run)
    epoch = ckpt["epoch"] if epoch is None else epoch
    metrics = run_folder.read_metrics(run)
    git = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {
        "config": ckpt["config"],
        "seed": ckpt["config"]["seed"],
        "epochs": epoch,
        "steps": next(row["step"] for row in metrics if row["epoch"] == epoch),
        "train_seconds": round(sum(row["seconds"] for row in metrics if row["epoch"] <= epoch)),
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores, {platform.system()}",
        "torch": torch.__version__,
        "exported_at_commit": git,
    }


def experiment_of(run: str | os.PathLike, allowed: Sequence[str]) -> str:
    """The experiment the run's checkpoint holds; SystemExit naming it unless it is one of ``allowed``."""
    held = experiments.of_checkpoint(run_folder.load(run))
    if held not in allowed:
        raise SystemExit(f"{run} holds the {held} experiment, not {' or '.join(allowed)}")
    return held


def ship(run: Path, name: str, script: str, describe: Callable[[nn.Module, dict[str, Any]], dict[str, Any]],
         epoch: int | None = None, experiment: str | None = None, keep_discriminator: bool = True,
         folder: str | os.PathLike | None = None) -> list[Path]:
    """Ship the G of ``run`` as the pretrained model ``name``: G of the snapshot of ``epoch``, else of
    the checkpoint; D (unless ``keep_discriminator`` is False) always of the checkpoint.

    The record holds the command that trained the run (``"command"``), :func:`run_record`'s fields,
    whatever ``describe(G, record)`` returns (its keys win: a model's description, its scores, a
    command of its own), and ``"recreate"``: the command, then ``python SCRIPT RUN [--epoch N]``.
    ``experiment`` (default ``name``) is the experiment the run must hold. Prints and returns the
    files written (into ``folder``, default the package's)."""
    experiment = experiment or name
    experiment_of(run, [experiment])
    state = run_folder.load(run)
    record = run_record(run, epoch)
    source = run_folder.checkpoint_path(run) if epoch is None else run_folder.snapshot_path(run, epoch)
    G = run_folder.load_generator(source, experiment)
    command = train_command(experiment, state["config"], state["epoch"], run, state.get("snapshot_every"),
                            bool(on_full_cifar10(state)))
    extra = describe(G, record)
    provenance = {k: extra[k] for k in ("model",) if k in extra} | {"command": command, **record} | extra
    provenance.setdefault("recreate", f"{provenance['command']} && python {script} {run}"
                                      + ("" if epoch is None else f" --epoch {epoch}"))
    D = run_folder.checkpoint_path(run) if keep_discriminator else None
    weights, info = pretrained.export(source, name, provenance, folder=folder, architecture=experiment,
                                      discriminator_path=D, keep_discriminator=keep_discriminator)
    written = [weights, *([weights.with_name(f"{name}_D.pt")] if keep_discriminator else []), info]
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return written
