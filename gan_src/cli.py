"""Command line.

- ``python -m gan_src train --dataset mnist --epochs N --out DIR [--resume | --overwrite] [--dry-run]``:
  Algorithm 1; with ``--conditional``, the class-conditional GAN p(x | c) of Section 7 (c an input of G
  and D); ``--dataset faces|cifar10|cifar10_conv``: the scaled-down networks of Figure 2 (b)-(d)
  (:mod:`gan_src.figure2`) on the Olivetti faces or CIFAR-10 (the offline subset unless ``--full-cifar10``).
  Each is an experiment of :mod:`gan_src.experiments`; DIR is locked and checked before any compute
  (:mod:`gan_src.run_folder`);
- ``python -m gan_src parzen (--checkpoint PATH | --pretrained NAME | --centres train|kmeans)``:
  the Parzen-window log-likelihood of Table 1 by the authors' protocol;
- ``python -m gan_src parzen --snapshots DIR [--out FILE]``: the same for every G snapshot of a
  run, one JSON line per epoch (the training curve).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import torch

from . import checkpoint, experiments, parzen, pretrained, run_folder, snapshots
from .data import DataCorruptError, DataNotFoundError, load_mnist
from .losses import OBJECTIVES
from .models import mnist_generator
from .optim import OPTIMIZERS
from .train import PRECISIONS, UPDATES, TrainConfig, TrainingDiverged, train

DATASETS = ("mnist", "faces", "cifar10", "cifar10_conv")  # with --conditional: mnist_conditional
DRY_RUN = {"epochs": 1, "steps_per_epoch": 3}


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line (and exit code 2), without the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _count(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
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
    parser = _Parser(prog="python -m gan_src", description="Generative Adversarial Nets (Goodfellow et al., 2014).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = commands.add_parser("train", help="train G and D by Algorithm 1", description=(
        "Train the paper's GAN. Defaults are the authors' mnist.yaml: batch 100, SGD lr 0.1 "
        "decayed by 1.000004 per step, momentum 0.5 -> 0.7, simultaneous D/G updates with k = 1."))
    t.add_argument("--dataset", choices=DATASETS, help="the experiment (default mnist; with --resume, the run's own)")
    t.add_argument("--epochs", type=_count(1), default=1, help="train until this many epochs in total")
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
    t.add_argument("--update", choices=UPDATES, default="simultaneous",
                   help="simultaneous: the authors' code; alternating: Algorithm 1 as printed")
    t.add_argument("--objective", choices=OBJECTIVES, default="non_saturating", help="G's loss (Section 3)")
    t.add_argument("--k", type=_count(1), default=1, help="D steps per G step (alternating only)")
    t.add_argument("--lr", type=_positive, help="learning rate (default: the experiment's; gan_src.experiments: "
                   "0.1 for mnist as mnist.yaml, 0.05 for faces and cifar10, 0.0002 for cifar10_conv)")
    t.add_argument("--optimizer", choices=OPTIMIZERS,
                   help="momentum: the paper's SGD with classical momentum and its schedule (default); "
                        "adam: Adam with beta1 = 0.5 (DCGAN's setting; the default of cifar10_conv, Figure 2 (d))")
    t.add_argument("--batch-size", "-m", dest="m", type=_count(1), default=100)
    t.add_argument("--steps-per-epoch", type=_count(1), help="cap the steps in each epoch (a small budget)")
    t.add_argument("--snapshot-every", type=_count(1), help="also keep G's weights every N epochs in DIR/snapshots")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--precision", choices=PRECISIONS, default="fp32",
                   help="bf16: matmuls in bfloat16 under torch.autocast (faster where the CPU or GPU has "
                        "bf16 units; benchmarks/train_step.py). Table 1's runs are fp32")
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
    p.add_argument("--samples", type=_count(1), default=parzen.N_CENTRES, help="number of centres N (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="seed of z (and of k-means)")
    p.add_argument("--kmeans-iterations", type=_count(1), default=10, help="Lloyd iterations for --centres kmeans")
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
        out = args.out or Path("runs") / (requested or "mnist")
        _run(args, requested, out)
        print(f"checkpoint: {out / checkpoint.CHECKPOINT_NAME}")


def _run(args: argparse.Namespace, requested: str | None, out: Path) -> None:
    """Every check that needs no compute, in an order that changes nothing on disk until the last;
    then the run, holding the folder (:mod:`gan_src.run_folder`)."""
    run_folder.check_free(out)
    if args.resume:
        state = checkpoint.load(out / checkpoint.CHECKPOINT_NAME)
        name = experiments.of_checkpoint(state)
        if name not in experiments.EXPERIMENTS:
            raise checkpoint.CheckpointError(f"{out} holds a run of none of the experiments this gan_src knows "
                                             f"({', '.join(experiments.EXPERIMENTS)}): {name or 'its G matches none'}")
        if requested is not None and requested != name:
            given = " ".join(f for f in (args.dataset and f"--dataset {args.dataset}",
                                         args.conditional and "--conditional") if f)
            raise checkpoint.CheckpointError(
                f"{out} holds the {name} experiment, not {requested}; resume it without {given}")
        print(f"resuming {out} after epoch {state['epoch']} (its saved settings; target {args.epochs} epochs)")
    else:
        name = requested or "mnist"
        if not args.overwrite:
            run_folder.check_new(out)
    experiment = experiments.get(name)
    chosen = {key: value for key, value in (("lr", args.lr), ("optimizer", args.optimizer)) if value is not None}
    cfg = TrainConfig(epochs=args.epochs, m=args.m, k=args.k, update=args.update, objective=args.objective,
                      seed=args.seed, steps_per_epoch=args.steps_per_epoch, precision=args.precision, **{**experiment.config, **chosen})
    if args.dry_run:
        cfg = replace(cfg, **DRY_RUN)
    G, D, data, p_z = experiment.build(cfg.seed, args.data, args.full_cifar10)
    run_folder.check_writable(out)
    with run_folder.claim(out, overwrite=args.overwrite, resume=args.resume):
        history = train(G, D, data, p_z, cfg, out=out, resume=args.resume, device=args.device,
                        progress=not args.no_progress, snapshot_every=args.snapshot_every, experiment=name)
    for row in history[-3:]:
        print(f"epoch {row['epoch']}: D loss {row['d_loss']:.4f}  G loss {row['g_loss']:.4f}  "
              f"D(x) {row['D_real']:.3f}  D(G(z)) {row['D_fake']:.3f}  {row['seconds']:.1f} s")


def _mnist_G(path: Path) -> torch.nn.Module:
    """The MNIST G in a checkpoint or snapshot; :class:`~gan_src.checkpoint.CheckpointError` naming what
    the file holds otherwise."""
    G = mnist_generator()
    G.load_state_dict(pretrained.generator_state(path))
    return G


def _snapshot_curve(args: argparse.Namespace) -> None:
    """Score every snapshot not yet in --out (or scored there without all of
    :data:`~gan_src.snapshots.RULES`' validation scores), after checking all of them (names, files,
    networks)."""
    found = snapshots.find(args.snapshots)
    rows = snapshots.read_curve(args.out) if args.out is not None else []
    done = {row["epoch"] for row in rows if all(key in row for key in snapshots.RULES)}
    todo = {epoch: path for epoch, path in found.items() if epoch not in done}
    for path in todo.values():
        _mnist_G(path)
    if args.out is not None:
        run_folder.check_writable(args.out.parent)
    splits = load_mnist(args.data)
    print(f"{'epoch':>5}  {'sigma':>6}  {'valid LL':>8}  {'all valid':>9}  {'monitor':>7}  {'test LL':>15}"
          f"   ({args.samples} samples, seed {args.seed})")
    for epoch, path in todo.items():
        row = {"epoch": epoch} | snapshots.score(_mnist_G(path), splits.valid, splits.test, args.samples, args.seed)
        rows = [r for r in rows if r["epoch"] != epoch] + [row]
        print(f"{epoch:5d}  {row['sigma']:6.4f}  {row['valid']:8.2f}  {row['valid_all']:9.2f}  "
              f"{row['valid_gen_ll']:7.2f}  {row['test']:8.2f} ± {row['se']:4.2f}", flush=True)
        if args.out is not None:
            snapshots.write_curve(args.out, sorted(rows, key=lambda r: r["epoch"]))


def _parzen(args: argparse.Namespace) -> None:
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


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code. A fault the user can cause or fix (bad input, a
    damaged or foreign file, a folder in use or not writable, a full disk) is one line on stderr and
    exit code 2; a run that diverged, exit code 1; an interrupted one, 130."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
    except KeyboardInterrupt:
        print("\ninterrupted; continue with --resume from the last finished epoch", file=sys.stderr)
        return 130
    return 0
