"""Continue the shipped MNIST run when its run folder is gone: a checkpoint from the shipped G and D.

    python tools/warm_start_mnist.py runs/mnist-long
    OMP_NUM_THREADS=1 python -m gan_src train --out runs/mnist-long --resume --epochs 1500 --snapshot-every 10

The shipped "mnist" model keeps G of epoch 500 and D of epoch 515 (float16), not the optimiser's
velocities or the random streams. The checkpoint written here holds those weights as float32, the
run's config, epoch 515 and step 257,500 (so the learning rate and momentum resume at their
epoch-515 values: lr 0.1 / 1.000004^257500, momentum 0.7), zero velocities, and fresh random
streams seeded with the run's seed. ``OUT/warm_start.json`` records exactly that, and
``tools/ship_mnist.py`` copies it into the provenance of anything shipped from the run.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import torch

from gan_src import checkpoint, pretrained, run_folder
from gan_src.optim import learning_rate, make_optimizer, momentum
from gan_src.train import TrainConfig

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="the new run folder (must not hold a checkpoint yet)")
    args = ap.parse_args()
    target = run_folder.checkpoint_path(args.out)
    if target.exists():
        raise SystemExit(f"{target} exists; a warm start only begins a new run folder")

    record = pretrained.provenance("mnist")
    cfg = TrainConfig(**record["config"])
    epoch = record["discriminator_epoch"]  # D's epoch: the later of the two, where training continues
    steps = epoch * (50_000 // cfg.m)
    G, D = pretrained.load("mnist").train(), pretrained.load_discriminator("mnist").train()
    opt_D = make_optimizer(D.parameters(), cfg.optimizer, cfg.lr, cfg.momentum_start)
    opt_G = make_optimizer(G.parameters(), cfg.optimizer, cfg.lr, cfg.momentum_start)
    rng = torch.Generator().manual_seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    checkpoint.save({
        "format": 1, "experiment": "mnist", "config": asdict(cfg), "epoch": epoch, "step": steps, "history": [],
        "G": G.state_dict(), "D": D.state_dict(), "opt_D": opt_D.state_dict(), "opt_G": opt_G.state_dict(),
        "rng_states": checkpoint.rng_states(rng),
    }, target)
    note = {
        "from": f"gan_src.pretrained 'mnist' (exported at {record['exported_at_commit'][:7]}): "
                f"G of epoch {record['epochs']}, D of epoch {epoch}, stored as {record['dtype']}, loaded as float32",
        "epoch": epoch, "step": steps,
        "lr": learning_rate(steps, cfg.lr, cfg.lr_decay, cfg.lr_floor),
        "momentum": momentum(epoch, cfg.momentum_start, cfg.momentum_final, cfg.momentum_saturate),
        "velocities": "zero", "rng": f"fresh, seeded with {cfg.seed} (data order, z and dropout differ from the "
                                     "uninterrupted run)",
    }
    (args.out / run_folder.WARM_START_NAME).write_text(json.dumps(note, indent=2) + "\n")
    print(f"wrote {target}: epoch {epoch}, step {steps}, lr {note['lr']:.5f}, momentum {note['momentum']:.2f}")


if __name__ == "__main__":
    main()
