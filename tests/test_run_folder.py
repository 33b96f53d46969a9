"""A run on disk (gan_src.run_folder): one module names a run's files, saves an epoch in order and reads
G back; the package map names every module."""

import ast
import json
from pathlib import Path

import pytest
import torch

import gan_src
from gan_src import checkpoint, results, run_folder
from gan_src.checkpoint import CheckpointError
from gan_src.models import mnist_discriminator, mnist_generator
from gan_src.noise import Z_DIM, mnist_p_z, normal_noise, uniform_noise


def test_the_layout_is_named_in_one_place(tmp_path):
    assert run_folder.checkpoint_path(tmp_path) == tmp_path / "checkpoint.pt"
    assert run_folder.metrics_path(tmp_path) == tmp_path / "metrics.jsonl"
    assert run_folder.curve_path(tmp_path) == tmp_path / "parzen.jsonl"
    assert run_folder.snapshot_path(tmp_path, 10) == tmp_path / "snapshots" / "G_epoch0010.pt"
    assert run_folder.SNAPSHOT_NAME.fullmatch(run_folder.snapshot_path(tmp_path, 10).name).group(1) == "0010"


def test_save_epoch_writes_snapshot_metrics_then_checkpoint(tmp_path, monkeypatch):
    written, real = [], checkpoint.write_atomically

    def recording(path, write):
        written.append(Path(path).name)
        return real(path, write)

    monkeypatch.setattr(checkpoint, "write_atomically", recording)
    G, D = mnist_generator(), mnist_discriminator()
    history = [{"epoch": 1, "step": 5, "d_loss": 1.0}, {"epoch": 2, "step": 10, "d_loss": 0.5}]
    state = {"config": {}, "epoch": 2, "step": 10, "history": history, "G": G.state_dict(), "D": D.state_dict()}
    run_folder.save_epoch(tmp_path, state, snapshot=True)
    assert written == ["G_epoch0002.pt", "metrics.jsonl", "checkpoint.pt"]
    assert run_folder.read_metrics(tmp_path) == history
    assert list(run_folder.find_snapshots(tmp_path / "snapshots")) == [2]
    loaded = run_folder.load_generator(run_folder.snapshot_path(tmp_path, 2))
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in G.state_dict().items())
    assert run_folder.discriminator_state(run_folder.checkpoint_path(tmp_path)).keys() == D.state_dict().keys()
    assert run_folder.discriminator_state(run_folder.snapshot_path(tmp_path, 2)) is None  # a snapshot has no D
    run_folder.save_epoch(tmp_path, {**state, "epoch": 3}, snapshot=False)
    assert list(run_folder.find_snapshots(tmp_path / "snapshots")) == [2]


def test_a_curve_is_read_back_as_written_and_a_foreign_file_is_refused(tmp_path):
    rows = [{"epoch": 5, "test": 1.5}, {"epoch": 10, "test": 2.5}]
    run_folder.write_curve(tmp_path / "parzen.jsonl", rows)
    assert run_folder.read_curve(tmp_path / "parzen.jsonl") == rows
    assert run_folder.read_curve(tmp_path / "missing.jsonl") == []
    (tmp_path / "x.jsonl").write_text('{"step": 1}\n')
    with pytest.raises(ValueError, match="line 1 is not JSON with an epoch"):
        run_folder.read_curve(tmp_path / "x.jsonl")


def test_G_of_another_experiment_is_named(tmp_path):
    from gan_src.figure2 import faces_generator
    torch.save(faces_generator().state_dict(), tmp_path / "G_epoch0001.pt")
    with pytest.raises(CheckpointError, match="holds the 'faces' G, not the 'mnist' G"):
        run_folder.load_generator(tmp_path / "G_epoch0001.pt")
    assert run_folder.load_generator(tmp_path / "G_epoch0001.pt", "faces")(torch.zeros(2, Z_DIM)).shape == (2, 2304)


def test_every_prior_draws_only_from_the_generator_it_is_given():
    before = torch.get_rng_state()
    for p_z in (mnist_p_z, lambda n, g: uniform_noise(n, 1, g, half_width=1.0), lambda n, g: normal_noise(n, 2, g)):
        a, b = p_z(100, torch.Generator().manual_seed(1)), p_z(100, torch.Generator().manual_seed(1))
        assert torch.equal(a, b) and len(a) == 100
    assert torch.equal(torch.get_rng_state(), before)
    z = mnist_p_z(10_000, torch.Generator().manual_seed(0))
    assert z.shape == (10_000, Z_DIM) and z.abs().max() <= 3 ** 0.5 and abs(z.var().item() - 1) < 0.02


def test_results_are_read_by_name_never_by_path():
    for name, script in results.RESULTS.items():
        assert results.load(name) and (Path(__file__).parents[1] / script).is_file()
    with pytest.raises(KeyError, match="no result '../pretrained/mnist'"):
        results.load("../pretrained/mnist")


def test_the_package_map_names_every_module():
    root = Path(gan_src.__file__).parent
    modules = {p.stem for p in root.glob("*.py")} - {"__init__", "__main__"}
    modules |= {p.parent.name for p in root.glob("*/__init__.py")}
    modules |= {f"{p.parent.name}.{p.stem}" for p in root.glob("*/*.py") if p.stem != "__init__"}
    listed = ast.get_docstring(ast.parse((root / "__init__.py").read_text()))
    missing = sorted(m for m in modules if f"gan_src.{m}`" not in listed and f"``{m}``" not in listed)
    assert not missing, f"gan_src/__init__.py's map lacks {missing}"


def test_result_files_are_package_data():
    import tomllib
    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "*.json" in config["tool"]["setuptools"]["package-data"]["gan_src.results"]
    assert json.loads(results.path("parzen_ceilings").read_text())["real"]["mean"] > 0
