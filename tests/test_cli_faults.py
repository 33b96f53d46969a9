"""Runs that never lose work: every fault a user can cause is one line on stderr and exit
code 2, with no traceback and the run folder as it was; a kill between writes, a full disk, two runs
on one folder and a diverging run each leave a good checkpoint (or none) and nothing half-written."""

import argparse
import errno
import fcntl
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import torch

from gan_src import checkpoint, pretrained, run_folder
from gan_src.cli import main
from gan_src.data import MNIST_FILES, data_root
from gan_src.models import mnist_discriminator, mnist_generator, mnist_p_z
from gan_src.train import TrainConfig, TrainingDiverged, train

TINY = ["--epochs", "1", "--steps-per-epoch", "1", "--no-progress"]


def cli(capsys, *args):
    """Run the command line in this process: (exit code, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exit:  # argparse's own errors
        code = exit.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def state_of(*folders):
    """Every file under ``folders`` with its size, modification time and inode (a rename changes it)."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ino)
            for folder in folders if folder.exists() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two finished one-step runs: an MNIST run with a snapshot, and a faces run."""
    root = tmp_path_factory.mktemp("runs")
    assert main(["train", "--out", str(root / "mnist"), "--snapshot-every", "1", *TINY]) == 0
    assert main(["train", "--dataset", "faces", "--out", str(root / "faces"), *TINY]) == 0
    return root


# --- preparing a bad input: each gets the case's folder, the fixture runs and monkeypatch ------------


def a_file(tmp, runs, monkeypatch):
    (tmp / "file").write_text("not a folder")


def read_only(tmp, runs, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))
    monkeypatch.setattr(run_folder.tempfile, "TemporaryFile", refuse)  # tests run as root: chmod would not stop it


def a_run_with(make_checkpoint):
    def prepare(tmp, runs, monkeypatch):
        (tmp / "run").mkdir()
        make_checkpoint(tmp / "run" / "checkpoint.pt", runs)
    return prepare


def without_D(path, runs):
    state = checkpoint.load(runs / "mnist" / "checkpoint.pt")
    del state["D"]
    checkpoint.save(state, path)


def a_foreign_pickle(path, runs):
    torch.save({"G": argparse.Namespace(), "epoch": 1}, path)  # unpickling it would call a constructor


def held_lock(tmp, runs, monkeypatch):
    (tmp / "run").mkdir()
    return _hold(tmp / "run" / ".lock")


def held_curve(tmp, runs, monkeypatch):
    """Another parzen run writing the curve file {tmp}/curve.jsonl."""
    return _hold(run_folder.curve_lock(tmp / "curve.jsonl"))


def _hold(path):
    lock = open(path, "a+")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    lock.write("pid 4242 on testhost since 2024-01-01 00:00:00\n")
    lock.flush()
    return lock  # held until the case ends


def a_curve_of_seed_0(tmp, runs, monkeypatch):
    row = {"epoch": 1, "sigma": 0.2, "valid": 1.0, "valid_all": 1.0, "valid_gen_ll": 1.0, "test": 1.0, "se": 0.1,
           "samples": 200, "seed": 0}
    (tmp / "curve.jsonl").write_text(json.dumps(row) + "\n")


def a_checkpoint_where(change):
    """A run folder whose checkpoint is the fixture's MNIST run's with ``change(state)`` applied, saved
    as gan_src saves (so any digest it holds matches what it holds)."""
    def make(path, runs):
        state = checkpoint.load(runs / "mnist" / "checkpoint.pt")
        change(state)
        checkpoint.save(state, path)
    return a_run_with(make)


def a_run_killed_in_its_first_checkpoint(tmp, runs, monkeypatch):
    """What kill -9 during the first checkpoint's write leaves: the snapshot, the metrics, a partial
    temporary checkpoint, and no checkpoint."""
    (tmp / "run" / "snapshots").mkdir(parents=True)
    for name in ("metrics.jsonl", "snapshots/G_epoch0001.pt"):
        (tmp / "run" / name).write_bytes((runs / "mnist" / name).read_bytes())
    (tmp / "run" / ".checkpoint.pt.4242.0000.tmp").write_bytes(b"PK\x03\x04 half")


def a_snapshots_file(tmp, runs, monkeypatch):
    (tmp / "run").mkdir()
    (tmp / "run" / "snapshots").write_text("not a folder")


def a_truncated_archive(tmp, runs, monkeypatch):
    """MNIST's training labels only as a truncated .gz archive (the download broke off), and no network."""
    raw = tmp / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in MNIST_FILES:
        if name != "train-labels-idx1-ubyte":
            (raw / name).symlink_to(data_root() / "MNIST" / "raw" / name)
    archive = data_root() / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    (raw / archive.name).write_bytes(archive.read_bytes()[:1000])

    def urlopen(request, *args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution (test: offline)")
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)


