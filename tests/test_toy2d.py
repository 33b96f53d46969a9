"""The 2-D mixture GAN (gan_src.toy2d): it learns the ring's scale, runs Algorithm 1's loop, repeats exactly;
many runs batched together are the single runs."""

import pytest
import torch

from gan_src.toy2d import Toy2DConfig, evaluate, sample_g, train_toy2d, train_toy2d_many


@pytest.fixture(scope="module")
def run():
    return train_toy2d(Toy2DConfig(mixture="ring", iterations=400, snapshot_every=100, seed=0))


def test_samples_move_from_the_origin_onto_the_ring(run):
    """Measured after 400 iterations, seeds 0-3: mean radius 0.93-1.04 (ring radius 1); G starts near 0."""
    assert run.snapshots[0].norm(dim=1).mean().item() < 0.5
    radius = sample_g(run).norm(dim=1)
    assert radius.mean().item() == pytest.approx(1.0, abs=0.15)


def test_snapshots_and_losses_are_recorded(run):
    cfg = run.config
    assert sorted(run.snapshots) == [0, 100, 200, 300, 400]
    assert all(s.shape == (cfg.n_snapshot, 2) for s in run.snapshots.values())
    assert len(run.d_losses) == len(run.g_losses) == cfg.iterations
    report = evaluate(run)
    assert 0 <= report.modes_covered <= 8 and 0.0 <= report.high_quality <= 1.0


def test_same_seed_same_run_other_seed_differs():
    cfg = Toy2DConfig(mixture="grid", iterations=30, snapshot_every=10, k=2, g_steps=2, lr_D=2e-3)
    a, b = train_toy2d(cfg), train_toy2d(cfg)
    c = train_toy2d(Toy2DConfig(mixture="grid", iterations=30, snapshot_every=10, k=2, g_steps=2, lr_D=2e-3, seed=1))
    assert a.d_losses == b.d_losses and a.g_losses == b.g_losses
    assert torch.equal(sample_g(a), sample_g(b))
    assert not torch.equal(sample_g(a), sample_g(c))


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="mixture"):
        Toy2DConfig(mixture="spiral")
    with pytest.raises(ValueError, match="k, g_steps"):
        Toy2DConfig(k=0)


def test_batched_runs_are_the_single_runs():
    """Runs differing in everything train_toy2d_many lets differ: same weights and losses as one by one."""
    common = dict(iterations=4, snapshot_every=2, n_snapshot=50, hidden=16, m=32)
    cfgs = [Toy2DConfig(mixture="ring", seed=0, **common),
            Toy2DConfig(mixture="grid", seed=1, k=3, lr_D=3e-3, **common),
            Toy2DConfig(mixture="ring", seed=2, g_steps=2, lr_G=2e-4, **common)]
    for cfg, batched in zip(cfgs, train_toy2d_many(cfgs)):
        single = train_toy2d(cfg)
        assert batched.config == cfg
        assert sorted(batched.snapshots) == sorted(single.snapshots) == [0, 2, 4]
        for player_b, player_s in ((batched.G, single.G), (batched.D, single.D)):
            for p_b, p_s in zip(player_b.parameters(), player_s.parameters()):
                assert torch.allclose(p_b, p_s, atol=1e-5)
        assert torch.allclose(batched.snapshots[4], single.snapshots[4], atol=1e-5)
        assert batched.d_losses == pytest.approx(single.d_losses, abs=1e-5)
        assert batched.g_losses == pytest.approx(single.g_losses, abs=1e-5)


def test_batched_runs_must_share_their_shapes():
    with pytest.raises(ValueError, match="hidden"):
        train_toy2d_many([Toy2DConfig(iterations=2), Toy2DConfig(iterations=2, hidden=16)])
