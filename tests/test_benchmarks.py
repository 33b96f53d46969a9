"""The FLOP accounting of ``benchmarks/train_step.py``: the figures its ratios are read against."""

import pytest
import torch


@pytest.fixture(scope="module")
def train_step(script):
    return script("benchmarks/train_step.py")


@pytest.fixture(scope="module")
def data():
    return torch.rand(300, 784, generator=torch.Generator().manual_seed(0))


def test_the_project_step_does_the_counted_matmul_flops(train_step, data):
    analytic = sum(train_step.step_flops().values())
    assert analytic == 2_820_816_000
    assert train_step.counted_flops(train_step.make_step(data)) == analytic
    assert sum(2 * a[0] * a[1] * b[1] for a, b in train_step.step_matmuls()) == analytic


def test_the_peer_pays_a_second_forward_of_D_and_unused_weight_gradients(train_step, data):
    """The peer's extra 17 %: D's forward on G(z) again, and D's weight gradients from G's loss."""
    D_on_fake = train_step.mm(train_step.M, train_step.D_LAYERS)
    peer = train_step.counted_flops(train_step.make_peer_step(data))
    assert peer == sum(train_step.step_flops().values()) + 2 * D_on_fake == 3_312_432_000
