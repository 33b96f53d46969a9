"""Ship a trained Figure 2 (b)-(d) generator as ``gan_src.pretrained`` "faces", "cifar10" or "cifar10_conv".

    OMP_NUM_THREADS=1 python -m gan_src train --dataset faces --epochs 700 --lr 0.05 --seed 0 --out runs/faces
    python tools/ship_figure2.py runs/faces

The run's checkpoint names the model (its experiment: faces, cifar10 or cifar10_conv). Writes
``gan_src/pretrained/{name}_G.pt`` (G only, float16: D would double the size and the book does not
use it) and ``{name}.json``: command, seed, epochs, training time, machine, git commit, the data,
both architectures (paper's and ours), how far fair samples lie from their nearest training image,
and how varied they are (at the end and at each of the run's snapshots: a collapse shows as a fall).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gan_src import experiments, figure2, run_folder
from gan_src.models import count_parameters
from gan_src.neighbours import mean_pairwise_distance, nearest
from gan_src.noise import mnist_p_z
from gan_src.plotting import sample
from gan_src.shipping import experiment_of, ship

DATA = {
    "faces": "the 400 Olivetti faces (AT&T/ORL database; a public stand-in for TFD), shrunk from 64x64 to 48x48, "
             "plus their 400 mirror images: 800 rows",
    "cifar10": "the offline CIFAR-10 prefix subset: 4,660 training images (the first 932 of each training batch), "
               "NOT the full 50,000",
}
DATA["cifar10_conv"] = DATA["cifar10"]


def variety_curve(run: Path, name: str, last: int) -> dict[str, list]:
    """The variety of 1,000 samples (z seed 0) of each G snapshot of ``run`` up to epoch ``last``."""
    folder, epochs, values = run_folder.snapshots_folder(run), [], []
    for epoch, path in (run_folder.find_snapshots(folder) if run_folder.snapshot_files(folder) else {}).items():
        if epoch <= last:
            epochs.append(epoch)
            G = run_folder.load_generator(path, name)
            values.append(round(mean_pairwise_distance(sample(G, mnist_p_z, 1000, seed=0)), 1))
    return {"epochs": epochs, "samples": values}


def describe(run: Path, name: str, trained_at_commit: str | None):
    """What the record of a Figure 2 G says beyond :func:`gan_src.shipping.ship`'s fields: the
    networks, the data, and how far from the training images and how varied its samples are."""
    def fields(G, record: dict) -> dict:
        train = experiments.get(name).data().rows
        x = sample(G, mnist_p_z, 1000, seed=0)
        _, dist = nearest(x, train)
        _, real = nearest(train[::2], train[1::2])  # a face and its mirror (rows i, i + 400) stay on one side
        return {
            "model": f"Figure 2 ({'b' if name == 'faces' else 'c' if name == 'cifar10' else 'd'}), scaled down: "
                     f"{figure2.SCALED[name]}",
            "paper_architecture": figure2.PAPER[name],
            "parameters": {"G": count_parameters(G), "D": count_parameters(experiments.get(name).discriminator())},
            "data": DATA[name],
            "images": len(train),
            "threads": "OMP_NUM_THREADS=1 (one CPU core), beside other jobs",
            "trained_at_commit": trained_at_commit or record["exported_at_commit"],
            "nearest_neighbour_distance": {
                "protocol": "1,000 samples (z seed 0): mean squared L2 distance to the nearest training row; "
                            "for scale, the same for the even training rows against the odd ones",
                "samples": round(dist.mean().item(), 2), "training_rows": round(real.mean().item(), 2)},
            "variety": {
                "protocol": "mean squared L2 distance between two different rows (gan_src.neighbours."
                            "mean_pairwise_distance): the same 1,000 samples; all training rows; near 0 for a "
                            "collapsed G",
                "samples": round(mean_pairwise_distance(x), 1), "training_rows": round(mean_pairwise_distance(train), 1),
                "over_epochs": variety_curve(run, name, record["epochs"])},
        }
    return fields


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="a training run folder (checkpoint.pt, metrics.jsonl) of a Figure 2 model")
    ap.add_argument("--epoch", type=int, help="ship the G snapshot of this epoch (snapshots/G_epochNNNN.pt), "
                    "e.g. the last one before the run diverged; default: the checkpoint")
    ap.add_argument("--trained-at-commit", help="git commit of the code that trained it (default: HEAD)")
    args = ap.parse_args()
    name = experiment_of(args.run, list(figure2.NETWORKS))
    ship(args.run, name, "tools/ship_figure2.py", describe(args.run, name, args.trained_at_commit), epoch=args.epoch,
         keep_discriminator=False)


if __name__ == "__main__":
    main()
