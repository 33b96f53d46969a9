import math

import numpy as np
import pytest
import torch

from gan_src.kmeans import kmeans
from gan_src.models import mnist_generator, mnist_p_z
from gan_src.parzen import (SIGMAS, evaluate, generator_centres, mean_and_se, parzen_log_likelihood,
                            select_sigma)
from gan_src.plotting import sample


def brute_force(x, centres, sigma):
    """log p(x) straight from the definition, every difference explicit, in float64."""
    x, centres = x.double(), centres.double()
    d = x.shape[1]
    sq = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    return torch.logsumexp(-sq / (2 * sigma**2), dim=1) - math.log(len(centres)) - d * math.log(sigma * math.sqrt(2 * math.pi))


@pytest.fixture
def small():
    gen = torch.Generator().manual_seed(0)
    return torch.rand(37, 20, generator=gen), torch.rand(300, 20, generator=gen)


@pytest.mark.parametrize("sigma", [0.1, 0.2154, 1.0])
def test_matches_brute_force_reference(small, sigma):
    x, centres = small
    ref = brute_force(x, centres, sigma)
    exact = parzen_log_likelihood(x, centres, sigma, batch_size=8, dtype=torch.float64)
    fast = parzen_log_likelihood(x, centres, sigma, batch_size=8)
    assert exact.dtype == torch.float64 and exact.shape == (37,)
    torch.testing.assert_close(exact, ref, rtol=0, atol=1e-9)
    # float32 cross term: per-example error far below the 0.01 nats that are printed
    torch.testing.assert_close(fast, ref, rtol=0, atol=1e-3)


def test_several_sigmas_at_once_equal_one_at_a_time(small):
    x, centres = small
    many = parzen_log_likelihood(x, centres, list(SIGMAS), batch_size=5)
    assert many.shape == (37, 10)
    for j, sigma in enumerate(SIGMAS):
        assert torch.equal(many[:, j], parzen_log_likelihood(x, centres, sigma, batch_size=5))
        # another batching only reorders the float32 matmul's sums
        torch.testing.assert_close(many[:, j], parzen_log_likelihood(x, centres, sigma, batch_size=100),
                                   rtol=0, atol=1e-4)


def test_centres_equal_to_the_points_tend_to_log_one_over_n():
    # Points ~130 apart in squared distance: at small sigma only each point's own kernel counts,
    # so log p(x_i) = log(1/n) - d log(sigma sqrt(2 pi)) exactly.
    x = torch.rand(20, 784, generator=torch.Generator().manual_seed(1))
    for sigma in (0.05, 0.1):
        limit = -math.log(20) - 784 * math.log(sigma * math.sqrt(2 * math.pi))
        exact = parzen_log_likelihood(x, x, sigma, dtype=torch.float64)
        torch.testing.assert_close(exact, torch.full((20,), limit, dtype=torch.float64), rtol=0, atol=1e-8)
        # float32: the self-distance is ~1e-5 instead of 0, i.e. < 0.01 nats at sigma = 0.05
        assert (parzen_log_likelihood(x, x, sigma) - limit).abs().max() < 1e-2
    # at large sigma the other kernels add mass: above the limit
    wide = parzen_log_likelihood(x, x, 10.0, dtype=torch.float64)
    assert (wide > -math.log(20) - 784 * math.log(10.0 * math.sqrt(2 * math.pi)) + 1).all()


@pytest.mark.parametrize("sigma", [0.1, 0.4, 1.0])
def test_one_centre_is_exactly_a_gaussian(sigma):
    gen = torch.Generator().manual_seed(2)
    mu, x = torch.rand(1, 784, generator=gen), torch.rand(50, 784, generator=gen)
    truth = torch.distributions.Normal(mu.double(), sigma).log_prob(x.double()).sum(1)
    torch.testing.assert_close(parzen_log_likelihood(x, mu, sigma, dtype=torch.float64), truth,
                               rtol=1e-12, atol=1e-9)
    torch.testing.assert_close(parzen_log_likelihood(x, mu, sigma), truth, rtol=0, atol=0.05 / sigma**2 * 1e-3)


