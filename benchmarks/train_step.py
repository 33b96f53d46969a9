"""Milliseconds per training step of the paper's MNIST GAN: against a plain PyTorch peer, and against
this machine's matmul bound.

One step is what ``gan_src.train.train`` does by default (the authors' simultaneous update,
k = 1, m = 100): draw z ~ p_z, ``simultaneous_step`` (G forward, D forward on x and on G(z),
D's gradient, then G's gradient through the same pass of D on G(z)), and both
optimiser steps. Warm-up steps are excluded; the figure is the median over repeats.

FLOP count, from the layer shapes (a dense layer n_in -> n_out on r rows costs 2 r n_in n_out
per matmul; forward = 1 matmul, backward = 1 for the weight gradient + 1 for the input
gradient where autograd needs it):

- forward: G on m = 100 rows (100->1200->1200->784) and D on 2m = 200 rows
  (784->1200 = 240x5 maxout pieces, 240->1200, 240->1);
- D's gradient (``autograd.grad`` w.r.t. D's parameters only): weight gradients of D's three
  layers on 200 rows + input gradients of its two upper layers (its bottom layer's input
  gradient is pruned: no requested input needs it);
- G's gradient: input gradients of all three D layers on the m rows of G(z), then weight
  gradients of G's three layers + input gradients of its two upper layers (z needs no gradient).

Element-wise work (ReLU, sigmoid, maxout, dropout, losses, the optimiser) is not counted:
the bound is the matmul time alone. The count is cross-checked against
``torch.utils.flop_counter.FlopCounterMode``. Then the step is compared with the time a large
fp32 matmul (4096 x 4096) needs for the same FLOPs, measured in the same run.

The **peer** is the step a PyTorch tutorial would write for the same networks and update rule
(``nn.Sequential`` nets, ``nn.Dropout``, ``torch.optim.SGD(momentum)``, ``BCEWithLogitsLoss``; D's
step on x and on G(z).detach(), then G's step through a second pass of D, whose backward also
computes D's weight gradients, unused). It does 3,312.4 MFLOP of matmuls per step, 17 % more than
the project's step, so a ratio of 0.75 asks the project to be 12 % faster per FLOP. It is timed
interleaved with the project's step in the same process, at 1 and 2 threads, in fp32 and in bf16
(``torch.autocast``, as ``train --precision bf16``). Target: project <= 0.75x the peer in fp32.

    GAN_SRC_DATA=/path/to/data python benchmarks/train_step.py [--profile]

Take figures on an idle machine only: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from contextlib import nullcontext

import torch
from torch import nn

from gan_src.data import load_mnist
from gan_src.models import Z_DIM, mnist_discriminator, mnist_generator, mnist_p_z
from gan_src.optim import ClassicalMomentum
from gan_src.train import simultaneous_step

M = 100
G_LAYERS = [(100, 1200), (1200, 1200), (1200, 784)]
D_LAYERS = [(784, 1200), (240, 1200), (240, 1)]
STEPS_PER_EPOCH = 50_000 // M


def mm(rows: int, layers) -> int:
    return sum(2 * rows * n_in * n_out for n_in, n_out in layers)


def step_flops(m: int = M) -> dict[str, int]:
    """Matmul FLOPs of one simultaneous step, by pass (see the module docstring)."""
    return {
        "G forward": mm(m, G_LAYERS),
        "D forward (2m rows)": mm(2 * m, D_LAYERS),
        "D gradient (weights + upper inputs)": mm(2 * m, D_LAYERS) + mm(2 * m, D_LAYERS[1:]),
        "G gradient: through D (inputs, m rows)": mm(m, D_LAYERS),
        "G gradient: G (weights + upper inputs)": mm(m, G_LAYERS) + mm(m, G_LAYERS[1:]),
    }


def step_matmuls(m: int = M) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The matmuls of one simultaneous step as (A shape, B shape) pairs, the same passes as
    :func:`step_flops`: forward (rows x n_in @ n_in x n_out), weight gradient
    (n_out x rows @ rows x n_in), input gradient (rows x n_out @ n_out x n_in)."""
    def fwd(rows, layers):
        return [((rows, i), (i, o)) for i, o in layers]

    def wgrad(rows, layers):
        return [((o, rows), (rows, i)) for i, o in layers]

    def igrad(rows, layers):
        return [((rows, o), (o, i)) for i, o in layers]

    return (fwd(m, G_LAYERS) + fwd(2 * m, D_LAYERS)
            + wgrad(2 * m, D_LAYERS) + igrad(2 * m, D_LAYERS[1:])
            + igrad(m, D_LAYERS)
            + wgrad(m, G_LAYERS) + igrad(m, G_LAYERS[1:]))


