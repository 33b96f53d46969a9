"""Table 1 in the book: the setting and the table, and reading the curve over training: which
snapshot each validation rule picks, whether the curve has flattened, and what the seeds' and the
update rules' runs say about the gap to the paper.

The curve is a list of rows, one per scored snapshot of G, as ``parzen --snapshots`` writes them
(:func:`gan_src.snapshots.score`): ``epoch``, the protocol's ``valid`` (first 1,000 validation
images) and ``test`` (Table 1's number, with its ``se``), and, where scored, ``valid_all`` (all
10,000 validation images) and ``valid_gen_ll`` (the authors' monitored channel). The test score
never chooses anything here; it is only reported for what validation chose.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from .data.mnist import MNISTSplits
from .models import architecture, count_parameters, mnist_discriminator, mnist_generator
from .parzen import PAPER_MNIST, ParzenResult
from .snapshots import RULES, best_snapshot
from .train import TrainConfig

PATIENCE = 300  # epochs without a better valid_all before the long run stops (tools/train_until_plateau.py)


# Table 1 as printed (nats): model -> (MNIST, TFD). Only the adversarial nets' MNIST entry is reproduced.
PAPER_ROWS: dict[str, tuple[str, str]] = {
    "DBN": ("138 ± 2", "1909 ± 66"),
    "Stacked CAE": ("121 ± 1.6", "2110 ± 50"),
    "Deep GSN": ("214 ± 1.1", "1890 ± 29"),
    "Adversarial nets": (f"{PAPER_MNIST[0]:.0f} ± {PAPER_MNIST[1]:.0f}", "2057 ± 26"),
}
# Where the selection rules of snapshots.RULES are named in a table.
RULE_NAMES = {"valid": "first 1,000 validation images", "valid_all": "all 10,000 validation images",
              "valid_gen_ll": "the authors' monitor"}
Row = Sequence[object]


def setting(cfg: TrainConfig, splits: MNISTSplits) -> list[Row]:
    """Section 5's MNIST setting as (what, how) rows, read from the code that trains it: the data
    splits, G's and D's layers and sizes, the update and the optimiser of ``cfg``."""
    G, D = mnist_generator(), mnist_discriminator()
    return [
        ("data", f"MNIST, pixels in [0, 1]; train {len(splits.train):,}, validation {len(splits.valid):,}, "
                 f"test {len(splits.test):,}"),
        ("G", f"z: 100, U(−√3, √3) → {architecture(G)}; {count_parameters(G):,} parameters; "
              "noise only at the bottom layer"),
        ("D", f"{architecture(D)}; {count_parameters(D):,} parameters"),
        ("update", f"{cfg.update}, k = {cfg.k}, G's objective {cfg.objective} (−log D(G(z)))"),
        ("optimiser", f"SGD, classical momentum {cfg.momentum_start} → {cfg.momentum_final} over epochs "
                      f"1-{cfg.momentum_saturate}; lr {cfg.lr} divided by {cfg.lr_decay} per step, "
                      f"floor {cfg.lr_floor:g}"),
        ("minibatch", f"m = {cfg.m} data and {cfg.m} noise samples"),
    ]


def table(ours: ParzenResult, budget: str, ceilings: dict) -> list[Row]:
    """Table 1's rows (model, MNIST in the paper, MNIST in this book, TFD in the paper): the paper's
    rows, ours beside the adversarial nets' with its ``budget``, and the two ceilings of
    ``results.load("parzen_ceilings")`` (real training images and k-means centres as kernel centres)."""
    rows: list[Row] = [(model, mnist, "", tfd) for model, (mnist, tfd) in PAPER_ROWS.items()]
    mnist, tfd = PAPER_ROWS["Adversarial nets"]
    rows[-1] = ("**Adversarial nets**", f"**{mnist}**", f"**{ours.mean:.1f} ± {ours.se:.1f}** ({budget})",
                f"{tfd} (not reproduced)")
    real, km = ceilings["real"], ceilings["kmeans"]
    return rows + [
        ("10,000 real training images as centres", "", f"{real['mean']:.1f} ± {real['se']:.1f}", ""),
        ("10,000 k-means centres of the training set", "", f"{km['mean']:.1f} ± {km['se']:.1f}", ""),
    ]


def restart_marks(parts: list[dict]) -> dict[int, str]:
    """Epoch -> label of each place the run's random streams changed, for :func:`plotting.parzen_curve`:
    each warm restart of :func:`stretches` and each change of the step's random stream."""
    marks = {p["first"] - 1: f"restart {n}" for n, p in enumerate(parts[1:], 1)}
    return marks | {p["step_change"]["from_epoch"]: "new random stream" for p in parts if p["step_change"]}


