"""Scoring a run's G snapshots and choosing one: the rows of Table 1's curve over training.

``train --snapshot-every N`` keeps G every N epochs; ``parzen --snapshots RUN/snapshots --out
RUN/parzen.jsonl`` scores each by the protocol of Section 5 (:mod:`gan_src.parzen`) with :func:`score`,
one row per epoch (the files: :mod:`gan_src.run_folder`). :func:`best_snapshot` chooses one by a
validation rule (:data:`RULES`), never by the test score.
"""

from __future__ import annotations

from torch import Tensor, nn

from . import parzen

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
