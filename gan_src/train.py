"""Training by Algorithm 1 (Section 4), and the variant the authors' code ran.

Two update rules, chosen by ``TrainConfig.update``:

- ``"alternating"`` -- Algorithm 1 as printed: k steps of D, each on a fresh
  minibatch of m data and m noise samples, then one step of G on m fresh noise samples.
- ``"simultaneous"`` -- the authors' ``adversarial`` code (k = 1): D and G get their
  gradients from the same minibatch and the same (dropout-perturbed) pass through D,
  and one optimiser step applies both. D's cost there is half of -V(D, G).

An epoch is one pass over the training set in minibatches of m (500 steps on MNIST). The loop a
reader comes for is :func:`train_epoch`, one screen; :func:`train` repeats it and adds what a long
run needs: resuming, stopping a diverging run, and saving every epoch (:mod:`gan_src.run_folder`).
"""

from __future__ import annotations

import math
import os
import time
import typing
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.optim import Optimizer
from tqdm import tqdm

from . import checkpoint, run_folder
from .losses import OBJECTIVES, discriminator_loss, generator_loss
from .noise import NoisePrior
from .optim import OPTIMIZERS, learning_rate, make_optimizer, momentum, set_hyperparameters

UPDATES = ("simultaneous", "alternating")
PRECISIONS = ("fp32", "bf16")


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters; the defaults are the authors' ``mnist.yaml``."""

    epochs: int = 1                # the paper does not record how many epochs its results took
    m: int = 100                   # minibatch size
    k: int = 1                     # D steps per G step; "we used k = 1, the least expensive option"
    update: str = "simultaneous"   # "simultaneous" (authors' code) or "alternating" (Algorithm 1)
    objective: str = "non_saturating"  # G's loss: "non_saturating" (-log D(G(z))) or "minimax"
    optimizer: str = "momentum"    # "momentum" (the paper's SGD) or "adam" (Figure 2 (d) only; see gan_src.optim)
    lr: float = 0.1                # same learning rate for D and G
    lr_decay: float = 1.000004     # lr divided by this after every step ...
    lr_floor: float = 1e-6         # ... never below this
    momentum_start: float = 0.5    # classical momentum (not Adam), rising linearly ...
    momentum_final: float = 0.7    # ... to this ...
    momentum_saturate: int = 250   # ... by this (1-based) epoch
    seed: int = 0
    steps_per_epoch: int | None = None  # cap on steps per epoch (dry runs); None = a full pass
    precision: str = "fp32"        # "fp32" (Table 1's runs) or "bf16": matmuls under torch.autocast

    def __post_init__(self) -> None:
        if self.update not in UPDATES:
            raise ValueError(f"update must be one of {UPDATES}, not {self.update!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, not {self.optimizer!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {self.precision!r}")
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, not {self.objective!r}")
        if self.update == "simultaneous" and self.k != 1:
            raise ValueError("the simultaneous update has k = 1; use update='alternating' for k > 1")
        if self.epochs < 0 or self.m < 1 or self.k < 1:
            raise ValueError("epochs must be >= 0, m and k >= 1")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"the learning rate must be a positive number, not {self.lr}")
        # the schedules take the log of lr_decay and divide by momentum_saturate - 1
        if not (self.lr_decay > 0 and self.lr_floor >= 0 and self.momentum_saturate >= 2):
            raise ValueError("lr_decay must be > 0, lr_floor >= 0 and momentum_saturate >= 2")


def saved_config(state: dict, path: str | os.PathLike) -> TrainConfig:
    """The :class:`TrainConfig` that a training checkpoint records (its ``"config"``), each setting
    checked for its name and type; :class:`~gan_src.checkpoint.CheckpointError` naming the first that
    this gan_src does not know or would refuse. Settings a checkpoint lacks take today's defaults."""
    config = state["config"]
    if not isinstance(config, dict):
        raise checkpoint.CheckpointError(f"{path}: its config is a {type(config).__name__}, not a table of settings")
    types = typing.get_type_hints(TrainConfig)
    for key, value in config.items():
        if key not in types:
            raise checkpoint.CheckpointError(f"{path}: its config holds a setting this gan_src does not know, {key!r} "
                                             "(written by another version, or damaged)")
        kind = (int, float) if types[key] is float else types[key]  # an int is a fine float
        if isinstance(value, bool) or not isinstance(value, kind):
            wanted = getattr(types[key], "__name__", str(types[key]))  # int | None has no name
            raise checkpoint.CheckpointError(f"{path}: its config's {key} is {value!r}, a {type(value).__name__}, "
                                             f"not {wanted}")
    try:
        return TrainConfig(**config)
    except ValueError as err:
        raise checkpoint.CheckpointError(f"{path}: its config is one gan_src refuses ({err})") from None


