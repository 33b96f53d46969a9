"""Shipping a run (gan_src.shipping.ship, the one function every tools/ship_*.py calls): the record's
command is the exact command that trained the run, whatever the experiment."""

import dataclasses
import json
import shlex

import pytest
import torch

from gan_src import experiments, pretrained, shipping
from gan_src.cli import build_parser, main
from gan_src.cli_train import train_command
from gan_src.train import TrainConfig

TINY = ["--epochs", "1", "--steps-per-epoch", "2", "--no-progress"]


def parsed_config(command: str) -> tuple[str, TrainConfig, int | None]:
    """The experiment, config and snapshot interval that ``python -m gan_src train ...`` asks for."""
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "gan_src", "train"]
    args = build_parser().parse_args(words[3:])
    name = args.dataset + ("_conditional" if args.conditional else "")
    chosen = {f.name: getattr(args, f.name) for f in dataclasses.fields(TrainConfig)
              if f.name != "epochs" and getattr(args, f.name, None) is not None}
    return name, TrainConfig(epochs=args.epochs, **{**experiments.get(name).config, **chosen}), args.snapshot_every


@pytest.mark.parametrize("name, config", [
    ("mnist", TrainConfig(epochs=3)),
    ("mnist", TrainConfig(epochs=3, update="alternating", k=2, objective="minimax", precision="bf16", seed=7)),
    ("mnist_conditional", TrainConfig(epochs=3, m=50, steps_per_epoch=4)),
    ("cifar10_conv", TrainConfig(epochs=3, optimizer="adam", lr=0.0002)),
    ("faces", TrainConfig(epochs=3, lr=0.05)),
])
def test_the_command_gives_back_the_run_it_was_written_from(name, config):
    command = train_command(name, dataclasses.asdict(config), 80, "runs/x", snapshot_every=5)
    assert parsed_config(command) == (name, dataclasses.replace(config, epochs=80), 5)
    assert "--snapshot-every" not in train_command(name, dataclasses.asdict(config), 80, "runs/x")


def test_a_run_on_the_full_cifar10_is_given_back_with_full_cifar10():
    config = dataclasses.asdict(TrainConfig(lr=0.05))
    full = train_command("cifar10", config, 80, "runs/x", full_cifar10=True)
    assert build_parser().parse_args(shlex.split(full)[3:]).full_cifar10
    assert "--full-cifar10" not in train_command("cifar10", config, 80, "runs/x")


def test_a_config_no_command_line_can_give_is_refused():
    config = dataclasses.asdict(TrainConfig(lr_decay=1.00001))
    with pytest.raises(ValueError, match="it sets lr_decay"):
        train_command("mnist", config, 10, "runs/x")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "run"
    assert main(["train", "--out", str(out), "--snapshot-every", "1", "--lr", "0.05", *TINY]) == 0
    return out


def test_ship_records_the_exact_command_the_run_and_what_the_script_measures(run, tmp_path, capsys):
    seen = {}

    def describe(G, record):
        seen["G"], seen["record"] = G, record
        return {"model": "a tiny MNIST G", "score": 1.5}

    written = shipping.ship(run, "tiny", "tools/ship_x.py", describe, epoch=1, experiment="mnist", folder=tmp_path)
    assert [p.name for p in written] == ["tiny_G.pt", "tiny_D.pt", "tiny.json"]
    assert capsys.readouterr().out.count("wrote ") == 3
    record = pretrained.provenance("tiny", folder=tmp_path)
    assert list(record)[:2] == ["model", "command"] and record["score"] == 1.5
    assert parsed_config(record["command"]) == ("mnist", TrainConfig(epochs=1, lr=0.05, steps_per_epoch=2), 1)
    assert record["recreate"] == f"{record['command']} && python tools/ship_x.py {run} --epoch 1"
    assert record["epochs"] == 1 and record["steps"] == 2 and record["seed"] == 0
    assert record["source"].endswith("G_epoch0001.pt") and record["discriminator_source"].endswith("checkpoint.pt")
    assert seen["record"]["epochs"] == 1  # describe sees the record of the G it describes
    shipped = pretrained.load("tiny", folder=tmp_path)
    z = torch.zeros(2, 100)
    assert (shipped(z) - seen["G"].eval()(z)).abs().max() < 1e-2  # float16 weights


def test_ship_refuses_a_run_of_another_experiment(run, tmp_path):
    with pytest.raises(SystemExit, match="holds the mnist experiment, not faces"):
        shipping.ship(run, "faces", "tools/ship_figure2.py", lambda G, r: {}, folder=tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_script_may_give_its_own_command(run, tmp_path):
    shipping.ship(run, "own", "tools/x.py", lambda G, r: {"command": "make it", "recreate": "again"},
                  experiment="mnist", keep_discriminator=False, folder=tmp_path)
    record = json.loads((tmp_path / "own.json").read_text())
    assert (record["command"], record["recreate"], record["discriminator"]) == ("make it", "again", False)
    assert not (tmp_path / "own_D.pt").exists()
