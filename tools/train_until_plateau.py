"""Train an MNIST run until its validation Parzen log-likelihood stops rising (Table 1's curve).

    OMP_NUM_THREADS=1 nohup python tools/train_until_plateau.py runs/mnist-long &

Alternates ``python -m gan_src train --resume`` for ``--every`` epochs (writing a G snapshot at
the end of each chunk) with ``python -m gan_src parzen --snapshots`` (the paper's protocol, one
line per snapshot in ``RUN/parzen.jsonl``), and stops when the best LL over all 10,000
validation images (``snapshots.best_snapshot``) is ``--patience`` epochs old or at ``--max-epochs``.
Interrupted, it is restarted with the same command: both halves pick up where they stopped. The
run folder must already hold a checkpoint (``python -m gan_src train --out RUN --epochs 1`` or
``tools/warm_start_mnist.py RUN``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from gan_src import run_folder
from gan_src.snapshots import best_snapshot
from gan_src.table1 import PATIENCE


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--every", type=int, default=10, help="epochs between snapshots (and scores)")
    ap.add_argument("--patience", type=int, default=PATIENCE, help="stop when the best validation LL is this many epochs old")
    ap.add_argument("--max-epochs", type=int, default=2000)
    args = ap.parse_args()
    curve, snapshots = run_folder.curve_path(args.run), run_folder.snapshots_folder(args.run)
    cli = [sys.executable, "-m", "gan_src"]
    while True:
        epoch = run_folder.load(args.run)["epoch"]
        if run_folder.snapshot_files(snapshots):
            subprocess.run([*cli, "parzen", "--snapshots", str(snapshots), "--out", str(curve)], check=True)
        top = best_snapshot(run_folder.read_curve(curve))
        if top is not None and epoch - top["epoch"] >= args.patience:
            print(f"stopped at epoch {epoch}: the best validation LL (all 10,000 images), {top['valid_all']:.2f}, is from epoch {top['epoch']}")
            return
        if epoch >= args.max_epochs:
            print(f"stopped at epoch {epoch} (--max-epochs); "
                  f"best validation LL (all 10,000 images) {top['valid_all']:.2f} at epoch {top['epoch']}")
            return
        target = min((epoch // args.every + 1) * args.every, args.max_epochs)
        subprocess.run([*cli, "train", "--out", str(args.run), "--resume", "--epochs", str(target),
                        "--snapshot-every", str(args.every), "--no-progress"], check=True)


if __name__ == "__main__":
    main()
