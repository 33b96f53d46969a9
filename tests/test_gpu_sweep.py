"""tools/gpu_sweep.py on the CPU with a tiny budget: its batched step is gan_src's own step for every
seed, its files hold what the sweep promises, and the time budget stops it on a scored block."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gan_src import checkpoint, experiments, run_folder, snapshots
from gan_src.models import mnist_generator
from gan_src.optim import learning_rate, make_optimizer, momentum, set_hyperparameters
from gan_src.train import TrainConfig, simultaneous_step, train

ROOT = Path(__file__).parents[1]
KEYS = {"epoch", "sigma", "valid", "valid_all", "valid_gen_ll", "test", "se", "seconds", "curve", "samples"}


@pytest.fixture(scope="module")
def gpu_sweep(script):
    return script("tools/gpu_sweep.py")


def _close(mine: torch.Tensor, ref: torch.Tensor, what: str) -> None:
    """Equal to float rounding: within 1 % of the reference's largest entry. Gradients and velocities
    are sums of terms that cancel (D's output bias the most: ~0.1 % after 4 steps), so elementwise
    relative errors would mislead; a wrong mask, row, step or layout is off by the whole entry."""
    scale = ref.abs().max().item()
    assert (mine - ref).abs().max().item() <= 1e-2 * scale, f"{what} differs beyond float rounding"


def test_one_batched_step_is_gan_src_step_for_every_seed(gpu_sweep, mnist):
    """Losses, D's logits, every gradient and the optimiser's velocities after one step equal those of
    train.simultaneous_step and ClassicalMomentum run on each seed alone with the same x, z and masks
    (dropout: torch's global generator seeded as train does, against the sweep's own generator)."""
    seeds, m = [0, 3], 100
    cfg = TrainConfig()
    sw = gpu_sweep.make_seeds(seeds, cfg, None, torch.device("cpu"))
    gen = torch.Generator().manual_seed(7)
    x = mnist.train[torch.randint(50_000, (len(seeds), m), generator=gen)]
    z = torch.stack([sw.p_z(m, gen) for _ in seeds])
    lr, mu = learning_rate(0), momentum(0)
    for opt in (sw.opt_D, sw.opt_G):
        set_hyperparameters(opt, lr, mu)
    d_loss, g_loss, real, fake = gpu_sweep.batched_step(sw, x, z, gpu_sweep.dropout_masks(sw, m), cfg.objective)
    sw.opt_D.step()
    sw.opt_G.step()
    for i, seed in enumerate(seeds):
        G, D, _, _ = experiments.get("mnist").build(seed)
        opts = {who: make_optimizer(net.parameters(), "momentum", lr, mu) for who, net in (("D", D), ("G", G))}
        torch.manual_seed(seed)
        ref = simultaneous_step(G, D, x[i], z[i], cfg.objective)
        for name, mine, theirs in zip(("D's loss", "G's loss", "D(x)'s logits", "D(G(z))'s logits"),
                                      (d_loss, g_loss, real, fake), ref):
            _close(mine[i].detach(), theirs.detach(), f"seed {seed}: {name}")
        for who, net, stacked in (("D", D, sw.D_params), ("G", G, sw.G_params)):
            for k, p in net.named_parameters():
                _close(stacked[k].grad[i], p.grad, f"seed {seed}: gradient of {who}'s {k}")
            opts[who].step()
            velocities = {id(p): s["velocity"] for p, s in opts[who].state.items()}
            mine_opt = sw.opt_D if who == "D" else sw.opt_G
            for k, p in net.named_parameters():
                _close(mine_opt.state[stacked[k]]["velocity"][i], velocities[id(p)],
                       f"seed {seed}: velocity of {who}'s {k}")


def test_sweep_follows_gan_src_train_over_epochs(gpu_sweep, tmp_path):
    """Two epochs of two steps: the same weights, velocities and per-epoch means as
    ``gan_src.train.train`` with each seed (data order, z and dropout from train's streams, the
    lr and momentum schedules across an epoch boundary)."""
    seeds = [0, 3]
    cfg = TrainConfig(epochs=2, steps_per_epoch=2)
    sw = gpu_sweep.make_seeds(seeds, cfg, None, torch.device("cpu"))
    stats = [gpu_sweep.train_epoch(sw, cfg) for _ in range(cfg.epochs)]
    assert (sw.epoch, sw.step) == (2, 4)
    for i, seed in enumerate(seeds):
        G, D, rows, p_z = experiments.get("mnist").build(seed)
        history = train(G, D, rows, p_z, TrainConfig(epochs=2, steps_per_epoch=2, seed=seed), out=tmp_path / str(seed),
                        progress=False)
        state = checkpoint.load(tmp_path / str(seed) / run_folder.CHECKPOINT_NAME)
        for who, net, stacked, opt in (("G", G, sw.G_params, sw.opt_G), ("D", D, sw.D_params, sw.opt_D)):
            ref_velocities = [s["velocity"] for s in state[f"opt_{who}"]["state"].values()]
            for (k, p), v in zip(net.named_parameters(), ref_velocities, strict=True):
                torch.testing.assert_close(stacked[k][i].detach(), p.detach(), rtol=0, atol=1e-7)
                _close(opt.state[stacked[k]]["velocity"][i], v, f"seed {seed}: velocity of {who}'s {k}")
        for epoch, row in enumerate(history):
            mine = stats[epoch][:, i].tolist()
            assert mine == pytest.approx([row["d_loss"], row["g_loss"], row["D_real"], row["D_fake"]], rel=1e-5)


@pytest.fixture(scope="module")
def swept(gpu_sweep, tmp_path_factory):
    """One tiny sweep: 2 seeds, 20 epochs of one step, scored at 10 and 20 with 100 centres."""
    out, bundle = tmp_path_factory.mktemp("sweep"), tmp_path_factory.mktemp("bundle")
    code = gpu_sweep.main(["--device", "cpu", "--seeds", "2", "--epochs-max", "20", "--steps-per-epoch", "1",
                           "--samples", "100", "--out", str(out), "--bundle", str(bundle)])
    assert code == 0
    return out, bundle


def test_sweep_writes_a_curve_and_the_best_G_by_valid_all_per_seed(gpu_sweep, swept, mnist):
    out, _ = swept
    record = json.loads((out / "sweep.json").read_text())
    assert (record["epochs"], record["stopped"], record["seeds"]) == (20, "epochs", [0, 1])
    assert record["config"] == {**record["config"], "m": 100, "lr": 0.1, "update": "simultaneous",
                                "objective": "non_saturating", "precision": "fp32", "steps_per_epoch": 1}
    for seed in (0, 1):
        rows = run_folder.read_curve(out / f"seed{seed}" / "parzen.jsonl")
        assert [r["epoch"] for r in rows] == [10, 20]
        assert all(KEYS <= r.keys() and r["samples"] == 100 for r in rows)
        chosen = max(rows, key=lambda r: r["valid_all"])
        info = json.loads((out / f"seed{seed}" / "G_best.json").read_text())
        assert info["epoch"] == chosen["epoch"] and info["scores"] == chosen and info["seed"] == seed
        assert {"device", "torch", "command", "wall_seconds", "config"} <= info.keys()
        G = mnist_generator()
        G.load_state_dict(run_folder.generator_state(out / f"seed{seed}" / "G_best.pt"))  # the MNIST G, whole
        # the file is the chosen epoch's G: scoring it again gives that row's numbers...
        again = gpu_sweep.score(G, mnist.valid, mnist.test, 100)
        assert again == {k: chosen[k] for k in again}
    # ... which are the protocol's as gan_src.snapshots.score computes them
    assert json.loads(json.dumps(snapshots.score(G, mnist.valid, mnist.test, 100))) == again


def test_bundle_fits_what_the_device_tool_brings_back(swept):
    out, bundle = swept
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    assert [p.name for p in files] == ["G_best_seed0.pt", "G_best_seed1.pt", "sweep.json"]
    assert sum(p.stat().st_size for p in files) < 64 * 2**20 and all(p.stat().st_size < 16 * 2**20 for p in files)
    record = json.loads((bundle / "sweep.json").read_text())
    for seed in (0, 1):
        assert record["curves"][str(seed)] == run_folder.read_curve(out / f"seed{seed}" / "parzen.jsonl")
        assert (bundle / f"G_best_seed{seed}.pt").read_bytes() == (out / f"seed{seed}" / "G_best.pt").read_bytes()
        assert record["G_best"][str(seed)] == json.loads((out / f"seed{seed}" / "G_best.json").read_text())


class TickingClock:
    """A clock that advances one second each time it is read: the budget bites after a fixed number
    of the sweep's clock reads, whatever this machine's speed."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.mark.parametrize("minutes", [0.5, 0.05])
def test_time_budget_stops_it_on_a_scored_block(gpu_sweep, tmp_path, minutes, capsys):
    """With 30 (ticking) seconds a few blocks of 2 epochs fit and the next is not started; with 3 the
    first block is cut short and dropped. Either way the sweep ends normally, every file is whole
    and holds only scored blocks."""
    code = gpu_sweep.main(["--device", "cpu", "--seeds", "1", "--every", "2", "--epochs-max", "1000",
                           "--steps-per-epoch", "1", "--samples", "50", "--minutes", str(minutes),
                           "--out", str(tmp_path)], clock=TickingClock())
    assert code == 0
    record = json.loads((tmp_path / "sweep.json").read_text())
    rows = run_folder.read_curve(tmp_path / "seed0" / "parzen.jsonl")
    assert record["stopped"] == "time"
    assert [r["epoch"] for r in rows] == list(range(2, record["epochs"] + 1, 2))
    assert (record["epochs"] >= 2) == (minutes == 0.5) and record["epochs"] < 1000
    assert (tmp_path / "seed0" / "G_best.pt").exists() == bool(rows)
    assert "stopped (time budget)" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--seeds", "0"], "--seeds: must be >= 1"),
    (["--minutes", "0"], "--minutes: must be a positive number"),
    (["--epochs-max", "15"], "must be a multiple of --every"),
    (["--device", "meta"], "the sweep runs on cuda or cpu"),
    (["--device", "nonsense"], "is not a device"),
])
def test_bad_arguments_are_refused_in_one_line(gpu_sweep, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as stop:
        gpu_sweep.main(["--out", str(tmp_path / "new"), *args])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "new").exists()


