"""Section 3 and Algorithm 1's alternatives on MNIST, scored by Table 1's protocol (5. Experiments).

    OMP_NUM_THREADS=1 python tools/compare_updates.py runs/updates [--epochs 15]

Trains three runs from the same seed with everything else equal (the authors' ``mnist.yaml``):
the authors' simultaneous update with the non-saturating objective (the shipped run's rule),
Algorithm 1 as printed (alternating, k = 1), and the simultaneous update with the minimax
objective log(1 - D(G(z))). Each keeps a snapshot of G every 5 epochs, scored with
``python -m gan_src parzen --snapshots``; the curves, the per-epoch mean D(G(z)) and the
commands go to ``gan_src/results/update_rules.json``, which the chapter reads. Resumable:
run it again after an interruption.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from pathlib import Path

import torch

from gan_src import results, run_folder

VARIANTS = {
    "simultaneous": [],
    "alternating": ["--update", "alternating", "--k", "1"],
    "minimax": ["--objective", "minimax"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=Path, help="folder for the three run folders")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    cli = [sys.executable, "-m", "gan_src"]
    record = {"epochs": args.epochs, "seed": args.seed, "torch": torch.__version__,
              "machine": f"{platform.machine()} CPU, {torch.get_num_threads()} thread(s), {platform.system()}",
              "commit": subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip(),
              "runs": {}}
    for name, options in VARIANTS.items():
        run = args.runs / name
        train = [*cli, "train", "--dataset", "mnist", "--epochs", str(args.epochs), "--out", str(run),
                 "--snapshot-every", "5", "--seed", str(args.seed), *options]
        resume = ["--resume"] if run_folder.checkpoint_path(run).exists() else []
        subprocess.run([*train, *resume, "--no-progress"], check=True)
        curve = run_folder.curve_path(run)
        score = [*cli, "parzen", "--snapshots", str(run_folder.snapshots_folder(run)), "--out", str(curve)]
        subprocess.run(score, check=True)
        metrics = run_folder.read_metrics(run)
        record["runs"][name] = {
            "command": " ".join(["python -m gan_src", *train[3:]]) + " && " + " ".join(["python -m gan_src", *score[3:]]),
            "curve": [{"epoch": r["epoch"], **{k: round(r[k], 2) for k in ("valid", "test", "se")}}
                      for r in run_folder.read_curve(curve)],
            "D_fake": [round(m["D_fake"], 5) for m in metrics],
            "seconds": round(sum(m["seconds"] for m in metrics)),
        }
    print(f"wrote {results.save('update_rules', record)}")


if __name__ == "__main__":
    main()
