import hashlib
import json
import shutil
from pathlib import Path

import pytest
import torch

from gan_src import pretrained, shipping
from gan_src.checkpoint import CheckpointError
from gan_src.models import mnist_discriminator, mnist_generator, mnist_p_z
from gan_src.parzen import generator_centres
from gan_src.train import TrainConfig, train

PROVENANCE = {"command": "python -m gan_src train --steps-per-epoch 3", "seed": 0, "epochs": 1}


@pytest.fixture(scope="module")
def run(mnist, tmp_path_factory):
    """A real (tiny) training run: 3 steps on 300 MNIST images; returns its folder and G."""
    out = tmp_path_factory.mktemp("run")
    data = mnist.train[:300]
    gen = torch.Generator().manual_seed(0)
    G, D = mnist_generator(data.mean(0), generator=gen), mnist_discriminator(generator=gen)
    train(G, D, data, mnist_p_z, TrainConfig(epochs=1, steps_per_epoch=3), out=out, progress=False)
    return out, G


def test_export_then_load_round_trip_in_float32_is_exact(run, tmp_path):
    out, G = run
    weights, info = pretrained.export(out / "checkpoint.pt", "tiny", PROVENANCE, dtype=torch.float32, folder=tmp_path)
    loaded = pretrained.load("tiny", folder=tmp_path)
    assert not loaded.training
    assert torch.equal(generator_centres(loaded, 200), generator_centres(G, 200))
    digests = {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in ("tiny_G.pt", "tiny_D.pt")}
    assert pretrained.provenance("tiny", folder=tmp_path) == {
        **PROVENANCE, "source": str(out / "checkpoint.pt"), "dtype": "float32", "discriminator": True,
        "sha256": digests}
    assert json.loads(info.read_text())["seed"] == 0
    assert pretrained.available(tmp_path) == ["tiny"]


def test_float16_weights_change_samples_by_less_than_a_grey_level_on_average(run, tmp_path):
    # float16 keeps 11 significant bits: each weight moves by <= 2^-11 ~ 4.9e-4 relative; the
    # output logit moves by about that fraction of its size and sigmoid' <= 1/4. Measured on a
    # 100-epoch MNIST G: max |dx| 0.006, mean 3e-5 (one grey level is 1/255 ~ 0.0039).
    out, G = run
    weights, _ = pretrained.export(out / "checkpoint.pt", "half", PROVENANCE, folder=tmp_path)
    assert weights.stat().st_size < 6e6  # 2.5 M parameters x 2 bytes; the budget is 12 MB
    assert all(v.dtype == torch.float16 for v in torch.load(weights, weights_only=True).values())
    x, x16 = generator_centres(G, 500), generator_centres(pretrained.load("half", folder=tmp_path), 500)
    diff = (x - x16).abs()
    assert 0 < diff.max() < 1e-2 and diff.mean() < 1e-4


def test_the_discriminator_of_a_checkpoint_ships_beside_G(run, tmp_path):
    out, _ = run
    pretrained.export(out / "checkpoint.pt", "tiny", PROVENANCE, dtype=torch.float32, folder=tmp_path)
    D = pretrained.load_discriminator("tiny", folder=tmp_path)
    trained = torch.load(out / "checkpoint.pt", weights_only=True)["D"]
    assert not D.training
    assert all(torch.equal(D.state_dict()[k], v) for k, v in trained.items())
    assert not torch.equal(trained["5.weight"], mnist_discriminator(generator=torch.Generator().manual_seed(0))[5].weight)


def test_a_snapshot_of_G_exports_too(tmp_path):
    G = mnist_generator(generator=torch.Generator().manual_seed(1))
    torch.save(G.state_dict(), tmp_path / "G_epoch0005.pt")
    pretrained.export(tmp_path / "G_epoch0005.pt", "snap", {}, dtype=torch.float32, folder=tmp_path)
    assert torch.equal(pretrained.load("snap", folder=tmp_path)[0].weight, G[0].weight)
    assert pretrained.provenance("snap", folder=tmp_path)["discriminator"] is False
    with pytest.raises(pretrained.PretrainedNotFoundError, match="ships G only"):
        pretrained.load_discriminator("snap", folder=tmp_path)