def rule_table(rows: list[dict]) -> list[Row]:
    """The choices of :func:`rule_choices` as (rule, epoch, its score, test LL ± se) rows."""
    return [(RULE_NAMES[key], row["epoch"], f"{row[key]:.2f}", f"{row['test']:.2f} ± {row['se']:.2f}")
            for key, row in rule_choices(rows).items()]


# The runs of tools/compare_updates.py (results.load("update_rules")), as a table names them.
UPDATE_NAMES = {"simultaneous": "simultaneous, −log D(G(z))", "alternating": "alternating (Algorithm 1), −log D(G(z))",
                "minimax": "simultaneous, minimax"}


def update_rule_table(rules: dict) -> tuple[list[str], list[Row]]:
    """Columns and rows of the update-rule comparison: per scored epoch, each run's test LL ± se."""
    runs = rules["runs"]
    scored = {name: {r["epoch"]: r for r in runs[name]["curve"]} for name in UPDATE_NAMES}
    epochs = sorted(scored["simultaneous"])
    return ["epoch", *UPDATE_NAMES.values()], [
        (e, *(f"{scored[name][e]['test']:.1f} ± {scored[name][e]['se']:.1f}" for name in UPDATE_NAMES))
        for e in epochs]


@dataclass(frozen=True)
class Plateau:
    """Where a curve stands under a stopping rule: its best row by ``key`` and how old that is."""

    best: dict          # the row with the best validation score
    last_epoch: int     # the last epoch scored
    patience: int

    @property
    def stale(self) -> int:
        """Epochs scored since the best one."""
        return self.last_epoch - self.best["epoch"]

    @property
    def flattened(self) -> bool:
        """True once ``patience`` epochs have brought no better validation score: the run stops."""
        return self.stale >= self.patience


def plateau(rows: list[dict], key: str = "valid_all", patience: int = PATIENCE) -> Plateau:
    """The stopping rule applied to ``rows``: best row by validation score ``key``, and its age."""
    best = best_snapshot(rows, key)
    if best is None:
        raise ValueError(f"no row of the curve has the validation score {key!r}")
    return Plateau(best=best, last_epoch=max(r["epoch"] for r in rows), patience=patience)


def rise(rows: list[dict], key: str = "test", window: int = 50, lag: int = 100) -> float:
    """Mean ``key`` over the last ``window`` epochs scored minus its mean over the same window
    ``lag`` epochs earlier: how fast the curve still climbs (nats per ``lag`` epochs)."""
    end = max(r["epoch"] for r in rows)

    def mean(first: int, last: int) -> float:
        values = [r[key] for r in rows if first <= r["epoch"] <= last and key in r]
        if not values:
            raise ValueError(f"no {key!r} scored in epochs {first}-{last}")
        return sum(values) / len(values)

    return mean(end - window + 1, end) - mean(end - lag - window + 1, end - lag)


def rule_choices(rows: list[dict]) -> dict[str, dict]:
    """For each rule of :data:`~gan_src.snapshots.RULES`, the row it picks among the rows scored by
    every rule (so that all rules choose from the same snapshots)."""
    complete = [r for r in rows if all(key in r for key in RULES)]
    if not complete:
        raise ValueError("no row of the curve is scored by every rule")
    return {key: best_snapshot(complete, key) for key in RULES}


def seed_verdict(spread: float, gap: float, epoch: int, compared_at: int, lang: str = "en") -> str:
    """What a range of ``spread`` nats over seeds at ``epoch`` says about a ``gap`` to the paper,
    for a G chosen at epoch ``compared_at``: a small part of it, or enough to be one seed's luck.
    ``lang="zh"``: the same sentence for the Chinese edition."""
    small, unmeasured = spread < gap / 2, compared_at > epoch
    if lang == "zh":
        moved = f"到第 {epoch} 轮，换一个随机种子会使得分变化 {spread:.1f} nat"
        if small:
            return f"{moved}，只占 {gap:.1f} nat 差距的一小部分。" + (
                f"其他种子没有训练到第 {compared_at} 轮，那里的差异没有测量。" if unmeasured else "")
        return f"{moved}，达到 {gap:.1f} nat 差距的一半或更多：差距的一部分可能只是一个种子的运气。"
    moved = f"By epoch {epoch} another seed moves the score by {spread:.1f} nats"
    if small:
        return f"{moved}, a small part of the {gap:.1f}-nat gap." + (
            f" The other seeds were not trained to epoch {compared_at}, so their spread there is not measured."
            if unmeasured else "")
    return f"{moved}, as much as half the {gap:.1f}-nat gap or more: part of the gap may be one seed's luck."