def test_bad_folders_and_missing_data_are_refused_in_one_line(gpu_sweep, tmp_path, capsys, offline):
    (tmp_path / "file").write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.json").write_text("{}")
    for folder, message in ((tmp_path / "file", "is a file"), (tmp_path / "full", "is not empty")):
        with pytest.raises(SystemExit) as stop:
            gpu_sweep.main(["--out", str(folder), "--device", "cpu"])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and message in err and err.count("\n") == 1
    if not torch.cuda.is_available():
        with pytest.raises(SystemExit):
            gpu_sweep.main(["--out", str(tmp_path / "new")])  # the default device is cuda
        assert "no CUDA GPU is usable here" in capsys.readouterr().err
    code = gpu_sweep.main(["--out", str(tmp_path / "new"), "--device", "cpu", "--data", str(tmp_path / "no-mnist")])
    err = capsys.readouterr().err
    assert code == 2 and "MNIST not found" in err and err.count("\n") == 1


def test_it_runs_as_a_script_from_the_checkout(tmp_path):
    """``python tools/gpu_sweep.py`` finds gan_src in its checkout, as on the GPU machine, which has a
    copy of the working tree and no installed gan_src: ``-S`` skips site-packages' .pth files (this
    environment's editable install), PYTHONPATH gives torch back."""
    site = Path(torch.__file__).parents[1]
    result = subprocess.run([sys.executable, "-S", "tools/gpu_sweep.py", "--out", str(tmp_path), "--seeds", "-1"],
                            cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(site)})
    assert result.stderr == "gpu_sweep: error: argument --seeds: must be >= 1, got -1\n"
    assert result.returncode == 2 and result.stdout == ""
