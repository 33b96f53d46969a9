"""The 1-D GAN of Figure 1 (gan_src.toy1d): it learns p_data, and its snapshots are what Figure 1 draws."""

import pytest
import torch

from gan_src.toy1d import Toy1DConfig, inner_loop, kde, normal_density, sample_g, train_toy1d


@pytest.fixture(scope="module")
def run():
    return train_toy1d(Toy1DConfig(seed=0))


def test_p_g_approaches_p_data(run):
    """Measured for seeds 0-3: means 3.92-4.00, stds 0.47-0.52 (p_data = N(4, 0.5^2)); G starts near x = 0."""
    first = run.snapshots[0].x_of_z
    assert abs(first.mean().item()) < 1.0
    x = sample_g(run, 20_000, seed=1)
    assert x.mean().item() == pytest.approx(4.0, abs=0.2)
    assert x.std().item() == pytest.approx(0.5, abs=0.12)


def test_D_is_near_one_half_where_p_data_has_mass(run):
    """Theorem 1's end point D = 1/2; measured on |x - 4| < 0.5: 0.42-0.52 at the end of the seed-0 run."""
    last = run.snapshots[-1]
    mass = (run.x - 4.0).abs() < 0.5
    assert last.D[mass].sub(0.5).abs().max().item() < 0.15
    start = run.snapshots[1]  # after the first recorded D steps D still separates: far from 1/2 somewhere
    assert start.D[mass].sub(0.5).abs().max().item() > last.D[mass].sub(0.5).abs().max().item()


def test_snapshots_have_the_right_shapes_and_order(run):
    cfg = run.config
    n_grid = cfg.grid[2]
    assert run.snapshots[0].phase == "start"
    phases = [s.phase for s in run.snapshots[1:]]
    assert phases == ["after_D", "after_G"] * (cfg.iterations // cfg.snapshot_every)
    for s in run.snapshots:
        assert s.D.shape == s.p_g.shape == (n_grid,)
        assert s.x_of_z.shape == (cfg.n_mapped,)
        assert ((s.D >= 0) & (s.D <= 1)).all()
        # the KDE is a density: it integrates to ~1 over the grid when p_g lies inside it
    dx = (run.x[1] - run.x[0]).item()
    assert (run.snapshots[-1].p_g.sum() * dx).item() == pytest.approx(1.0, abs=0.02)
    assert (run.p_data.sum() * dx).item() == pytest.approx(1.0, abs=1e-3)
    assert len(run.d_losses) == len(run.g_losses) == cfg.iterations


def test_kde_of_gaussian_samples_matches_the_density():
    samples = 4.0 + 0.5 * torch.randn(20_000, generator=torch.Generator().manual_seed(0))
    x = torch.linspace(2, 6, 81)
    assert kde(samples, x, 0.05).sub(normal_density(x, 4.0, 0.5)).abs().max().item() < 0.05


def test_same_seed_same_run_and_other_seed_differs():
    cfg = Toy1DConfig(iterations=60, snapshot_every=20)
    a, b, c = train_toy1d(cfg), train_toy1d(cfg), train_toy1d(Toy1DConfig(iterations=60, snapshot_every=20, seed=1))
    assert a.d_losses == b.d_losses and a.g_losses == b.g_losses
    assert all(torch.equal(s.x_of_z, t.x_of_z) and torch.equal(s.D, t.D) for s, t in zip(a.snapshots, b.snapshots))
    assert not torch.equal(a.snapshots[-1].x_of_z, c.snapshots[-1].x_of_z)


def test_inner_loop_moves_D_then_G_and_leaves_the_run_alone(run):
    start = run.snapshots[16]
    before = [p.clone() for p in run.G.parameters()]
    after_D, after_G = inner_loop(run, start, d_steps=20, g_steps=3)
    assert torch.equal(after_D.x_of_z, start.x_of_z)  # G fixed while D learns
    assert not torch.equal(after_D.D, start.D)
    assert torch.equal(after_G.D, after_D.D)  # D fixed while G learns
    assert not torch.equal(after_G.x_of_z, after_D.x_of_z)
    assert all(torch.equal(p, q) for p, q in zip(before, run.G.parameters()))
