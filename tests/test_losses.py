import math

import pytest
import torch

from gan_src.losses import discriminator_loss, generator_loss, value_function


def test_value_function_matches_eq_1():
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    D = torch.sigmoid
    expected = torch.log(D(real)).mean() + torch.log(1 - D(fake)).mean()
    assert torch.allclose(value_function(real, fake), expected)
    assert torch.allclose(discriminator_loss(real, fake), -expected)


def test_value_at_d_one_half_is_minus_log_4():
    # With D = 1/2 everywhere (the optimum when p_g = p_data), V = -log 4 (Theorem 1).
    zeros = torch.zeros(10)
    assert value_function(zeros, zeros).item() == pytest.approx(-math.log(4))


def test_losses_stay_finite_when_d_saturates():
    big = torch.tensor([200.0])
    assert torch.isfinite(value_function(-big, big))
    assert torch.isfinite(generator_loss(-big, "non_saturating"))
    assert torch.isfinite(generator_loss(big, "minimax"))


def test_minimax_loss_saturates_where_non_saturating_does_not():
    """Section 3: when D confidently rejects G's samples, log(1 - D(G(z))) gives G almost no gradient."""
    logit = torch.tensor([-8.0], requires_grad=True)  # D(G(z)) ~ 3e-4
    (g_mm,) = torch.autograd.grad(generator_loss(logit, "minimax"), logit)
    (g_ns,) = torch.autograd.grad(generator_loss(logit, "non_saturating"), logit)
    assert abs(g_mm.item()) < 1e-3
    assert abs(g_ns.item()) > 0.99


def test_unknown_objective_is_refused():
    with pytest.raises(ValueError, match="unknown generator objective"):
        generator_loss(torch.zeros(1), "wasserstein")