def data_record(data: Tensor) -> dict[str, int | str]:
    """Which examples a run trains on, as its checkpoint records them (``"data"``): the number of rows
    and the digest of their values (:func:`gan_src.checkpoint.digest`). The same examples read from
    another folder give the same record; a different data set, or one changed image, another."""
    return {"rows": len(data), "sha256": checkpoint.digest(data)}


class TrainingDiverged(RuntimeError):
    """A loss, a weight or G(z) became NaN or infinite."""


def _set_grads(params: Sequence[nn.Parameter], loss: Tensor, retain_graph: bool = False) -> None:
    for p, g in zip(params, torch.autograd.grad(loss, params, retain_graph=retain_graph)):
        p.grad = g


def simultaneous_step(G: nn.Module, D: nn.Module, x: Tensor, z: Tensor,
                      objective: str) -> tuple[Tensor, ...]:
    """Gradients for D and G from one minibatch and one forward pass of D.

    This is the authors' code. D runs on x and on G(z) separately: D treats
    rows independently, so this equals their single pass over [x; G(z)], and
    G's gradient flows back through D's rows of G(z) only. Returns (-V, G's
    loss, D's logits on x, D's logits on G(z)); gradients are left in .grad.
    """
    # .float(): the losses stay in fp32 under bf16 autocast
    real, fake = D(x).float(), D(G(z)).float()
    d_loss = discriminator_loss(real, fake)
    g_loss = generator_loss(fake, objective)
    _set_grads(list(D.parameters()), 0.5 * d_loss, retain_graph=True)
    _set_grads(list(G.parameters()), g_loss)
    return d_loss, g_loss, real, fake


def discriminator_step(G: nn.Module, D: nn.Module, opt_D: Optimizer,
                       x: Tensor, z: Tensor) -> tuple[Tensor, ...]:
    """One inner step of Algorithm 1: ascend V(D, G) in D's parameters."""
    with torch.no_grad():
        fake_x = G(z)
    logits = D(torch.cat([x, fake_x])).float()
    real, fake = logits[: len(x)], logits[len(x):]
    d_loss = discriminator_loss(real, fake)
    _set_grads(list(D.parameters()), d_loss)
    opt_D.step()
    return d_loss, real, fake


def generator_step(G: nn.Module, D: nn.Module, opt_G: Optimizer, z: Tensor,
                   objective: str) -> Tensor:
    """The outer step of Algorithm 1: descend G's loss (D held fixed)."""
    g_loss = generator_loss(D(G(z)).float(), objective)
    _set_grads(list(G.parameters()), g_loss)
    opt_G.step()
    return g_loss


def iterations_per_epoch(rows: int, cfg: TrainConfig) -> int:
    """Iterations of Algorithm 1 in one pass over ``rows`` examples: one per minibatch of m (the
    simultaneous update), one per k minibatches (alternating), at most ``cfg.steps_per_epoch``."""
    n_batches = rows // cfg.m
    iterations = n_batches if cfg.update == "simultaneous" else n_batches // cfg.k
    if cfg.steps_per_epoch is not None:
        iterations = min(iterations, cfg.steps_per_epoch)
    if iterations == 0:
        raise ValueError(f"{rows} examples make no full step of m={cfg.m} (k={cfg.k})")
    return iterations


def hyperparameters(cfg: TrainConfig, epoch: int, step: int) -> tuple[float, float | None]:
    """The learning rate of ``step`` and the momentum of ``epoch`` (None for Adam): the authors' schedules."""
    lr = learning_rate(step, cfg.lr, cfg.lr_decay, cfg.lr_floor)
    if cfg.optimizer != "momentum":
        return lr, None
    return lr, momentum(epoch, cfg.momentum_start, cfg.momentum_final, cfg.momentum_saturate)


