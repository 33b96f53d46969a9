"""Every band of gan_src.claims rejects a deliberately broken implementation.

A chapter's claim check is a test only if it can fail. For each band, the chapter's computation
is rerun at the chapter's own budget and seed with one thing broken, and the number must fall
outside the band. The settings below are the chapters' (their budget cells), repeated here.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
import torch

from gan_src import claims, losses, theory
from gan_src import train as algorithm_1
from gan_src.data import gaussian_mixture, load_mnist
from gan_src.divergences import grid, normal_pdf
from gan_src.models import mnist_discriminator, mnist_generator, mnist_p_z
from gan_src.modes import N_SAMPLES
from gan_src.parzen import mean_and_se, parzen_log_likelihood
from gan_src.toy2d import Toy2DConfig, evaluate, train_toy2d_many

TESTED: set[str] = set()  # bands with a broken-variant test below


def breaks(*names: str):
    TESTED.update(names)
    return lambda test: test


def test_every_band_has_a_broken_variant_test():
    assert set(claims.BANDS) == TESTED


def test_check_prints_the_claim_and_raises_outside_the_band(capsys, monkeypatch):
    monkeypatch.setitem(claims.BANDS, "demo", claims.Band(0.0, 0.05, "D -> D*", "nothing", "none"))
    assert claims.check("demo", 0.026) is None  # nothing for Jupyter to echo under the printed line
    assert capsys.readouterr().out == "check: demo = 0.026 in [0, 0.05] (D -> D*) ✓\n"
    long = "a claim long enough that the line must wrap to fit the column of the page"
    monkeypatch.setitem(claims.BANDS, "demo", claims.Band(0.0, 0.05, long, "nothing", "none"))
    claims.check("demo", 0.026)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line) <= 78 for line in lines) and lines[1].startswith("    ")
    with pytest.raises(claims.ClaimFailed, match="✗"):
        claims.check("demo", 0.5)
    with pytest.raises(claims.ClaimFailed):
        claims.check("demo", float("nan"))


# --- 4. Theoretical results (theoretical_results.ipynb: N_SAMPLES 5,000, D_STEPS 400, SEED 0) ---

@breaks("theory.d_error", "theory.v_gap")
def test_theory_bands_reject_a_discriminator_trained_with_real_and_fake_swapped():
    x, dx = grid(-8.0, 8.0, 1601)
    p_data, p_g = normal_pdf(x, 0.0, 1.0), normal_pdf(x, 1.5, 0.7)
    g = torch.Generator().manual_seed(0)
    x_data, x_g = torch.randn(5_000, generator=g), 1.5 + 0.7 * torch.randn(5_000, generator=g)
    logits = theory.train_discriminator(x_g, x_data, torch.tensor(x), steps=400, lr=2e-2, seed=0).numpy()
    region = p_data + p_g > 0.05
    error = np.abs(1 / (1 + np.exp(-logits)) - theory.optimal_discriminator(p_data, p_g))[region].max()
    gap = theory.virtual_training_criterion(p_data, p_g, dx) - theory.value_from_logits(p_data, p_g, logits, dx)
    assert error not in claims.BANDS["theory.d_error"]
    assert gap not in claims.BANDS["theory.v_gap"]


# --- 3. Adversarial nets (adversarial_nets.ipynb: 1 epoch; 5 x 100 alternating iterations; SEED 0) ---

@pytest.fixture(scope="module")
def mnist_train():
    return load_mnist().train


def _networks(data):
    init = torch.Generator().manual_seed(0)
    return mnist_generator(pixel_mean=data.mean(0), generator=init), mnist_discriminator(generator=init)


def _frozen(player: str):
    """``simultaneous_step`` with the gradients of one player ("G" or "D") zeroed: it never moves."""
    step = algorithm_1.simultaneous_step

    def broken(G, D, x, z, objective):
        out = step(G, D, x, z, objective)
        for p in (G if player == "G" else D).parameters():
            p.grad.zero_()
        return out
    return broken


@breaks("adversarial.epoch1_gap")
def test_epoch1_gap_band_rejects_a_discriminator_that_never_learns(mnist_train, monkeypatch):
    # (A frozen G does not fall outside: D needs more than one epoch to reject even G's initial blur.)
    monkeypatch.setattr(algorithm_1, "simultaneous_step", _frozen("D"))
    G, D = _networks(mnist_train)
    row = algorithm_1.train(G, D, mnist_train, mnist_p_z, algorithm_1.TrainConfig(epochs=1, seed=0), progress=False)[-1]
    assert row["D_real"] - row["D_fake"] not in claims.BANDS["adversarial.epoch1_gap"]


def _compare_run(data, objective):
    G, D = _networks(data)
    cfg = algorithm_1.TrainConfig(epochs=5, steps_per_epoch=100, update="alternating", objective=objective, seed=0)
    return G, D, algorithm_1.train(G, D, data, mnist_p_z, cfg, progress=False)


@breaks("adversarial.mm_D_fake")
def test_minimax_saturation_band_rejects_a_discriminator_that_never_steps(mnist_train, monkeypatch):
    step = algorithm_1.discriminator_step

    class NoStep:
        def step(self):
            pass
    monkeypatch.setattr(algorithm_1, "discriminator_step", lambda G, D, opt_D, x, z: step(G, D, NoStep(), x, z))
    _, _, history = _compare_run(mnist_train, "minimax")
    assert history[-1]["D_fake"] not in claims.BANDS["adversarial.mm_D_fake"]


@breaks("adversarial.grad_ratio")
def test_gradient_ratio_band_rejects_a_non_saturating_loss_that_is_silently_minimax(mnist_train, monkeypatch):
    correct = losses.generator_loss
    broken = lambda fake_logits, objective="non_saturating": correct(fake_logits, "minimax")  # noqa: E731
    monkeypatch.setattr(losses, "generator_loss", broken)
    monkeypatch.setattr(algorithm_1, "generator_loss", broken)
    # With this bug both objectives are one loss, so the two gradients are equal for any G and D:
    # no need to train the chapter's 500 iterations first.
    G, D = _networks(mnist_train)
    z = mnist_p_z(1_000, torch.Generator().manual_seed(0))
    ratio = (losses.generator_gradient_norm(G, D, z, "non_saturating")
             / losses.generator_gradient_norm(G, D, z, "minimax"))
    assert ratio not in claims.BANDS["adversarial.grad_ratio"]


# --- 6. Advantages (advantages.ipynb: 1,500 iterations, m 64, width 32, Adam 1e-3, seeds 0-4 / 0-2) ---

def _toy(mixture: str, seed: int, k: int = 1, lr_D: float = 1e-3, lr_G: float = 1e-3) -> Toy2DConfig:
    return Toy2DConfig(mixture=mixture, hidden=32, m=64, iterations=1500, k=k, lr_D=lr_D, lr_G=lr_G,
                       snapshot_every=250, n_snapshot=N_SAMPLES, seed=seed)


@breaks("advantages.ring_modes", "advantages.grid_modes")
def test_mode_bands_reject_a_generator_that_never_learns():
    runs = train_toy2d_many([_toy(mixture, seed, lr_G=0.0) for mixture in ("ring", "grid") for seed in range(5)])
    modes = [evaluate(run).modes_covered for run in runs]
    assert statistics.mean(modes[:5]) not in claims.BANDS["advantages.ring_modes"]
    assert statistics.mean(modes[5:]) not in claims.BANDS["advantages.grid_modes"]


@breaks("advantages.g_ahead_modes", "advantages.d_ahead_modes", "advantages.d_ahead_hq")
def test_sweep_edge_bands_reject_swapped_learning_rates_and_an_ignored_k():
    # lr_D / lr_G = 0.1 with the two rates swapped, which is also k = 3, lr_D / lr_G = 10 with k ignored
    r = math.sqrt(10)
    reports = [evaluate(run) for run in train_toy2d_many([_toy("ring", s, k=1, lr_D=1e-3 * r, lr_G=1e-3 / r)
                                                          for s in range(3)])]
    modes = statistics.mean(rep.modes_covered for rep in reports)
    assert modes not in claims.BANDS["advantages.g_ahead_modes"]
    assert modes not in claims.BANDS["advantages.d_ahead_modes"]
    assert statistics.mean(100 * rep.high_quality for rep in reports) not in claims.BANDS["advantages.d_ahead_hq"]


@breaks("advantages.parzen_real_gap")
def test_parzen_gap_band_rejects_a_window_whose_sigma_is_not_selected():
    ring = _toy("ring", 0)
    data_gen = torch.Generator().manual_seed(0)
    gaussian_mixture(1_000, ring.modes, ring.std, data_gen)  # the chapter's validation draw, unused here
    test = gaussian_mixture(N_SAMPLES, ring.modes, ring.std, data_gen)
    real = gaussian_mixture(10_000, ring.modes, ring.std, data_gen)
    exact, _ = mean_and_se(parzen_log_likelihood(test, ring.modes, ring.std))
    fixed, _ = mean_and_se(parzen_log_likelihood(test, real, 1.0))  # sigma left at 1 instead of chosen
    assert exact - fixed not in claims.BANDS["advantages.parzen_real_gap"]


# --- 7. Conclusions (conclusions.ipynb: the shipped G, 1,000 test digits, seed 0) ---

@breaks("conclusions.inference_test_ratio", "conclusions.inference_G_ratio")
def test_inference_bands_reject_an_inference_net_that_never_trained():
    from gan_src import pretrained
    from gan_src.inference import fit_inference_net, reconstruction_errors

    G = pretrained.load("mnist")
    E = fit_inference_net(G, mnist_p_z, steps=0, seed=0)
    errors = reconstruction_errors(G, E, mnist_p_z, load_mnist(download=False).test[:1_000])
    assert errors["test"] / errors["random"] not in claims.BANDS["conclusions.inference_test_ratio"]
    assert errors["G"] / errors["test"] not in claims.BANDS["conclusions.inference_G_ratio"]