def precision_context(precision: str):
    """The autocast of ``train(..., TrainConfig(precision=...))``."""
    return torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bf16" else nullcontext()


def make_step(data: torch.Tensor, precision: str = "fp32", seed: int = 0):
    """The project's step, as ``gan_src.train.train`` runs it."""
    gen = torch.Generator().manual_seed(seed)
    G = mnist_generator(data.mean(0), generator=gen)
    D = mnist_discriminator(generator=gen)
    opt_D = ClassicalMomentum(D.parameters(), lr=0.1, momentum=0.5)
    opt_G = ClassicalMomentum(G.parameters(), lr=0.1, momentum=0.5)
    G.train(), D.train()
    order = torch.randperm(len(data), generator=gen)

    def step(i: int) -> None:
        x = data[order[(i * M) % len(data):][:M]]
        with precision_context(precision):
            z = mnist_p_z(M, gen)
            d_loss, g_loss, _, _ = simultaneous_step(G, D, x, z, "non_saturating")
            opt_D.step()
            opt_G.step()
        d_loss.item(), g_loss.item()  # the training loop syncs on these too
    return step


class PeerMaxout(nn.Module):
    def __init__(self, n_in: int, units: int = 240, pieces: int = 5) -> None:
        super().__init__()
        self.linear, self.units, self.pieces = nn.Linear(n_in, units * pieces), units, pieces

    def forward(self, x):
        return self.linear(x).view(-1, self.units, self.pieces).max(dim=2)[0]


def make_peer_step(data: torch.Tensor, precision: str = "fp32", seed: int = 0):
    """The tutorial-style step for the same networks (see the module docstring)."""
    torch.manual_seed(seed)
    G = nn.Sequential(nn.Linear(Z_DIM, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(),
                      nn.Linear(1200, 784), nn.Sigmoid())
    D = nn.Sequential(nn.Dropout(0.2), PeerMaxout(784), nn.Dropout(0.5), PeerMaxout(240),
                      nn.Dropout(0.5), nn.Linear(240, 1))
    opt_D = torch.optim.SGD(D.parameters(), lr=0.1, momentum=0.5)
    opt_G = torch.optim.SGD(G.parameters(), lr=0.1, momentum=0.5)
    bce, ones, zeros = nn.BCEWithLogitsLoss(), torch.ones(M, 1), torch.zeros(M, 1)
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(data), generator=gen)

    def step(i: int) -> None:
        x = data[order[(i * M) % len(data):][:M]]
        z = torch.rand(M, Z_DIM, generator=gen) * 2 * 3**0.5 - 3**0.5
        with precision_context(precision):
            fake = G(z)
            opt_D.zero_grad()
            d_loss = bce(D(x).float(), ones) + bce(D(fake.detach()).float(), zeros)
            d_loss.backward()
            opt_D.step()
            opt_G.zero_grad()
            g_loss = bce(D(fake).float(), ones)
            g_loss.backward()
            opt_G.step()
        d_loss.item(), g_loss.item()
    return step


def interleaved(steps: dict, n: int, repeats: int, warmup: int) -> dict[str, list[float]]:
    """Seconds per step of each, one figure per repeat; the steps are timed in turn within each repeat,
    so that all see the same machine."""
    for step in steps.values():
        for i in range(warmup):
            step(i)
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            for i in range(n):
                step(i)
            times[name].append((time.perf_counter() - start) / n)
    return times


