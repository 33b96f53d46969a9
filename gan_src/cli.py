"""Command line.

- ``python -m gan_src train --dataset mnist --epochs N --out DIR [--resume | --overwrite] [--dry-run]``:
  Algorithm 1; with ``--conditional``, the class-conditional GAN p(x | c) of Section 7 (c an input of G
  and D); ``--dataset faces|cifar10|cifar10_conv``: the scaled-down networks of Figure 2 (b)-(d)
  (:mod:`gan_src.figure2`) on the Olivetti faces or CIFAR-10 (the offline subset unless ``--full-cifar10``).
  Each is an experiment of :mod:`gan_src.experiments`; DIR is locked and checked before any compute
  (:mod:`gan_src.run_folder`); ``--resume`` keeps the run's own settings and examples and refuses a
  flag that asks for others (the same data read from another ``--data`` folder are the run's own);
- ``python -m gan_src parzen (--checkpoint PATH | --pretrained NAME | --centres train|kmeans)``:
  the Parzen-window log-likelihood of Table 1 by the authors' protocol;
- ``python -m gan_src parzen --snapshots DIR [--out FILE]``: the same for every G snapshot of a
  run, one JSON line per epoch (the training curve).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from . import checkpoint, experiments, parzen, pretrained, run_folder, snapshots
from .data import CIFAR_TRAIN_ROWS, MNIST_TRAIN_ROWS, DataCorruptError, DataNotFoundError, data_root, load_mnist
from .losses import OBJECTIVES
from .optim import OPTIMIZERS, make_optimizer
from .train import PRECISIONS, UPDATES, TrainConfig, TrainingDiverged, data_record, saved_config, train

DATASETS = ("mnist", "faces", "cifar10", "cifar10_conv")  # with --conditional: mnist_conditional
CIFAR10 = ("cifar10", "cifar10_conv")  # the experiments whose examples --full-cifar10 chooses
DRY_RUN = {"epochs": 1, "steps_per_epoch": 3}
# The settings of a run (TrainConfig's fields) and their flags: a resumed run keeps its own, so a flag
# that asks for another value is refused
SETTINGS = {"m": "-m/--batch-size", "k": "--k", "update": "--update", "objective": "--objective",
            "optimizer": "--optimizer", "lr": "--lr", "seed": "--seed", "steps_per_epoch": "--steps-per-epoch",
            "precision": "--precision"}
# Peak memory of the Parzen protocol per centre: G's samples (float32, copied once), the centres in
# float64 (shifted: twice) and float32, and a batch of 1,000 images' distances to each (float32, twice)
CENTRE_BYTES = 4 * 784 * 2 + 8 * 784 * 2 + 4 * 784 + 4 * 1_000 * 2


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (and exit code 2), without the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


def positive(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _seed(text: str) -> int:
    """A seed that torch takes: an integer from -2**63 to 2**64 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not -(2**63) <= value < 2**64:
        raise argparse.ArgumentTypeError(f"must be an integer from -2**63 to 2**64 - 1 (torch's 64-bit seeds), "
                                         f"got {value}")
    return value


