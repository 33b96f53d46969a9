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

from gan_src import checkpoint, experiments, figure2, pretrained
from gan_src.models import count_parameters, mnist_p_z
from gan_src.neighbours import mean_pairwise_distance, nearest
from gan_src.plotting import sample

DATA = {
    "faces": "the 400 Olivetti faces (AT&T/ORL database; a public stand-in for TFD), shrunk from 64x64 to 48x48, "
             "plus their 400 mirror images: 800 rows",
    "cifar10": "the offline CIFAR-10 prefix subset: 4,660 training images (the first 932 of each training batch), "
               "NOT the full 50,000",
}
DATA["cifar10_conv"] = DATA["cifar10"]


def generator(path: Path, name: str):
    """The G of model ``name`` with the weights in ``path`` (a checkpoint or a G snapshot)."""
    G = experiments.get(name).generator()
    G.load_state_dict(pretrained.generator_state(path, architecture=name))
    return G


def variety_curve(run: Path, name: str, last: int) -> dict[str, list]:
    """The variety of 1,000 samples (z seed 0) of each G snapshot in ``run/snapshots`` up to epoch ``last``."""
    epochs, values = [], []
    for path in sorted((run / "snapshots").glob("G_epoch*.pt")):
        epoch = int(path.stem.removeprefix("G_epoch"))
        if epoch <= last:
            epochs.append(epoch)
            values.append(round(mean_pairwise_distance(sample(generator(path, name), mnist_p_z, 1000, seed=0)), 1))
    return {"epochs": epochs, "samples": values}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="a training run folder (checkpoint.pt, metrics.jsonl) of a Figure 2 model")
    ap.add_argument("--epoch", type=int, help="ship the G snapshot of this epoch (snapshots/G_epochNNNN.pt), "
                    "e.g. the last one before the run diverged; default: the checkpoint")
    ap.add_argument("--trained-at-commit", help="git commit of the code that trained it (default: HEAD)")
    args = ap.parse_args()
    name = experiments.of_checkpoint(checkpoint.load(args.run / checkpoint.CHECKPOINT_NAME))
    if name not in figure2.NETWORKS:
        raise SystemExit(f"{args.run} holds the {name} experiment; this tool ships {', '.join(figure2.NETWORKS)}")

    record = pretrained.run_record(args.run, args.epoch)
    cfg, epoch = record["config"], record["epochs"]
    source = args.run / ("checkpoint.pt" if args.epoch is None else f"snapshots/G_epoch{args.epoch:04d}.pt")
    G = generator(source, name)
    train = experiments.get(name).data().rows
    x = sample(G, mnist_p_z, 1000, seed=0)
    _, dist = nearest(x, train)
    _, real = nearest(train[::2], train[1::2])  # a face and its mirror (rows i, i + 400) stay on one side

    optimizer = "" if cfg.get("optimizer", "momentum") == "momentum" else f"--optimizer {cfg['optimizer']} "
    command = (f"OMP_NUM_THREADS=1 python -m gan_src train --dataset {name} --epochs {epoch} {optimizer}--lr {cfg['lr']} "
               f"--batch-size {cfg['m']} --seed {cfg['seed']} --out {args.run}")
    provenance = {
        "model": f"Figure 2 ({'b' if name == 'faces' else 'c' if name == 'cifar10' else 'd'}), scaled down: "
                 f"{figure2.SCALED[name]}",
        "paper_architecture": figure2.PAPER[name],
        "parameters": {"G": count_parameters(G), "D": count_parameters(experiments.get(name).discriminator())},
        "data": DATA[name],
        "images": len(train),
        "command": command,
        **record,
        "threads": "OMP_NUM_THREADS=1 (one CPU core), beside other jobs",
        "trained_at_commit": args.trained_at_commit or record["exported_at_commit"],
        "nearest_neighbour_distance": {
            "protocol": "1,000 samples (z seed 0): mean squared L2 distance to the nearest training row; "
                        "for scale, the same for the even training rows against the odd ones",
            "samples": round(dist.mean().item(), 2), "training_rows": round(real.mean().item(), 2)},
        "variety": {
            "protocol": "mean squared L2 distance between two different rows (gan_src.neighbours."
                        "mean_pairwise_distance): the same 1,000 samples; all training rows; near 0 for a collapsed G",
            "samples": round(mean_pairwise_distance(x), 1), "training_rows": round(mean_pairwise_distance(train), 1),
            "over_epochs": variety_curve(args.run, name, epoch)},
        "recreate": f"{command} --snapshot-every 5 && python tools/ship_figure2.py {args.run}",
    }
    weights, info = pretrained.export(source, name, provenance, architecture=name, keep_discriminator=False)
    for path in (weights, info):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