def test_normaliser_is_the_sigma_part_of_every_log_likelihood():
    from gan_src.parzen import normaliser

    # one centre at x itself: the kernel term is 0, so log p(x) is the normaliser alone
    x = torch.rand(1, 784, generator=torch.Generator().manual_seed(4))
    for sigma in (0.1, 0.17):
        assert parzen_log_likelihood(x, x, sigma, dtype=torch.float64).item() == pytest.approx(normaliser(sigma))
    assert normaliser(1 / math.sqrt(2 * math.pi), d=5) == pytest.approx(0.0, abs=1e-12)


def test_sigma_selection_picks_the_argmax_of_the_validation_curve():
    # 10 centres far apart, each validation point = a centre + N(0, 0.2^2) noise in 50 dimensions:
    # the per-point likelihood peaks at sigma = 0.2, so the grid's 0.2154 must win.
    gen = torch.Generator().manual_seed(3)
    centres = 5 * torch.eye(10, 50)
    valid = centres.repeat(20, 1) + 0.2 * torch.randn(200, 50, generator=gen)
    sigma, curve = select_sigma(valid, centres)
    assert curve.shape == (10,) and sigma == SIGMAS[int(curve.argmax())]
    assert sigma == pytest.approx(0.2154, abs=1e-4)
    for j in (0, 5, 9):
        assert curve[j] == pytest.approx(parzen_log_likelihood(valid, centres, SIGMAS[j]).mean().item(), abs=1e-9)


def test_evaluate_reports_mean_and_standard_error_at_the_chosen_sigma(small):
    x, centres = small
    result = evaluate(centres, valid=x[:20], test=x)
    ll = parzen_log_likelihood(x, centres, result.sigma)
    assert result.sigma == SIGMAS[max(range(10), key=lambda j: result.curve[j])]
    assert result.mean == pytest.approx(ll.mean().item())
    assert result.se == pytest.approx(ll.std(correction=0).item() / math.sqrt(37))  # std / sqrt(N), as parzen_ll.py
    assert result.n_test == 37
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert mean_and_se(x) == pytest.approx((2.5, math.sqrt(5 / 4) / 2))  # variance over N, not N - 1
    assert mean_and_se(x)[1] == pytest.approx(np.std(x.numpy()) / 2)  # as parzen_ll.py: numpy's std()


def test_float32_matmul_is_negligible_on_real_mnist(mnist):
    x, centres = mnist.valid[:300], mnist.train[:3000]
    for sigma in (SIGMAS[0], SIGMAS[2]):
        fast = parzen_log_likelihood(x, centres, sigma)
        exact = parzen_log_likelihood(x, centres, sigma, dtype=torch.float64)
        assert (fast - exact).abs().max() < 1e-2 and abs((fast - exact).mean()) < 1e-3


def test_generator_centres_are_seeded_samples_of_G(mnist):
    G = mnist_generator(mnist.train.mean(0), generator=torch.Generator().manual_seed(0))
    a = generator_centres(G, 300, seed=4, batch_size=64)
    torch.testing.assert_close(a, sample(G, mnist_p_z, 300, seed=4))
    assert not torch.equal(a, generator_centres(G, 300, seed=5))
    assert a.shape == (300, 784) and 0 <= a.min() and a.max() <= 1


def test_kmeans_recovers_separated_clusters_and_never_increases_its_cost():
    gen = torch.Generator().manual_seed(5)
    truth = 10 * torch.randn(4, 8, generator=gen)
    x = truth.repeat_interleave(50, 0) + 0.1 * torch.randn(200, 8, generator=gen)
    centres, cost = kmeans(x, 4, iterations=15, seed=0)
    assert all(b <= a + 1e-9 for a, b in zip(cost, cost[1:]))
    assert torch.equal(centres, kmeans(x, 4, iterations=15, seed=0)[0])
    if cost[-1] < 0.1:  # a seeded run that found all four clusters: each centre is a true mean
        assert torch.cdist(truth, centres).min(1).values.max() < 0.1
    with pytest.raises(ValueError):
        kmeans(x, 0)
