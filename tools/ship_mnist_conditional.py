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

from gan_src.conditional import class_grid
from gan_src.data import load_mnist
from gan_src.neighbours import nearest
from gan_src.shipping import ship

NAME = "mnist_conditional"


def describe(wall_seconds: float | None, trained_at_commit: str | None):
    """What the record of the conditional G says beyond :func:`gan_src.shipping.ship`'s fields: how
    often a sample's nearest training image has the class it was asked for."""
    def fields(G, record: dict) -> dict:
        splits = load_mnist()
        samples = class_grid(G, per_class=100, seed=0)
        index, _ = nearest(samples, splits.train)
        asked = torch.arange(10).repeat_interleave(100)
        agreement = (splits.train_labels[index] == asked).double().mean().item()
        print(f"nearest training image has the requested class: {agreement:.3f}")
        return {
            "model": "class-conditional MNIST G(z, c) (Section 7, extension 1): [z (100), one_hot(c) (10)] -> "
                     "1200 ReLU -> 1200 ReLU -> 784 sigmoid; D on [x, one_hot(c)]: maxout 240x5 -> maxout 240x5 -> 1",
            "wall_seconds": None if wall_seconds is None else round(wall_seconds),
            "threads": "OMP_NUM_THREADS=1 (one CPU core), niced, beside other jobs",
            "trained_at_commit": trained_at_commit or record["exported_at_commit"],
            "nearest_neighbour_class_agreement": {
                "protocol": "100 samples per class (z seed 0); fraction whose nearest training image (squared L2) "
                            "has the requested class",
                "value": round(agreement, 4)},
        }
    return fields


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="a conditional training run folder (checkpoint.pt, metrics.jsonl)")
    ap.add_argument("--wall-seconds", type=float, help="wall time of the training command(s), if measured")
    ap.add_argument("--trained-at-commit", help="git commit of the code that trained it (default: HEAD)")
    args = ap.parse_args()
    ship(args.run, NAME, "tools/ship_mnist_conditional.py", describe(args.wall_seconds, args.trained_at_commit))


if __name__ == "__main__":
    main()
