import traceback

import pytest
import torch

from gan_src.data import (DataNotFoundError, data_root, gaussian_1d, gaussian_mixture, grid_modes, load_mnist,
                          ring_modes)


def test_splits_follow_mnist_yaml(mnist):
    assert mnist.train.shape == (50_000, 784) and mnist.valid.shape == (10_000, 784)
    assert mnist.test.shape == (10_000, 784)
    assert mnist.train.dtype == torch.float32
    assert mnist.train.min() == 0 and mnist.train.max() == 1
    assert len(mnist.train.unique()) > 2  # real-valued, not binarised
    assert mnist.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_validation_is_the_last_10000_training_images(mnist):
    from torchvision.datasets import MNIST

    raw = MNIST(str(data_root()), train=True, download=False)
    assert torch.equal(mnist.valid[0], raw.data[50_000].flatten().float() / 255)
    assert torch.equal(mnist.valid_labels, raw.targets[50_000:])


def test_missing_data_gives_one_clear_error(tmp_path):
    with pytest.raises(DataNotFoundError, match="GAN_SRC_DATA"):
        load_mnist(tmp_path, download=False)


def test_offline_download_gives_one_clear_error_and_leaves_nothing_behind(tmp_path, offline):
    root = tmp_path / "data"  # torchvision makes root/MNIST/raw before it downloads
    with pytest.raises(DataNotFoundError, match="could not be downloaded \\(offline\\?\\)") as caught:
        load_mnist(root)
    assert any("train-images-idx3-ubyte.gz" in url for url in offline)  # it did try to download
    # the one clear error, not torchvision's chain of errors (one per mirror and file) above it
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    shown = "".join(traceback.format_exception(caught.value))
    assert "During handling" not in shown and "direct cause" not in shown
    assert list(tmp_path.iterdir()) == []  # no empty MNIST/raw folder, no data folder


def test_offline_download_keeps_the_folders_that_were_there(tmp_path, offline):
    (tmp_path / "MNIST").mkdir()
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DataNotFoundError):
        load_mnist(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MNIST", "notes.txt"]
    assert list((tmp_path / "MNIST").iterdir()) == []  # raw/ was made by the failed download: gone


def test_root_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_SRC_DATA", str(tmp_path / "env"))
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data_root() == tmp_path / "env"
    monkeypatch.delenv("GAN_SRC_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_root() == tmp_path / "cache" / "gan_src"


def test_toy_distributions():
    g = torch.Generator().manual_seed(0)
    x = gaussian_1d(50_000, g, mean=4.0, std=0.5)
    assert x.shape == (50_000, 1)
    assert abs(x.mean().item() - 4) < 0.01 and abs(x.std().item() - 0.5) < 0.01
    ring, grid = ring_modes(), grid_modes()
    assert ring.shape == (8, 2) and torch.allclose(ring.norm(dim=1), torch.ones(8))
    assert grid.shape == (25, 2) and sorted(grid[:, 0].unique().tolist()) == [-4, -2, 0, 2, 4]
    samples = gaussian_mixture(10_000, grid, std=0.05, generator=g)
    nearest = torch.cdist(samples, grid).argmin(dim=1)
    counts = torch.bincount(nearest, minlength=25)
    assert counts.min() > 300  # every mode drawn, about equally (400 each)
    assert (samples - grid[nearest]).norm(dim=1).max() < 0.5