def test_keep_discriminator_false_ships_G_alone_from_a_checkpoint(run, tmp_path):
    out, _ = run
    pretrained.export(out / "checkpoint.pt", "g_only", {}, dtype=torch.float32, folder=tmp_path, keep_discriminator=False)
    assert not (tmp_path / "g_only_D.pt").exists()
    assert pretrained.provenance("g_only", folder=tmp_path)["discriminator"] is False
    trained = torch.load(out / "checkpoint.pt", weights_only=True)["G"]
    assert torch.equal(pretrained.load("g_only", folder=tmp_path)[0].weight, trained["0.weight"])


def test_G_from_a_snapshot_and_D_from_the_run_checkpoint(run, tmp_path):
    out, _ = run
    G = mnist_generator(generator=torch.Generator().manual_seed(1))
    torch.save(G.state_dict(), tmp_path / "G_epoch0005.pt")
    pretrained.export(tmp_path / "G_epoch0005.pt", "mixed", {}, dtype=torch.float32, folder=tmp_path,
                      discriminator_path=out / "checkpoint.pt")
    assert torch.equal(pretrained.load("mixed", folder=tmp_path)[0].weight, G[0].weight)
    trained = torch.load(out / "checkpoint.pt", weights_only=True)["D"]
    D = pretrained.load_discriminator("mixed", folder=tmp_path)
    assert all(torch.equal(D.state_dict()[k], v) for k, v in trained.items())
    record = pretrained.provenance("mixed", folder=tmp_path)
    assert record["discriminator"] is True and record["discriminator_source"] == str(out / "checkpoint.pt")
    with pytest.raises(CheckpointError, match="holds no D"):  # a G snapshot has no D to ship
        pretrained.export(tmp_path / "G_epoch0005.pt", "bad", {}, folder=tmp_path,
                          discriminator_path=tmp_path / "G_epoch0005.pt")


def test_unknown_name_lists_the_available_ones(run, tmp_path):
    out, _ = run
    pretrained.export(out / "checkpoint.pt", "tiny", PROVENANCE, folder=tmp_path)
    with pytest.raises(pretrained.PretrainedNotFoundError, match=r"no pretrained model 'no-such-model'.*available: tiny"):
        pretrained.load("no-such-model", folder=tmp_path)
    with pytest.raises(pretrained.PretrainedNotFoundError, match="no-such-model"):
        pretrained.provenance("no-such-model")


