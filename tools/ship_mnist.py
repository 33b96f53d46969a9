"""Ship a trained MNIST G (and D) as ``gan_src.pretrained`` "mnist", with its provenance.

    python tools/ship_mnist.py runs/mnist-sim            # the run's last checkpoint
    python tools/ship_mnist.py runs/mnist-sim --epoch 320 # G of a snapshot, D of the last checkpoint
    python tools/ship_mnist.py runs/mnist-long --epoch best  # the best snapshot by all 10,000 validation images

Scores the generator with the paper's Parzen protocol (Table 1) and writes
``gan_src/pretrained/mnist_G.pt``, ``mnist_D.pt`` (always from the run's checkpoint) and ``mnist.json``:
command, seed, epochs, training wall time (summed from the run's metrics.jsonl), machine,
git commit, the Parzen result with its sigma, and the run's Parzen curve against epochs
(``RUN/parzen.jsonl``, from ``python -m gan_src parzen --snapshots RUN/snapshots --out RUN/parzen.jsonl``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gan_src import checkpoint, experiments, parzen, pretrained
from gan_src.data import load_mnist
from gan_src.snapshots import best_snapshot, read_curve, score


def snapshot_epoch(run: Path, epoch: str | None) -> int | None:
    """``--epoch``: None (the last checkpoint), a number, or "best": the snapshot of ``RUN/parzen.jsonl``
    with the best LL over all 10,000 validation images (``snapshots.best_snapshot``, the choice
    ``tools/train_until_plateau.py`` stops on)."""
    if epoch is None:
        return None
    if epoch.isdigit():
        return int(epoch)
    if epoch != "best":
        raise SystemExit(f"--epoch takes a number or 'best', not {epoch!r}")
    top = best_snapshot(read_curve(run / "parzen.jsonl"))
    if top is None:
        raise SystemExit(f"--epoch best needs the run's scored snapshots: {run / 'parzen.jsonl'} has none")
    return top["epoch"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="a training run folder (checkpoint.pt, metrics.jsonl, snapshots/)")
    ap.add_argument("--epoch", help="ship snapshots/G_epochNNNN.pt instead of the last checkpoint; "
                                    "'best': the best by all 10,000 validation images")
    ap.add_argument("--name", default="mnist")
    ap.add_argument("--note", help="what else the record should say about how the run was made")
    args = ap.parse_args()
    held = experiments.of_checkpoint(checkpoint.load(args.run / checkpoint.CHECKPOINT_NAME))
    if held != "mnist":
        raise SystemExit(f"{args.run} holds the {held} experiment, not mnist")

    args.epoch = snapshot_epoch(args.run, args.epoch)
    record = pretrained.run_record(args.run, args.epoch)
    source = args.run / "checkpoint.pt" if args.epoch is None else args.run / "snapshots" / f"G_epoch{args.epoch:04d}.pt"
    epoch, cfg = record["epochs"], record["config"]
    last = pretrained.run_record(args.run)["epochs"]  # the checkpoint's epoch, where D comes from

    splits = load_mnist()
    G = experiments.get("mnist").generator()
    G.load_state_dict(pretrained.generator_state(source))
    result = parzen.evaluate(parzen.generator_centres(G, parzen.N_CENTRES, seed=0),
                             splits.valid[: parzen.N_VALID], splits.test)
    print(result)
    # the G this shipment replaces, scored by every validation rule, so the two can be compared
    replaced = pretrained.provenance(args.name) if args.name in pretrained.available() else None
    if replaced is not None:
        row = score(pretrained.load(args.name), splits.valid, splits.test)
        replaced = {"epoch": replaced["epochs"], "exported_at_commit": replaced["exported_at_commit"]} | {
            k: round(row[k], 2) for k in ("valid", "valid_all", "valid_gen_ll", "test", "se")}

    command = (f"python -m gan_src train --dataset mnist --epochs {last} --out {args.run} --update {cfg['update']} "
               f"--objective {cfg['objective']} --k {cfg['k']} --lr {cfg['lr']} --batch-size {cfg['m']} "
               f"--seed {cfg['seed']} --snapshot-every 5")
    provenance = {
        "model": "the paper's MNIST G (mnist.yaml): 100 -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid",
        "command": command,
        "note": "trained in several sittings, each continued with --resume (bit-identical to one sitting)",
        **record,
        "parzen": {"protocol": "10,000 samples of G (z seed 0); sigma from logspace(-1, 0, 10) on the first "
                               "1,000 validation images; mean ± se over the 10,000 test images",
                   "sigma": result.sigma, "valid_curve": [round(v, 2) for v in result.curve],
                   "test_mean": round(result.mean, 2), "test_se": round(result.se, 2),
                   "paper": list(parzen.PAPER_MNIST)},
        "recreate": f"python -m gan_src train --dataset mnist --epochs {last} --out {args.run} --snapshot-every 5 "
                    f"&& python tools/ship_mnist.py {args.run}"
                    + ("" if args.epoch is None else f" --epoch {args.epoch}"),
    }
    curve = args.run / "parzen.jsonl"
    if curve.is_file():
        rows = [json.loads(line) for line in curve.read_text().splitlines() if line.strip()]
        provenance["parzen_curve"] = [{k: round(r[k], 2) for k in ("valid", "valid_all", "valid_gen_ll", "test", "se")
                                       if k in r} | {"epoch": r["epoch"]}
                                      for r in sorted(rows, key=lambda r: r["epoch"]) if r["epoch"] <= last]
    if args.epoch is not None:
        provenance["discriminator_epoch"] = last
        provenance["note"] += (f"; G is the epoch-{args.epoch} snapshot (best LL over all 10,000 validation images), "
                               f"D comes from the run's checkpoint at epoch {last} (for Section 7's features)")
    warm = args.run / "warm_start.json"
    if warm.is_file():  # a continuation of the shipped run (tools/warm_start_mnist.py): carry its history
        before = pretrained.provenance(args.name)
        start = json.loads(warm.read_text())
        if before.get("warm_start") == start:
            # the same continuation shipped again (a later best epoch): it continues what the
            # earlier shipment recorded as its origin, not that shipment itself
            origin = before["continues"]
        else:  # a new continuation of the shipped model: the shipped record is its origin
            origin = {"G_epoch": before["epochs"], "D_epoch": before.get("discriminator_epoch", before["epochs"]),
                      "train_seconds": before["train_seconds"], "command": before["command"]}
            origin |= {k: before[k] for k in ("continues", "warm_start", "step_change") if k in before}
        provenance["continues"] = origin
        provenance["warm_start"] = start
        provenance["command"] = (f"python tools/warm_start_mnist.py {args.run} && "
                                 f"python tools/train_until_plateau.py {args.run}")
        provenance["note"] = (f"continues the previously shipped run (its G of epoch {origin['G_epoch']}, its D of "
                              f"epoch {start['epoch']}; see warm_start) from epoch {start['epoch'] + 1}; "
                              + provenance["note"])
        # the training time behind the G that this continuation starts from, over all earlier stretches
        provenance["train_seconds_before"] = (before["train_seconds_before"] if before.get("warm_start") == start
                                              else before["train_seconds"] + before.get("train_seconds_before", 0))
        provenance["parzen_curve"] = ([r for r in before["parzen_curve"] if r["epoch"] <= start["epoch"]]
                                      + provenance.get("parzen_curve", []))
        provenance["recreate"] = provenance["command"] + f" && python tools/ship_mnist.py {args.run}" + (
            "" if args.epoch is None else f" --epoch {args.epoch}")
        for extra in sorted(args.run.glob("faster_step.json")):
            provenance["step_change"] = json.loads(extra.read_text())
        if "step_change" not in provenance and "step_change" in before and before.get("warm_start") == start:
            provenance["step_change"] = before["step_change"]
    if replaced is not None:
        provenance["replaces"] = replaced
    if args.note:
        provenance["note"] += f"; {args.note}"
    for path in pretrained.export(source, args.name, provenance, discriminator_path=args.run / "checkpoint.pt"):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
