"""Command line.

- ``python -m gan_src train --dataset mnist --epochs N --out DIR [--resume] [--dry-run]``: Algorithm 1;
  with ``--conditional``, the class-conditional GAN p(x | c) of Section 7 (c an input of G and D);
  ``--dataset faces|cifar10|cifar10_conv``: the scaled-down networks of Figure 2 (b)-(d)
  (:mod:`gan_src.figure2`) on the Olivetti faces or CIFAR-10 (the offline subset unless ``--full-cifar10``);
- ``python -m gan_src parzen (--checkpoint PATH | --pretrained NAME | --centres train|kmeans)``:
  the Parzen-window log-likelihood of Table 1 by the authors' protocol;
- ``python -m gan_src parzen --snapshots DIR [--out FILE]``: the same for every G snapshot of a
  run, one JSON line per epoch (the training curve).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import torch

from . import checkpoint, figure2, parzen, pretrained
from .conditional import (class_frequencies, conditional_mnist_discriminator, conditional_mnist_generator,
                          conditional_p_z, joint)
from .data import DataNotFoundError, load_mnist
from .losses import OBJECTIVES
from .models import mnist_discriminator, mnist_generator, mnist_p_z
from .optim import OPTIMIZERS
from .train import UPDATES, TrainConfig, TrainingDiverged, train

DATASETS = ("mnist", *figure2.NETWORKS)
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m gan_src", description="Generative Adversarial Nets (Goodfellow et al., 2014).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = commands.add_parser("train", help="train G and D by Algorithm 1", description=(
        "Train the paper's GAN. Defaults are the authors' mnist.yaml: batch 100, SGD lr 0.1 "
        "decayed by 1.000004 per step, momentum 0.5 -> 0.7, simultaneous D/G updates with k = 1."))
    t.add_argument("--dataset", choices=DATASETS, default="mnist")
    t.add_argument("--epochs", type=_count(1), default=1, help="train until this many epochs in total")
    t.add_argument("--out", type=Path, help="run folder for checkpoint.pt and metrics.jsonl "
                   "(default runs/DATASET, runs/DATASET_conditional with --conditional)")
    t.add_argument("--conditional", action="store_true",
                   help="a class-conditional GAN p(x | c): the one-hot class c is an input of both G and D (Section 7)")
    t.add_argument("--full-cifar10", action="store_true",
                   help="cifar10, cifar10_conv: the full data set via torchvision (downloads 163 MB) "
                        "instead of the offline 4,660-image subset")
    t.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    t.add_argument("--dry-run", action="store_true", help="3 steps of 1 epoch into a temporary folder: a smoke test")
    t.add_argument("--update", choices=UPDATES, default="simultaneous",
                   help="simultaneous: the authors' code; alternating: Algorithm 1 as printed")
    t.add_argument("--objective", choices=OBJECTIVES, default="non_saturating", help="G's loss (Section 3)")
    t.add_argument("--k", type=_count(1), default=1, help="D steps per G step (alternating only)")
    t.add_argument("--lr", type=float, default=0.1)
    t.add_argument("--optimizer", choices=OPTIMIZERS, default="momentum",
                   help="momentum: the paper's SGD with classical momentum and its schedule; "
                        "adam: Adam with beta1 = 0.5 (DCGAN's setting; the convolutional Figure 2 (d))")
    t.add_argument("--batch-size", "-m", dest="m", type=_count(1), default=100)
    t.add_argument("--steps-per-epoch", type=_count(1), help="cap the steps in each epoch (a small budget)")
    t.add_argument("--snapshot-every", type=_count(1), help="also keep G's weights every N epochs in DIR/snapshots")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--data", type=Path, help="folder holding MNIST/raw/ (faces: olivetti/, cifar10*: cifar10_subset/) "
                   "(default: $GAN_SRC_DATA, else a cache)")
    t.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = commands.add_parser("parzen", help="Parzen-window log-likelihood (Section 5, Table 1)", description=(
        "The authors' protocol: N samples of G as Gaussian kernel centres, sigma chosen from "
        "logspace(-1, 0, 10) on the first 1,000 validation images, mean test log-likelihood +- "
        "standard error. Real training images or k-means centres give the ceilings."))
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", type=Path, help="a training checkpoint.pt or a snapshots/G_epochNNNN.pt")
    source.add_argument("--pretrained", metavar="NAME", help="a shipped generator (gan_src.pretrained), e.g. mnist")
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


def _train(args: argparse.Namespace) -> None:
    cfg = TrainConfig(epochs=args.epochs, m=args.m, k=args.k, update=args.update,
                      objective=args.objective, optimizer=args.optimizer, lr=args.lr, seed=args.seed,
                      steps_per_epoch=args.steps_per_epoch)
    out = args.out or Path("runs") / (args.dataset + ("_conditional" if args.conditional else ""))
    if args.dry_run:
        cfg = replace(cfg, **DRY_RUN)
        out = Path(tempfile.mkdtemp(prefix="gan_src-dry-run-"))
    if args.resume:
        done = checkpoint.load(out / checkpoint.CHECKPOINT_NAME)["epoch"]
        print(f"resuming {out} after epoch {done} (its saved settings; target {cfg.epochs} epochs)")
    gen = torch.Generator().manual_seed(cfg.seed)
    if args.dataset != "mnist":
        if args.conditional:
            raise ValueError(f"--conditional is for --dataset mnist only, not {args.dataset}")
        data = figure2.training_data(args.dataset, args.data, args.full_cifar10)
        make_G, make_D = figure2.NETWORKS[args.dataset]
        G, D, p_z = make_G(data.mean(0), generator=gen), make_D(generator=gen), mnist_p_z
    elif args.conditional:
        splits = load_mnist(args.data)
        G = conditional_mnist_generator(splits.train.mean(0), generator=gen)
        D = conditional_mnist_discriminator(generator=gen)
        data = joint(splits.train, splits.train_labels)
        p_z = conditional_p_z(class_frequencies(splits.train_labels))
    else:
        splits = load_mnist(args.data)
        G = mnist_generator(splits.train.mean(0), generator=gen)
        D = mnist_discriminator(generator=gen)
        data, p_z = splits.train, mnist_p_z
    if args.resume and checkpoint.load(out / checkpoint.CHECKPOINT_NAME)["G"].keys() != G.state_dict().keys():
        raise checkpoint.CheckpointError(
            f"{out} holds a {'un' if args.conditional else ''}conditional run; resume it "
            f"{'without' if args.conditional else 'with'} --conditional")
    history = train(G, D, data, p_z, cfg, out=out, resume=args.resume,
                    device=args.device, progress=not args.no_progress, snapshot_every=args.snapshot_every)
    for row in history[-3:]:
        print(f"epoch {row['epoch']}: D loss {row['d_loss']:.4f}  G loss {row['g_loss']:.4f}  "
              f"D(x) {row['D_real']:.3f}  D(G(z)) {row['D_fake']:.3f}  {row['seconds']:.1f} s")
    print(f"checkpoint: {out / checkpoint.CHECKPOINT_NAME}")


def _snapshot_curve(args: argparse.Namespace) -> None:
    snapshots = sorted(args.snapshots.glob("G_epoch*.pt"))
    if not snapshots:
        raise checkpoint.CheckpointError(f"no G_epochNNNN.pt snapshots in {args.snapshots}")
    done = set()
    if args.out is not None and args.out.is_file():
        done = {json.loads(line)["epoch"] for line in args.out.read_text().splitlines() if line.strip()}
    splits = load_mnist(args.data)
    valid, test = splits.valid[: parzen.N_VALID], splits.test
    print(f"{'epoch':>5}  {'sigma':>6}  {'valid LL':>8}  {'test LL':>15}   ({args.samples} samples, seed {args.seed})")
    for path in snapshots:
        epoch = int(re.search(r"(\d+)", path.stem).group(1))
        if epoch in done:
            continue
        G = mnist_generator()
        G.load_state_dict(pretrained.generator_state(path))
        r = parzen.evaluate(parzen.generator_centres(G, args.samples, args.seed), valid, test)
        row = {"epoch": epoch, "sigma": r.sigma, "valid": max(r.curve), "test": r.mean, "se": r.se,
               "curve": r.curve, "samples": args.samples, "seed": args.seed}
        print(f"{epoch:5d}  {r.sigma:6.4f}  {max(r.curve):8.2f}  {r.mean:8.2f} ± {r.se:4.2f}", flush=True)
        if args.out is not None:
            with args.out.open("a") as f:
                f.write(json.dumps(row) + "\n")


def _parzen(args: argparse.Namespace) -> None:
    if args.snapshots is not None:
        return _snapshot_curve(args)
    if args.checkpoint is not None:
        G = mnist_generator()
        G.load_state_dict(pretrained.generator_state(args.checkpoint))
        what = f"{args.samples} samples of G from {args.checkpoint}, seed {args.seed}"
    elif args.pretrained is not None:
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
    """Entry point; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "train":
            _train(args)
        elif args.command == "parzen":
            _parzen(args)
    except (checkpoint.CheckpointError, pretrained.PretrainedNotFoundError, DataNotFoundError, ValueError) as err:
        print(f"{parser.prog}: error: {err}", file=sys.stderr)
        return 2
    except TrainingDiverged as err:
        print(f"{parser.prog}: training diverged: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; continue with --resume from the last finished epoch", file=sys.stderr)
        return 130
    return 0