def mnist_with(name, damage):
    def prepare(tmp, runs, monkeypatch):
        raw = tmp / "data" / "MNIST" / "raw"
        raw.mkdir(parents=True)
        for other in MNIST_FILES:
            source = data_root() / "MNIST" / "raw" / other
            if other == name:
                (raw / other).write_bytes(damage(source.read_bytes()))
            else:
                (raw / other).symlink_to(source)
    return prepare


def snapshots_with(name, make):
    def prepare(tmp, runs, monkeypatch):
        (tmp / "snaps").mkdir()
        torch.save(mnist_generator().state_dict(), tmp / "snaps" / "G_epoch0001.pt")
        make(tmp / "snaps" / name, runs)
    return prepare


def a_faces_G(path, runs):
    torch.save(checkpoint.load(runs / "faces" / "checkpoint.pt")["G"], path)


def not_json(tmp, runs, monkeypatch):
    (tmp / "notes.txt").write_text("my notes about the run\n")


def case(name, args, message, prepare=None, marks=()):
    """A bad input: the arguments ({tmp}: the case's folder; {mnist}, {faces}: the fixture runs), the
    text that the error line must hold, and what to prepare first."""
    return pytest.param(args, message, prepare, id=name, marks=marks)


CASES = [
    # the run folder
    case("holds a run", ["train", "--out", "{mnist}", *TINY], "already holds a run"),
    case("resume and overwrite", ["train", "--out", "{mnist}", "--resume", "--overwrite"], "not allowed with"),
    case("out is a file", ["train", "--out", "{tmp}/file", *TINY], "is a file, not a folder", a_file),
    case("read-only folder", ["train", "--out", "{tmp}/run", *TINY], "Read-only file system", read_only),
    case("folder in use", ["train", "--out", "{tmp}/run", *TINY], "in use by another run (pid 4242 on testhost",
         held_lock),
    # checkpoints
    case("no checkpoint", ["train", "--out", "{tmp}/none", "--resume"], "no checkpoint at"),
    case("empty checkpoint", ["train", "--out", "{tmp}/run", "--resume"], "is empty (0 bytes)",
         a_run_with(lambda path, runs: path.write_bytes(b""))),
    case("checkpoint without D", ["train", "--out", "{tmp}/run", "--resume"], "lacks D", a_run_with(without_D)),
    case("foreign pickle", ["train", "--out", "{tmp}/run", "--resume"], "not a file that gan_src wrote",
         a_run_with(a_foreign_pickle)),
    case("faces run as mnist", ["train", "--out", "{faces}", "--resume", "--dataset", "mnist", "--epochs", "2"],
         "holds the faces experiment, not mnist; resume it without --dataset mnist"),
    case("mnist run as cifar10_conv", ["train", "--out", "{mnist}", "--resume", "--dataset", "cifar10_conv"],
         "holds the mnist experiment, not cifar10_conv"),
    case("mnist run as conditional", ["train", "--out", "{mnist}", "--resume", "--conditional"],
         "resume it without --conditional"),
    # numbers, devices, experiments
    case("lr 0", ["train", "--lr", "0"], "--lr: must be a positive number, got 0"),
    case("lr negative", ["train", "--lr", "-0.1"], "--lr: must be a positive number"),
    case("lr nan", ["train", "--lr", "nan"], "--lr: must be a positive number"),
    case("lr inf", ["train", "--lr", "inf"], "--lr: must be a positive number"),
    case("device gpu0", ["train", "--device", "gpu0"], "'gpu0' is not a device"),
    case("device cuda", ["train", "--device", "cuda"], "no CUDA GPU",
             marks=pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")),
    case("conditional cifar10", ["train", "--dataset", "cifar10", "--conditional", "--dry-run"],
         "--conditional is for --dataset mnist only"),
    case("full cifar10 with mnist", ["train", "--full-cifar10", "--out", "{tmp}/run", *TINY],
         "--full-cifar10 is for --dataset cifar10 and cifar10_conv only, not mnist"),
    case("faces run resumed with full cifar10", ["train", "--out", "{faces}", "--resume", "--full-cifar10",
                                                 "--epochs", "2"],
         "--full-cifar10 is for --dataset cifar10 and cifar10_conv only, not faces"),
    # data
    case("MNIST truncated to 1 MB", ["train", "--data", "{tmp}/data", "--out", "{tmp}/run", *TINY],
         "train-images-idx3-ubyte is corrupt (1,048,576 bytes instead of 47,040,016)",
         mnist_with("train-images-idx3-ubyte", lambda b: b[:1 << 20])),
    case("MNIST truncated to 10 bytes", ["train", "--data", "{tmp}/data", "--out", "{tmp}/run", *TINY],
         "train-labels-idx1-ubyte is corrupt (10 bytes", mnist_with("train-labels-idx1-ubyte", lambda b: b[:10])),
    case("MNIST zeroed", ["train", "--data", "{tmp}/data", "--out", "{tmp}/run", *TINY],
         "train-images-idx3-ubyte is corrupt (its MD5 differs",
         mnist_with("train-images-idx3-ubyte", lambda b: b[:16] + bytes(20 << 20) + b[16 + (20 << 20):])),
    # parzen
    case("empty snapshot", ["parzen", "--snapshots", "{tmp}/snaps"], "G_epoch0002.pt is empty (0 bytes)",
         snapshots_with("G_epoch0002.pt", lambda path, runs: path.write_bytes(b""))),
    case("oddly named snapshot", ["parzen", "--snapshots", "{tmp}/snaps"], "is not named G_epochNNNN.pt",
         snapshots_with("G_epoch0002 (copy).pt", lambda path, runs: torch.save(mnist_generator().state_dict(), path))),
    case("faces snapshot", ["parzen", "--snapshots", "{tmp}/snaps"], "holds the 'faces' G",
         snapshots_with("G_epoch0002.pt", a_faces_G)),
    case("curve not JSON", ["parzen", "--snapshots", "{mnist}/snapshots", "--out", "{tmp}/notes.txt"],
         "notes.txt is not a Parzen curve (line 1", not_json),
    case("faces checkpoint", ["parzen", "--checkpoint", "{faces}/checkpoint.pt"], "holds the 'faces' G"),
    case("pretrained faces", ["parzen", "--pretrained", "faces"], "faces is not an MNIST generator"),
    case("pretrained path", ["parzen", "--pretrained", "../../x/evil"], "invalid choice: '../../x/evil'"),
    # what a checkpoint holds, checked before any compute
    case("G weight float64", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "G's 0.weight is torch.float64 of shape (1200, 100), not torch.float32",
         a_checkpoint_where(lambda s: s["G"].update({"0.weight": s["G"]["0.weight"].double()}))),
    case("unknown config key", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "its config holds a setting this gan_src does not know, 'warmup_epochs'",
         a_checkpoint_where(lambda s: s["config"].update(warmup_epochs=5))),
    case("config a list", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "its config is a list, not a table of settings",
         a_checkpoint_where(lambda s: s.update(config=["lr", 0.1]))),
    case("config value a string", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "its config's m is '100', a str, not int", a_checkpoint_where(lambda s: s["config"].update(m="100"))),
    case("epoch a string", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "its epoch is '1', not a whole number", a_checkpoint_where(lambda s: s.update(epoch="1"))),
    case("bad RNG states", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "its random number states are damaged",
         a_checkpoint_where(lambda s: s["rng_states"].update(rng=torch.zeros(10, dtype=torch.uint8)))),
    case("data record a list", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "its data record is [1, 2], not the rows and digest of the training data",
         a_checkpoint_where(lambda s: s.update(data=[1, 2]))),
    case("NaN weight resumed", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "G's 4.bias holds NaN or infinite values, so it is not a good checkpoint",
         a_checkpoint_where(lambda s: s["G"]["4.bias"].fill_(float("nan")))),
    case("NaN weight scored", ["parzen", "--checkpoint", "{tmp}/run/checkpoint.pt", "--samples", "100"],
         "G's 4.bias holds NaN or infinite values", a_checkpoint_where(lambda s: s["G"]["4.bias"].fill_(float("nan")))),
    # a resumed run keeps its settings: a flag that asks for others is refused, naming the run's value
    case("resume with adam", ["train", "--out", "{mnist}", "--resume", "--optimizer", "adam", "--epochs", "2"],
         "--optimizer adam conflicts with the run in {mnist}, which has --optimizer momentum; resume without "
         "--optimizer"),
    *(case(f"resume with {flag} {value}", ["train", "--out", "{mnist}", "--resume", flag, value, "--epochs", "2"],
           f"{shown} {value} conflicts with the run in {{mnist}}, which has {own}")
      for flag, shown, value, own in [
          ("--lr", "--lr", "0.05", "--lr 0.1"), ("-m", "-m/--batch-size", "50", "-m/--batch-size 100"),
          ("--seed", "--seed", "3", "--seed 0"), ("--steps-per-epoch", "--steps-per-epoch", "2", "--steps-per-epoch 1"),
          ("--precision", "--precision", "bf16", "--precision fp32"),
          ("--update", "--update", "alternating", "--update simultaneous"), ("--k", "--k", "2", "--k 1"),
          ("--objective", "--objective", "minimax", "--objective non_saturating"),
          ("--snapshot-every", "--snapshot-every", "2", "--snapshot-every 1")]),
    case("dry run resumed", ["train", "--out", "{mnist}", "--resume", "--dry-run", "--epochs", "5"],
         "--dry-run makes a new run of 3 steps and cannot --resume one; resume without --dry-run"),
    # a run killed while it wrote its first checkpoint has nothing to resume
    case("first checkpoint killed, new run", ["train", "--out", "{tmp}/run", *TINY],
         "holds a run that stopped before its first checkpoint (metrics.jsonl, snapshots/G_epoch0001.pt), so there "
         "is nothing to resume; start afresh with --overwrite", a_run_killed_in_its_first_checkpoint),
    case("first checkpoint killed, resumed", ["train", "--out", "{tmp}/run", "--resume", "--epochs", "2"],
         "the run there stopped before its first checkpoint, so there is nothing to resume; start afresh with "
         "--overwrite", a_run_killed_in_its_first_checkpoint),
    # the Parzen curve file
    case("curve in use", ["parzen", "--snapshots", "{mnist}/snapshots", "--out", "{tmp}/curve.jsonl",
                          "--samples", "200"],
         "curve.jsonl is being written by another parzen run (pid 4242 on testhost", held_curve),
    case("curve of another seed", ["parzen", "--snapshots", "{mnist}/snapshots", "--out", "{tmp}/curve.jsonl",
                                   "--samples", "200", "--seed", "1"],
         "curve.jsonl holds scores of 200 samples of G with seed 0 (epoch 1); score with --samples 200 --seed 0",
         a_curve_of_seed_0),
    case("parzen samples 1e12", ["parzen", "--pretrained", "mnist", "--samples", "1000000000000"],
         "--samples 1000000000000 needs about 29,952,000.0 GB of memory and "),
    case("parzen checkpoint with out", ["parzen", "--checkpoint", "{mnist}/checkpoint.pt", "--samples", "100",
                                        "--out", "{tmp}/curve.jsonl"],
         "--out names the curve file of --snapshots; --checkpoint, --pretrained and --centres print their result"),
    # messages that name the flag to change
    case("seed 2**70", ["train", "--seed", str(2**70), "--out", "{tmp}/run", *TINY],
         f"argument --seed: must be an integer from -2**63 to 2**64 - 1 (torch's 64-bit seeds), got {2**70}"),
    case("parzen seed 2**70", ["parzen", "--pretrained", "mnist", "--samples", "100", "--seed", str(2**70)],
         "argument --seed: must be an integer from -2**63 to 2**64 - 1"),
    case("k 3", ["train", "--k", "3", "--out", "{tmp}/run", *TINY],
         "--k 3 needs --update alternating: the simultaneous update (the default, the authors' code) makes one D step"),
    case("m 1 with batch norm", ["train", "--dataset", "cifar10_conv", "-m", "1", "--out", "{tmp}/run", *TINY],
         "-m/--batch-size 1 is too small for the cifar10_conv networks: their batch norm needs at least 2 examples"),
    case("snapshots a file", ["train", "--out", "{tmp}/run", "--snapshot-every", "1", *TINY],
         "run/snapshots is a file, not a folder, and --snapshot-every writes G's snapshots there", a_snapshots_file),
    case("MNIST archive truncated", ["train", "--data", "{tmp}/data", "--out", "{tmp}/run", *TINY],
         "train-labels-idx1-ubyte.gz is corrupt (1,000 bytes; its MD5 differs from the published archive's) and no "
         "good copy could be downloaded (offline?)", a_truncated_archive),
]


@pytest.mark.parametrize("args, message, prepare", CASES)
def test_a_bad_input_is_one_line_exit_code_2_and_changes_nothing(runs, tmp_path, monkeypatch, capsys,
                                                                  args, message, prepare):
    held = prepare(tmp_path, runs, monkeypatch) if prepare is not None else None  # noqa: F841 (a lock kept open)
    before = state_of(runs, tmp_path)
    code, _, err = cli(capsys, *(a.format(tmp=tmp_path, mnist=runs / "mnist", faces=runs / "faces") for a in args))
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("python -m gan_src") and "Traceback" not in err
    assert message.format(tmp=tmp_path, mnist=runs / "mnist", faces=runs / "faces") in err
    assert "weights_only" not in err  # never torch's advice to load a file unsafely
    assert state_of(runs, tmp_path) == before


# --- 1. a run folder that holds a run ------------------------------------------------------------


def test_a_new_run_needs_resume_or_overwrite_and_overwrite_clears_the_old_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "train", "--out", out, "--epochs", "2", "--snapshot-every", "1", *TINY[2:])[0] == 0
    (out / "parzen.jsonl").write_text(json.dumps({"epoch": 1}) + "\n")  # a curve of the old run's snapshots
    (out / ".checkpoint.pt.999.0000.tmp").write_bytes(b"half")  # what a writer killed mid-write leaves
    code, stdout, _ = cli(capsys, "train", "--out", out, "--overwrite", "--seed", "1", *TINY)
    assert code == 0
    state = checkpoint.load(out / "checkpoint.pt")
    assert state["epoch"] == 1 and state["config"]["seed"] == 1 and state["experiment"] == "mnist"
    assert len((out / "metrics.jsonl").read_text().splitlines()) == 1
    assert not list((out / "snapshots").glob("*.pt")) and not (out / "parzen.jsonl").exists()
    assert not list(out.glob("*.tmp"))


