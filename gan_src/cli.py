"""The command line, ``python -m gan_src``: its flags, and what every outcome prints and returns.

- ``python -m gan_src train ...``: a run of Algorithm 1 (:mod:`gan_src.cli_train`);
- ``python -m gan_src parzen ...``: Table 1's Parzen-window log-likelihood of a G, or the curve of a
  run's snapshots (:mod:`gan_src.cli_parzen`).

Every fault a user can cause or fix is one line on stderr and exit code 2 (:func:`main`).
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from . import checkpoint, cli_parzen, cli_train, parzen, pretrained, run_folder
from .data import DataCorruptError, DataNotFoundError
from .losses import OBJECTIVES
from .optim import OPTIMIZERS
from .train import PRECISIONS, UPDATES, TrainingDiverged

DATASETS = ("mnist", "faces", "cifar10", "cifar10_conv")  # with --conditional: mnist_conditional


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
    """The flags of ``train`` (read by :mod:`gan_src.cli_train`) and ``parzen`` (:mod:`gan_src.cli_parzen`)."""
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised wherever the process is, as Ctrl-C raises KeyboardInterrupt: every clean-up runs
    (temporary files, a dry run's folder), and the exit code is 143."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code. A fault the user can cause or fix (bad input, a
    damaged or foreign file, a folder in use or not writable, a full disk) is one line on stderr and
    exit code 2; a run that diverged, exit code 1; one interrupted by Ctrl-C, 130, by SIGTERM, 143,
    each with one line that says what is kept."""
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    command = cli_train if args.command == "train" else cli_parzen
    try:
        command.run(args)
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
        print(f"\n{parser.prog}: interrupted ({how}); {command.after_interrupt(args)}", file=sys.stderr)
        return code
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
