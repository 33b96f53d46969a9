import json

import pytest
import torch

from gan_src import checkpoint, run_folder
from gan_src.data import gaussian_1d, uniform_noise
from gan_src.models import mlp, mnist_discriminator, mnist_generator, mnist_p_z
from gan_src.train import TrainConfig, TrainingDiverged, train


def _mnist_models(data, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return mnist_generator(data.mean(0), generator=gen), mnist_discriminator(generator=gen)


def _same_weights(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))


@pytest.mark.parametrize("update, k, optimizer", [("simultaneous", 1, "momentum"), ("alternating", 2, "momentum"),
                                                 ("simultaneous", 1, "adam")])
def test_interrupted_and_resumed_run_ends_with_the_same_weights(mnist, tmp_path, update, k, optimizer):
    data = mnist.train[:1000]
    cfg = TrainConfig(epochs=3, update=update, k=k, seed=1, optimizer=optimizer, lr=0.1 if optimizer == "momentum" else 2e-4)

    G_full, D_full = _mnist_models(data)
    full = train(G_full, D_full, data, mnist_p_z, cfg, out=tmp_path / "full", progress=False)

    G_a, D_a = _mnist_models(data)
    train(G_a, D_a, data, mnist_p_z, TrainConfig(**{**cfg.__dict__, "epochs": 1}), out=tmp_path / "cut",
          progress=False)
    G_b, D_b = _mnist_models(data, seed=99)  # fresh process: different init, all overwritten on resume
    resumed = train(G_b, D_b, data, mnist_p_z, cfg, out=tmp_path / "cut", resume=True, progress=False)

    assert _same_weights(G_full, G_b) and _same_weights(D_full, D_b)
    assert [r["d_loss"] for r in resumed] == [r["d_loss"] for r in full]
    assert not _same_weights(G_full, _mnist_models(data)[0])  # training changed something


def test_checkpoint_and_metrics_log(mnist, tmp_path):
    data = mnist.train[:500]
    G, D = _mnist_models(data)
    train(G, D, data, mnist_p_z, TrainConfig(epochs=2, update="alternating", k=2), out=tmp_path, progress=False,
          snapshot_every=2)
    state = checkpoint.load(tmp_path / "checkpoint.pt")
    assert state["epoch"] == 2
    assert state["step"] == 2 * (5 // 2)  # 5 minibatches per epoch, 2 consumed per iteration
    assert set(state) >= {"G", "D", "opt_D", "opt_G", "rng_states", "config", "history"}
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2]
    assert rows[-1]["lr"] == pytest.approx(0.1 / 1.000004**3)
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == ["G_epoch0002.pt"]
    snapshot = run_folder.generator_state(tmp_path / "snapshots" / "G_epoch0002.pt")
    assert torch.equal(snapshot["0.weight"], G.state_dict()["0.weight"])


def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(mnist, tmp_path):
    data = mnist.train[:300]
    G, D = _mnist_models(data)
    train(G, D, data, mnist_p_z, TrainConfig(epochs=1), out=tmp_path, progress=False)
    good = checkpoint.load(tmp_path / "checkpoint.pt")
    with pytest.raises(TrainingDiverged, match="last good checkpoint"):
        train(G, D, torch.full_like(data, float("nan")), mnist_p_z, TrainConfig(epochs=2), out=tmp_path,
              resume=True, progress=False)
    kept = checkpoint.load(tmp_path / "checkpoint.pt")
    assert kept["epoch"] == 1 and torch.equal(kept["G"]["0.weight"], good["G"]["0.weight"])


def test_unreadable_checkpoint_is_reported(tmp_path):
    (tmp_path / "checkpoint.pt").write_text("not a checkpoint")
    with pytest.raises(checkpoint.CheckpointError, match="cannot read checkpoint"):
        checkpoint.load(tmp_path / "checkpoint.pt")


def test_invalid_configurations_are_refused():
    with pytest.raises(ValueError, match="k = 1"):
        TrainConfig(update="simultaneous", k=2)
    with pytest.raises(ValueError, match="update"):
        TrainConfig(update="sometimes")
    with pytest.raises(ValueError, match="optimizer"):
        TrainConfig(optimizer="rmsprop")


@pytest.mark.parametrize("update", ["simultaneous", "alternating"])
def test_a_1d_gan_moves_p_g_onto_p_data(update):
    """Algorithm 1 on Figure 1's setting: G starts near 0 and must learn N(4, 0.5^2)."""
    data = gaussian_1d(10_000, torch.Generator().manual_seed(0), mean=4.0, std=0.5)
    torch.manual_seed(0)
    G, D = mlp(1, 1, hidden=32), torch.nn.Sequential(mlp(1, 1, hidden=32), torch.nn.Flatten(0))

    def p_z(n, gen):
        return uniform_noise(n, 1, gen, half_width=1.0)

    with torch.no_grad():
        assert abs(G(p_z(1000, torch.Generator())).mean().item()) < 1
    history = train(G, D, data, p_z, TrainConfig(epochs=10, lr=0.05, update=update, momentum_saturate=2),
                    progress=False)
    with torch.no_grad():
        x = G(p_z(10_000, torch.Generator().manual_seed(1)))
    assert abs(x.mean().item() - 4.0) < 0.2
    assert history[-1]["D_real"] == pytest.approx(0.5, abs=0.05)  # D can no longer tell them apart


def test_bf16_runs_the_matmuls_in_bfloat16_and_stays_close_to_fp32(mnist, tmp_path):
    data = mnist.train[:200]
    runs = {}
    for precision in ("fp32", "bf16"):
        G, D = _mnist_models(data)
        history = train(G, D, data, mnist_p_z, TrainConfig(epochs=1, precision=precision, steps_per_epoch=2),
                        out=tmp_path / precision, progress=False)
        runs[precision] = (G, history)
        assert checkpoint.load(tmp_path / precision / "checkpoint.pt")["config"]["precision"] == precision
    (G32, h32), (G16, h16) = runs["fp32"], runs["bf16"]
    w32, w16 = G32.state_dict()["4.weight"], G16.state_dict()["4.weight"]
    assert w16.dtype == torch.float32 and not torch.equal(w32, w16)  # autocast was on; weights stay fp32
    assert (w32 - w16).abs().max() < 0.01 * w32.abs().max()
    assert h16[0]["d_loss"] == pytest.approx(h32[0]["d_loss"], rel=0.02)
    with pytest.raises(ValueError, match="precision"):
        TrainConfig(precision="fp16")
