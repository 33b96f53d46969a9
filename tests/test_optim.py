import pytest
import torch

from gan_src.optim import ClassicalMomentum, learning_rate, make_optimizer, momentum, set_hyperparameters


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


class _Pylearn2MomentumAdjustor:
    """pylearn2's ``MomentumAdjustor.current_momentum`` (2014), for comparison: ``_count`` is the
    number of ``on_monitor`` calls, one before training and one after every epoch."""

    def __init__(self, init=0.5, final=0.7, start=1, saturate=250):
        self.init, self.final, self.start, self.saturate, self._count = init, final, start, saturate, 0

    def on_monitor(self) -> float:
        self._count += 1
        alpha = min(max(float(self._count - self.start) / float(self.saturate - self.start), 0.0), 1.0)
        return self.init * (1 - alpha) + alpha * self.final


def test_momentum_follows_pylearn2s_adjustor_epoch_by_epoch():
    adjustor = _Pylearn2MomentumAdjustor()
    during = [adjustor.on_monitor() for _ in range(300)]  # during[e] is in force in the 0-based epoch e
    assert [momentum(e) for e in range(300)] == pytest.approx(during, abs=1e-15)
    assert momentum(0) == 0.5 and momentum(1) == pytest.approx(0.5 + 0.2 / 249)
    assert momentum(248) < 0.7 and momentum(249) == momentum(1000) == pytest.approx(0.7)


def test_make_optimizer_gives_the_papers_momentum_or_dcgans_adam():
    p = torch.nn.Parameter(torch.tensor([1.0]))
    sgd = make_optimizer([p], "momentum", lr=0.1, momentum=0.5)
    assert isinstance(sgd, ClassicalMomentum) and sgd.param_groups[0]["momentum"] == 0.5
    adam = make_optimizer([p], "adam", lr=2e-4, momentum=0.5)
    assert isinstance(adam, torch.optim.Adam) and adam.param_groups[0]["betas"] == (0.5, 0.999)
    set_hyperparameters(adam, 1e-4, None)  # Adam has no momentum to schedule
    assert adam.param_groups[0]["lr"] == 1e-4 and "momentum" not in adam.param_groups[0]
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer([p], "rmsprop", lr=0.1, momentum=0.5)


def test_fused_classical_momentum_equals_the_written_out_rule_over_20_steps():
    """The fused kernel (one pass) and the three-pass reference follow the same schedule of lr and
    momentum on the MNIST D's shapes; they may differ by float32 rounding only."""
    from gan_src.optim import classical_momentum_reference

    gen = torch.Generator().manual_seed(0)
    shapes = [(1200, 784), (1200,), (1200, 240), (1200,), (1, 240), (1,)]
    fused = [torch.nn.Parameter(torch.randn(s, generator=gen)) for s in shapes]
    params = [p.detach().clone() for p in fused]
    velocities = [torch.zeros_like(p) for p in params]
    opt = ClassicalMomentum(fused, lr=0.1, momentum=0.5)
    for step in range(20):
        lr, mu = learning_rate(step * 500), momentum(step * 13)
        grads = [torch.randn(s, generator=gen) for s in shapes]
        for p, g in zip(fused, grads):
            p.grad = g.clone()
        set_hyperparameters(opt, lr, mu)
        opt.step()
        classical_momentum_reference(params, grads, velocities, lr, mu)
    for p, q, v in zip(fused, params, velocities):
        torch.testing.assert_close(p.detach(), q, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(opt.state[p]["velocity"], v, rtol=1e-5, atol=1e-7)


def test_momentum_step_pairs_each_weight_with_its_own_gradient_whatever_the_layout():
    """A gradient laid out transposed in memory (as vmap or .T returns them) must still update the
    element it belongs to: the fused kernel reads flat memory, so such a step takes the reference path."""
    from gan_src.optim import ClassicalMomentum

    w = torch.nn.Parameter(torch.arange(6.0).view(2, 3))
    grad = torch.arange(6.0).view(3, 2).T * 10  # non-contiguous, values grad[i, j] = 10 * (2 j + i)
    assert not grad.is_contiguous()
    w.grad = grad
    ClassicalMomentum([w], lr=0.1, momentum=0.5).step()
    assert torch.equal(w.detach(), torch.arange(6.0).view(2, 3) - 0.1 * grad)
