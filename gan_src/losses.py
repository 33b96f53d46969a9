"""The value function V(D, G) of Eq. (1) and the losses derived from it.

Everything takes D's *logits* l, with D(x) = sigmoid(l), so that
log D = logsigmoid(l) and log(1 - D) = logsigmoid(-l) stay finite even when D
saturates.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

Objective = Literal["minimax", "non_saturating"]
OBJECTIVES: tuple[str, ...] = ("minimax", "non_saturating")


def value_function(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Minibatch estimate of Eq. (1).

    V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))], from D's logits.
    """
    return F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean()


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """-V(D, G): D ascends V (Algorithm 1), i.e. descends this cross-entropy."""
    return -value_function(real_logits, fake_logits)


def generator_loss(fake_logits: Tensor, objective: Objective = "non_saturating") -> Tensor:
    """G's loss on D's logits for G(z).

    ``"minimax"``: E log(1 - D(G(z))), the loss of Eq. (1) and Algorithm 1.
    ``"non_saturating"``: -E log D(G(z)), Section 3's remedy for saturation early in
    learning ("rather than training G to minimize log(1 - D(G(z))) we can train G
    to maximize log D(G(z))"). Both have the same fixed point.
    """
    if objective == "minimax":
        return F.logsigmoid(-fake_logits).mean()
    if objective == "non_saturating":
        return -F.logsigmoid(fake_logits).mean()
    raise ValueError(f"unknown generator objective {objective!r}; choose one of {OBJECTIVES}")


def generator_gradient_norm(G: nn.Module, D: nn.Module, z: Tensor, objective: Objective) -> float:
    """L2 norm of the gradient of G's loss w.r.t. G's parameters, D held fixed (in eval mode, no dropout).

    Section 3's saturation argument in one number: when D rejects G(z) confidently, the minimax
    loss gives G almost no gradient while the non-saturating one still does.
    """
    was_training = D.training
    D.eval()
    loss = generator_loss(D(G(z)), objective)
    grads = torch.autograd.grad(loss, [p for p in G.parameters() if p.requires_grad])
    D.train(was_training)
    return torch.linalg.vector_norm(torch.cat([g.flatten() for g in grads])).item()