def train_epoch(G: nn.Module, D: nn.Module, opt_D: Optimizer,
                opt_G: Optimizer, data: Tensor, p_z: NoisePrior,
                cfg: TrainConfig, rng: torch.Generator, epoch: int,
                step: int, progress: bool = True) -> dict:
    """One epoch of Algorithm 1 (``epoch`` counts from 0; ``step`` steps so
    far): minibatches of ``data`` in an order drawn from ``rng``, as is z.
    Returns the epoch's means of -V, G's loss, D(x) and D(G(z))."""
    start, m, device = time.perf_counter(), cfg.m, data.device
    iterations = iterations_per_epoch(len(data), cfg)
    n = len(data) // m
    batches = torch.randperm(len(data), generator=rng)[: n * m].view(n, m)
    batches = batches.to(device)
    sums = torch.zeros(4, dtype=torch.float64)
    bar = tqdm(range(iterations), desc=f"epoch {epoch + 1}/{cfg.epochs}",
               disable=not progress, leave=progress)
    for i in bar:
        lr, mu = hyperparameters(cfg, epoch, step)
        set_hyperparameters(opt_D, lr, mu)
        set_hyperparameters(opt_G, lr, mu)
        # bf16: the matmuls in bfloat16; losses and weights stay in fp32
        with torch.autocast(device.type, torch.bfloat16,
                            enabled=cfg.precision == "bf16"):
            if cfg.update == "simultaneous":  # the authors' code
                z = p_z(m, rng).to(device)
                d_loss, g_loss, real, fake = simultaneous_step(
                    G, D, data[batches[i]], z, cfg.objective)
                opt_D.step()
                opt_G.step()
            else:  # Algorithm 1 as printed: k steps of D, then one of G
                for j in range(cfg.k):
                    x = data[batches[i * cfg.k + j]]
                    z = p_z(m, rng).to(device)
                    d_loss, real, fake = discriminator_step(G, D, opt_D, x, z)
                z = p_z(m, rng).to(device)
                g_loss = generator_step(G, D, opt_G, z, cfg.objective)
        step += 1
        d, g = d_loss.item(), g_loss.item()
        if not (math.isfinite(d) and math.isfinite(g)):
            where = f"epoch {epoch + 1}, step {i + 1}"
            raise TrainingDiverged(f"loss became non-finite at {where} "
                                   f"(D: {d}, G: {g})")
        sums += torch.tensor([d, g, torch.sigmoid(real).mean().item(),
                              torch.sigmoid(fake).mean().item()],
                             dtype=torch.float64)
        if i % 10 == 0 or i == iterations - 1:
            bar.set_postfix(D_loss=f"{d:.3f}", G_loss=f"{g:.3f}",
                            refresh=False)
    bar.close()
    mean = (sums / iterations).tolist()
    return {"epoch": epoch + 1, "step": step, "d_loss": mean[0],
            "g_loss": mean[1], "D_real": mean[2], "D_fake": mean[3],
            "lr": lr, "momentum": mu, "seconds": time.perf_counter() - start}


