import pytest
import torch

from gan_src.optim import ClassicalMomentum, learning_rate, momentum, set_hyperparameters


def test_classical_momentum_update_rule():
    p = torch.nn.Parameter(torch.tensor([1.0]))
    opt = ClassicalMomentum([p], lr=0.1, momentum=0.5)
    v, theta = 0.0, 1.0
    for lr, mu, g in [(0.1, 0.5, 2.0), (0.05, 0.7, -1.0), (0.2, 0.6, 3.0)]:
        set_hyperparameters(opt, lr, mu)
        p.grad = torch.tensor([g])
        opt.step()
        v = mu * v - lr * g
        theta += v
        assert p.item() == pytest.approx(theta)


@pytest.mark.parametrize("epochs, expected", [(1, 0.0998), (100, 0.0819), (250, 0.0607), (500, 0.0368)])
def test_learning_rate_schedule_matches_the_paper_facts(epochs, expected):
    assert learning_rate(500 * epochs) == pytest.approx(expected, abs=5e-5)


def test_learning_rate_floor():
    assert learning_rate(10**9) == 1e-6


def test_momentum_rises_linearly_from_epoch_1_to_250():
    assert momentum(0) == momentum(1) == 0.5
    assert momentum(250) == momentum(1000) == pytest.approx(0.7)
    assert momentum(125.5) == pytest.approx(0.6)