# --- 2. divergence: only finite checkpoints ---------------------------------------------------------


def test_a_diverging_run_keeps_only_a_finite_checkpoint_and_names_it(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = cli(capsys, "train", "--out", out, "--lr", "1e6", "--steps-per-epoch", "1", "--epochs", "6",
                       "--no-progress")
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    if (out / "checkpoint.pt").exists():
        state = checkpoint.load(out / "checkpoint.pt")
        assert f"{out / 'checkpoint.pt'} (epoch {state['epoch']})" in err
        assert all(torch.isfinite(v).all() for v in state["G"].values())
        G = mnist_generator()
        G.load_state_dict(state["G"])
        with torch.no_grad():
            assert torch.isfinite(G(mnist_p_z(500, torch.Generator().manual_seed(1)))).all()
    else:
        assert f"no checkpoint was written to {out}" in err


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_non_finite_weight_stops_the_run_before_it_is_written(mnist, tmp_path, value):
    """A weight of G turns NaN or infinite in epoch 2 (an infinite output bias leaves every loss finite:
    sigmoid(inf) = 1); the run stops, and the checkpoint and snapshots stay those of epoch 1."""
    data = mnist.train[:200]
    gen = torch.Generator().manual_seed(0)
    G, D = mnist_generator(data.mean(0), generator=gen), mnist_discriminator(generator=gen)
    calls = []

    def p_z(n, generator):
        calls.append(n)
        if len(calls) == 4:  # epoch 2, its second step (2 steps of m = 100 per epoch)
            with torch.no_grad():
                G[4].bias[0] = value
        return mnist_p_z(n, generator)

    with pytest.raises(TrainingDiverged, match=rf"the last good checkpoint is .*checkpoint.pt \(epoch 1\)"):
        train(G, D, data, p_z, TrainConfig(epochs=3), out=tmp_path, progress=False, snapshot_every=1)
    state = checkpoint.load(tmp_path / "checkpoint.pt")
    assert state["epoch"] == 1 and all(torch.isfinite(v).all() for v in state["G"].values())
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == ["G_epoch0001.pt"]


# --- 3. two runs on one folder ---------------------------------------------------------------------


def test_a_second_run_on_a_folder_in_use_stops_at_once_naming_the_first(tmp_path, capsys):
    out = tmp_path / "run"
    first = subprocess.Popen([sys.executable, "-m", "gan_src", "train", "--out", str(out), "--epochs", "1",
                              "--steps-per-epoch", "40", "--no-progress"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while f"pid {first.pid} " not in ((out / ".lock").read_text() if (out / ".lock").exists() else ""):
            assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
            time.sleep(0.01)
        before = state_of(out)
        code, _, err = cli(capsys, "train", "--out", out, "--overwrite", "--seed", "1", *TINY)
        assert code == 2 and f"in use by another run (pid {first.pid} on " in err and err.count("\n") == 1
        assert first.poll() is None, "the first run ended before the second was tried; give it more steps"
        assert state_of(out) == before
    finally:
        stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    state = checkpoint.load(out / "checkpoint.pt")
    assert state["config"]["seed"] == 0 and state["step"] == 40
    assert [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()] == [40]
    assert not list(out.glob(".*.tmp"))


# --- 4. a full disk ---------------------------------------------------------------------------------


def test_a_full_disk_is_one_line_and_keeps_the_previous_checkpoint(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    assert cli(capsys, "train", "--out", out, *TINY)[0] == 0
    before = (out / "checkpoint.pt").read_bytes()

    class Full(io.FileIO):
        """A disk with 1 MB left: writes fail with ENOSPC beyond it (torch.save then also raises a
        RuntimeError of its own while closing the zip file, as on a real full disk)."""
        def write(self, data):
            if self.tell() + len(data) > 1 << 20:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return super().write(data)

    monkeypatch.setattr(checkpoint, "open", lambda path, mode: Full(path, mode.replace("b", "")), raising=False)
    code, _, err = cli(capsys, "train", "--out", out, "--resume", "--epochs", "2", "--no-progress")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "No space left on device" in err and f"{out / 'checkpoint.pt'} (epoch 1)" in err
    assert (out / "checkpoint.pt").read_bytes() == before
    assert not [p.name for p in out.rglob("*.tmp")]
    monkeypatch.undo()
    assert cli(capsys, "train", "--out", out, "--resume", "--epochs", "2", "--no-progress")[0] == 0  # lock released


# --- 7. a kill between the writes of an epoch --------------------------------------------------------


@pytest.fixture(scope="module")
def uninterrupted(mnist, tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted")
    _train_tiny(mnist, out)
    return out


def _train_tiny(mnist, out, resume=False):
    data = mnist.train[:200]
    gen = torch.Generator().manual_seed(0)
    G, D = mnist_generator(data.mean(0), generator=gen), mnist_discriminator(generator=gen)
    train(G, D, data, mnist_p_z, TrainConfig(epochs=3, seed=2), out=out, resume=resume, progress=False,
          snapshot_every=1)


@pytest.mark.parametrize("writes", [1, 2, 3], ids=["after the snapshot", "after the metrics", "after the checkpoint"])
def test_a_kill_between_the_writes_of_an_epoch_loses_nothing(mnist, uninterrupted, tmp_path, monkeypatch, writes):
    """Epoch 2 writes its snapshot, its metrics, then its checkpoint; killed after any of them, the
    resumed run ends with the same files as a run never killed."""
    real, done = checkpoint.write_atomically, []

    def killed(path, write):
        real(path, write)
        done.append(path)
        if len(done) == 3 + writes:  # epoch 1 made 3 writes
            raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "write_atomically", killed)
    with pytest.raises(KeyboardInterrupt):
        _train_tiny(mnist, tmp_path)
    monkeypatch.undo()
    _train_tiny(mnist, tmp_path, resume=True)
    for name in ("G_epoch0001.pt", "G_epoch0002.pt", "G_epoch0003.pt"):
        ours = run_folder.generator_state(tmp_path / "snapshots" / name)
        theirs = run_folder.generator_state(uninterrupted / "snapshots" / name)
        assert all(torch.equal(ours[k], theirs[k]) for k in theirs), name
    assert (tmp_path / "metrics.jsonl").read_text().count("\n") == 3
    assert checkpoint.load(tmp_path / "checkpoint.pt")["history"] == [
        json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]


# --- 9. smaller ones ---------------------------------------------------------------------------------


def test_a_dry_run_leaves_no_temporary_folder_and_honours_out(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    code, stdout, _ = cli(capsys, "train", "--dry-run", "--no-progress")
    assert code == 0 and "is removed" in stdout and not list(tmp_path.iterdir())
    assert cli(capsys, "train", "--dry-run", "--no-progress", "--out", tmp_path / "kept")[0] == 0
    assert checkpoint.load(tmp_path / "kept" / "checkpoint.pt")["step"] == 3


def test_a_pretrained_name_is_never_a_path():
    with pytest.raises(pretrained.PretrainedNotFoundError, match="no pretrained model '../mnist'"):
        pretrained.load("../mnist", folder=pretrained.FOLDER / "nowhere")
    with pytest.raises(pretrained.PretrainedNotFoundError):
        pretrained.load("../pretrained/mnist")
