"""A GAN on the 2-D Gaussian mixtures (ring of 8, grid of 25), for Section 6's "Helvetica scenario".

p_data is :func:`gan_src.data.gaussian_mixture` on :func:`gan_src.data.ring_modes` or
:func:`gan_src.data.grid_modes` with PacGAN's settings (Lin et al., 2018): ring of radius 1,
std 0.01; 5 x 5 grid with spacing 2, std 0.05. p_z = N(0, I). G and D are small ReLU MLPs
(:func:`gan_src.models.mlp`).

Every iteration is Algorithm 1 generalised in one direction: k calls of
:func:`gan_src.train.discriminator_step`, then ``g_steps`` calls of
:func:`gan_src.train.generator_step` (the paper has g_steps = 1). ``g_steps > 1`` trains G
"too much without updating D", the case Section 6 warns about. D and G have their own Adam
optimisers, so their learning rates can differ (the D/G learning-rate ratio experiment).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .data import gaussian_mixture, grid_modes, ring_modes
from .models import mlp
from .modes import N_SAMPLES, ModeReport, mode_report
from .train import discriminator_step, generator_step

MIXTURES = {"ring": (ring_modes, 0.01), "grid": (grid_modes, 0.05)}  # modes and PacGAN's std


@dataclass(frozen=True)
class Toy2DConfig:
    """A 2-D mixture GAN that trains in seconds on a CPU."""

    mixture: str = "ring"       # "ring" (8 modes, std 0.01) or "grid" (25 modes, std 0.05)
    z_dim: int = 2              # p_z = N(0, I_z_dim)
    hidden: int = 64            # width of the two hidden ReLU layers of G and of D
    iterations: int = 1500      # outer iterations of Algorithm 1
    k: int = 1                  # D steps per iteration ("we used k = 1")
    g_steps: int = 1            # G steps per iteration; Algorithm 1 has 1
    m: int = 128                # minibatch size
    lr_D: float = 1e-3          # Adam learning rates, conventional for these 2-D benchmarks
    lr_G: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.999)
    objective: str = "non_saturating"  # G's loss, as TrainConfig.objective
    snapshot_every: int = 500   # keep G(z) for fixed z every this many iterations
    n_snapshot: int = 1000      # how many fixed z's the snapshots map
    seed: int = 0

    def __post_init__(self) -> None:
        if self.mixture not in MIXTURES:
            raise ValueError(f"mixture must be one of {tuple(MIXTURES)}, not {self.mixture!r}")
        if min(self.k, self.g_steps, self.m, self.iterations) < 1:
            raise ValueError("k, g_steps, m and iterations must be >= 1")

    @property
    def modes(self) -> Tensor:
        return MIXTURES[self.mixture][0]()

    @property
    def std(self) -> float:
        return MIXTURES[self.mixture][1]


@dataclass
class Toy2DRun:
    """A finished run: configuration, trained G and D, snapshots of G(z) for fixed z, losses."""

    config: Toy2DConfig
    G: nn.Module
    D: nn.Module
    snapshots: dict[int, Tensor] = field(default_factory=dict)  # iterations done -> G(z), (n_snapshot, 2)
    d_losses: list[float] = field(default_factory=list)
    g_losses: list[float] = field(default_factory=list)


def p_z(n: int, dim: int, generator: torch.Generator) -> Tensor:
    """z ~ N(0, I_dim), the noise prior of the 2-D benchmarks (VEEGAN, PacGAN)."""
    return torch.randn(n, dim, generator=generator)


def make_players(cfg: Toy2DConfig) -> tuple[nn.Module, nn.Module]:
    """G: z -> x in R^2 and D: x -> logit, MLPs with two hidden ReLU layers, initialised from cfg.seed."""
    torch.manual_seed(cfg.seed)
    G = mlp(cfg.z_dim, 2, hidden=cfg.hidden)
    D = nn.Sequential(mlp(2, 1, hidden=cfg.hidden), nn.Flatten(0))
    return G, D


def train_toy2d(cfg: Toy2DConfig = Toy2DConfig()) -> Toy2DRun:
    """Train by Algorithm 1 (k D steps, then g_steps G steps) on the mixture; deterministic per cfg.seed."""
    G, D = make_players(cfg)
    opt_D = torch.optim.Adam(D.parameters(), lr=cfg.lr_D, betas=cfg.betas)
    opt_G = torch.optim.Adam(G.parameters(), lr=cfg.lr_G, betas=cfg.betas)
    rng = torch.Generator().manual_seed(cfg.seed)
    modes, std = cfg.modes, cfg.std
    fixed_z = p_z(cfg.n_snapshot, cfg.z_dim, torch.Generator().manual_seed(10_000 + cfg.seed))
    run = Toy2DRun(cfg, G, D)
    with torch.no_grad():
        run.snapshots[0] = G(fixed_z)
    for it in range(1, cfg.iterations + 1):
        for _ in range(cfg.k):
            d_loss, _, _ = discriminator_step(G, D, opt_D, gaussian_mixture(cfg.m, modes, std, rng),
                                              p_z(cfg.m, cfg.z_dim, rng))
        for _ in range(cfg.g_steps):
            g_loss = generator_step(G, D, opt_G, p_z(cfg.m, cfg.z_dim, rng), cfg.objective)
        run.d_losses.append(d_loss.item())
        run.g_losses.append(g_loss.item())
        if it % cfg.snapshot_every == 0 or it == cfg.iterations:
            with torch.no_grad():
                run.snapshots[it] = G(fixed_z)
    return run


@torch.no_grad()
def sample_g(run: Toy2DRun, n: int = N_SAMPLES, seed: int = 0) -> Tensor:
    """n samples x = G(z), z ~ p_z: one forward pass, no Markov chain (Section 6), shape (n, 2)."""
    return run.G(p_z(n, run.config.z_dim, torch.Generator().manual_seed(seed)))


def evaluate(run: Toy2DRun, n: int = N_SAMPLES, seed: int = 0) -> ModeReport:
    """VEEGAN's metrics (gan_src.modes) on n fresh samples of the trained G."""
    return mode_report(sample_g(run, n, seed), run.config.modes, run.config.std)