def against_the_peer(data: torch.Tensor, args) -> None:
    print(f"\nproject vs peer, ms/step (median of {args.repeats} x {args.steps} steps in fp32, interleaved); "
          "ratio: of the medians, and its lowest and highest in one repeat")
    print(f"{'precision':>9} {'threads':>7} {'project':>9} {'peer':>9} {'ratio':>6} {'range':>11}")
    for precision in ("fp32", "bf16"):
        # bf16 may be emulated (10x slower): fewer steps and repeats
        steps, repeats = (args.steps, args.repeats) if precision == "fp32" else (2, min(args.repeats, 5))
        for threads in (1, 2):
            torch.set_num_threads(threads)
            t = interleaved({"project": make_step(data, precision), "peer": make_peer_step(data, precision)},
                            steps, repeats, warmup=3)
            project, peer = statistics.median(t["project"]), statistics.median(t["peer"])
            ratios = [a / b for a, b in zip(t["project"], t["peer"])]
            print(f"{precision:>9} {threads:>7} {project * 1e3:>9.1f} {peer * 1e3:>9.1f} "
                  f"{project / peer:>6.2f} {min(ratios):>5.2f}-{max(ratios):.2f}")
    print("target: ratio <= 0.75 in fp32. bf16 is fast only where the CPU has bf16 units (AVX512-BF16, AMX)")


def counted_flops(step) -> int:
    """Matmul FLOPs of one call of ``step``, as ``torch.utils.flop_counter`` counts them."""
    from torch.utils.flop_counter import FlopCounterMode
    step(0)  # the optimisers' first step differs from the others
    with FlopCounterMode(display=False) as counter:
        step(1)
    return counter.get_total_flops()


def against_the_bound(data: torch.Tensor, args) -> None:
    step = make_step(data)
    flops = step_flops()
    total = sum(flops.values())
    for name, f in flops.items():
        print(f"  {name:42s} {f / 1e6:8.1f} MFLOP")
    print(f"  {'total (analytic)':42s} {total / 1e6:8.1f} MFLOP; FlopCounterMode counts "
          f"{counted_flops(step) / 1e6:.1f}, and {counted_flops(make_peer_step(data)) / 1e6:.1f} in the peer's step")

    operands = [(torch.rand(*a), torch.rand(*b)) for a, b in step_matmuls()]

    def matmuls_only() -> None:
        for x, y in operands:
            x @ y

    a, b = torch.rand(4096, 4096), torch.rand(4096, 4096)
    for i in range(args.warmup):
        step(i)
    a @ b
    times, mm_times, own_times = [], [], []
    for r in range(args.repeats):  # steps and the reference matmuls interleaved: all see the same machine
        start = time.perf_counter()
        for i in range(args.steps):
            step(i)
        times.append((time.perf_counter() - start) / args.steps)
        start = time.perf_counter()
        a @ b
        mm_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for i in range(args.steps):
            matmuls_only()
        own_times.append((time.perf_counter() - start) / args.steps)
    t_step, t_own = statistics.median(times), statistics.median(own_times)
    rate = 2 * 4096**3 / statistics.median(mm_times)
    bound = total / rate
    print(f"fp32 matmul 4096^2: {rate / 1e9:.0f} GFLOP/s -> bound {bound * 1e3:.1f} ms/step")
    print(f"measured: {t_step * 1e3:.1f} ms/step (median of {args.repeats} x {args.steps} steps), "
          f"{t_step * STEPS_PER_EPOCH:.1f} s/epoch of {STEPS_PER_EPOCH} steps, "
          f"{total / t_step / 1e9:.0f} GFLOP/s")
    print(f"ratio to the matmul bound: {t_step / bound:.2f}x (target 1.2x)")
    print(f"the step's own {len(operands)} matmuls alone, same shapes: {t_own * 1e3:.1f} ms "
          f"({total / t_own / 1e9:.0f} GFLOP/s; {t_own / bound:.2f}x the bound), so the rest of the step "
          f"(dropout masks, maxout, activations, losses, optimiser) takes {(t_step - t_own) * 1e3:.1f} ms")

    if args.profile:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for i in range(20):
                step(i)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="steps per repeat")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="also print torch.profiler's top operators")
    args = parser.parse_args()
    data = load_mnist(download=False).train
    print(f"torch {torch.__version__}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    against_the_peer(data, args)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count())))
    print(f"\nthe project's fp32 step against the matmul bound, {torch.get_num_threads()} threads")
    against_the_bound(data, args)


if __name__ == "__main__":
    main()