def stretches(record: dict) -> list[dict]:
    """The stretches of training behind a shipped MNIST G, oldest first, from its provenance record.

    A run continued from a shipped G and D (``tools/warm_start_mnist.py``) records the shipment it
    continues under ``continues``, which may itself continue an older one. Each stretch: ``first``
    and ``last`` epoch of the run's counter, ``G_epoch`` (the snapshot carried on, or shipped),
    ``command``, ``train_seconds`` (up to ``G_epoch``), and its ``warm_start`` / ``step_change`` where
    it has them. ``G_updates`` sums the epochs of training that the shipped G has actually had.
    """
    chain, node = [], record
    while node is not None:
        chain.append(node)
        node = node.get("continues")
    out, last = [], record.get("discriminator_epoch", record["config"]["epochs"])  # the run's last epoch used
    for node in chain:  # newest first
        start = node.get("warm_start")
        g_epoch = node.get("G_epoch", node.get("epochs"))
        out.append({"first": start["epoch"] + 1 if start else 1, "last": last, "G_epoch": g_epoch,
                    "command": node["command"], "train_seconds": node["train_seconds"],
                    "warm_start": start, "step_change": node.get("step_change")})
        if start:
            last = start["epoch"]  # the older stretch ran until the epoch this one starts from
    return out[::-1]


def generator_epochs(record: dict) -> int:
    """Epochs of training the shipped G has had: each stretch's epochs up to the G it carried on."""
    return sum(s["G_epoch"] - s["first"] + 1 for s in stretches(record))


def budget(record: dict, width: int = 78) -> str:
    """What the shipped G cost, from its provenance record, as labelled lines wrapped at ``width``:
    each stretch of training (:func:`stretches`) with its command, the total epochs, seed, hours and
    machine, and the command that recreates it."""
    def line(label: str, text: str) -> str:
        return textwrap.fill(text, width, initial_indent=f"{label:<10}", subsequent_indent=" " * 10,
                             break_on_hyphens=False)

    lines = [line(f"part {n}:", f"epochs {p['first']}-{p['last']}: {p['command']}")
             for n, p in enumerate(stretches(record), 1)]
    hours = (record["train_seconds"] + record["train_seconds_before"]) / 3600
    lines.append(line("budget:", f"G trained {generator_epochs(record)} epochs in all (m = {record['config']['m']}), "
                                 f"seed {record['seed']}, {hours:.1f} h on {record['machine']}; the shipped G is "
                                 f"epoch {record['epochs']}"))
    return "\n".join([*lines, line("recreate:", record["recreate"])])


def curve_verdict(state: Plateau, climb: float, lang: str = "en") -> str:
    """One sentence on where the curve stands: flattened (the run stopped by its rule) or still
    climbing, with ``climb`` = :func:`rise` of its test scores. ``lang="zh"``: the same in Chinese."""
    if lang == "zh":
        trend = f"最后 50 轮评分的测试值均值比 100 轮之前变化 {climb:+.1f} nat"
        if state.flattened:
            return (f"曲线已经走平：运行在第 {state.last_epoch} 轮按规则停止，距最佳验证得分已过 {state.stale} 轮，"
                    f"{trend}。")
        return (f"曲线还没有走平：最佳验证得分已是 {state.stale} 轮之前（满 {state.patience} 轮才停止），{trend}；"
                "运行仍在继续，后面的快照在验证集上得分更高时，就替换发布的 $G$。")
    if state.flattened:
        return (f"The curve has flattened: the run stopped at epoch {state.last_epoch}, {state.stale} epochs "
                f"after its best validation score, and over its last 50 epochs scored the test values average "
                f"{climb:+.1f} nats against 100 epochs earlier.")
    return (f"The curve has not flattened yet: the best validation score is {state.stale} epochs old "
            f"(the run stops at {state.patience}), and over the last 50 epochs scored the test values average "
            f"{climb:+.1f} nats against 100 epochs earlier; the run goes on, and the shipped $G$ is replaced "
            "when a later snapshot scores better on validation.")