def test_foreign_files_are_refused(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    torch.save({"weight": torch.zeros(3)}, tmp_path / "other.pt")
    for name, message in [("junk.pt", "cannot read"), ("other.pt", "neither"), ("missing.pt", "no checkpoint")]:
        with pytest.raises(CheckpointError, match=message):
            pretrained.export(tmp_path / name, "x", {}, folder=tmp_path)
    assert pretrained.available(tmp_path) == []


def test_shipped_files_are_package_data():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["gan_src.pretrained"]
    assert "*_G.pt" in patterns and "*.json" in patterns
    for name in pretrained.available():  # whatever ships loads, and respects the size budget
        assert (pretrained.FOLDER / f"{name}_G.pt").stat().st_size < pretrained.MAX_BYTES
        record = pretrained.provenance(name)
        assert {"command", "seed", "epochs"} <= record.keys()
        shipped = sorted(p.name for p in pretrained.FOLDER.glob(f"{name}_[GD].pt"))
        assert sorted(record["sha256"]) == shipped  # every weights file is checked when it loads
        assert not pretrained.load(name).training


@pytest.mark.parametrize("file", ["mnist_G.pt", "mnist_D.pt"])
def test_a_shipped_file_that_differs_from_its_record_is_refused(tmp_path, file):
    """One byte of the weights changed (a G weight 0.0217 becomes 0.0216 and torch loads it without a
    word): the SHA-256 in the record catches it."""
    for name in ("mnist.json", "mnist_G.pt", "mnist_D.pt"):
        shutil.copy(pretrained.FOLDER / name, tmp_path / name)
    data = bytearray((tmp_path / file).read_bytes())
    data[len(data) // 2] ^= 0x01  # inside the weights (the archive's index is at its end)
    (tmp_path / file).write_bytes(bytes(data))
    load = pretrained.load if file.endswith("_G.pt") else pretrained.load_discriminator
    with pytest.raises(CheckpointError, match=f"{file} is damaged: its SHA-256 is not the one recorded"):
        load("mnist", folder=tmp_path)


# --- other architectures: the conditional G of Section 7 ------------------------


@pytest.fixture(scope="module")
def conditional_run(mnist, tmp_path_factory):
    """A real (tiny) conditional run: 3 steps on 300 labelled MNIST images."""
    from gan_src.conditional import (class_frequencies, conditional_mnist_discriminator, conditional_mnist_generator,
                                     conditional_p_z, joint)

    out = tmp_path_factory.mktemp("conditional_run")
    x, c = mnist.train[:300], mnist.train_labels[:300]
    gen = torch.Generator().manual_seed(0)
    G, D = conditional_mnist_generator(x.mean(0), generator=gen), conditional_mnist_discriminator(generator=gen)
    train(G, D, joint(x, c), conditional_p_z(class_frequencies(c)), TrainConfig(epochs=1, steps_per_epoch=3),
          out=out, progress=False)
    return out, G, D


def test_a_conditional_model_loads_into_its_own_architecture(conditional_run, tmp_path):
    from gan_src.conditional import ConditionalDiscriminator, ConditionalGenerator

    out, G, D = conditional_run
    pretrained.export(out / "checkpoint.pt", "cond", PROVENANCE, dtype=torch.float32, folder=tmp_path,
                      architecture="mnist_conditional")
    assert pretrained.provenance("cond", folder=tmp_path)["architecture"] == "mnist_conditional"
    loaded, loaded_D = pretrained.load("cond", folder=tmp_path), pretrained.load_discriminator("cond", folder=tmp_path)
    assert isinstance(loaded, ConditionalGenerator) and isinstance(loaded_D, ConditionalDiscriminator)
    z, c = mnist_p_z(20, torch.Generator().manual_seed(0)), torch.arange(20) % 10
    with torch.no_grad():
        assert torch.equal(loaded.generate(z, c), G.eval().generate(z, c))
    assert all(torch.equal(loaded_D.state_dict()[k], v) for k, v in D.state_dict().items())


def test_exporting_with_the_wrong_architecture_is_refused(conditional_run, run, tmp_path):
    with pytest.raises(CheckpointError, match="'mnist' G"):
        pretrained.export(conditional_run[0] / "checkpoint.pt", "x", {}, folder=tmp_path)
    with pytest.raises(CheckpointError, match="'mnist_conditional' G"):
        pretrained.export(run[0] / "checkpoint.pt", "x", {}, folder=tmp_path, architecture="mnist_conditional")
    with pytest.raises(ValueError, match="unknown architecture 'resnet'"):
        pretrained.export(run[0] / "checkpoint.pt", "x", {}, folder=tmp_path, architecture="resnet")


def test_a_record_naming_an_unknown_architecture_asks_for_an_upgrade(run, tmp_path):
    pretrained.export(run[0] / "checkpoint.pt", "future", {"architecture": "stylegan9"}, folder=tmp_path)
    with pytest.raises(pretrained.PretrainedNotFoundError, match="'stylegan9'.*upgrade gan_src"):
        pretrained.load("future", folder=tmp_path)


def test_run_record_reads_the_run(run):
    out, _ = run
    record = shipping.run_record(out)
    assert record["epochs"] == 1 and record["steps"] == 3 and record["seed"] == 0
    assert record["config"]["steps_per_epoch"] == 3 and record["train_seconds"] >= 0
    assert len(record["exported_at_commit"]) in (0, 40)


def test_ship_mnist_epoch_best_is_the_best_validation_snapshot(tmp_path, script):
    ship = script("tools/ship_mnist.py")
    rows = [{"epoch": 10, "valid": 190.0, "valid_all": 185.0, "test": 199.0},
            {"epoch": 20, "valid": 205.5, "valid_all": 199.0, "test": 204.0},  # best on 1,000 images
            {"epoch": 30, "valid": 201.0, "valid_all": 200.5, "test": 203.0},  # best on all 10,000
            {"epoch": 40, "valid": 199.0, "valid_all": 190.0, "test": 212.0}]  # best test: never the choice
    (tmp_path / "parzen.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert ship.snapshot_epoch(tmp_path, "best") == 30
    assert ship.snapshot_epoch(tmp_path, "30") == 30
    assert ship.snapshot_epoch(tmp_path, None) is None
    with pytest.raises(SystemExit, match="a number or 'best'"):
        ship.snapshot_epoch(tmp_path, "last")
    with pytest.raises(SystemExit, match="has none"):
        ship.snapshot_epoch(tmp_path / "empty", "best")