def _device(text: str) -> str:
    """A device that this machine has: cpu, cuda, cuda:N (N < the number of GPUs) or mps."""
    try:
        device = torch.device(text)
    except RuntimeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a device; use cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError(f"{text!r}: no CUDA GPU is usable here; use --device cpu")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        raise argparse.ArgumentTypeError(f"{text!r}: this machine has {torch.cuda.device_count()} GPU(s), "
                                         f"cuda:0 to cuda:{torch.cuda.device_count() - 1}")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise argparse.ArgumentTypeError(f"{text!r}: Apple's MPS is not available here; use --device cpu")
    if device.type not in ("cpu", "cuda", "mps"):
        raise argparse.ArgumentTypeError(f"{text!r}: gan_src trains on cpu, cuda or mps")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m gan_src", description="Generative Adversarial Nets (Goodfellow et al., 2014).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    t = commands.add_parser("train", help="train G and D by Algorithm 1", description=(
        "Train the paper's GAN. Defaults are the authors' mnist.yaml: batch 100, SGD lr 0.1 "
        "decayed by 1.000004 per step, momentum 0.5 -> 0.7, simultaneous D/G updates with k = 1."))
    t.add_argument("--dataset", choices=DATASETS, help="the experiment (default mnist; with --resume, the run's own)")
    t.add_argument("--epochs", type=at_least(1), default=1, help="train until this many epochs in total")
    t.add_argument("--out", type=Path, help="run folder for checkpoint.pt and metrics.jsonl "
                   "(default runs/DATASET, runs/DATASET_conditional with --conditional)")
    t.add_argument("--conditional", action="store_true",
                   help="a class-conditional GAN p(x | c): the one-hot class c is an input of both G and D (Section 7)")
    t.add_argument("--full-cifar10", action="store_true",
                   help="cifar10, cifar10_conv: the full data set via torchvision (downloads 163 MB) "
                        "instead of the offline 4,660-image subset")
    again = t.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    again.add_argument("--overwrite", action="store_true", help="start afresh in an --out that holds a run: "
                       "first delete its checkpoint, metrics, Parzen curve and snapshots")
    t.add_argument("--dry-run", action="store_true", help="3 steps of 1 epoch, a smoke test: into --out if given, "
                   "else into a temporary folder that is removed afterwards")
    # the settings below default to None, so that --resume can tell a flag given from one left out
    t.add_argument("--update", choices=UPDATES,
                   help="simultaneous: the authors' code (default); alternating: Algorithm 1 as printed")
    t.add_argument("--objective", choices=OBJECTIVES, help="G's loss (Section 3; default non_saturating)")
    t.add_argument("--k", type=at_least(1), help="D steps per G step (default 1; more with --update alternating)")
    t.add_argument("--lr", type=positive, help="learning rate (default: the experiment's; gan_src.experiments: "
                   "0.1 for mnist as mnist.yaml, 0.05 for faces and cifar10, 0.0002 for cifar10_conv)")
    t.add_argument("--optimizer", choices=OPTIMIZERS,
                   help="momentum: the paper's SGD with classical momentum and its schedule (default); "
                        "adam: Adam with beta1 = 0.5 (DCGAN's setting; the default of cifar10_conv, Figure 2 (d))")
    t.add_argument("--batch-size", "-m", dest="m", type=at_least(1), help="minibatch size m (default 100)")
    t.add_argument("--steps-per-epoch", type=at_least(1), help="cap the steps in each epoch (a small budget)")
    t.add_argument("--snapshot-every", type=at_least(1), help="also keep G's weights every N epochs in DIR/snapshots "
                   "(a setting of the run: --resume keeps it)")
    t.add_argument("--seed", type=_seed, help="seed of the weights, data order, z and dropout (default 0)")
    t.add_argument("--precision", choices=PRECISIONS,
                   help="fp32 (default; Table 1's runs) or bf16: matmuls in bfloat16 under torch.autocast (faster "
                        "where the CPU or GPU has bf16 units; benchmarks/train_step.py)")
    t.add_argument("--data", type=Path, help="folder holding MNIST/raw/ (faces: olivetti/, cifar10*: cifar10_subset/) "
                   "(default: $GAN_SRC_DATA, else a cache)")
    t.add_argument("--device", type=_device, default="cuda" if torch.cuda.is_available() else "cpu")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = commands.add_parser("parzen", help="Parzen-window log-likelihood (Section 5, Table 1)", description=(
        "The authors' protocol: N samples of G as Gaussian kernel centres, sigma chosen from "
        "logspace(-1, 0, 10) on the first 1,000 validation images, mean test log-likelihood +- "
        "standard error. Real training images or k-means centres give the ceilings."))
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", type=Path, help="a training checkpoint.pt or a snapshots/G_epochNNNN.pt")
    source.add_argument("--pretrained", metavar="NAME", choices=pretrained.available(),
                        help=f"a shipped generator (gan_src.pretrained): {', '.join(pretrained.available())}")
    source.add_argument("--centres", choices=("train", "kmeans"),
                        help="ceilings: the first N training images, or N k-means centres of all 50,000")
    source.add_argument("--snapshots", type=Path, metavar="DIR",
                        help="every G_epochNNNN.pt in DIR (a run's snapshots/): LL against epochs")
    p.add_argument("--out", type=Path, help="with --snapshots: JSON lines file; epochs already in it are skipped")
    p.add_argument("--samples", type=at_least(1), default=parzen.N_CENTRES, help="number of centres N (default 10000)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of z (and of k-means)")
    p.add_argument("--kmeans-iterations", type=at_least(1), default=10, help="Lloyd iterations for --centres kmeans")
    p.add_argument("--data", type=Path, help="folder holding MNIST/raw/ (default: $GAN_SRC_DATA, else a cache)")
    return parser


def _requested(args: argparse.Namespace) -> str | None:
    """The experiment that --dataset and --conditional name; None when neither is given."""
    if args.dataset is None and not args.conditional:
        return None
    name = (args.dataset or "mnist") + ("_conditional" if args.conditional else "")
    if name not in experiments.EXPERIMENTS:
        raise ValueError(f"--conditional is for --dataset mnist only, not {args.dataset}")
    return name


