"""Ship a trained class-conditional MNIST G (and D) as ``gan_src.pretrained`` "mnist_conditional".

    python -m gan_src train --conditional --epochs 40 --out runs/mnist_conditional
    python tools/ship_mnist_conditional.py runs/mnist_conditional [--wall-seconds S]

Writes ``gan_src/pretrained/mnist_conditional_G.pt``, ``mnist_conditional_D.pt`` (float16) and
``mnist_conditional.json``: command, seed, epochs, training time (summed from the run's
metrics.jsonl, and the whole command's wall time when given), machine, git commits, and how
often each class's samples have a nearest training image of that class.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from gan_src import checkpoint, experiments, pretrained
from gan_src.conditional import class_grid
from gan_src.data import load_mnist
from gan_src.neighbours import nearest

NAME = "mnist_conditional"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="a conditional training run folder (checkpoint.pt, metrics.jsonl)")
    ap.add_argument("--wall-seconds", type=float, help="wall time of the training command(s), if measured")
    ap.add_argument("--trained-at-commit", help="git commit of the code that trained it (default: HEAD)")
    args = ap.parse_args()
    held = experiments.of_checkpoint(checkpoint.load(args.run / checkpoint.CHECKPOINT_NAME))
    if held != NAME:
        raise SystemExit(f"{args.run} holds the {held} experiment, not {NAME}")

    record = pretrained.run_record(args.run)
    cfg, epoch = record["config"], record["epochs"]

    G = experiments.get(NAME).generator()
    G.load_state_dict(pretrained.generator_state(args.run / "checkpoint.pt", architecture=NAME))
    splits = load_mnist()
    samples = class_grid(G, per_class=100, seed=0)
    index, _ = nearest(samples, splits.train)
    asked = torch.arange(10).repeat_interleave(100)
    agreement = (splits.train_labels[index] == asked).double().mean().item()
    print(f"nearest training image has the requested class: {agreement:.3f}")

    command = (f"python -m gan_src train --conditional --dataset mnist --epochs {epoch} --out {args.run} "
               f"--update {cfg['update']} --objective {cfg['objective']} --k {cfg['k']} --lr {cfg['lr']} "
               f"--batch-size {cfg['m']} --seed {cfg['seed']}")
    provenance = {
        "model": "class-conditional MNIST G(z, c) (Section 7, extension 1): [z (100), one_hot(c) (10)] -> "
                 "1200 ReLU -> 1200 ReLU -> 784 sigmoid; D on [x, one_hot(c)]: maxout 240x5 -> maxout 240x5 -> 1",
        "command": command,
        **record,
        "wall_seconds": None if args.wall_seconds is None else round(args.wall_seconds),
        "threads": "OMP_NUM_THREADS=1 (one CPU core), niced, beside other jobs",
        "trained_at_commit": args.trained_at_commit or record["exported_at_commit"],
        "nearest_neighbour_class_agreement": {
            "protocol": "100 samples per class (z seed 0); fraction whose nearest training image (squared L2) "
                        "has the requested class",
            "value": round(agreement, 4)},
        "recreate": f"{command} && python tools/ship_mnist_conditional.py {args.run}",
    }
    weights, info = pretrained.export(args.run / "checkpoint.pt", NAME, provenance, architecture=NAME)
    for path in (weights, weights.with_name(f"{NAME}_D.pt"), info):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
