"""A run's G snapshots and the curve of their Parzen scores (Table 1's figure over training).

``train --snapshot-every N`` keeps G every N epochs as ``RUN/snapshots/G_epochNNNN.pt``;
``parzen --snapshots RUN/snapshots --out RUN/parzen.jsonl`` scores each by the protocol of
Section 5 (:mod:`gan_src.parzen`) and keeps one JSON line per epoch.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from torch import Tensor, nn

from . import parzen
from .checkpoint import CheckpointError, write_atomically

NAME = re.compile(r"G_epoch(\d+)\.pt")  # what train writes: G_epoch0010.pt


def find(folder: Path) -> dict[int, Path]:
    """Epoch -> snapshot file, in epoch order; :class:`~gan_src.checkpoint.CheckpointError` for a
    folder without snapshots, a ``G_epoch*.pt`` of another name, or two files of one epoch."""
    snapshots: dict[int, Path] = {}
    for path in sorted(folder.glob("G_epoch*.pt")):
        match = NAME.fullmatch(path.name)
        if match is None:
            raise CheckpointError(f"{path} is not named G_epochNNNN.pt (NNNN its epoch); rename or move it")
        epoch = int(match.group(1))
        if epoch in snapshots:
            raise CheckpointError(f"{path} and {snapshots[epoch]} are both epoch {epoch}; move one away")
        snapshots[epoch] = path
    if not snapshots:
        raise CheckpointError(f"no G_epochNNNN.pt snapshots in {folder}")
    return dict(sorted(snapshots.items()))


def read_curve(path: Path) -> list[dict]:
    """The rows of a curve file, one JSON object with an integer ``epoch`` per line (none if the
    file does not exist yet); ValueError naming the file and line otherwise."""
    if path.is_dir():
        raise ValueError(f"{path} is a folder; name a JSON lines file (e.g. RUN/parzen.jsonl)")
    if not path.exists():
        return []
    rows = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row["epoch"], int):
                raise TypeError("epoch")
        except (ValueError, TypeError, KeyError):
            raise ValueError(f"{path} is not a Parzen curve (line {n} is not JSON with an epoch); "
                             "choose another file, or delete it") from None
        rows.append(row)
    return rows


def write_curve(path: Path, rows: list[dict]) -> None:
    """Rewrite the curve file whole, atomically: an interrupted run leaves no half line."""
    text = "".join(json.dumps(row) + "\n" for row in rows)
    write_atomically(path, lambda f: f.write(text.encode()))


# How a snapshot can be chosen for Table 1 without looking at the test set: key of a curve row -> rule.
RULES: dict[str, str] = {
    "valid": "the protocol's own: mean LL of the first 1,000 validation images at the sigma they choose",
    "valid_all": "mean LL of all 10,000 validation images at that sigma (a standard error ~3x smaller)",
    "valid_gen_ll": "the authors' monitored channel: sigma 0.2, 100 fresh samples per batch of 100",
}


def best_snapshot(rows: list[dict], key: str = "valid_all") -> dict | None:
    """The curve row that maximises validation score ``key`` (one of :data:`RULES`), None when no row
    has it: Table 1's choice of snapshot (``tools/train_until_plateau.py`` stops on it,
    ``tools/ship_mnist.py --epoch best`` ships it). Never the test score."""
    if key not in RULES:
        raise ValueError(f"unknown selection rule {key!r}; choose one of {', '.join(RULES)}")
    return max((r for r in rows if key in r), key=lambda r: r[key], default=None)


def score(G: nn.Module, valid: Tensor, test: Tensor, samples: int = parzen.N_CENTRES, seed: int = 0) -> dict:
    """One curve row for G: the protocol of Section 5 (sigma chosen on ``valid[:1000]``, LL on
    ``test``) and the two other validation scores of :data:`RULES`, from the same ``samples``
    samples of G (z seed ``seed``). ``valid`` is the whole validation split (train[50000:60000])."""
    centres = parzen.generator_centres(G, samples, seed)
    r = parzen.evaluate(centres, valid[: parzen.N_VALID], test)
    return {"sigma": r.sigma, "valid": max(r.curve),
            "valid_all": float(parzen.parzen_log_likelihood(valid, centres, r.sigma).mean()),
            "valid_gen_ll": parzen.monitor_ll(G, valid, seed),
            "test": r.mean, "se": r.se, "curve": r.curve, "samples": samples, "seed": seed}


def seed_spread(curves: dict[int, list[dict]], first: int = 50, key: str = "test") -> dict[int, float]:
    """Epoch -> range (max - min) of ``key`` over runs with different seeds (seed -> curve rows),
    at every epoch from ``first`` on that all of them scored: how far one seed's luck moves a
    Table 1 number during training."""
    values = [{r["epoch"]: r[key] for r in rows} for rows in curves.values()]
    shared = sorted(set.intersection(*(set(v) for v in values)))
    return {e: max(v[e] for v in values) - min(v[e] for v in values) for e in shared if e >= first}
