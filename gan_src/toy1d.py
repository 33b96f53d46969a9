"""A 1-D GAN in the setting of Figure 1, trained by Algorithm 1 and recorded as it learns.

p_data = N(mean, std^2) (:func:`gan_src.data.gaussian_1d`), z ~ U(-a, a)
(:func:`gan_src.noise.uniform_noise`), and G and D small MLPs (:func:`gan_src.models.mlp`).
Every iteration is Algorithm 1: k calls of :func:`gan_src.train.discriminator_step`, then one
of :func:`gan_src.train.generator_step`; the losses are those of :mod:`gan_src.losses`.

Every ``snapshot_every`` iterations the run records two :class:`Snapshot` s, one after the
k discriminator steps (``phase="after_D"``) and one after the generator step
(``phase="after_G"``), so that a figure can show "D is updated" and "G is updated" as in
Figure 1 (b) and (c). A snapshot holds D(x) on a grid of x, the density of p_g on that grid,
and x = G(z) for a fixed set of z.

The density of p_g is a Gaussian kernel density estimate with bandwidth
``Toy1DConfig.kde_bandwidth`` over G(z) at ``Toy1DConfig.kde_points`` evenly spaced
quantiles of p_z (stratified, not random, so that the curve is smooth and repeatable).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .data import gaussian_1d
from .models import Rescale, mlp
from .noise import uniform_noise
from .train import discriminator_step, generator_step


@dataclass(frozen=True)
class Toy1DConfig:
    """A 1-D GAN that learns N(mean, std^2) in seconds; defaults draw the book's Figure 1."""

    mean: float = 4.0           # p_data = N(mean, std^2), as gaussian_1d
    std: float = 0.5
    z_half_width: float = 1.0   # p_z = U(-a, a)
    hidden: int = 32            # width of G's and D's two hidden layers
    iterations: int = 1500      # iterations of Algorithm 1's outer loop
    k: int = 1                  # D steps per iteration ("we used k = 1")
    m: int = 64                 # minibatch size
    lr_D: float = 5e-3          # Adam learning rates; D learns faster than G so that it keeps up
    lr_G: float = 1e-3
    lr_end: float = 0.05        # both decay linearly to this fraction by the end, to settle the game
    betas: tuple[float, float] = (0.5, 0.999)  # a short first-moment memory keeps the game from oscillating
    objective: str = "non_saturating"  # G's loss, as TrainConfig.objective
    snapshot_every: int = 25    # record a pair of snapshots every this many iterations
    grid: tuple[float, float, int] = (0.0, 6.0, 241)  # x-grid (start, stop, points) for D and p_g
    n_mapped: int = 25          # fixed z's whose images G(z) the snapshots keep
    kde_points: int = 2000      # G(z) at this many quantiles of p_z feed the density estimate
    kde_bandwidth: float = 0.08
    seed: int = 0


@dataclass(frozen=True)
class Snapshot:
    """The state of the game at one moment: what Figure 1 draws."""

    iteration: int    # outer iterations completed before this one (0-based index of the iteration)
    phase: str        # "start", "after_D" (k D steps done) or "after_G" (the G step done too)
    D: Tensor         # D(x) on the grid, shape (grid points,)
    p_g: Tensor       # density of p_g on the grid (KDE), shape (grid points,)
    x_of_z: Tensor    # G(z) for the run's fixed z's, shape (n_mapped,)
    G_state: dict = field(repr=False, default_factory=dict)  # copies of the weights, to restart from here
    D_state: dict = field(repr=False, default_factory=dict)


@dataclass
class Toy1DRun:
    """A finished run: the configuration, the trained G and D, and the snapshots in order."""

    config: Toy1DConfig
    G: nn.Module
    D: nn.Module
    x: Tensor                 # the grid
    p_data: Tensor            # the data density on the grid (exact)
    z: Tensor                 # the fixed z's behind Snapshot.x_of_z, evenly spaced over p_z's support
    snapshots: list[Snapshot] = field(default_factory=list)
    d_losses: list[float] = field(default_factory=list)
    g_losses: list[float] = field(default_factory=list)


def normal_density(x: Tensor, mean: float, std: float) -> Tensor:
    """The density of N(mean, std^2) at x."""
    return torch.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def kde(samples: Tensor, x: Tensor, bandwidth: float) -> Tensor:
    """Gaussian kernel density estimate at the points x from 1-D samples."""
    return normal_density(x[:, None] - samples.reshape(1, -1), 0.0, bandwidth).mean(dim=1)


def grid_moments(x: Tensor, density: Tensor) -> tuple[float, float]:
    """Mean and standard deviation of a density tabulated on an evenly spaced grid x."""
    w = density / density.sum()
    mean = (w * x).sum()
    return mean.item(), (w * (x - mean) ** 2).sum().sqrt().item()


def p_z_quantiles(n: int, half_width: float) -> Tensor:
    """n evenly spaced quantiles of U(-a, a), shape (n, 1): a stratified sample of p_z."""
    return ((torch.arange(n, dtype=torch.float32) + 0.5) / n * 2 - 1).mul(half_width).unsqueeze(1)


