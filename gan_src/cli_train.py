"""The ``train`` command: a run of Algorithm 1 (Section 4) started or resumed from the command line.

``python -m gan_src train --dataset mnist --epochs N --out DIR [--resume | --overwrite] [--dry-run]``
trains one experiment of :mod:`gan_src.experiments`: the MNIST networks of Section 5; with
``--conditional``, the class-conditional GAN p(x | c) of Section 7 (c an input of G and D);
``--dataset faces|cifar10|cifar10_conv``, the scaled-down networks of Figure 2 (b)-(d)
(:mod:`gan_src.figure2`) on the Olivetti faces or CIFAR-10 (the offline subset unless
``--full-cifar10``). Every check that needs no compute comes first: DIR is locked and checked
(:mod:`gan_src.run_folder`), and ``--resume`` keeps the run's own settings and examples and refuses a
flag that asks for others (the same data read from another ``--data`` folder are the run's own).
:func:`train_command` goes the other way: from a run's settings to the command that makes it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import checkpoint, experiments, run_folder
from .data import CIFAR_TRAIN_ROWS, data_root
from .optim import make_optimizer
from .train import TrainConfig, data_record, saved_config, train

CIFAR10 = ("cifar10", "cifar10_conv")  # the experiments whose examples --full-cifar10 chooses
DRY_RUN = {"epochs": 1, "steps_per_epoch": 3}
# The settings of a run (TrainConfig's fields) and their flags: a resumed run keeps its own, so a flag
# that asks for another value is refused
SETTINGS = {"m": "-m/--batch-size", "k": "--k", "update": "--update", "objective": "--objective",
            "optimizer": "--optimizer", "lr": "--lr", "seed": "--seed", "steps_per_epoch": "--steps-per-epoch",
            "precision": "--precision"}


def _requested(args: argparse.Namespace) -> str | None:
    """The experiment that --dataset and --conditional name; None when neither is given."""
    if args.dataset is None and not args.conditional:
        return None
    name = (args.dataset or "mnist") + ("_conditional" if args.conditional else "")
    if name not in experiments.EXPERIMENTS:
        raise ValueError(f"--conditional is for --dataset mnist only, not {args.dataset}")
    return name


def run(args: argparse.Namespace) -> None:
    """Train as the flags ask: into --out (default runs/EXPERIMENT), or, for a dry run without --out,
    into a temporary folder removed afterwards."""
    requested = _requested(args)
    if args.dry_run and args.out is None:
        with tempfile.TemporaryDirectory(prefix="gan_src-dry-run-") as folder:
            _train_in(args, requested, Path(folder))
        print(f"dry run: its temporary run folder {folder} is removed (--out keeps one)")
    else:
        out = _train_out(args)
        _train_in(args, requested, out)
        print(f"checkpoint: {run_folder.checkpoint_path(out)}")


def _train_out(args: argparse.Namespace) -> Path:
    """The run folder: --out, else runs/EXPERIMENT."""
    return args.out or Path("runs") / ((args.dataset or "mnist") + ("_conditional" if args.conditional else ""))


def _train_in(args: argparse.Namespace, requested: str | None, out: Path) -> None:
    """Every check that needs no compute, in an order that changes nothing on disk until the last;
    then the run, holding the folder (:mod:`gan_src.run_folder`)."""
    run_folder.check_free(out)
    if args.dry_run and args.resume:
        raise ValueError("--dry-run makes a new run of 3 steps and cannot --resume one; resume without --dry-run")
    chosen = {key: getattr(args, key) for key in SETTINGS if getattr(args, key) is not None}
    if args.resume:
        run_folder.check_resumable(out)
        path = run_folder.checkpoint_path(out)
        state = run_folder.load(out)
        name = experiments.of_checkpoint(state)
        if name not in experiments.EXPERIMENTS:
            raise checkpoint.CheckpointError(f"{out} holds a run of none of the experiments this gan_src knows "
                                             f"({', '.join(experiments.EXPERIMENTS)}): {name or 'its G matches none'}")
        if requested is not None and requested != name:
            given = " ".join(f for f in (args.dataset and f"--dataset {args.dataset}",
                                         args.conditional and "--conditional") if f)
            raise checkpoint.CheckpointError(
                f"{out} holds the {name} experiment, not {requested}; resume it without {given}")
        experiment = experiments.get(name)
        cfg = replace(saved_config(state, path), epochs=args.epochs)
        _check_settings(chosen, args.snapshot_every, cfg, state.get("snapshot_every"), out)
        _check_full_cifar10(args.full_cifar10, name, state, out)
        G, D = _meta_networks(experiment)
        checkpoint.check_against(state, path, {"G": G, "D": D}, _meta_optimisers(G, D, cfg), cfg.optimizer)
        snapshot_every = args.snapshot_every or state.get("snapshot_every")
    else:
        name = requested or "mnist"
        if not args.overwrite:
            run_folder.check_new(out)
        experiment = experiments.get(name)
        if chosen.get("k", 1) > 1 and chosen.get("update", "simultaneous") == "simultaneous":
            raise ValueError(f"--k {chosen['k']} needs --update alternating: the simultaneous update (the default, "
                             "the authors' code) makes one D step per G step")
        cfg = TrainConfig(epochs=args.epochs, **{**experiment.config, **chosen})
        snapshot_every = args.snapshot_every
        _check_full_cifar10(args.full_cifar10, name, None, out)
    if args.dry_run:
        cfg = replace(cfg, **DRY_RUN)
    if args.resume and state["epoch"] >= cfg.epochs:
        print(f"nothing to train: the run in {out} is at epoch {state['epoch']} and --epochs {cfg.epochs} asks for "
              f"{cfg.epochs} in total; ask for more (--epochs {state['epoch'] + 1} or above)")
        return
    if cfg.m < 2 and any(isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d))
                         for net in _meta_networks(experiment) for module in net.modules()):
        raise ValueError(f"-m/--batch-size {cfg.m} is too small for the {name} networks: their batch norm "
                         "needs at least 2 examples per minibatch")
    G, D, data, p_z = experiment.build(cfg.seed, args.data, args.full_cifar10)
    if args.resume:
        _check_data(data, state.get("data"), args.data, out)
        print(f"resuming {out} after epoch {state['epoch']} (its saved settings; target {cfg.epochs} epochs)")
    run_folder.check_writable(out, snapshots=bool(snapshot_every))
    with run_folder.claim(out, overwrite=args.overwrite, resume=args.resume):
        history = train(G, D, data, p_z, cfg, out=out, resume=args.resume, device=args.device,
                        progress=not args.no_progress, snapshot_every=args.snapshot_every, experiment=name)
    for row in history[-3:]:
        print(f"epoch {row['epoch']}: D loss {row['d_loss']:.4f}  G loss {row['g_loss']:.4f}  "
              f"D(x) {row['D_real']:.3f}  D(G(z)) {row['D_fake']:.3f}  {row['seconds']:.1f} s")


def _check_settings(chosen: dict[str, Any], snapshot_every: int | None, cfg: TrainConfig,
                    saved_every: int | None, out: Path) -> None:
    """Refuse a flag that asks a resumed run for another setting than its own (``cfg``); a run that
    recorded no snapshot interval (none, or written before intervals were recorded) takes the one given."""
    flags = [(SETTINGS[key], value, getattr(cfg, key)) for key, value in chosen.items()]
    if saved_every is not None:
        flags.append(("--snapshot-every", snapshot_every, saved_every))
    for flag, value, own in flags:
        if value is not None and value != own:
            has = f"{flag} {own}" if own is not None else f"no {flag}"
            raise ValueError(f"{flag} {value} conflicts with the run in {out}, which has {has}; resume without "
                             f"{flag} (a run keeps its own settings), or start a new run in another --out")


def on_full_cifar10(state: dict[str, Any]) -> bool | None:
    """Whether a CIFAR-10 run's checkpoint says that it trained on the full data set (``--full-cifar10``)
    rather than the offline subset; None where it does not say (another experiment, or a checkpoint
    written before runs recorded their examples, :func:`~gan_src.train.data_record`)."""
    data = state.get("data")
    if data is None or experiments.of_checkpoint(state) not in CIFAR10:
        return None
    return data["rows"] == CIFAR_TRAIN_ROWS


def _check_full_cifar10(full: bool, name: str, state: dict[str, Any] | None, out: Path) -> None:
    """Refuse ``--full-cifar10`` for an experiment that is not CIFAR-10's, and, resuming (``state``: the
    run's checkpoint), a choice of CIFAR-10 other than the run's: checked before any data are read
    (the full set may be a 163 MB download)."""
    if full and name not in CIFAR10:
        raise ValueError(f"--full-cifar10 is for --dataset {' and '.join(CIFAR10)} only, not {name}")
    own = on_full_cifar10(state) if state is not None else None
    if own is None or own == full:
        return
    if full:
        raise ValueError(f"--full-cifar10 conflicts with the run in {out}, which has no --full-cifar10 (it trained on "
                         f"the offline subset's {state['data']['rows']:,} images); resume without --full-cifar10 (a "
                         "run keeps its own data), or start a new run in another --out")
    raise ValueError(f"the run in {out} has --full-cifar10 (it trained on all {CIFAR_TRAIN_ROWS:,} CIFAR-10 images); "
                     "resume with --full-cifar10 (a run keeps its own data)")


def _check_data(rows: torch.Tensor, saved: dict[str, Any] | None, root: Path | None, out: Path) -> None:
    """Refuse training rows other than the examples a resumed run recorded (``saved``); the same data in
    another folder are the run's own. A run recorded before data records takes the data given."""
    ours = data_record(rows)
    if saved is not None and ours != saved:
        raise ValueError(f"the training data in {data_root(root)} are not the run's: the run in {out} trained on "
                         f"{saved['rows']:,} examples (SHA-256 {saved['sha256'][:12]}), these are {ours['rows']:,} "
                         f"(SHA-256 {ours['sha256'][:12]}); resume with --data naming the data the run began with")


