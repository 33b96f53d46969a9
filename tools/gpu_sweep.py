"""Train several seeds of the paper's MNIST GAN side by side on a GPU, scoring each every 10 epochs.

Seeds' spread and a longer curve for Table 1, in the few minutes a GPU is at hand. On that machine,
from the repository root, after copying MNIST's four ``*.gz`` files into ``data/MNIST/raw/`` (ignored by
git; carried with ``carry: ["data"]``; the 12 MB of .gz fit the 64 MiB the working tree may take,
the 55 MB unpacked do not: torchvision unpacks them there, offline):

    PYTHONPATH=. OMP_NUM_THREADS=4 python3 tools/gpu_sweep.py --data data --out "$(mktemp -d)" --bundle $OUT --minutes 8

The sweep trains ``--seeds`` seeds (0, 1, ...) of ``gan_src.experiments``' "mnist" with
``TrainConfig``'s defaults, the authors' ``mnist.yaml``: maxout D with dropout, ReLU/sigmoid G,
m = 100, SGD with classical momentum (0.5 rising to 0.7) and lr 0.1 / 1.000004^step, the
simultaneous update (k = 1) and the non-saturating objective of Section 3. G, D, p_z, the optimiser,
the schedules and the losses are gan_src's own (``gan_src.models``, ``.optim``, ``.losses``).
Seed s draws from the same random streams as ``python -m gan_src train --seed s``: data order and z
from a ``torch.Generator`` seeded with s (on the CPU, as ``train``), D's dropout masks from a second
one seeded with s (on the device; ``train`` uses torch's global generator, seeded with s). On the
CPU a seed of the sweep follows ``train``'s run to float rounding (``tests/test_gpu_sweep.py``);
on CUDA the masks come from one draw per seed and step, so another stream than ``train``'s there.

How the seeds run together. Each parameter of G and D is stacked over seeds along a new first
axis (``torch.func.stack_module_state``), and one step runs G and D for every seed at once:
``torch.func.vmap`` over ``functional_call`` of gan_src's own layers (Linear, ReLU, Sigmoid,
Maxout), so each layer is one batched matmul over the seeds, and the losses of ``gan_src.losses``
are vmapped too. The gradients are those of the sum of the seeds' losses, which for each seed's
slice is exactly its own loss's gradient (seeds share no parameter), taken as ``train``'s
``simultaneous_step`` takes them: D's from 0.5 * (-V) (the authors' D cost), G's from the
non-saturating loss through the same dropout-perturbed pass of D. One ``ClassicalMomentum``
updates the stacked tensors: its rule is element-wise, so this is each seed's own update.
Why batching, not CUDA streams or a process per seed: at m = 100 a step is ~260 small
operations whose dispatch and launch from Python (~10 us each, ~3 ms a step), not the GPU's
arithmetic (~3 GFLOP per seed and step: ~0.4 ms for 8 seeds at the H200's ~60 TFLOP/s in fp32),
sets the speed. Streams would still issue 8x as many operations from one Python thread; batched,
8 seeds issue about as many as one, and each matmul gets 8x the work. D runs once over
[x; G(z)] per seed (rows are independent in D: the same as ``train``'s two passes, whose
docstring says so), with masks drawn in ``train``'s order (D(x)'s layers, then D(G(z))'s).

Scores. After every ``--every`` (10) epochs each seed's G is scored on the device by the
paper's protocol (``gan_src.parzen``: ``--samples`` (10,000) samples of G as centres, sigma from
``logspace(-1, 0, 10)`` chosen on the first 1,000 validation images, mean LL ± standard error on
the 10,000 test images) plus the two other validation scores of ``gan_src.snapshots.RULES``:
``valid_all`` (all 10,000 validation images at the chosen sigma) and ``valid_gen_ll`` (the
authors' monitored channel, ``parzen.monitor_ll``: sigma 0.2, 100 fresh samples of G per batch of
100 validation images, as ``ll_n_samples = 100`` of their ``adversarial.Generator`` and
pylearn2's monitor). A row holds the keys of ``snapshots.score`` (``seed`` there is the z seed of
the centres, 0, not the training seed) and ``epoch``, ``seconds`` (the sweep's training seconds
so far), and the last epoch's mean D loss, G loss, D(x) and D(G(z)). All fp32: TF32 stays off.

Files, rewritten whole after every scored block (a kill leaves the last block's):

- ``OUT/seedN/parzen.jsonl``: seed N's curve (``run_folder.read_curve`` reads it);
- ``OUT/seedN/G_best.pt`` and ``G_best.json``: its G with the best ``valid_all`` (a state_dict
  of ``models.mnist_generator``) and provenance (seed, epoch, scores, device, torch, command,
  seconds, config);
- ``OUT/sweep.json``: the sweep's settings, state (epochs, why it stopped) and each seed's best;
- with ``--bundle DIR``: ``DIR/sweep.json`` (the same, with every seed's curve and provenance)
  and ``DIR/G_best_seedN.pt`` for the 6 seeds with the highest best ``valid_all``: the device
  tool brings back at most 8 files and 64 MiB (a G is 10 MB), which ``OUT`` itself would exceed.

Time. ``--minutes`` counts from the start (loading included). A block of 10 epochs starts only
when the last block's training and scoring time still fits; a block that the budget cuts short
anyway is dropped (nothing of it is written), so every epoch in the files is a scored block's.
A progress line is printed per scored block. Bad arguments, a missing device or MNIST: one line,
exit code 2.
"""