def make_players(cfg: Toy1DConfig) -> tuple[nn.Module, nn.Module]:
    """G: z -> x and D: x -> logit, both MLPs with two hidden ReLU layers, initialised from cfg.seed."""
    init = torch.Generator().manual_seed(cfg.seed)
    G = mlp(1, 1, hidden=cfg.hidden, generator=init)
    D = nn.Sequential(Rescale(cfg.grid[0], cfg.grid[1]), mlp(1, 1, hidden=cfg.hidden, generator=init), nn.Flatten(0))
    return G, D


@torch.no_grad()
def snapshot(run: Toy1DRun, iteration: int, phase: str) -> Snapshot:
    """Record D(x) on the grid, the KDE of p_g and the mapping z -> G(z) now."""
    cfg = run.config
    samples = run.G(p_z_quantiles(cfg.kde_points, cfg.z_half_width))
    return Snapshot(
        iteration=iteration,
        phase=phase,
        D=torch.sigmoid(run.D(run.x[:, None])),
        p_g=kde(samples, run.x, cfg.kde_bandwidth),
        x_of_z=run.G(run.z[:, None]).flatten(),
        G_state=copy.deepcopy(run.G.state_dict()),
        D_state=copy.deepcopy(run.D.state_dict()),
    )


def train_toy1d(cfg: Toy1DConfig = Toy1DConfig()) -> Toy1DRun:
    """Run Algorithm 1 on the 1-D problem and keep snapshots; deterministic for a given cfg.seed."""
    G, D = make_players(cfg)
    opt_D = torch.optim.Adam(D.parameters(), lr=cfg.lr_D, betas=cfg.betas)
    opt_G = torch.optim.Adam(G.parameters(), lr=cfg.lr_G, betas=cfg.betas)
    decay = [torch.optim.lr_scheduler.LinearLR(opt, 1.0, cfg.lr_end, cfg.iterations) for opt in (opt_D, opt_G)]
    rng = torch.Generator().manual_seed(cfg.seed)
    x = torch.linspace(*cfg.grid)
    run = Toy1DRun(cfg, G, D, x=x, p_data=normal_density(x, cfg.mean, cfg.std),
                   z=p_z_quantiles(cfg.n_mapped, cfg.z_half_width).flatten())
    run.snapshots.append(snapshot(run, 0, "start"))

    def p_z(n: int) -> Tensor:
        return uniform_noise(n, 1, rng, half_width=cfg.z_half_width)

    for it in range(cfg.iterations):
        for _ in range(cfg.k):
            d_loss, _, _ = discriminator_step(G, D, opt_D, gaussian_1d(cfg.m, rng, cfg.mean, cfg.std), p_z(cfg.m))
        record = (it + 1) % cfg.snapshot_every == 0 or it == cfg.iterations - 1
        if record:
            run.snapshots.append(snapshot(run, it, "after_D"))
        g_loss = generator_step(G, D, opt_G, p_z(cfg.m), cfg.objective)
        if record:
            run.snapshots.append(snapshot(run, it, "after_G"))
        for schedule in decay:
            schedule.step()
        run.d_losses.append(d_loss.item())
        run.g_losses.append(g_loss.item())
    return run


def inner_loop(run: Toy1DRun, start: Snapshot, d_steps: int, g_steps: int, seed: int = 1) -> tuple[Snapshot, Snapshot]:
    """From the state of ``start``: ``d_steps`` D steps with G fixed (Algorithm 1's inner loop run
    long, towards D*), then ``g_steps`` G steps with D fixed. Returns the snapshots after each.

    This is how Figure 1 (b) and (c) are drawn; ``run``'s own G and D are left as they were.
    """
    cfg = run.config
    G, D = make_players(cfg)
    G.load_state_dict(start.G_state)
    D.load_state_dict(start.D_state)
    opt_D = torch.optim.Adam(D.parameters(), lr=cfg.lr_D, betas=cfg.betas)
    opt_G = torch.optim.Adam(G.parameters(), lr=cfg.lr_G, betas=cfg.betas)
    rng = torch.Generator().manual_seed(seed)
    side = Toy1DRun(cfg, G, D, x=run.x, p_data=run.p_data, z=run.z)
    for _ in range(d_steps):
        discriminator_step(G, D, opt_D, gaussian_1d(cfg.m, rng, cfg.mean, cfg.std),
                           uniform_noise(cfg.m, 1, rng, half_width=cfg.z_half_width))
    after_D = snapshot(side, start.iteration, "after_D")
    for _ in range(g_steps):
        generator_step(G, D, opt_G, uniform_noise(cfg.m, 1, rng, half_width=cfg.z_half_width), cfg.objective)
    return after_D, snapshot(side, start.iteration, "after_G")


@torch.no_grad()
def sample_g(run: Toy1DRun, n: int, seed: int = 0) -> Tensor:
    """n samples x = G(z), z ~ p_z, shape (n,).

    One forward pass of G: no Markov chain.
    """
    z = uniform_noise(n, 1, torch.Generator().manual_seed(seed),
                      half_width=run.config.z_half_width)
    return run.G(z).flatten()