def train_command(experiment: str, config: dict[str, Any], epochs: int, out: str | os.PathLike,
                  snapshot_every: int | None = None, full_cifar10: bool = False) -> str:
    """The ``python -m gan_src train`` command that makes a run of ``experiment`` (a name of
    :data:`~gan_src.experiments.EXPERIMENTS`) with ``config`` (a checkpoint's: :class:`TrainConfig`'s
    fields) for ``epochs`` in all, in ``out`` (on the full CIFAR-10 with ``full_cifar10``): every
    setting the command line takes is spelt out, so that the command repeats the run whatever the
    defaults become. ValueError for a config that the command line cannot give (schedules other than
    the authors')."""
    cfg = TrainConfig(**{**config, "epochs": epochs})
    fixed = [f.name for f in fields(TrainConfig)
             if f.name not in SETTINGS and f.name != "epochs" and getattr(cfg, f.name) != f.default]
    if fixed:
        raise ValueError(f"no command line gives this run: it sets {', '.join(fixed)}, which python -m gan_src "
                         "train leaves at TrainConfig's defaults")
    words = ["python -m gan_src train", f"--dataset {experiment.removesuffix('_conditional')}"]
    words += ["--conditional"] if experiment.endswith("_conditional") else []
    words += ["--full-cifar10"] if full_cifar10 else []
    words += [f"--epochs {epochs}", f"--out {out}"]
    for key in ("update", "objective", "k", "optimizer", "lr", "m", "seed", "precision", "steps_per_epoch"):
        if getattr(cfg, key) is not None:
            words.append(f"{SETTINGS[key].split('/')[-1]} {getattr(cfg, key)}")
    return " ".join(words + ([f"--snapshot-every {snapshot_every}"] if snapshot_every else []))


def _meta_networks(experiment: experiments.Experiment) -> tuple[nn.Module, nn.Module]:
    """The experiment's G and D on the meta device: their shapes and dtypes, nothing allocated."""
    with torch.device("meta"):
        return experiment.generator(), experiment.discriminator()


def _meta_optimisers(G: nn.Module, D: nn.Module, cfg: TrainConfig) -> dict[str, torch.optim.Optimizer]:
    return {f"opt_{who}": make_optimizer(net.parameters(), cfg.optimizer, cfg.lr, cfg.momentum_start)
            for who, net in (("G", G), ("D", D))}


def after_interrupt(args: argparse.Namespace) -> str:
    """What an interrupted ``train`` leaves behind, and how to go on."""
    if args.dry_run and args.out is None:
        return "the dry run's temporary folder is removed"
    out = _train_out(args)
    if run_folder.checkpoint_path(out).is_file():
        return f"continue with --resume (--out {out}) from the last finished epoch"
    if run_folder.run_files(out):
        return f"no checkpoint was written to {out}: start again with --overwrite"
    return f"no checkpoint was written to {out}: start again"
