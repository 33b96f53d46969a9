"""Section 7, extension 2: an inference net E that predicts z given x.

"Learned approximate inference can be performed by training an auxiliary network to predict
z given x. This is similar to the inference net trained by the wake-sleep algorithm but with
the advantage that the inference net may be trained for a fixed generator net after the
generator net has finished training." (Section 7)

E is trained on pairs (z, G(z)) with fresh z ~ p_z in every minibatch and G fixed, by least
squares on z. It is then judged by what matters for inference: how close G(E(x)) is to x.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .models import reset_linears
from .noise import NoisePrior


def fit_inference_net(G: nn.Module, p_z: NoisePrior, steps: int = 2_000,
                      m: int = 100, hidden: int = 1_200, lr: float = 1e-3,
                      seed: int = 0) -> nn.Module:
    """E: x -> z, an MLP (x -> hidden ReLU -> z) fitted to G's samples.

    Each of ``steps`` Adam steps draws m fresh z ~ p_z and descends the
    squared error ||E(G(z)) - z||^2; G is not changed. E is built on G's
    device.
    """
    device = next(G.parameters()).device
    z = p_z(1, torch.Generator())  # the sizes of z and x
    with torch.no_grad():
        d_x = G(z.to(device)).shape[1]
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):  # the reader's global stream stays where it was
        E = nn.Sequential(nn.Linear(d_x, hidden), nn.ReLU(), nn.Linear(hidden, z.shape[1]))
    reset_linears(E, torch.Generator().manual_seed(seed))
    E.to(device)
    opt = torch.optim.Adam(E.parameters(), lr=lr)
    for _ in range(steps):
        z = p_z(m, gen).to(device)
        with torch.no_grad():
            x = G(z)
        loss = (E(x) - z).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return E


@torch.no_grad()
def reconstruction_errors(G: nn.Module, E: nn.Module, p_z: NoisePrior,
                          x_real: Tensor, seed: int = 1) -> dict[str, float]:
    """Mean squared errors of inference with E, on len(x_real) fresh z.

    ``z_error``: E(G(z)) - z per coordinate; ``G``: G(E(x)) - x per pixel
    for samples x = G(z); ``test``: the same for the real images x_real;
    ``random``: x_real against unrelated samples of G (no inference at all).
    """
    device = next(G.parameters()).device
    z = p_z(len(x_real), torch.Generator().manual_seed(seed)).to(device)
    x_g, x_real = G(z), x_real.to(device)
    errors = {"z_error": E(x_g) - z, "G": G(E(x_g)) - x_g,
              "test": G(E(x_real)) - x_real, "random": x_g - x_real}
    return {name: e.pow(2).mean().item() for name, e in errors.items()}
