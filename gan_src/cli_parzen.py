"""The ``parzen`` command: Table 1's Parzen-window log-likelihood (Section 5) from the command line.

- ``python -m gan_src parzen (--checkpoint PATH | --pretrained NAME | --centres train|kmeans)``:
  the score of one G (or of the ceilings' centres) by the authors' protocol (:mod:`gan_src.parzen`);
- ``python -m gan_src parzen --snapshots DIR [--out FILE]``: the same for every G snapshot of a
  run, one JSON line per epoch (the training curve; :mod:`gan_src.snapshots`), holding FILE while
  it writes.

Sizes are checked against the memory available before any compute.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

import torch

from . import parzen, pretrained, run_folder, snapshots
from .data import MNIST_TRAIN_ROWS, load_mnist

# Peak memory of the Parzen protocol per centre: G's samples (float32, copied once), the centres in
# float64 (shifted: twice) and float32, and a batch of 1,000 images' distances to each (float32, twice)
CENTRE_BYTES = 4 * 784 * 2 + 8 * 784 * 2 + 4 * 784 + 4 * 1_000 * 2


def run(args: argparse.Namespace) -> None:
    """Score as the flags ask and print the result (the curve of --snapshots also into --out)."""
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


def after_interrupt(args: argparse.Namespace) -> str:
    """What an interrupted ``parzen`` leaves behind, and how to go on."""
    if args.snapshots is not None and args.out is not None:
        return f"the epochs scored so far are in {args.out}; the same command scores the rest"
    return "nothing was written"
