from gan_src.snapshots import seed_spread


def test_seed_spread_is_the_range_over_seeds_at_epochs_all_scored():
    curves = {0: [{"epoch": e, "test": 100.0 + e} for e in range(5, 151, 5)],  # every 5 epochs
              1: [{"epoch": e, "test": 90.0 + e} for e in range(10, 151, 10)],
              2: [{"epoch": e, "test": 104.0 + e} for e in range(10, 141, 10)]}  # stopped at 140
    spread = seed_spread(curves, first=50)
    assert list(spread) == list(range(50, 141, 10))  # shared epochs from 50 on; 150 is not shared
    assert set(spread.values()) == {14.0}  # seed 2 - seed 1, not seed 0 - seed 1
    assert seed_spread(curves, first=0)[10] == 14.0