def _train(args: argparse.Namespace) -> None:
    requested = _requested(args)
    if args.dry_run and args.out is None:
        with tempfile.TemporaryDirectory(prefix="gan_src-dry-run-") as folder:
            _run(args, requested, Path(folder))
        print(f"dry run: its temporary run folder {folder} is removed (--out keeps one)")
    else:
        out = _train_out(args)
        _run(args, requested, out)
        print(f"checkpoint: {run_folder.checkpoint_path(out)}")


def _train_out(args: argparse.Namespace) -> Path:
    """The run folder: --out, else runs/EXPERIMENT."""
    return args.out or Path("runs") / ((args.dataset or "mnist") + ("_conditional" if args.conditional else ""))


def _run(args: argparse.Namespace, requested: str | None, out: Path) -> None:
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
    if args.resume:
        print(f"resuming {out} after epoch {state['epoch']} (its saved settings; target {cfg.epochs} epochs)")
    G, D, data, p_z = experiment.build(cfg.seed, args.data, args.full_cifar10)
    if args.resume:
        _check_data(data, state.get("data"), args.data, out)
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


def _mnist_G(path: Path) -> torch.nn.Module:
    """The MNIST G in a checkpoint or snapshot; :class:`~gan_src.checkpoint.CheckpointError` naming what
    the file holds otherwise."""
    return run_folder.load_generator(path, "mnist")


def _snapshot_curve(args: argparse.Namespace) -> None:
    """Score every snapshot not yet in --out (or scored there without all of
    :data:`~gan_src.snapshots.RULES`' validation scores), after checking all of them (names, files,
    networks), holding --out while it writes (:func:`~gan_src.run_folder.claim_curve`)."""
    found = run_folder.find_snapshots(args.snapshots)
    rows = _curve(args)
    done = _scored(rows)
    todo = {epoch: path for epoch, path in found.items() if epoch not in done}
    for path in todo.values():
        _mnist_G(path)
    if args.out is not None:
        run_folder.check_writable(args.out.parent)
    splits = load_mnist(args.data)
    with run_folder.claim_curve(args.out) if args.out is not None else contextlib.nullcontext():
        rows = _curve(args)  # again, holding the file: a run that held it before may have scored epochs since
        todo = {epoch: path for epoch, path in todo.items() if epoch not in _scored(rows)}
        print(f"{'epoch':>5}  {'sigma':>6}  {'valid LL':>8}  {'all valid':>9}  {'monitor':>7}  {'test LL':>15}"
              f"   ({args.samples} samples, seed {args.seed})")
        for epoch, path in todo.items():
            row = {"epoch": epoch} | snapshots.score(_mnist_G(path), splits.valid, splits.test, args.samples, args.seed)
            rows = [r for r in rows if r["epoch"] != epoch] + [row]
            print(f"{epoch:5d}  {row['sigma']:6.4f}  {row['valid']:8.2f}  {row['valid_all']:9.2f}  "
                  f"{row['valid_gen_ll']:7.2f}  {row['test']:8.2f} ± {row['se']:4.2f}", flush=True)
            if args.out is not None:
                run_folder.write_curve(args.out, sorted(rows, key=lambda r: r["epoch"]))


def _curve(args: argparse.Namespace) -> list[dict]:
    """The rows already in --out (none without it); ValueError when they were scored with other
    --samples or --seed, which this run's rows would mix with."""
    rows = run_folder.read_curve(args.out) if args.out is not None else []
    for row in rows:
        samples, seed = row.get("samples", args.samples), row.get("seed", args.seed)  # rows of old runs may lack them
        if (samples, seed) != (args.samples, args.seed):
            raise ValueError(f"{args.out} holds scores of {samples} samples of G with seed {seed} (epoch "
                             f"{row['epoch']}); score with --samples {samples} --seed {seed}, or choose another --out")
    return rows


def _scored(rows: list[dict]) -> set[int]:
    """The epochs of the curve rows that hold every validation score of :data:`~gan_src.snapshots.RULES`."""
    return {row["epoch"] for row in rows if all(key in row for key in snapshots.RULES)}


