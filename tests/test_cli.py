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
    (["--optimizer", "rmsprop"], "invalid choice"),
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


def test_cifar10_conv_trains_with_adam_and_records_it(tmp_path):
    out = tmp_path / "cifar10_conv"
    result = run("train", "--dataset", "cifar10_conv", "--optimizer", "adam", "--lr", "0.0002", "--epochs", "1",
                 "--steps-per-epoch", "2", "--out", str(out), "--no-progress")
    assert result.returncode == 0, result.stderr
    state = checkpoint.load(out / "checkpoint.pt")
    assert state["config"]["optimizer"] == "adam" and state["config"]["lr"] == 0.0002
    assert all("exp_avg" in s for s in state["opt_G"]["state"].values())  # Adam's moments, not momentum


# --- parzen -------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    ([], "one of the arguments --checkpoint --pretrained --centres --snapshots is required"),
    (["--pretrained", "no-such-model"], "invalid choice: 'no-such-model'"),
    (["--checkpoint", "/nonexistent/checkpoint.pt"], "no checkpoint at"),
    (["--centres", "train", "--samples", "0"], "must be >= 1"),
])
def test_parzen_bad_arguments_give_one_line_and_exit_code_2(args, message):
    result = run("parzen", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_parzen_unreadable_checkpoint(tmp_path):
    (tmp_path / "broken.pt").write_bytes(b"\x00 not a checkpoint")
    result = run("parzen", "--checkpoint", str(tmp_path / "broken.pt"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot read checkpoint" in result.stderr


def test_parzen_on_a_snapshot_of_G_prints_the_curve_and_the_test_log_likelihood(tmp_path):
    import torch

    from gan_src.models import mnist_generator

    torch.save(mnist_generator(generator=torch.Generator().manual_seed(0)).state_dict(), tmp_path / "G.pt")
    result = run("parzen", "--checkpoint", str(tmp_path / "G.pt"), "--samples", "500", "--seed", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "500 samples of G" in out and out.count("<- chosen") == 1
    assert "0.1000" in out and "1.0000" in out  # the curve covers logspace(-1, 0, 10)
    assert "test LL = " in out and "(paper, Table 1: 225 ± 2)" in out



def test_parzen_snapshots_writes_one_line_per_epoch_and_skips_those_done(tmp_path):
    import json

    import torch

    from gan_src.models import mnist_generator

    for epoch, seed in ((5, 0), (10, 1)):
        G = mnist_generator(generator=torch.Generator().manual_seed(seed))
        torch.save(G.state_dict(), tmp_path / f"G_epoch{epoch:04d}.pt")
    out = tmp_path / "parzen.jsonl"
    first = run("parzen", "--snapshots", str(tmp_path), "--samples", "200", "--out", str(out))
    assert first.returncode == 0, first.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [5, 10]
    assert all(r["valid"] == max(r["curve"]) and 0.1 <= r["sigma"] <= 1 for r in rows)
    assert rows[0]["test"] != rows[1]["test"]  # two different generators, two different scores
    again = run("parzen", "--snapshots", str(tmp_path), "--samples", "200", "--out", str(out))
    assert again.returncode == 0 and len(out.read_text().splitlines()) == 2  # nothing re-evaluated


def test_parzen_snapshots_in_an_empty_folder_is_one_line_error(tmp_path):
    result = run("parzen", "--snapshots", str(tmp_path))
    assert result.returncode == 2 and "no G_epochNNNN.pt snapshots" in result.stderr


# --- train --conditional (Section 7) -------------------------------------------


def test_conditional_dry_run_trains_a_few_steps():
    result = run("train", "--conditional", "--dry-run", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "epoch 1: D loss" in result.stdout


def test_resuming_a_run_with_the_other_architecture_is_a_one_line_error(tmp_path):
    out = tmp_path / "run"
    first = run("train", "--epochs", "1", "--steps-per-epoch", "2", "--out", str(out), "--no-progress")
    assert first.returncode == 0, first.stderr
    result = run("train", "--conditional", "--epochs", "2", "--out", str(out), "--resume")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "resume it without --conditional" in result.stderr
