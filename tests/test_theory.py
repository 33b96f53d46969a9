import math

import numpy as np
import pytest
import torch

from gan_src.divergences import grid, js_divergence, mixture_pdf, normal_pdf
from gan_src.theory import (THEOREM1_LABELS, criterion_gradient, functional_gradient_descent, gaussian_criteria,
                            optimal_discriminator,
                            theorem1_column, theorem1_rows, train_discriminator, value_from_logits, value_on_grid,
                            virtual_training_criterion)


def random_density(rng: np.random.Generator, n: int, dx: float) -> np.ndarray:
    p = rng.random(n) ** 2
    return p / (p.sum() * dx)


def test_criterion_equals_minus_log_4_plus_twice_jsd():
    """Theorem 1, Eq. (6), on random tabulated densities."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        dx = 0.1
        p_data, p_g = random_density(rng, 200, dx), random_density(rng, 200, dx)
        lhs = virtual_training_criterion(p_data, p_g, dx)
        assert lhs == pytest.approx(-math.log(4) + 2 * js_divergence(p_data, p_g, dx), abs=1e-9)
        assert lhs > -math.log(4)


def test_criterion_is_finite_in_the_tails_of_gaussians():
    x, dx = grid(-12, 12, 2401)
    p_data, p_g = normal_pdf(x, 0, 1), normal_pdf(x, 1.5, 0.7)
    assert virtual_training_criterion(p_data, p_g, dx) == pytest.approx(
        -math.log(4) + 2 * js_divergence(p_data, p_g, dx), abs=1e-9)


def test_optimal_discriminator_is_one_half_where_p_g_equals_p_data():
    x, dx = grid(-8, 8, 801)
    p = normal_pdf(x)
    assert np.all(optimal_discriminator(p, p) == 0.5)
    assert virtual_training_criterion(p, p, dx) == pytest.approx(-math.log(4), abs=1e-12)
    q = p * np.where(x > 1, 0.3, 1.0) * np.where(x < -2, 2.0, 1.0)  # equal to p on [-2, 1] only
    D = optimal_discriminator(p, q)
    equal = (x >= -2) & (x <= 1)
    assert np.all(D[equal] == 0.5)
    assert np.all(D[x > 1] > 0.5) and np.all(D[x < -2] < 0.5)


def test_optimal_discriminator_maximises_v():
    """Proposition 1: no other D does better than D*_G."""
    rng = np.random.default_rng(1)
    dx = 0.1
    p_data, p_g = random_density(rng, 100, dx), random_density(rng, 100, dx)
    D_star = optimal_discriminator(p_data, p_g)
    best = value_on_grid(p_data, p_g, D_star, dx)
    assert best == pytest.approx(virtual_training_criterion(p_data, p_g, dx), abs=1e-12)
    for _ in range(50):
        D = np.clip(D_star + 0.05 * rng.standard_normal(100), 1e-6, 1 - 1e-6)
        assert value_on_grid(p_data, p_g, D, dx) < best


def test_value_from_logits_agrees_and_stays_finite():
    x, dx = grid(-8, 8, 801)
    p_data, p_g = normal_pdf(x, 0, 1), normal_pdf(x, 1.5, 0.7)
    logits = np.log(p_data) - np.log(p_g)  # the logit of D*_G
    assert value_from_logits(p_data, p_g, logits, dx) == pytest.approx(
        virtual_training_criterion(p_data, p_g, dx), abs=1e-9)
    assert value_on_grid(p_data, p_g, optimal_discriminator(p_data, p_g), dx) == -math.inf  # why logits are needed
    saturated = np.where(x < 0, 50.0, -50.0)  # sigmoid rounds to 1 and 0: log(1 - D) = -inf on a grid of D
    assert math.isfinite(value_from_logits(p_data, p_g, saturated, dx))


def test_criterion_gradient_is_the_derivative_of_c():
    """Proof of Proposition 2: dC/dp_g(x) = log(1 - D*_G(x)) (envelope theorem), checked by autograd."""
    rng = np.random.default_rng(2)
    dx = 0.1
    p_data, p_g = random_density(rng, 30, dx), random_density(rng, 30, dx)
    pd, pg = torch.tensor(p_data), torch.tensor(p_g, requires_grad=True)
    c = ((pd * torch.log(pd / (pd + pg)) + pg * torch.log(pg / (pd + pg))).sum() * dx)
    c.backward()
    assert np.allclose(pg.grad.numpy() / dx, criterion_gradient(p_data, p_g), atol=1e-12)


def test_functional_gradient_descent_drives_jsd_to_zero_monotonically():
    """Proposition 2: with D = D*_G at every step, descent on C takes p_g to p_data."""
    x, dx = grid(-10, 10, 1001)
    p_data = mixture_pdf(x, [-2.0, 1.5], [0.6, 0.8], [0.4, 0.6])
    run = functional_gradient_descent(p_data, normal_pdf(x, 4.0, 0.5), dx, steps=40, lr=0.5, snapshot_at=(0, 40))
    jsd = np.array(run.jsd)
    assert jsd[0] > 0.5
    assert np.all(np.diff(jsd) <= 1e-15)
    assert jsd[-1] < 1e-6
    assert np.allclose(run.criterion, -math.log(4) + 2 * jsd, atol=1e-9)
    assert run.snapshots[40].sum() * dx == pytest.approx(1.0, abs=1e-12)


def test_step_with_lr_one_is_the_midpoint():
    x, dx = grid(-10, 10, 501)
    p_data, p_g = normal_pdf(x, 0, 1), normal_pdf(x, 2, 1)
    run = functional_gradient_descent(p_data, p_g, dx, steps=1, lr=1.0)
    assert run.jsd[1] == pytest.approx(js_divergence(p_data, 0.5 * (p_data + p_g), dx), abs=1e-12)


def test_trained_discriminator_approaches_the_optimal_one():
    """Proposition 1 with Algorithm 1's loss: D trained against fixed samples approaches Eq. (2)."""
    g = torch.Generator().manual_seed(0)
    x_data, x_g = torch.randn(2000, generator=g), 1.5 + 0.7 * torch.randn(2000, generator=g)
    x = torch.linspace(-4, 5, 91)
    logits = train_discriminator(x_data, x_g, x, steps=300, lr=3e-2, seed=0)
    D = torch.sigmoid(logits).numpy()
    xs = x.double().numpy()
    p_data, p_g = normal_pdf(xs, 0, 1), normal_pdf(xs, 1.5, 0.7)
    region = p_data + p_g > 0.05
    error = np.abs(D - optimal_discriminator(p_data, p_g))[region].max()
    assert error < 0.1  # measured 0.061 here (seeds 0-3: 0.02-0.06); D = 1/2 everywhere would be off by 0.5


