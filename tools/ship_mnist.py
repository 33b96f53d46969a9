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

from gan_src import parzen, pretrained, run_folder
from gan_src.data import load_mnist
from gan_src.shipping import experiment_of, ship
from gan_src.snapshots import best_snapshot, score

ROUNDED = ("valid", "valid_all", "valid_gen_ll", "test", "se")  # the scores a record keeps, to 2 decimals


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
    curve = run_folder.curve_path(run)
    top = best_snapshot(run_folder.read_curve(curve))
    if top is None:
        raise SystemExit(f"--epoch best needs the run's scored snapshots: {curve} has none")
    return top["epoch"]


def describe(run: Path, name: str, epoch: int | None, note: str | None):
    """What the record of an MNIST G says beyond :func:`gan_src.shipping.ship`'s fields: the Parzen
    score by the protocol, the run's curve, the G it replaces, and a continuation's history."""
    last = run_folder.load(run)["epoch"]  # the checkpoint's epoch, where D comes from

    def fields(G, record: dict) -> dict:
        splits = load_mnist()
        result = parzen.evaluate(parzen.generator_centres(G, parzen.N_CENTRES, seed=0),
                                 splits.valid[: parzen.N_VALID], splits.test)
        print(result)
        # the G this shipment replaces, scored by every validation rule, so the two can be compared
        replaced = pretrained.provenance(name) if name in pretrained.available() else None
        if replaced is not None:
            row = score(pretrained.load(name), splits.valid, splits.test)
            replaced = {"epoch": replaced["epochs"], "exported_at_commit": replaced["exported_at_commit"]} | {
                k: round(row[k], 2) for k in ROUNDED}
        provenance = {
            "model": "the paper's MNIST G (mnist.yaml): 100 -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid",
            "note": "trained in several sittings, each continued with --resume (bit-identical to one sitting)",
            "parzen": {"protocol": "10,000 samples of G (z seed 0); sigma from logspace(-1, 0, 10) on the first "
                                   "1,000 validation images; mean ± se over the 10,000 test images",
                       "sigma": result.sigma, "valid_curve": [round(v, 2) for v in result.curve],
                       "test_mean": round(result.mean, 2), "test_se": round(result.se, 2),
                       "paper": list(parzen.PAPER_MNIST)},
        }
        rows = run_folder.read_curve(run_folder.curve_path(run))
        if rows:
            provenance["parzen_curve"] = [{k: round(r[k], 2) for k in ROUNDED if k in r} | {"epoch": r["epoch"]}
                                          for r in sorted(rows, key=lambda r: r["epoch"]) if r["epoch"] <= last]
        if epoch is not None:
            provenance["discriminator_epoch"] = last
            provenance["note"] += (f"; G is the epoch-{epoch} snapshot (best LL over all 10,000 validation images), "
                                   f"D comes from the run's checkpoint at epoch {last} (for Section 7's features)")
        if (run / run_folder.WARM_START_NAME).is_file():
            provenance |= continuation(run, name, epoch, provenance)
        if replaced is not None:
            provenance["replaces"] = replaced
        if note:
            provenance["note"] += f"; {note}"
        return provenance
    return fields


def continuation(run: Path, name: str, epoch: int | None, provenance: dict) -> dict:
    """A continuation of the shipped run (``tools/warm_start_mnist.py``): its history carried on from
    the record it continues, its commands, and the step change it made, if any."""
    before = pretrained.provenance(name)
    start = json.loads((run / run_folder.WARM_START_NAME).read_text())
    if before.get("warm_start") == start:
        # the same continuation shipped again (a later best epoch): it continues what the
        # earlier shipment recorded as its origin, not that shipment itself
        origin = before["continues"]
    else:  # a new continuation of the shipped model: the shipped record is its origin
        origin = {"G_epoch": before["epochs"], "D_epoch": before.get("discriminator_epoch", before["epochs"]),
                  "train_seconds": before["train_seconds"], "command": before["command"]}
        origin |= {k: before[k] for k in ("continues", "warm_start", "step_change") if k in before}
    command = f"python tools/warm_start_mnist.py {run} && python tools/train_until_plateau.py {run}"
    fields = {
        "continues": origin, "warm_start": start, "command": command,
        "note": (f"continues the previously shipped run (its G of epoch {origin['G_epoch']}, its D of "
                 f"epoch {start['epoch']}; see warm_start) from epoch {start['epoch'] + 1}; " + provenance["note"]),
        # the training time behind the G that this continuation starts from, over all earlier stretches
        "train_seconds_before": (before["train_seconds_before"] if before.get("warm_start") == start
                                 else before["train_seconds"] + before.get("train_seconds_before", 0)),
        "parzen_curve": ([r for r in before["parzen_curve"] if r["epoch"] <= start["epoch"]]
                         + provenance.get("parzen_curve", [])),
        "recreate": command + f" && python tools/ship_mnist.py {run}" + ("" if epoch is None else f" --epoch {epoch}"),
    }
    if (run / run_folder.STEP_CHANGE_NAME).is_file():
        fields["step_change"] = json.loads((run / run_folder.STEP_CHANGE_NAME).read_text())
    if "step_change" not in fields and "step_change" in before and before.get("warm_start") == start:
        fields["step_change"] = before["step_change"]
    return fields


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path, help="a training run folder (checkpoint.pt, metrics.jsonl, snapshots/)")
    ap.add_argument("--epoch", help="ship snapshots/G_epochNNNN.pt instead of the last checkpoint; "
                                    "'best': the best by all 10,000 validation images")
    ap.add_argument("--name", default="mnist")
    ap.add_argument("--note", help="what else the record should say about how the run was made")
    args = ap.parse_args()
    experiment_of(args.run, ["mnist"])
    epoch = snapshot_epoch(args.run, args.epoch)
    ship(args.run, args.name, "tools/ship_mnist.py", describe(args.run, args.name, epoch, args.note), epoch=epoch,
         experiment="mnist")


if __name__ == "__main__":
    main()
