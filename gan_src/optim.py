"""The paper's optimiser: SGD with classical momentum and the schedules of ``mnist.yaml``;
and Adam, which only Figure 2 (d) uses (:func:`make_optimizer`).

pylearn2's ``Momentum`` rule is the classical one,
    v <- mu * v - lr * grad,   theta <- theta + v,
which differs from ``torch.optim.SGD(momentum=...)`` (v <- mu * v + grad,
theta <- theta - lr * v) as soon as lr changes from step to step, as it does here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn


class ClassicalMomentum(torch.optim.Optimizer):
    """SGD with classical momentum (pylearn2's ``learning_rule.Momentum``, ``nesterov_momentum=False``).

    Set ``group["lr"]`` and ``group["momentum"]`` before each step to follow a schedule.
    """

    def __init__(self, params: Iterable[nn.Parameter], lr: float, momentum: float) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self, closure=None) -> None:  # noqa: D102 -- torch.optim interface
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            velocities = []
            for p in params:
                state = self.state[p]
                if "velocity" not in state:
                    state["velocity"] = torch.zeros_like(p)
                velocities.append(state["velocity"])
            grads = [p.grad for p in params]
            # the fused kernel walks p, grad and v as flat memory: only where all three are laid out
            # alike (a gradient from vmap or a transpose may not be) does it pair the right elements
            if all(p.device.type in FUSED_DEVICES and p.is_contiguous() and g.is_contiguous() and v.is_contiguous()
                   for p, g, v in zip(params, grads, velocities)):
                # One pass over p, grad and v: torch's fused SGD kernel computes
                # buf <- momentum * buf + (1 - dampening) * grad, p <- p - lr * buf; with buf = v,
                # lr = -1 and dampening = 1 + lr this is the rule above, at half the cost of three
                # foreach passes (benchmarks/train_step.py).
                torch._fused_sgd_(params, grads, velocities, weight_decay=0.0, momentum=group["momentum"],
                                  lr=-1.0, dampening=1.0 + group["lr"], nesterov=False, maximize=False,
                                  is_first_step=False)
            else:
                classical_momentum_reference(params, grads, velocities, group["lr"], group["momentum"])


FUSED_DEVICES = ("cpu", "cuda")


def classical_momentum_reference(params: list[torch.Tensor], grads: list[torch.Tensor],
                                 velocities: list[torch.Tensor], lr: float, momentum: float) -> None:
    """The classical rule written out, v <- momentum * v - lr * grad, theta <- theta + v, in place."""
    torch._foreach_mul_(velocities, momentum)
    torch._foreach_add_(velocities, grads, alpha=-lr)
    torch._foreach_add_(params, velocities)


OPTIMIZERS = ("momentum", "adam")


def make_optimizer(params: Iterable[nn.Parameter], name: str, lr: float, momentum: float) -> torch.optim.Optimizer:
    """``"momentum"``: the paper's :class:`ClassicalMomentum`. ``"adam"``: Adam (Kingma and Ba, 2015)
    with beta1 = 0.5, the setting DCGAN (Radford et al., 2016) found to keep GAN training stable; not
    the paper's. The convolutional Figure 2 (d) trains with it: under SGD it collapsed (``gan_src.figure2``)."""
    if name == "momentum":
        return ClassicalMomentum(params, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999))
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {name!r}")


def learning_rate(step: int, lr0: float = 0.1, decay: float = 1.000004, floor: float = 1e-6) -> float:
    """``ExponentialDecay``: lr0 divided by ``decay`` after every minibatch, never below ``floor``.

    From 0.1: 0.0998 after one MNIST epoch (500 steps), 0.0607 after 250 epochs.
    """
    return max(lr0 * math.exp(-step * math.log(decay)), floor)  # exp underflows to 0; decay**step overflows


def momentum(epoch: int, start: float = 0.5, final: float = 0.7, saturate: int = 250) -> float:
    """``MomentumAdjustor(start=1, saturate=250)``: momentum during the 0-based epoch ``epoch``.

    pylearn2 calls the adjustor's ``on_monitor`` once before training, so during the
    1-based epoch e = epoch + 1 momentum is ``start + (final - start) (e - 1) / (saturate - 1)``:
    0.5 in epoch 1, 0.7 from epoch 250 on.
    """
    alpha = min(max(epoch / (saturate - 1), 0.0), 1.0)
    return start * (1 - alpha) + final * alpha


def set_hyperparameters(optimizer: torch.optim.Optimizer, lr: float, mu: float | None) -> None:
    """Write this step's learning rate and momentum (``None``: Adam, which has none) into every parameter group."""
    for group in optimizer.param_groups:
        group["lr"] = lr
        if mu is not None:
            group["momentum"] = mu
