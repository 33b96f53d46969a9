import math

import pytest
import torch

from gan_src.smoothing import (f, f_smoothed_gradient, gauss_hermite, gradient,
                               smoothed_gradient_monte_carlo, smoothed_gradient_quadrature)

X0 = torch.tensor([0.7, -1.2], dtype=torch.float64)


def test_gradient_of_f_by_hand():
    x1, x2 = 0.7, -1.2
    by_hand = [math.cos(x1) * x2**2 + math.exp(x1 / 2) * x2 / 2, 2 * math.sin(x1) * x2 + math.exp(x1 / 2)]
    assert gradient(f, X0).tolist() == pytest.approx(by_hand, abs=1e-14)


def test_gauss_hermite_gives_the_standard_normal_moments():
    t, w = gauss_hermite(10)
    moments = [float((w * t**k).sum()) for k in range(8)]
    assert moments == pytest.approx([1, 0, 1, 0, 3, 0, 15, 0], abs=1e-12)


@pytest.mark.parametrize("sigma", [1.0, 0.3, 0.01])
def test_quadrature_matches_the_closed_form(sigma):
    assert torch.allclose(smoothed_gradient_quadrature(f, X0, sigma), f_smoothed_gradient(X0, sigma),
                          rtol=0, atol=1e-12)


def test_closed_form_tends_to_the_gradient_like_sigma_squared():
    """Section 2's identity, and the heat-equation rate of the chapter's exercise."""
    errors = [float((f_smoothed_gradient(X0, s) - gradient(f, X0)).norm()) for s in (0.1, 0.01)]
    assert errors[1] < 1e-3
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.01)


def test_quadrature_in_three_dimensions():
    """E (x1 + e1)^2 (x2 + e2) exp(x3 + e3) = (x1^2 + s^2) x2 exp(x3 + s^2 / 2)."""
    def g(x):
        return x[..., 0] ** 2 * x[..., 1] * torch.exp(x[..., 2])

    x, s = torch.tensor([0.5, -2.0, 0.3], dtype=torch.float64), 0.4
    e = math.exp(0.3 + s**2 / 2)
    exact = [2 * 0.5 * -2.0 * e, (0.25 + s**2) * e, (0.25 + s**2) * -2.0 * e]
    assert smoothed_gradient_quadrature(g, x, s, nodes=20).tolist() == pytest.approx(exact, abs=1e-12)


def test_monte_carlo_is_seeded_and_within_its_sampling_error():
    a = smoothed_gradient_monte_carlo(f, X0, 0.5, 200_000, seed=3)
    assert torch.equal(a, smoothed_gradient_monte_carlo(f, X0, 0.5, 200_000, seed=3))
    assert not torch.equal(a, smoothed_gradient_monte_carlo(f, X0, 0.5, 200_000, seed=4))
    assert float((a - f_smoothed_gradient(X0, 0.5)).norm()) < 0.02
