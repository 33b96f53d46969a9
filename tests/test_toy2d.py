"""The 2-D mixture GAN (gan_src.toy2d): it learns the ring's scale, runs Algorithm 1's loop, repeats exactly."""

import pytest
import torch

from gan_src.toy2d import Toy2DConfig, evaluate, sample_g, train_toy2d


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
