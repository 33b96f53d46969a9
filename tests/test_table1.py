import pytest

from gan_src.table1 import plateau, rise, rule_choices, seed_verdict


def row(epoch, valid, valid_all=None, monitor=None, test=0.0):
    r = {"epoch": epoch, "valid": valid, "test": test, "se": 2.0}
    if valid_all is not None:
        r |= {"valid_all": valid_all, "valid_gen_ll": monitor}
    return r


def test_plateau_counts_epochs_since_the_best_validation_score():
    rows = [row(e, 0.0, valid_all=100.0 + (e if e <= 400 else 400 - e), monitor=0.0) for e in range(10, 801, 10)]
    p = plateau(rows, patience=300)
    assert (p.best["epoch"], p.last_epoch, p.stale, p.flattened) == (400, 800, 400, True)
    assert not plateau(rows[:60], patience=300).flattened  # to epoch 600: best 400, 200 epochs old
    assert plateau(rows[:70], patience=300).flattened  # epoch 700: exactly 300
    with pytest.raises(ValueError, match="valid_all"):
        plateau([row(10, 1.0)])


def test_rise_compares_the_last_window_with_the_same_window_lag_epochs_earlier():
    rows = [row(e, 0.0, test=2.0 * e) for e in range(10, 301, 10)]  # +2 nats per epoch
    assert rise(rows, window=50, lag=100) == pytest.approx(200.0)
    flat = [row(e, 0.0, test=5.0) for e in range(10, 301, 10)]
    assert rise(flat) == 0.0
    with pytest.raises(ValueError, match="no 'test' scored"):
        rise(rows[-3:])


def test_each_rule_chooses_among_the_same_fully_scored_snapshots():
    rows = [row(840, 260.0),  # the best 'valid' of all, but not scored by the other rules
            row(1000, 202.0, 210.2, -62.0, test=207.4), row(1010, 204.5, 210.9, -60.1, test=208.5),
            row(1020, 202.1, 209.9, -61.2, test=208.5), row(1030, 201.0, 209.0, -58.0, test=212.0)]
    chosen = rule_choices(rows)
    assert {k: r["epoch"] for k, r in chosen.items()} == {"valid": 1010, "valid_all": 1010, "valid_gen_ll": 1030}
    with pytest.raises(ValueError, match="every rule"):
        rule_choices(rows[:1])


def test_seed_verdict_says_which_side_of_half_the_gap_the_spread_is():
    small = seed_verdict(5.2, 18.4, epoch=150, compared_at=840)
    assert "a small part of the 18.4-nat gap" in small and "not trained to epoch 840" in small
    assert "not trained" not in seed_verdict(5.2, 18.4, epoch=150, compared_at=150)
    assert "one seed's luck" in seed_verdict(9.3, 18.4, epoch=150, compared_at=840)
    zh = seed_verdict(5.2, 18.4, epoch=150, compared_at=840, lang="zh")
    assert "一小部分" in zh and "第 840 轮" in zh and "5.2 nat" in zh
    assert "运气" in seed_verdict(9.3, 18.4, epoch=150, compared_at=840, lang="zh")


def test_stretches_follow_a_shipped_G_back_through_its_warm_starts():
    from gan_src.table1 import generator_epochs, stretches

    first = {"G_epoch": 500, "train_seconds": 100.0, "command": "train"}  # from scratch, stopped at 515
    second = {"G_epoch": 840, "D_epoch": 990, "train_seconds": 200.0, "command": "warm 1",
              "continues": first, "warm_start": {"epoch": 515}, "step_change": {"from_epoch": 661}}
    record = {"config": {"epochs": 1120}, "discriminator_epoch": 1117, "epochs": 1090, "command": "warm 2",
              "train_seconds": 30.0, "warm_start": {"epoch": 990}, "continues": second}
    parts = stretches(record)
    assert [(s["first"], s["last"], s["G_epoch"], s["command"]) for s in parts] == [
        (1, 515, 500, "train"), (516, 990, 840, "warm 1"), (991, 1117, 1090, "warm 2")]
    assert [s["step_change"] for s in parts] == [None, {"from_epoch": 661}, None]
    assert parts[0]["warm_start"] is None and parts[2]["warm_start"] == {"epoch": 990}
    assert generator_epochs(record) == 500 + (840 - 515) + (1090 - 990)
    assert stretches(first | {"config": {"epochs": 515}, "epochs": 500}) == [
        {"first": 1, "last": 515, "G_epoch": 500, "command": "train", "train_seconds": 100.0,
         "warm_start": None, "step_change": None}]


def test_the_shipped_mnist_record_is_a_chain_of_stretches_ending_at_its_G():
    from gan_src import pretrained
    from gan_src.table1 import stretches

    record = pretrained.provenance("mnist")
    parts = stretches(record)
    assert parts[0]["first"] == 1 and parts[-1]["G_epoch"] == record["epochs"]
    assert all(a["last"] + 1 == b["first"] for a, b in zip(parts, parts[1:]))  # no gap, no overlap