def test_theorem1_column_for_a_pair_with_partial_overlap():
    """p_data = (1/2, 1/2, 0), p_g = (0, 1/2, 1/2): M = (1/4, 1/2, 1/4), JSD = log 2 / 2, C(G) = -log 2."""
    column = theorem1_column([0.5, 0.5, 0.0], [0.0, 0.5, 0.5])
    assert column == ["0.5, 0.5, 0", "0, 0.5, 0.5", "∞", "∞", f"{math.log(2) / 2:.4f}",
                      f"{-math.log(2):.4f}", f"{-math.log(2):.4f}"]
    assert len(column) == len(THEOREM1_LABELS)


def test_theorem1_rows_put_each_pair_in_a_column_and_check_eq_6():
    rng = np.random.default_rng(1)
    pairs = {name: (random_density(rng, 5, 1.0), random_density(rng, 5, 1.0)) for name in "ab"}
    pairs["equal"] = ([0.2, 0.8], [0.2, 0.8])
    rows = theorem1_rows(pairs)
    assert [row[0] for row in rows] == list(THEOREM1_LABELS)
    assert all(len(row) == 4 for row in rows)
    assert rows[5][1:] == rows[6][1:]  # C(G) from Eq. (4) = -log 4 + 2 JSD, Eq. (6)
    assert [row[3] for row in rows[2:]] == ["0.0000", "0.0000", "0.0000", f"{-math.log(4):.4f}",
                                           f"{-math.log(4):.4f}"]
    p_data, p_g = pairs["b"]
    assert rows[2][2] == f"{np.sum(p_data * np.log(p_data / p_g)):.4f}"  # KL(p_data || p_g)
    assert rows[3][2] == f"{np.sum(p_g * np.log(p_g / p_data)):.4f}"  # and its reverse


def test_gaussian_criteria_tabulate_c_and_jsd_by_sigma_then_mu():
    x, dx = grid(-15, 15, 3001)
    p_data = normal_pdf(x, 0.0, 1.0)
    mus, sigmas = np.array([-1.0, 0.0, 0.5]), np.array([0.5, 1.0])
    C, jsd = gaussian_criteria(p_data, x, dx, mus, sigmas)
    assert C.shape == jsd.shape == (2, 3)
    assert C[0, 2] == virtual_training_criterion(p_data, normal_pdf(x, 0.5, 0.5), dx)
    assert jsd[1, 0] == js_divergence(p_data, normal_pdf(x, -1.0, 1.0), dx)
    np.testing.assert_allclose(C, -math.log(4) + 2 * jsd, atol=1e-9)  # Theorem 1, Eq. (6)
    assert np.unravel_index(C.argmin(), C.shape) == (1, 1)  # at p_g = p_data = N(0, 1)
    assert C[1, 1] == pytest.approx(-math.log(4), abs=1e-9) and jsd[1, 1] == pytest.approx(0, abs=1e-12)
