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