def train(
    G: nn.Module,
    D: nn.Module,
    data: Tensor,
    p_z: NoisePrior,
    cfg: TrainConfig,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    device: str | torch.device = "cpu",
    progress: bool = True,
    snapshot_every: int | None = None,
    experiment: str | None = None,
) -> list[dict]:
    """Train G against D on the rows of ``data`` by Algorithm 1, :func:`train_epoch` after
    :func:`train_epoch`; returns the per-epoch metrics.

    With ``out``, every epoch is saved in that run folder (:func:`gan_src.run_folder.save_epoch`:
    ``checkpoint.pt``, ``metrics.jsonl`` and, with ``snapshot_every=n``, G's weights every n epochs in
    ``snapshots/``), the checkpoint last, recording ``experiment`` (a name of
    :mod:`gan_src.experiments`), which a resumed run must match, the snapshot interval and which
    examples it trains on (:func:`data_record`; the command line refuses other data on resuming).
    ``resume=True`` continues from that checkpoint up to ``cfg.epochs`` with the run's own settings
    (its config; its snapshot interval unless ``snapshot_every`` is given) and ends with the same
    weights as a run that was never interrupted; every tensor of the checkpoint is checked against
    G, D and the optimisers before any of it is loaded (:func:`gan_src.checkpoint.check_against`).
    A NaN or infinite loss, or at the end of an epoch a weight or G(z), stops the run with
    :class:`TrainingDiverged` before anything non-finite is written; the message names the last
    good checkpoint. The folder is not locked here: :func:`gan_src.run_folder.claim` does that.
    """
    out = Path(out) if out is not None else None
    examples = data_record(data) if out is not None else None
    device = torch.device(device)
    G.to(device).train()
    D.to(device).train()
    data = data.to(device)
    if resume:
        state = _resumed(out, experiment)
        cfg = replace(saved_config(state, run_folder.checkpoint_path(out)), epochs=cfg.epochs)  # the run's own
        if snapshot_every is None:
            snapshot_every = state.get("snapshot_every")
    opt_D = make_optimizer(D.parameters(), cfg.optimizer, cfg.lr, cfg.momentum_start)
    opt_G = make_optimizer(G.parameters(), cfg.optimizer, cfg.lr, cfg.momentum_start)
    rng = torch.Generator().manual_seed(cfg.seed)
    torch.manual_seed(cfg.seed)  # dropout in D draws from torch's global generator
    epoch, step, history = 0, 0, []
    if resume:
        checkpoint.check_against(state, run_folder.checkpoint_path(out), {"G": G, "D": D},
                                 {"opt_D": opt_D, "opt_G": opt_G}, cfg.optimizer)
        for key, module in (("G", G), ("D", D), ("opt_D", opt_D), ("opt_G", opt_G)):
            module.load_state_dict(state[key])
        checkpoint.restore_rng_states(state["rng_states"], rng)
        epoch, step, history = state["epoch"], state["step"], state["history"]
        run_folder.write_metrics(out, history)  # a run killed after writing them may have one epoch more
    kept = epoch if resume else None  # the epoch of the last good checkpoint written to out
    iterations_per_epoch(len(data), cfg)  # a data set too small for one step fails before any epoch

    for epoch in range(epoch, cfg.epochs):
        try:
            history.append(train_epoch(G, D, opt_D, opt_G, data, p_z, cfg, rng, epoch, step, progress))
        except TrainingDiverged as err:
            raise TrainingDiverged(f"{err}; {_kept(out, kept)}. Try a lower learning rate.") from None
        step = history[-1]["step"]
        bad = _non_finite(G, D, opt_D, opt_G, p_z)
        if bad is not None:
            raise TrainingDiverged(f"{bad} became non-finite in epoch {epoch + 1}; {_kept(out, kept)}. "
                                   "Try a lower learning rate.")
        if out is not None:
            try:
                run_folder.save_epoch(out, {
                    "experiment": experiment, "config": asdict(cfg), "epoch": epoch + 1, "step": step,
                    "history": history, "G": G.state_dict(), "D": D.state_dict(), "opt_D": opt_D.state_dict(),
                    "opt_G": opt_G.state_dict(), "rng_states": checkpoint.rng_states(rng),
                    "snapshot_every": snapshot_every, "data": examples,
                }, snapshot=bool(snapshot_every) and (epoch + 1) % snapshot_every == 0)
            except checkpoint.CheckpointError as err:  # a full disk, a folder gone read-only
                again = "start again with --overwrite" if kept is None else "continue with --resume"
                raise checkpoint.CheckpointError(f"{err}; {_kept(out, kept)}: make room (or fix the folder), "
                                                 f"then {again}") from err
            kept = epoch + 1
    return history


def _resumed(out: Path | None, experiment: str | None) -> dict:
    """The checkpoint of the run in ``out``, which must hold ``experiment`` (when both are known)."""
    if out is None:
        raise ValueError("resume needs the run's output folder")
    state = run_folder.load(out)
    recorded = state.get("experiment")
    if experiment is not None and recorded is not None and recorded != experiment:
        raise checkpoint.CheckpointError(f"{out} holds the {recorded} experiment, not {experiment}")
    return state


@torch.no_grad()
def _non_finite(G: nn.Module, D: nn.Module, opt_D: Optimizer, opt_G: Optimizer,
                p_z: NoisePrior) -> str | None:
    """What is NaN or infinite, if anything: a weight or buffer of G or D, an optimiser's state, or
    D(G(z)) for a fixed probe of 16 z (finite weights can still overflow to inf - inf = NaN)."""
    for who, module in (("G", G), ("D", D)):
        for name, t in (*module.named_parameters(), *module.named_buffers()):
            if t.is_floating_point() and not torch.isfinite(t).all():
                return f"{who}'s {name}"
    for who, opt in (("D", opt_D), ("G", opt_G)):
        for values in opt.state.values():
            if any(t.is_floating_point() and not torch.isfinite(t).all() for t in values.values() if torch.is_tensor(t)):
                return f"{who}'s optimiser state"
    device = next(G.parameters()).device
    modes = G.training, D.training
    G.eval()  # batch norm's running statistics stay as they are
    D.eval()  # no dropout
    try:
        # z from a generator of its own: the run's random streams stay untouched
        x = G(p_z(16, torch.Generator().manual_seed(0)).to(device))
        if not torch.isfinite(x).all():
            return "G(z)"
        if not torch.isfinite(D(x)).all():
            return "D(G(z))"
    finally:
        G.train(modes[0])
        D.train(modes[1])
    return None


def _kept(out: Path | None, epoch: int | None) -> str:
    if out is None:
        return "no checkpoint was written (no output folder)"
    if epoch is None:
        return f"no checkpoint was written to {out}"
    return f"the last good checkpoint is {run_folder.checkpoint_path(out)} (epoch {epoch})"
