"""A GAN on the 2-D Gaussian mixtures (ring of 8, grid of 25), for Section 6's "Helvetica scenario".

p_data is :func:`gan_src.data.gaussian_mixture` on :func:`gan_src.data.ring_modes` or
:func:`gan_src.data.grid_modes` with PacGAN's settings (Lin et al., 2018): ring of radius 1,
std 0.01; 5 x 5 grid with spacing 2, std 0.05. p_z = N(0, I) (:func:`gan_src.noise.normal_noise`).
G and D are small ReLU MLPs (:func:`gan_src.models.mlp`).

Every iteration is Algorithm 1 generalised in one direction: k calls of
:func:`gan_src.train.discriminator_step`, then ``g_steps`` calls of
:func:`gan_src.train.generator_step` (the paper has g_steps = 1). ``g_steps > 1`` trains G
"too much without updating D", the case Section 6 warns about. D and G have their own Adam
optimisers, so their learning rates can differ (the D/G learning-rate ratio experiment).

:func:`train_toy2d_many` trains many such runs (seeds, or a sweep over k and the learning
rates) as one batched computation, each the run :func:`train_toy2d` would give.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import torch
from torch import Tensor, nn

from .data import gaussian_mixture, grid_modes, ring_modes
from .losses import discriminator_loss, generator_loss
from .models import mlp
from .modes import N_SAMPLES, ModeReport, mode_report
from .noise import normal_noise
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


def make_players(cfg: Toy2DConfig) -> tuple[nn.Module, nn.Module]:
    """G: z -> x in R^2 and D: x -> logit, MLPs with two hidden ReLU layers, initialised from cfg.seed."""
    init = torch.Generator().manual_seed(cfg.seed)
    G = mlp(cfg.z_dim, 2, hidden=cfg.hidden, generator=init)
    D = nn.Sequential(mlp(2, 1, hidden=cfg.hidden, generator=init), nn.Flatten(0))
    return G, D


def train_toy2d(cfg: Toy2DConfig = Toy2DConfig()) -> Toy2DRun:
    """Train by Algorithm 1 (k D steps, then g_steps G steps) on the mixture; deterministic per cfg.seed."""
    G, D = make_players(cfg)
    opt_D = torch.optim.Adam(D.parameters(), lr=cfg.lr_D, betas=cfg.betas)
    opt_G = torch.optim.Adam(G.parameters(), lr=cfg.lr_G, betas=cfg.betas)
    rng = torch.Generator().manual_seed(cfg.seed)
    modes, std = cfg.modes, cfg.std
    fixed_z = normal_noise(cfg.n_snapshot, cfg.z_dim, torch.Generator().manual_seed(10_000 + cfg.seed))
    run = Toy2DRun(cfg, G, D)
    with torch.no_grad():
        run.snapshots[0] = G(fixed_z)
    for it in range(1, cfg.iterations + 1):
        for _ in range(cfg.k):
            d_loss, _, _ = discriminator_step(G, D, opt_D, gaussian_mixture(cfg.m, modes, std, rng),
                                              normal_noise(cfg.m, cfg.z_dim, rng))
        for _ in range(cfg.g_steps):
            g_loss = generator_step(G, D, opt_G, normal_noise(cfg.m, cfg.z_dim, rng), cfg.objective)
        run.d_losses.append(d_loss.item())
        run.g_losses.append(g_loss.item())
        if it % cfg.snapshot_every == 0 or it == cfg.iterations:
            with torch.no_grad():
                run.snapshots[it] = G(fixed_z)
    return run


@torch.no_grad()
def sample_g(run: Toy2DRun, n: int = N_SAMPLES, seed: int = 0) -> Tensor:
    """n samples x = G(z), z ~ p_z: one forward pass, no Markov chain (Section 6), shape (n, 2)."""
    return run.G(normal_noise(n, run.config.z_dim, torch.Generator().manual_seed(seed)))


def evaluate(run: Toy2DRun, n: int = N_SAMPLES, seed: int = 0) -> ModeReport:
    """VEEGAN's metrics (gan_src.modes) on n fresh samples of the trained G."""
    return mode_report(sample_g(run, n, seed), run.config.modes, run.config.std)


# --- many runs at once ----------------------------------------------------------------------
# A 2-D GAN is so small that one run spends most of its time in Python and per-call overhead.
# Stacking the weights of R runs turns R runs into one batched computation (torch.baddbmm),
# several times cheaper per run on a CPU: seeds to average over and sweeps over k and the
# learning rates fit in a notebook's budget.

_SHARED = ("z_dim", "hidden", "iterations", "m", "betas", "objective", "snapshot_every", "n_snapshot")


class _Stacked:
    """R copies of one MLP, all their weights in one (R, P) tensor ``flat`` (one Adam update per player)."""

    def __init__(self, modules: Sequence[nn.Module]) -> None:
        self.layers = [[m for m in module.modules() if isinstance(m, nn.Linear)] for module in modules]
        self.shapes = [(layer.in_features, layer.out_features) for layer in self.layers[0]]
        self.flat = torch.stack([
            torch.cat([t.detach().reshape(-1) for layer in run for t in (layer.weight.T, layer.bias)])
            for run in self.layers]).requires_grad_()

    def __call__(self, x: Tensor) -> Tensor:
        """x (R, n, in) -> (R, n, out), ReLU between layers as in :func:`gan_src.models.mlp`."""
        start = 0
        for i, (n_in, n_out) in enumerate(self.shapes):
            W = self.flat[:, start:start + n_in * n_out].view(-1, n_in, n_out)
            b = self.flat[:, start + n_in * n_out:start + (n_in + 1) * n_out].view(-1, 1, n_out)
            start += (n_in + 1) * n_out
            x = torch.baddbmm(b, x, W)
            if i + 1 < len(self.shapes):
                x = x.relu()
        return x

    @torch.no_grad()
    def write_back(self) -> None:
        """Copy the trained weights into the R modules."""
        for run, flat in zip(self.layers, self.flat):
            start = 0
            for layer in run:
                n = layer.weight.numel()
                layer.weight.copy_(flat[start:start + n].view(layer.in_features, layer.out_features).T)
                layer.bias.copy_(flat[start + n:start + n + layer.out_features])
                start += n + layer.out_features


