"""Langevin dynamics (gan_src.langevin): the chain reaches its target, the scores are the gradients of the
log-densities, and on the sharp ring a chain stays on its mode while on a blurred ring it mixes."""

import math

import pytest
import torch

from gan_src.data import ring_modes
from gan_src.langevin import langevin, mixture_score, normal_score
from gan_src.modes import nearest_mode


def test_chains_reach_the_mean_and_std_of_a_gaussian():
    """The introduction's chain: N(4, 0.5^2) from x = 0, eps = 0.01. Its stationary std is
    0.5 / sqrt(1 - eps / (4 * 0.25)) = 0.5025 (the discretisation's bias), its mean exactly 4."""
    x = langevin(torch.zeros(20_000), normal_score(4.0, 0.5), 0.01, 1_000, torch.Generator().manual_seed(0))
    assert x.mean().item() == pytest.approx(4.0, abs=0.02)
    assert x.std().item() == pytest.approx(0.5025, abs=0.01)


def test_few_steps_have_not_forgotten_the_start():
    x = langevin(torch.zeros(10_000), normal_score(4.0, 0.5), 0.01, 10, torch.Generator().manual_seed(0))
    # the mean decays as 4 (1 - (1 - eps / (2 * 0.25))^t): 0.73 after 10 steps
    assert x.mean().item() == pytest.approx(4 * (1 - 0.98**10), abs=0.02)
    assert x.std().item() == pytest.approx(0.29, abs=0.02)


def test_same_generator_same_chains_and_the_start_is_left_alone():
    start = torch.zeros(100, 2)
    score = normal_score(1.0, 2.0)
    a = langevin(start, score, 0.1, 20, torch.Generator().manual_seed(3))
    b = langevin(start, score, 0.1, 20, torch.Generator().manual_seed(3))
    c = langevin(start, score, 0.1, 20, torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(start, torch.zeros(100, 2))
    assert torch.equal(langevin(start, score, 0.1, 0, torch.Generator()), start)


def test_scores_are_the_gradients_of_the_log_densities():
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64).requires_grad_()
    log_normal = (-(x - 4.0) ** 2 / (2 * 0.5**2)).sum()
    assert torch.allclose(normal_score(4.0, 0.5)(x), torch.autograd.grad(log_normal, x)[0])

    modes, std = ring_modes().double(), 0.3
    log_mixture = torch.logsumexp(-((x[:, None] - modes) ** 2).sum(-1) / (2 * std**2), dim=1).sum()
    assert torch.allclose(mixture_score(modes, std)(x), torch.autograd.grad(log_mixture, x)[0])


@pytest.mark.parametrize("std, visited", [(0.01, 1), (0.3, 8)])
def test_chains_on_the_sharp_ring_stay_on_their_mode_and_mix_on_a_blurred_one(std, visited):
    """Section 6's chapter: 1,000 chains started on one mode, 2,000 steps of size 0.1 std^2."""
    modes = ring_modes()
    x = langevin(modes[:1].repeat(1_000, 1), mixture_score(modes, std), 0.1 * std**2, 2_000,
                 torch.Generator().manual_seed(0))
    nearest, distance = nearest_mode(x, modes)
    assert nearest.unique().numel() == visited
    if visited == 1:
        # the chains sample the mode's Gaussian: radial distance of a 2-D Gaussian, mean std sqrt(pi / 2)
        assert distance.mean().item() == pytest.approx(std * math.sqrt(math.pi / 2), rel=0.1)