# No `from __future__ import annotations`: the tests load this file by its path (conftest's `script`),
# outside sys.modules, where @dataclass cannot resolve annotations kept as strings.
import argparse
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.func import functional_call, stack_module_state, vmap

if __package__ in (None, "") and str(Path(__file__).resolve().parents[1]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout

from gan_src import checkpoint, experiments, parzen, run_folder, snapshots  # noqa: E402
from gan_src.cli import OneLineParser, at_least, positive  # noqa: E402
from gan_src.data import DataCorruptError, DataNotFoundError, load_mnist  # noqa: E402
from gan_src.losses import discriminator_loss, generator_loss  # noqa: E402
from gan_src.models import Dropout  # noqa: E402
from gan_src.noise import NoisePrior  # noqa: E402
from gan_src.optim import learning_rate, make_optimizer, momentum, set_hyperparameters  # noqa: E402
from gan_src.train import TrainConfig  # noqa: E402

EXPERIMENT = "mnist"
RULE = "valid_all"   # the best G per seed: Table 1's selection rule (snapshots.best_snapshot's default)
STOPPED = {"time": "time budget", "epochs": "--epochs-max", "diverged": "every seed diverged"}
BUNDLE_G = 6         # Gs in --bundle: 6 x 10 MB and sweep.json fit the device tool's 8 files, 64 MiB


@dataclass
class Seeds:
    """S seeds of one experiment as one batched model: every parameter stacked over seeds (axis 0)."""

    seeds: list[int]
    G: nn.Module                        # one seed's networks: the layers that functional_call fills
    D: nn.Module
    G_params: dict[str, Tensor]         # name -> (S, *shape), leaves that the optimisers update
    D_params: dict[str, Tensor]
    opt_G: torch.optim.Optimizer
    opt_D: torch.optim.Optimizer
    rngs: list[torch.Generator]         # per seed, CPU: data order and z (train's generator)
    dropout_rngs: list[torch.Generator]  # per seed, on the device: D's dropout masks
    data: Tensor                        # the training rows, on the device
    p_z: NoisePrior
    epoch: int = 0
    step: int = 0

    def G_state(self, i: int) -> dict[str, Tensor]:
        """The i-th seed's G as a state_dict of the experiment's G, on the CPU."""
        return {k: v[i].detach().cpu().clone() for k, v in self.G_params.items()}


def make_seeds(seeds: list[int], cfg: TrainConfig, root: str | os.PathLike | None,
               device: torch.device) -> Seeds:
    """The seeds' untrained G and D (``Experiment.build``, as ``train --seed s`` makes them), stacked."""
    if (cfg.update, cfg.optimizer, cfg.precision, cfg.k) != ("simultaneous", "momentum", "fp32", 1):
        raise ValueError(f"the sweep runs the simultaneous update with momentum in fp32 (mnist.yaml), not "
                         f"update={cfg.update}, optimizer={cfg.optimizer}, precision={cfg.precision}, k={cfg.k}")
    Gs, Ds = [], []
    for seed in seeds:
        G, D, rows, p_z = experiments.get(EXPERIMENT).build(seed, root)
        Gs.append(G)
        Ds.append(D)

    def stacked(models: list[nn.Module]) -> dict[str, Tensor]:
        params, _ = stack_module_state(models)
        return {k: v.detach().to(device).requires_grad_() for k, v in params.items()}

    G_params, D_params = stacked(Gs), stacked(Ds)
    return Seeds(
        seeds=list(seeds), G=Gs[0].to(device), D=Ds[0].to(device), G_params=G_params, D_params=D_params,
        opt_G=make_optimizer(G_params.values(), cfg.optimizer, cfg.lr, cfg.momentum_start),
        opt_D=make_optimizer(D_params.values(), cfg.optimizer, cfg.lr, cfg.momentum_start),
        rngs=[torch.Generator().manual_seed(s) for s in seeds],
        dropout_rngs=[torch.Generator(device=device).manual_seed(s) for s in seeds],
        data=rows.to(device), p_z=p_z,
    )


def dropout_layers(D: nn.Module) -> list[tuple[float, int]]:
    """(p, width) of each of D's Dropout layers in order; the width is the input width of the
    layer it feeds (its weight's last axis)."""
    layers = list(D.children())
    return [(layer.p, next(layers[i + 1].parameters()).shape[-1])
            for i, layer in enumerate(layers) if isinstance(layer, Dropout)]


def dropout_masks(sw: Seeds, m: int) -> list[Tensor]:
    """One step's dropout masks for every seed: per Dropout layer a (S, 2m, width) tensor whose
    first m rows drop D(x)'s units and last m rows D(G(z))'s. Each seed draws its uniforms in one
    call, in train's order (D(x)'s layers, then D(G(z))'s), and keeps a unit where u < 1 - p,
    scaled by 1 / (1 - p): ``models.Dropout``'s rule."""
    layers = dropout_layers(sw.D)
    width = sum(w for _, w in layers)
    u = torch.empty(len(sw.seeds), 2, m * width, device=sw.data.device)
    for i, gen in enumerate(sw.dropout_rngs):
        u[i].uniform_(generator=gen)
    masks, start = [], 0
    for p, w in layers:
        keep = 1 - p
        part = u[:, :, start * m:(start + w) * m].unflatten(2, (m, w)).flatten(1, 2)
        masks.append(part.lt_(keep).mul_(1 / keep))
        start += w
    return masks


def _seed_losses(G_params: dict[str, Tensor], D_params: dict[str, Tensor], x: Tensor, z: Tensor,
                 masks: list[Tensor], *, G: nn.Module, D: nn.Module, objective: str) -> tuple[Tensor, ...]:
    """One seed's (-V, G's loss, D's logits on x, on G(z)): G's forward, then one pass of D over
    [x; G(z)] with the given dropout masks in place of D's Dropout layers (vmapped over seeds)."""
    h = torch.cat([x, functional_call(G, G_params, (z,))])
    masks = iter(masks)
    for name, layer in D.named_children():
        if isinstance(layer, Dropout):
            h = h * next(masks)
        else:
            h = functional_call(layer, {k: D_params[f"{name}.{k}"] for k, _ in layer.named_parameters()}, (h,))
    real, fake = h[: len(x)], h[len(x):]
    return discriminator_loss(real, fake), generator_loss(fake, objective), real, fake


def batched_step(sw: Seeds, x: Tensor, z: Tensor, masks: list[Tensor], objective: str) -> tuple[Tensor, ...]:
    """``train.simultaneous_step`` for every seed at once: x (S, m, 784), z (S, m, 100). Leaves each
    seed's gradients in the stacked parameters' .grad and returns (-V, G's loss) per seed (S,) and
    D's logits on x and G(z) (S, m)."""
    d_loss, g_loss, real, fake = vmap(partial(_seed_losses, G=sw.G, D=sw.D, objective=objective))(
        sw.G_params, sw.D_params, x, z, masks)
    D_params, G_params = list(sw.D_params.values()), list(sw.G_params.values())
    # Summed over seeds: each seed's slice gets exactly its own loss's gradient. vmap returns the
    # weights' gradients transposed in memory, and the fused SGD kernel behind ClassicalMomentum
    # reads its tensors as laid out in memory, ignoring strides: .contiguous() gives them the
    # parameters' layout (without it every weight took another weight's step; the test catches it).
    for p, g in zip(D_params, torch.autograd.grad((0.5 * d_loss).sum(), D_params, retain_graph=True)):
        p.grad = g.contiguous()
    for p, g in zip(G_params, torch.autograd.grad(g_loss.sum(), G_params)):
        p.grad = g.contiguous()
    return d_loss, g_loss, real, fake


def train_epoch(sw: Seeds, cfg: TrainConfig, stop: Callable[[], bool] = lambda: False) -> Tensor | None:
    """One epoch for every seed, as ``train`` runs it (data order drawn at its start, lr and momentum
    set before every step). Returns the epoch's mean D loss, G loss, D(x), D(G(z)) per seed (4, S),
    on the CPU; None if ``stop()`` became true after a step (the epoch is then unfinished)."""
    m, n = cfg.m, len(sw.data)
    n_batches = n // m
    iterations = n_batches if cfg.steps_per_epoch is None else min(n_batches, cfg.steps_per_epoch)
    order = torch.stack([torch.randperm(n, generator=rng)[: n_batches * m].view(n_batches, m)
                         for rng in sw.rngs]).to(sw.data.device)
    sums = torch.zeros(4, len(sw.seeds), dtype=torch.float64, device=sw.data.device)
    mu = momentum(sw.epoch, cfg.momentum_start, cfg.momentum_final, cfg.momentum_saturate)
    for i in range(iterations):
        lr = learning_rate(sw.step, cfg.lr, cfg.lr_decay, cfg.lr_floor)
        set_hyperparameters(sw.opt_D, lr, mu)
        set_hyperparameters(sw.opt_G, lr, mu)
        z = torch.stack([sw.p_z(m, rng) for rng in sw.rngs]).to(sw.data.device)
        d_loss, g_loss, real, fake = batched_step(sw, sw.data[order[:, i]], z, dropout_masks(sw, m), cfg.objective)
        sw.opt_D.step()
        sw.opt_G.step()
        sw.step += 1
        sums += torch.stack([d_loss, g_loss, torch.sigmoid(real).mean(1), torch.sigmoid(fake).mean(1)]).detach()
        if stop():
            return None
    sw.epoch += 1
    return (sums / iterations).cpu()


def score(G: nn.Module, valid: Tensor, test: Tensor, samples: int = parzen.N_CENTRES,
          valid_cpu: Tensor | None = None) -> dict:
    """``snapshots.score``'s row for G (z seed 0), with the protocol's matmuls on ``valid``'s device:
    the centres from ``parzen.generator_centres``, sigma chosen on ``valid[:1000]`` and the test LL
    as ``parzen.evaluate`` does, ``valid_all`` at that sigma, and the authors' ``valid_gen_ll``
    (``parzen.monitor_ll``, which scores on the CPU: ``valid_cpu``, the same images there)."""
    device = valid.device
    centres = parzen.generator_centres(G, samples, seed=0).to(device)
    # parzen.evaluate's steps, with the sigmas as a tensor on the device: given floats, parzen builds
    # its normaliser on the CPU, which it cannot subtract from a CUDA tensor of log-likelihoods
    sigmas = torch.tensor(parzen.SIGMAS, dtype=torch.float64, device=device)
    curve = parzen.parzen_log_likelihood(valid[: parzen.N_VALID], centres, sigmas).mean(0)
    best = int(curve.argmax())
    mean, se = parzen.mean_and_se(parzen.parzen_log_likelihood(test, centres, sigmas[best]))
    return {"sigma": parzen.SIGMAS[best], "valid": float(curve[best]),
            "valid_all": float(parzen.parzen_log_likelihood(valid, centres, sigmas[best]).mean()),
            "valid_gen_ll": parzen.monitor_ll(G, valid.cpu() if valid_cpu is None else valid_cpu, 0),
            "test": mean, "se": se, "curve": curve.tolist(), "samples": samples, "seed": 0}


# --- the command ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    ap = OneLineParser(prog="gpu_sweep", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="an empty or new folder for the curves and Gs")
    ap.add_argument("--bundle", type=Path, help="an empty or new folder for sweep.json and the 6 best seeds' G")
    ap.add_argument("--minutes", type=positive, default=8.0, help="wall-clock budget, loading included")
    ap.add_argument("--seeds", type=at_least(1), default=8, help="train seeds first-seed, first-seed + 1, ...")
    ap.add_argument("--first-seed", type=at_least(0), default=0)
    ap.add_argument("--epochs-max", type=at_least(1), default=2000, help="a multiple of --every")
    ap.add_argument("--every", type=at_least(1), default=10, help="epochs between scores")
    ap.add_argument("--steps-per-epoch", type=at_least(1), help="cap (tests); default: a full pass, 500")
    ap.add_argument("--samples", type=at_least(1), default=parzen.N_CENTRES, help="Parzen centres (samples of G)")
    ap.add_argument("--data", help="folder holding MNIST/raw/ (default: $GAN_SRC_DATA)")
    ap.add_argument("--device", default="cuda", help="cuda (default), cuda:N or cpu")
    return ap


def _check_args(ap: argparse.ArgumentParser, args: argparse.Namespace) -> torch.device:
    """Every fault found before any compute, as one line (argparse's error: exit code 2)."""
    if args.epochs_max % args.every:
        ap.error(f"--epochs-max ({args.epochs_max}) must be a multiple of --every ({args.every})")
    try:
        device = torch.device(args.device)
    except RuntimeError:
        ap.error(f"--device {args.device!r} is not a device; use cuda, cuda:N or cpu")
    if device.type not in ("cuda", "cpu"):
        ap.error(f"--device {args.device!r}: the sweep runs on cuda or cpu")
    if device.type == "cuda" and not torch.cuda.is_available():
        ap.error(f"--device {args.device!r}: no CUDA GPU is usable here; use --device cpu for a test")
    if device.type == "cuda" and (device.index or 0) >= torch.cuda.device_count():
        ap.error(f"--device {args.device!r}: this machine has {torch.cuda.device_count()} GPU(s)")
    for flag, folder in (("--out", args.out), ("--bundle", args.bundle)):
        if folder is None:
            continue
        if folder.exists() and not folder.is_dir():
            ap.error(f"{flag} {folder} is a file; name a folder")
        if folder.is_dir() and any(folder.iterdir()):
            ap.error(f"{flag} {folder} is not empty; name a new or empty folder")
    if args.bundle is not None and args.bundle.resolve() == args.out.resolve():
        ap.error("--bundle and --out must be different folders")
    return device


def _write_json(path: Path, record: dict) -> None:
    checkpoint.write_atomically(path, lambda f: f.write((json.dumps(record, indent=1) + "\n").encode()))


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"{platform.machine()} CPU, {torch.get_num_threads()} thread(s), {platform.system()}"


def sweep(args: argparse.Namespace, device: torch.device, clock: Callable[[], float] = time.perf_counter) -> dict:
    """The sweep of ``args`` (see the module's docstring); returns what ``OUT/sweep.json`` holds."""
    start = clock()
    deadline = start + args.minutes * 60
    torch.set_float32_matmul_precision("highest")  # fp32 as Table 1's runs: no TF32 on CUDA
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    cfg = replace(TrainConfig(**experiments.get(EXPERIMENT).config), steps_per_epoch=args.steps_per_epoch)
    splits = load_mnist(args.data)
    valid, test = splits.valid.to(device), splits.test.to(device)
    sw = make_seeds(seeds, cfg, args.data, device)
    G = experiments.get(EXPERIMENT).generator().to(device)  # each seed's G in turn, for scoring
    folders = {s: args.out / f"seed{s}" for s in seeds}
    curves: dict[int, list[dict]] = {s: [] for s in seeds}
    best: dict[int, dict] = {}
    diverged: dict[int, int] = {}
    bundled: dict[int, int] = {}
    done = 0  # the last scored epoch: the files hold every block up to it
    record = {
        "experiment": EXPERIMENT, "seeds": seeds, "config": asdict(cfg), "every": args.every,
        "samples": args.samples, "rule": RULE, "device": _device_name(device), "torch": torch.__version__,
        "matmul_precision": torch.get_float32_matmul_precision(), "command": args.command,
        "minutes": args.minutes, "epochs": 0, "stopped": None, "train_seconds": 0.0, "score_seconds": 0.0,
        "wall_seconds": 0.0, "best": {}, "diverged": {},
    }

    def write(stopped: str | None = None) -> None:
        record.update(epochs=done, stopped=stopped, wall_seconds=round(clock() - start, 1),
                      best={str(s): {k: b[k] for k in ("epoch", "valid_all", "valid", "valid_gen_ll", "test", "se")}
                            for s, b in sorted(best.items())},
                      diverged={str(s): e for s, e in diverged.items()})
        for s in seeds:
            run_folder.write_curve(run_folder.curve_path(folders[s]), curves[s])
        _write_json(args.out / "sweep.json", record)
        if args.bundle is not None:
            _write_bundle(args.bundle, args.out, record, curves, best, bundled)

    write()
    print(f"gpu_sweep: {len(seeds)} seeds ({seeds[0]}-{seeds[-1]}) on {record['device']}, "
          f"{args.minutes:g} min budget, scores every {args.every} epochs ({args.samples} centres)", flush=True)
    estimate, stopped = None, "epochs"
    while sw.epoch < args.epochs_max:
        if estimate is not None and clock() + estimate > deadline:
            stopped = "time"
            break
        block_start = clock()
        for _ in range(args.every):
            stats = train_epoch(sw, cfg, stop=lambda: clock() > deadline)
            if stats is None:
                break
        if stats is None:  # cut short by the budget: dropped, nothing of it was written
            stopped = "time"
            break
        trained = clock() - block_start
        record["train_seconds"] = round(record["train_seconds"] + trained, 1)
        for i, s in enumerate(seeds):
            if s not in diverged and not (torch.isfinite(stats[:, i]).all()
                                          and all(torch.isfinite(p[i]).all() for p in sw.G_params.values())):
                diverged[s] = sw.epoch
                print(f"seed {s} diverged by epoch {sw.epoch} (a loss or a weight is NaN or infinite); "
                      "it is no longer scored", flush=True)
        if len(diverged) == len(seeds):
            stopped = "diverged"
            break
        score_start = clock()
        for i, s in enumerate(seeds):
            if s in diverged:
                continue
            G.load_state_dict({k: v[i].detach() for k, v in sw.G_params.items()})
            row = {"epoch": sw.epoch} | score(G, valid, test, args.samples, splits.valid) | {
                "seconds": record["train_seconds"],
                **dict(zip(("d_loss", "g_loss", "D_real", "D_fake"), stats[:, i].tolist()))}
            curves[s].append(row)
            if snapshots.best_snapshot(curves[s], RULE) is row:
                best[s] = row
                _save_best(folders[s], sw.G_state(i), s, row, cfg, record, clock() - start)
        record["score_seconds"] = round(record["score_seconds"] + clock() - score_start, 1)
        done = sw.epoch
        write()
        estimate = clock() - block_start
        live = [s for s in seeds if s not in diverged]
        top = max(live, key=lambda s: best[s][RULE])
        print(f"epoch {sw.epoch:4d}  {RULE} " + " ".join(f"{curves[s][-1][RULE]:6.1f}" for s in live)
              + f"  | best seed {top}: {best[top][RULE]:.1f} (epoch {best[top]['epoch']}, test "
              f"{best[top]['test']:.1f})  | {trained:.0f} s train, {clock() - score_start:.0f} s score, "
              f"{max(deadline - clock(), 0):.0f} s left", flush=True)
    write(stopped)
    print(f"gpu_sweep: stopped ({STOPPED[stopped]}) after epoch {done} (the last scored) and "
          f"{record['wall_seconds']:.0f} s; files in {args.out}", flush=True)
    return record


def _save_best(folder: Path, state: dict[str, Tensor], seed: int, row: dict, cfg: TrainConfig,
               record: dict, wall: float) -> None:
    """Seed ``seed``'s best G so far and its provenance, G first (the JSON names a G on disk)."""
    # a plain state_dict (no digest): torch.load and load_state_dict read it as it is, and so do gan_src's
    # readers of G snapshots (run_folder.generator_state; a file without a digest loads unchecked)
    checkpoint.write_atomically(folder / "G_best.pt", lambda f: torch.save(state, f))
    _write_json(folder / "G_best.json", {
        "seed": seed, "epoch": row["epoch"], "rule": RULE, "scores": row, "experiment": EXPERIMENT,
        "config": asdict(replace(cfg, seed=seed)), "device": record["device"], "torch": record["torch"],
        "matmul_precision": record["matmul_precision"], "command": record["command"],
        "train_seconds": row["seconds"], "wall_seconds": round(wall, 1)})


def _write_bundle(folder: Path, out: Path, record: dict, curves: dict[int, list[dict]], best: dict[int, dict],
                  bundled: dict[int, int]) -> None:
    """What comes back from the device machine: ``sweep.json`` with every seed's curve and its best
    G's provenance, and ``G_best_seedN.pt`` (copied from ``out``) for the ``BUNDLE_G`` seeds with the
    highest best score. ``bundled`` (seed -> epoch of the G in ``folder``) spares unchanged copies."""
    top = sorted(best, key=lambda s: best[s][RULE], reverse=True)[:BUNDLE_G]
    for s in top:
        if bundled.get(s) != best[s]["epoch"]:
            data = (out / f"seed{s}" / "G_best.pt").read_bytes()
            checkpoint.write_atomically(folder / f"G_best_seed{s}.pt", lambda f: f.write(data))
            bundled[s] = best[s]["epoch"]
    for s in [s for s in bundled if s not in top]:
        (folder / f"G_best_seed{s}.pt").unlink(missing_ok=True)
        del bundled[s]
    _write_json(folder / "sweep.json", record | {
        "curves": {str(s): rows for s, rows in curves.items()},
        "G_best": {str(s): json.loads((out / f"seed{s}" / "G_best.json").read_text()) for s in sorted(best)},
        "G_files": {str(s): f"G_best_seed{s}.pt" for s in sorted(bundled)}})


def main(argv: list[str] | None = None, clock: Callable[[], float] = time.perf_counter) -> int:
    """Entry point: 0 when the sweep stopped (budget, --epochs-max or divergence), 2 for a fault the
    user can fix (one line), 130 when interrupted (the files hold the last scored block)."""
    ap = build_parser()
    args = ap.parse_args(argv)
    device = _check_args(ap, args)
    args.command = shlex.join(["python3", "tools/gpu_sweep.py", *(sys.argv[1:] if argv is None else argv)])
    try:
        sweep(args, device, clock)
    except (DataNotFoundError, DataCorruptError, checkpoint.CheckpointError, ValueError) as err:
        print(f"{ap.prog}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{ap.prog}: interrupted; {args.out} holds the last scored block", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