class _MaskedAdam:
    """torch.optim.Adam's update of ``param`` (R, P): one learning rate per run, a step only where ``active``."""

    def __init__(self, param: Tensor, lr: Sequence[float], betas: tuple[float, float], eps: float = 1e-8) -> None:
        self.param, self.betas, self.eps = param, betas, eps
        self.lr = torch.tensor(lr)[:, None]
        self.t = torch.zeros(len(lr), 1)
        self.m, self.v = torch.zeros_like(param), torch.zeros_like(param)

    @torch.no_grad()
    def step(self, grad: Tensor, active: Tensor) -> None:
        b1, b2 = self.betas
        on = active[:, None]
        self.t += on
        t = self.t.clamp(min=1)
        self.m.copy_(torch.where(on, self.m.lerp(grad, 1 - b1), self.m))
        self.v.copy_(torch.where(on, self.v * b2 + (1 - b2) * grad * grad, self.v))
        update = self.lr / (1 - b1**t) * self.m / (self.v.sqrt() / (1 - b2**t).sqrt() + self.eps)
        self.param.sub_(torch.where(on, update, 0.0))


def train_toy2d_many(cfgs: Sequence[Toy2DConfig]) -> list[Toy2DRun]:
    """:func:`train_toy2d` for several configurations at once, as one batched computation.

    The runs may differ in ``mixture``, ``seed``, ``k``, ``g_steps``, ``lr_D`` and ``lr_G`` and
    must share the rest. Run r gets the same initial weights and the same minibatches
    as ``train_toy2d(cfgs[r])``, so it is that run up to float rounding (which a long,
    chaotic run can amplify). Each iteration makes max(k) D steps and max(g_steps) G steps,
    a run taking part only in the first k and g_steps of them.
    """
    cfgs = list(cfgs)
    for name in _SHARED:
        if len({getattr(c, name) for c in cfgs}) > 1:
            raise ValueError(f"train_toy2d_many needs one {name} for all runs; group the configurations by {name}")
    cfg0, R = cfgs[0], len(cfgs)
    players = [make_players(c) for c in cfgs]
    G, D = _Stacked([g for g, _ in players]), _Stacked([d for _, d in players])
    opt_D = _MaskedAdam(D.flat, [c.lr_D for c in cfgs], cfg0.betas)
    opt_G = _MaskedAdam(G.flat, [c.lr_G for c in cfgs], cfg0.betas)
    m, z_dim = cfg0.m, cfg0.z_dim
    k, g_steps = torch.tensor([c.k for c in cfgs]), torch.tensor([c.g_steps for c in cfgs])
    rngs = [torch.Generator().manual_seed(c.seed) for c in cfgs]
    mixtures = [(c.modes, c.std) for c in cfgs]
    fixed_z = torch.stack([normal_noise(c.n_snapshot, z_dim, torch.Generator().manual_seed(10_000 + c.seed))
                           for c in cfgs])
    runs = [Toy2DRun(c, g, d) for c, (g, d) in zip(cfgs, players)]

    def draw(active: Tensor, sample: Callable[[int], Tensor], dim: int) -> Tensor:
        # each active run draws from its own generator, in train_toy2d's order; idle runs get zeros
        return torch.stack([sample(r) if on else torch.zeros(m, dim) for r, on in enumerate(active.tolist())])

    def x_of(r: int) -> Tensor:
        return gaussian_mixture(m, *mixtures[r], rngs[r])

    def z_of(r: int) -> Tensor:
        return normal_noise(m, z_dim, rngs[r])

    def snapshot(it: int) -> None:
        with torch.no_grad():
            for run, x in zip(runs, G(fixed_z)):
                run.snapshots[it] = x.clone()

    snapshot(0)
    d_loss, g_loss = torch.zeros(R), torch.zeros(R)
    for it in range(1, cfg0.iterations + 1):
        for step in range(int(k.max())):
            active = step < k
            x, z = draw(active, x_of, 2), draw(active, z_of, z_dim)
            with torch.no_grad():
                fake_x = G(z)
            logits = D(torch.cat([x, fake_x], dim=1))[..., 0]
            loss = torch.vmap(discriminator_loss)(logits[:, :m], logits[:, m:])  # one loss per run
            opt_D.step(torch.autograd.grad(loss.sum(), D.flat)[0], active)
            d_loss = torch.where(active, loss.detach(), d_loss)
        for step in range(int(g_steps.max())):
            active = step < g_steps
            logits = D(G(draw(active, z_of, z_dim)))[..., 0]
            loss = torch.vmap(partial(generator_loss, objective=cfg0.objective))(logits)
            opt_G.step(torch.autograd.grad(loss.sum(), G.flat)[0], active)
            g_loss = torch.where(active, loss.detach(), g_loss)
        for run, dl, gl in zip(runs, d_loss.tolist(), g_loss.tolist()):
            run.d_losses.append(dl)
            run.g_losses.append(gl)
        if it % cfg0.snapshot_every == 0 or it == cfg0.iterations:
            snapshot(it)
    G.write_back()
    D.write_back()
    return runs
