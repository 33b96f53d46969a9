"""Checkpoints you can trust: a damaged file is refused, never loaded or crashed on; every signal
and every conflict between a flag and a run is said in one line. The faults that take the process
down (a segfault, a signal, a warning printed before the error) run in a subprocess of their own."""

import os
import pickle
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from gan_src import checkpoint, run_folder, snapshots
from gan_src.data import CIFAR_SUBSET_FILE, data_root
from gan_src.cli import main

TINY = ["--epochs", "1", "--steps-per-epoch", "1", "--no-progress"]


def gan_src(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "gan_src", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def cli(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A finished one-step MNIST run with a snapshot of epoch 1."""
    out = tmp_path_factory.mktemp("run") / "run"
    assert main(["train", "--out", str(out), "--snapshot-every", "1", *TINY]) == 0
    return out


def copy_of(run, tmp_path):
    shutil.copytree(run, tmp_path / "run", ignore=shutil.ignore_patterns(".lock"))
    return tmp_path / "run"


def flip_a_bit_of(path, weight):
    """Flip the lowest bit of one byte inside the stored bytes of the tensor ``weight`` (torch's zip
    archive stores tensors uncompressed); returns the file's new bytes."""
    data = bytearray(path.read_bytes())
    start = data.find(weight.contiguous().numpy().tobytes()[:64])
    assert start > 0
    data[start + 4 * 1000 + 1] ^= 0x01  # the 1,001st weight changes in its 16th mantissa bit
    path.write_bytes(bytes(data))
    return bytes(data)


# --- a damaged file is refused (one line, exit code 2, the file left as it is) ----------------------


@pytest.mark.parametrize("command", ["resume", "parzen"])
def test_a_flipped_bit_in_a_checkpoint_is_refused(run, tmp_path, command):
    out = copy_of(run, tmp_path)
    damaged = flip_a_bit_of(out / "checkpoint.pt", checkpoint.load(run / "checkpoint.pt")["G"]["0.weight"])
    if command == "resume":
        result = gan_src("train", "--out", out, "--resume", "--epochs", "2", "--no-progress")
    else:
        result = gan_src("parzen", "--checkpoint", out / "checkpoint.pt", "--samples", "100")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (f"{out / 'checkpoint.pt'} is damaged: what it holds does not match the digest recorded when it was "
            "written") in result.stderr
    assert (out / "checkpoint.pt").read_bytes() == damaged and not (out / "snapshots" / "G_epoch0002.pt").exists()


def test_a_flipped_bit_in_a_snapshot_is_refused(run, tmp_path):
    out = copy_of(run, tmp_path)
    snapshot = out / "snapshots" / "G_epoch0001.pt"
    flip_a_bit_of(snapshot, run_folder.generator_state(snapshot)["2.weight"])
    result = gan_src("parzen", "--snapshots", out / "snapshots", "--out", out / "parzen.jsonl", "--samples", "100")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert f"{snapshot} is damaged: what it holds does not match the digest" in result.stderr
    assert not (out / "parzen.jsonl").exists()


def test_every_checkpoint_and_snapshot_records_the_digest_of_what_it_holds(run):
    for path in (run / "checkpoint.pt", run / "snapshots" / "G_epoch0001.pt"):
        state = torch.load(path, weights_only=True)
        assert state["format"] == 2
        content = {key: value for key, value in state.items() if key != "sha256"}
        assert state["sha256"] == checkpoint.digest(content)
    assert checkpoint.load(run / "checkpoint.pt")["snapshot_every"] == 1


def test_files_written_before_digests_still_load(run, tmp_path):
    """Checkpoints and snapshots of format 1 (a dict without a digest; a snapshot that is G's state_dict
    itself) resume and score: there is no digest to check."""
    out = copy_of(run, tmp_path)
    legacy = {key: value for key, value in checkpoint.load(run / "checkpoint.pt").items() if key != "snapshot_every"}
    torch.save(legacy | {"format": 1}, out / "checkpoint.pt")
    torch.save(run_folder.generator_state(run / "snapshots" / "G_epoch0001.pt"), out / "snapshots" / "G_epoch0001.pt")
    assert main(["train", "--out", str(out), "--resume", "--epochs", "2", "--no-progress"]) == 0
    assert checkpoint.load(out / "checkpoint.pt")["epoch"] == 2
    assert main(["parzen", "--snapshots", str(out / "snapshots"), "--out", str(out / "parzen.jsonl"),
                 "--samples", "100"]) == 0
    assert [row["epoch"] for row in run_folder.read_curve(out / "parzen.jsonl")] == [1]


# --- a hostile file never crashes the process -----------------------------------------------------


def test_a_velocity_of_the_wrong_shape_is_refused_not_a_segfault(run, tmp_path):
    """torch's fused SGD step does not check shapes: a velocity of 3 numbers for G's 120,000 weights
    read and wrote outside its memory (exit code -11)."""
    out = copy_of(run, tmp_path)
    state = checkpoint.load(out / "checkpoint.pt")
    state["opt_G"]["state"][0]["velocity"] = torch.zeros(3)
    checkpoint.save(state, out / "checkpoint.pt")
    before = (out / "checkpoint.pt").read_bytes()
    result = gan_src("train", "--out", out, "--resume", "--epochs", "2", "--no-progress")
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stderr.count("\n") == 1
    assert ("opt_G's velocity of parameter 0 is torch.float32 of shape (3,), not torch.float32 of shape "
            "(1200, 100)") in result.stderr
    assert (out / "checkpoint.pt").read_bytes() == before


def test_a_plain_pickle_is_refused_in_one_line_without_torchs_warning(tmp_path):
    (tmp_path / "G.pt").write_bytes(pickle.dumps({"0.weight": [0.0] * 10}))
    result = gan_src("parzen", "--checkpoint", tmp_path / "G.pt")
    assert result.returncode == 2
    assert result.stderr == (f"python -m gan_src: error: cannot read checkpoint {tmp_path / 'G.pt'}: not a file that "
                             "gan_src wrote, or a damaged one (not a zip archive of torch.save)\n")


# --- signals: one line, the exit code of the signal, nothing half-written left -----------------------

KILLED_WHILE_WRITING = """
import io, os, signal, sys
from gan_src import checkpoint
from gan_src.cli import main

class Killed(io.FileIO):
    '''A file whose writer receives the signal once 1 MB of it is written (a checkpoint is ~30 MB).'''
    def write(self, data):
        if self.tell() > 1 << 20:
            os.kill(os.getpid(), getattr(signal, sys.argv[1]))
        return super().write(data)

checkpoint.open = lambda path, mode: Killed(path, mode.replace("b", ""))
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("signal, code, resume, advice", [
    ("SIGINT", 130, False, "interrupted (Ctrl-C); no checkpoint was written to {out}: start again with --overwrite"),
    ("SIGTERM", 143, True, "interrupted (SIGTERM); continue with --resume (--out {out}) from the last finished epoch"),
])
def test_a_signal_while_the_checkpoint_is_written_is_one_line_and_leaves_no_temporary_file(
        run, tmp_path, signal, code, resume, advice):
    out = copy_of(run, tmp_path) if resume else tmp_path / "run"
    before = (out / "checkpoint.pt").read_bytes() if resume else None
    args = ["--out", out, "--resume", "--epochs", "2"] if resume else ["--out", out, *TINY[:-1]]
    result = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING, signal, "train", *map(str, args),
                             "--no-progress"], capture_output=True, text=True, timeout=300)
    assert result.returncode == code, result.stderr[-3000:]
    assert result.stderr.strip() == f"python -m gan_src: {advice.format(out=out)}"
    assert not [p.name for p in out.rglob("*.tmp")]
    assert (out / "checkpoint.pt").read_bytes() == before if resume else not (out / "checkpoint.pt").exists()


def test_sigterm_during_a_dry_run_removes_its_temporary_folder(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING, "SIGTERM", "train", "--dry-run",
                             "--no-progress"], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 143, result.stderr[-3000:]
    assert result.stderr.strip() == ("python -m gan_src: interrupted (SIGTERM); the dry run's temporary folder is "
                                     "removed")
    assert not list(tmp_path.iterdir())


def test_ctrl_c_during_parzen_snapshots_keeps_the_rows_and_says_how_to_go_on(run, tmp_path, capsys, monkeypatch):
    for epoch in (1, 2):
        shutil.copy(run / "snapshots" / "G_epoch0001.pt", tmp_path / f"G_epoch000{epoch}.pt")
    score = snapshots.score

    def interrupted_on_the_second(G, *args):
        if (tmp_path / "parzen.jsonl").exists():
            raise KeyboardInterrupt
        return score(G, *args)

    monkeypatch.setattr(snapshots, "score", interrupted_on_the_second)
    code, _, err = cli(capsys, "parzen", "--snapshots", tmp_path, "--out", tmp_path / "parzen.jsonl",
                       "--samples", "100")
    assert code == 130
    assert err.strip() == (f"python -m gan_src: interrupted (Ctrl-C); the epochs scored so far are in "
                           f"{tmp_path / 'parzen.jsonl'}; the same command scores the rest")
    assert [row["epoch"] for row in run_folder.read_curve(tmp_path / "parzen.jsonl")] == [1]


# --- a resumed run: its own settings, said when there is nothing to do ---------------------------------


def test_a_resumed_run_keeps_its_snapshot_interval_and_accepts_its_own_settings(run, tmp_path, capsys):
    out = copy_of(run, tmp_path)
    code, stdout, err = cli(capsys, "train", "--out", out, "--resume", "--epochs", "2", "--lr", "0.1", "-m", "100",
                            "--seed", "0", "--steps-per-epoch", "1", "--no-progress")
    assert code == 0, err
    assert [p.name for p in sorted((out / "snapshots").iterdir())] == ["G_epoch0001.pt", "G_epoch0002.pt"]
    state = checkpoint.load(out / "checkpoint.pt")
    assert state["epoch"] == 2 and state["step"] == 2 and state["snapshot_every"] == 1


def test_resuming_a_run_that_has_its_epochs_says_there_is_nothing_to_train(run, tmp_path, capsys):
    out = copy_of(run, tmp_path)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, stdout, err = cli(capsys, "train", "--out", out, "--resume", "--epochs", "1", "--no-progress")
    assert code == 0 and err == ""
    assert stdout.splitlines()[0] == (f"nothing to train: the run in {out} is at epoch 1 and --epochs 1 asks for 1 "
                                      "in total; ask for more (--epochs 2 or above)")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# --- a resumed run trains on its own examples: the same CIFAR-10, the same data wherever they are ------


@pytest.fixture(scope="module")
def cifar_run(tmp_path_factory):
    """A finished one-step CIFAR-10 run on the offline subset."""
    out = tmp_path_factory.mktemp("cifar") / "run"
    assert main(["train", "--dataset", "cifar10", "--out", str(out), *TINY]) == 0
    return out


def files_of(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != ".lock"}


def test_a_subset_run_resumed_with_full_cifar10_is_refused_before_any_download(cifar_run, tmp_path, capsys):
    out = copy_of(cifar_run, tmp_path)
    before = files_of(out)
    code, stdout, err = cli(capsys, "train", "--out", out, "--resume", "--full-cifar10", "--epochs", "2",
                            "--no-progress")
    assert code == 2 and err.count("\n") == 1
    assert (f"--full-cifar10 conflicts with the run in {out}, which has no --full-cifar10 (it trained on the "
            "offline subset's 4,660 images); resume without --full-cifar10") in err
    assert files_of(out) == before and not (data_root() / "cifar-10-batches-py").exists()


def test_a_full_cifar10_run_resumed_without_full_cifar10_is_refused(cifar_run, tmp_path, capsys):
    out = copy_of(cifar_run, tmp_path)
    state = checkpoint.load(out / "checkpoint.pt")
    state["data"] = {"rows": 50_000, "sha256": "0" * 64}  # what a run on the full data set records
    checkpoint.save(state, out / "checkpoint.pt")
    before = files_of(out)
    code, stdout, err = cli(capsys, "train", "--out", out, "--resume", "--epochs", "2", "--no-progress")
    assert code == 2 and err.count("\n") == 1
    assert (f"the run in {out} has --full-cifar10 (it trained on all 50,000 CIFAR-10 images); resume with "
            "--full-cifar10") in err
    assert files_of(out) == before


def test_a_resumed_run_refuses_other_examples_and_takes_the_same_data_from_anywhere(cifar_run, tmp_path, capsys):
    out = copy_of(cifar_run, tmp_path)
    before = files_of(out)
    with np.load(data_root() / CIFAR_SUBSET_FILE) as f:
        arrays = dict(f)
    other = tmp_path / "other"
    (other / CIFAR_SUBSET_FILE).parent.mkdir(parents=True)
    arrays["x_train"][0] = 255 - arrays["x_train"][0]  # one training image changed
    np.savez(other / CIFAR_SUBSET_FILE, **arrays)
    code, stdout, err = cli(capsys, "train", "--out", out, "--resume", "--data", other, "--epochs", "2",
                            "--no-progress")
    assert code == 2 and err.count("\n") == 1
    assert f"the training data in {other} are not the run's: the run in {out} trained on 4,660 examples" in err
    assert "resuming" not in stdout
    assert files_of(out) == before
    same = tmp_path / "same"
    (same / CIFAR_SUBSET_FILE).parent.mkdir(parents=True)
    (same / CIFAR_SUBSET_FILE).symlink_to(data_root() / CIFAR_SUBSET_FILE)
    code, stdout, err = cli(capsys, "train", "--out", out, "--resume", "--data", same, "--epochs", "2",
                            "--no-progress")
    assert code == 0, err
    assert checkpoint.load(out / "checkpoint.pt")["epoch"] == 2


def test_the_curve_file_is_free_again_once_a_parzen_run_ends(run, tmp_path, capsys):
    """Two runs on one curve file, one after the other: the second is not refused, and adds nothing
    (its epochs are scored)."""
    curve = tmp_path / "parzen.jsonl"
    for _ in range(2):
        assert cli(capsys, "parzen", "--snapshots", run / "snapshots", "--out", curve, "--samples", "100")[0] == 0
    assert [(row["epoch"], row["samples"], row["seed"]) for row in run_folder.read_curve(curve)] == [(1, 100, 0)]