def test_curve_verdict_says_flattened_only_when_the_rule_stopped_the_run():
    from gan_src.table1 import Plateau, curve_verdict

    best = {"epoch": 1100}
    assert curve_verdict(Plateau(best, 1400, 300), 1.5).startswith("The curve has flattened: the run stopped at "
                                                                   "epoch 1400, 300 epochs")
    going = curve_verdict(Plateau(best, 1150, 300), 4.25)
    assert going.startswith("The curve has not flattened yet") and "+4.2 nats" in going and "50 epochs old" in going
    assert curve_verdict(Plateau(best, 1400, 300), 1.5, lang="zh").startswith("曲线已经走平：运行在第 1400 轮")
    going = curve_verdict(Plateau(best, 1150, 300), 4.25, lang="zh")
    assert going.startswith("曲线还没有走平") and "+4.2 nat" in going and "50 轮之前" in going


def test_setting_reads_the_networks_and_optimiser_from_the_code():
    import torch

    from gan_src.data.mnist import MNISTSplits
    from gan_src.table1 import setting
    from gan_src.train import TrainConfig

    empty = torch.zeros(0)
    splits = MNISTSplits(torch.zeros(7, 784), torch.zeros(3, 784), torch.zeros(2, 784), empty, empty, empty)
    rows = dict(setting(TrainConfig(update="alternating", k=3, m=64, lr=0.05), splits))
    assert rows["data"].endswith("train 7, validation 3, test 2")
    assert "Linear(100→1200) → ReLU" in rows["G"] and "2,503,984 parameters" in rows["G"]
    assert rows["D"].startswith("Dropout(p=0.2) → Maxout(240×5)") and "1,231,441 parameters" in rows["D"]
    assert "k = 3" in rows["update"] and "m = 64 data and 64 noise" in rows["minibatch"]
    assert "lr 0.05 divided by" in rows["optimiser"]


def test_table_puts_ours_beside_the_papers_adversarial_nets_and_adds_the_ceilings():
    from gan_src.parzen import ParzenResult
    from gan_src.table1 import PAPER_ROWS, table

    ours = ParzenResult(sigma=0.17, sigmas=(0.17,), curve=(1.0,), mean=215.41, se=2.28, n_test=10)
    ceilings = {"real": {"mean": 240.04, "se": 2.1}, "kmeans": {"mean": 299.99, "se": 1.9}}
    rows = table(ours, "1175 epochs, seed 0", ceilings)
    assert [r[0] for r in rows[:3]] == ["DBN", "Stacked CAE", "Deep GSN"]
    assert rows[3] == ("**Adversarial nets**", "**225 ± 2**", "**215.4 ± 2.3** (1175 epochs, seed 0)",
                       "2057 ± 26 (not reproduced)")
    assert [r[2] for r in rows[4:]] == ["240.0 ± 2.1", "300.0 ± 1.9"]
    assert len(rows) == len(PAPER_ROWS) + 2


def test_restart_marks_label_each_warm_start_and_stream_change():
    from gan_src.table1 import restart_marks

    parts = [{"first": 1, "step_change": None}, {"first": 516, "step_change": {"from_epoch": 661}},
             {"first": 991, "step_change": None}]
    assert restart_marks(parts) == {515: "restart 1", 661: "new random stream", 990: "restart 2"}
    assert restart_marks(parts[:1]) == {}


def test_rule_table_reports_each_rules_epoch_its_score_and_the_test_score():
    from gan_src.table1 import rule_table

    rows = [row(1000, 202.0, 210.2, -62.0, test=207.4), row(1010, 204.5, 210.9, -60.1, test=208.5),
            row(1030, 201.0, 209.0, -58.0, test=212.0)]
    assert rule_table(rows) == [("first 1,000 validation images", 1010, "204.50", "208.50 ± 2.00"),
                                ("all 10,000 validation images", 1010, "210.90", "208.50 ± 2.00"),
                                ("the authors' monitor", 1030, "-58.00", "212.00 ± 2.00")]


def test_update_rule_table_has_one_row_per_scored_epoch_and_a_column_per_rule():
    from gan_src.table1 import UPDATE_NAMES, update_rule_table

    def run(offset):
        return {"curve": [{"epoch": e, "test": e + offset, "se": 1.0} for e in (5, 10)]}

    rules = {"runs": {"alternating": run(0.5), "minimax": run(-100), "simultaneous": run(0)}}
    columns, rows = update_rule_table(rules)
    assert columns == ["epoch", *UPDATE_NAMES.values()] and columns[1].startswith("simultaneous")
    assert rows == [(5, "5.0 ± 1.0", "5.5 ± 1.0", "-95.0 ± 1.0"), (10, "10.0 ± 1.0", "10.5 ± 1.0", "-90.0 ± 1.0")]


def test_budget_lists_each_stretch_the_total_and_the_recreating_command():
    from gan_src.table1 import budget

    record = {"config": {"epochs": 990, "m": 100}, "epochs": 840, "command": "warm 1", "train_seconds": 5400.0,
              "train_seconds_before": 1800.0, "seed": 0, "machine": "a CPU", "recreate": "python x.py",
              "warm_start": {"epoch": 515},
              "continues": {"G_epoch": 500, "train_seconds": 1800.0, "command": "train from scratch"}}
    lines = budget(record, width=200).splitlines()
    assert lines == ["part 1:   epochs 1-515: train from scratch", "part 2:   epochs 516-990: warm 1",
                     "budget:   G trained 825 epochs in all (m = 100), seed 0, 2.0 h on a CPU; the shipped G is "
                     "epoch 840", "recreate: python x.py"]
    assert all(len(line) <= 40 for line in budget(record, width=40).splitlines())
