import math

import numpy as np
import pytest

from gan_src.divergences import (entropy, grid, js_divergence, kl_divergence, kl_normal, mixture_pdf, normal_entropy,
                                 normal_pdf)


def random_distribution(rng: np.random.Generator, n: int = 50) -> np.ndarray:
    p = rng.random(n) ** 3  # skewed, some entries near 0
    return p / p.sum()


def test_jsd_is_symmetric_and_zero_only_for_equal_distributions():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p, q = random_distribution(rng), random_distribution(rng)
        assert js_divergence(p, q) == pytest.approx(js_divergence(q, p), abs=1e-15)
        assert js_divergence(p, q) > 1e-6
        assert js_divergence(p, p) == pytest.approx(0.0, abs=1e-15)


def test_jsd_is_at_most_log_2_with_equality_for_disjoint_supports():
    rng = np.random.default_rng(1)
    for _ in range(20):
        assert js_divergence(random_distribution(rng), random_distribution(rng)) < math.log(2)
    p = np.array([0.5, 0.5, 0.0, 0.0])
    q = np.array([0.0, 0.0, 0.25, 0.75])
    assert js_divergence(p, q) == pytest.approx(math.log(2), abs=1e-15)
    # densities on a grid with (numerically) disjoint supports
    x, dx = grid(-20, 20, 4001)
    assert js_divergence(normal_pdf(x, -10, 0.5), normal_pdf(x, 10, 0.5), dx) == pytest.approx(math.log(2), abs=1e-9)


def test_kl_is_asymmetric_nonnegative_and_infinite_off_support():
    p, q = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    assert kl_divergence(p, q) == pytest.approx(0.9 * math.log(1.8) + 0.1 * math.log(0.2))
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p))
    assert kl_divergence(p, p) == 0.0
    assert kl_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == math.inf
    # 0 log 0 = 0: mass of q where p has none costs nothing
    assert kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])) == pytest.approx(math.log(2))


@pytest.mark.parametrize("mp,sp,mq,sq", [(0.0, 1.0, 1.5, 0.7), (1.5, 0.7, 0.0, 1.0), (-1.0, 2.0, 0.5, 1.5)])
def test_kl_on_a_fine_grid_matches_the_gaussian_closed_form(mp, sp, mq, sq):
    x, dx = grid(-15, 15, 6001)  # wider and the narrow density underflows to 0 in float64: KL = inf
    numeric = kl_divergence(normal_pdf(x, mp, sp), normal_pdf(x, mq, sq), dx)
    assert numeric == pytest.approx(kl_normal(mp, sp, mq, sq), abs=1e-6)


def test_entropy_matches_closed_forms():
    x, dx = grid(-30, 30, 12001)
    assert entropy(normal_pdf(x, 0.3, 1.7), dx) == pytest.approx(normal_entropy(1.7), abs=1e-6)
    assert entropy(np.full(8, 1 / 8)) == pytest.approx(math.log(8))


def test_mixture_is_a_density():
    x, dx = grid(-20, 20, 4001)
    p = mixture_pdf(x, [-2.0, 1.0], [0.5, 1.0], [1.0, 3.0])
    assert p.sum() * dx == pytest.approx(1.0, abs=1e-9)


def test_negative_entries_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        kl_divergence(np.array([1.5, -0.5]), np.array([0.5, 0.5]))
