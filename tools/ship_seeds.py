"""Ship the seed-spread curves of Table 1: MNIST runs from scratch with other seeds.

    python -m gan_src train --out runs/mnist-seed1 --seed 1 --epochs 1 --no-progress
    python tools/train_until_plateau.py runs/mnist-seed1 --max-epochs 150 --patience 100000
    (the same for seed 2), then
    python tools/ship_seeds.py runs/mnist-seed1 runs/mnist-seed2

Writes ``gan_src/results/mnist_seeds.json``: for each run its seed, the epochs it reached,
its training seconds and its Parzen curve (the paper's protocol, ``RUN/parzen.jsonl``). The
chapter draws them beside the first epochs of the shipped run (seed 0).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gan_src import results, run_folder
from gan_src.shipping import run_record


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=Path, nargs="+", help="training run folders, each with parzen.jsonl")
    args = ap.parse_args()
    runs = []
    for run in args.runs:
        record = run_record(run)
        curve = sorted(run_folder.read_curve(run_folder.curve_path(run)), key=lambda r: r["epoch"])
        runs.append({"seed": record["seed"], "epochs": record["epochs"],
                     "train_seconds": record["train_seconds"], "machine": record["machine"],
                     "command": f"python -m gan_src train --out {run} --seed {record['seed']} --epochs 1 && "
                                f"python tools/train_until_plateau.py {run} --max-epochs {record['epochs']} "
                                "--patience 100000",
                     "curve": [{k: round(r[k], 2) for k in ("valid", "test", "se")} | {"epoch": r["epoch"]}
                               for r in curve if r["epoch"] <= record["epochs"]]})
    out = results.save("mnist_seeds", {
        "what": "MNIST GANs trained from scratch with other seeds, everything else as the shipped run "
                "(the authors' settings), scored every 10 epochs by the paper's Parzen protocol",
        "step": "gan_src.train's step (the same update rule as the shipped run's first 660 epochs, with "
                "dropout masks from rand < keep, another random stream than its bernoulli_ masks)",
        "exported_at_commit": run_record(args.runs[0])["exported_at_commit"],
        "runs": runs})
    print(f"wrote {out}: " + ", ".join(f"seed {r['seed']} to epoch {r['epochs']}" for r in runs))


if __name__ == "__main__":
    main()
