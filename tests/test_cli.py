import subprocess
import sys

import pytest

from gan_src import checkpoint


def run(*args):
    return subprocess.run([sys.executable, "-m", "gan_src", *args], capture_output=True, text=True, timeout=300)


def test_help():
    result = run("train", "--help")
    assert result.returncode == 0 and "--resume" in result.stdout and "--dry-run" in result.stdout


def test_dry_run_trains_a_few_steps():
    result = run("train", "--dataset", "mnist", "--dry-run", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "epoch 1: D loss" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--dataset", "cifar100"], "invalid choice"),
    (["--epochs", "-3"], "must be >= 1"),
    (["--epochs", "two"], "expected an integer"),
    (["--resume", "--out", "/nonexistent/run"], "no checkpoint at"),
])
def test_bad_arguments_give_one_line_and_exit_code_2(args, message):
    result = run("train", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_train_then_resume(tmp_path):
    out = tmp_path / "run"
    first = run("train", "--epochs", "1", "--steps-per-epoch", "4", "--out", str(out), "--no-progress")
    assert first.returncode == 0, first.stderr
    second = run("train", "--epochs", "2", "--steps-per-epoch", "4", "--out", str(out), "--resume")
    assert second.returncode == 0, second.stderr
    assert "resuming" in second.stdout
    state = checkpoint.load(out / "checkpoint.pt")
    assert state["epoch"] == 2 and state["step"] == 8