def _parzen(args: argparse.Namespace) -> None:
    if args.out is not None and args.snapshots is None:
        raise ValueError("--out names the curve file of --snapshots; --checkpoint, --pretrained and --centres "
                         "print their result (redirect it to keep it)")
    _check_memory(min(args.samples, MNIST_TRAIN_ROWS) if args.centres else args.samples)
    if args.snapshots is not None:
        return _snapshot_curve(args)
    if args.checkpoint is not None:
        G = _mnist_G(args.checkpoint)
        what = f"{args.samples} samples of G from {args.checkpoint}, seed {args.seed}"
    elif args.pretrained is not None:
        experiment = pretrained.architecture(args.pretrained)
        if experiment.name != "mnist":
            raise ValueError(f"{args.pretrained} is not an MNIST generator of Table 1: it is {experiment.title}; "
                             "the Parzen protocol scores the MNIST G (--pretrained mnist)")
        G = pretrained.load(args.pretrained)
        what = f"{args.samples} samples of the pretrained G {args.pretrained!r}, seed {args.seed}"
    splits = load_mnist(args.data)
    if args.centres == "train":
        centres = splits.train[: args.samples]
        what = f"the first {len(centres)} training images"
    elif args.centres == "kmeans":
        from .kmeans import kmeans
        centres, _ = kmeans(splits.train, args.samples, args.kmeans_iterations, seed=args.seed)
        what = f"{args.samples} k-means centres of the 50,000 training images ({args.kmeans_iterations} iterations, seed {args.seed})"
    else:
        centres = parzen.generator_centres(G, args.samples, args.seed)
    result = parzen.evaluate(centres, splits.valid[: parzen.N_VALID], splits.test)
    print(f"Parzen window on {what}")
    print(f"validation log-likelihood (first {parzen.N_VALID} validation images):")
    print(f"  {'sigma':>7}  {'mean LL':>9}")
    for sigma, ll in zip(result.sigmas, result.curve):
        print(f"  {sigma:7.4f}  {ll:9.2f}" + ("  <- chosen" if sigma == result.sigma else ""))
    paper, paper_se = parzen.PAPER_MNIST
    print(f"sigma = {result.sigma:.4f}")
    print(f"test LL = {result.mean:.2f} ± {result.se:.2f} nats over {result.n_test} test images "
          f"(paper, Table 1: {paper:.0f} ± {paper_se:.0f})")


def _check_memory(samples: int) -> None:
    """ValueError, saying how many samples fit, when the Parzen protocol on ``samples`` centres would
    need more memory than is available (Linux's MemAvailable; elsewhere unchecked)."""
    available = _available_memory()
    need = samples * CENTRE_BYTES
    if available is not None and need > available:
        raise ValueError(f"--samples {samples} needs about {need / 1e9:,.1f} GB of memory and {available / 1e9:.1f} GB "
                         f"are available here, enough for about {available // CENTRE_BYTES:,} samples")


def _available_memory() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # in kB
    except OSError:
        pass
    return None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised wherever the process is, as Ctrl-C raises KeyboardInterrupt: every clean-up runs
    (temporary files, a dry run's folder), and the exit code is 143."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def _after_interrupt(args: argparse.Namespace) -> str:
    """What an interrupted command leaves behind, and how to go on."""
    if args.command == "parzen":
        if args.snapshots is not None and args.out is not None:
            return f"the epochs scored so far are in {args.out}; the same command scores the rest"
        return "nothing was written"
    if args.dry_run and args.out is None:
        return "the dry run's temporary folder is removed"
    out = _train_out(args)
    if run_folder.checkpoint_path(out).is_file():
        return f"continue with --resume (--out {out}) from the last finished epoch"
    if run_folder.run_files(out):
        return f"no checkpoint was written to {out}: start again with --overwrite"
    return f"no checkpoint was written to {out}: start again"


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code. A fault the user can cause or fix (bad input, a
    damaged or foreign file, a folder in use or not writable, a full disk) is one line on stderr and
    exit code 2; a run that diverged, exit code 1; one interrupted by Ctrl-C, 130, by SIGTERM, 143,
    each with one line that says what is kept."""
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command == "train":
            _train(args)
        elif args.command == "parzen":
            _parzen(args)
    except (checkpoint.CheckpointError, run_folder.RunFolderError, pretrained.PretrainedNotFoundError,
            DataNotFoundError, DataCorruptError, ValueError) as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # one the checks above could not foresee, e.g. a file made unreadable meanwhile
        print(f"{parser.prog}: error: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return 2
    except TrainingDiverged as err:
        print(f"{parser.prog}: training diverged: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        how, code = ("SIGTERM", 143) if isinstance(err, Terminated) else ("Ctrl-C", 130)
        print(f"\n{parser.prog}: interrupted ({how}); {_after_interrupt(args)}", file=sys.stderr)
        return code
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
