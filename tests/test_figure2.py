"""Figure 2 (b)-(d): the face and CIFAR-10 loaders, the scaled-down networks, a real training step."""

import matplotlib
import numpy as np
import pytest
import torch

from gan_src import experiments, figure2, pretrained
from gan_src.data import (CIFAR_SUBSET_FILE, DataNotFoundError, cifar10_subset_positions, data_root, fetch_olivetti,
                          load_cifar10, load_olivetti)
from gan_src.models import count_parameters, mnist_p_z
from gan_src.train import TrainConfig, train

matplotlib.use("Agg")


# --- data ---------------------------------------------------------------------


def test_olivetti_faces_shape_range_and_shrinking():
    x = load_olivetti()
    assert x.shape == (400, 64 * 64) and x.dtype == torch.float32
    assert x.min() == 0 and x.max() == 1  # scaled as sklearn's fetch_olivetti_faces
    small = load_olivetti(side=figure2.FACES_SIDE)
    assert small.shape == (400, 48 * 48) and 0 <= small.min() and small.max() <= 1
    assert abs(small.mean() - x.mean()) < 0.01  # shrinking keeps the brightness


def test_faces_training_data_adds_mirror_images():
    rows = figure2.training_data("faces").view(800, 48, 48)
    assert torch.equal(rows[400:], rows[:400].flip(-1))


def test_cifar10_subset_shape_range_and_layout():
    c = load_cifar10()
    assert not c.full
    assert c.train.shape == (4660, 3072) and c.test.shape == (846, 3072)
    assert 0 <= c.train.min() and c.train.max() <= 1
    assert c.train_labels[:10].tolist() == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]  # data README's spot check
    # channel-major rows: the first red pixels of image 0, then its first green pixel further on
    assert (c.train[0, :3] * 255).round().tolist() == [59, 43, 50]
    with np.load(data_root() / "cifar10_subset" / "cifar10_prefix_subset.npz") as f:
        assert (c.train[0, 1024] * 255).round() == f["x_train"][0, 0, 0, 1]


@pytest.mark.parametrize("load, what", [(load_olivetti, "Olivetti faces not found"),
                                        (load_cifar10, "CIFAR-10 subset not found")])
def test_missing_files_give_one_clear_error(tmp_path, load, what):
    with pytest.raises(DataNotFoundError, match=f"{what}.*GAN_SRC_DATA"):
        load(tmp_path)


def test_root_comes_from_the_environment_like_mnist(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_SRC_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match=str(tmp_path)):
        load_olivetti()


def test_full_cifar10_offline_says_how_to_get_it(tmp_path):
    with pytest.raises(DataNotFoundError, match="could not be downloaded"):
        load_cifar10(tmp_path, full=True, download=False)


class FakeTorchvisionCIFAR10:
    """torchvision.datasets.CIFAR10 as it is after a download, without the network: 1 x 1 images,
    each labelled with its position in the data set."""

    calls: list = []

    def __init__(self, root, train=True, download=False):
        self.calls.append((root, train, download))
        n = 50_000 if train else 10_000
        self.data = np.zeros((n, 1, 1, 3), np.uint8)
        self.targets = list(range(n))


def test_cifar10_without_the_subset_chooses_the_full_set_and_downloads_it(tmp_path, offline):
    """Colab: no offline subset, so full=None goes to torchvision's full CIFAR-10 (here the download fails)."""
    with pytest.raises(DataNotFoundError, match="could not be downloaded \\(offline\\?\\)"):
        load_cifar10(tmp_path, full=None)
    assert [url.rsplit("/", 1)[-1] for url in offline] == ["cifar-10-python.tar.gz"]
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_cifar10_without_the_subset_uses_what_torchvision_gives(tmp_path, monkeypatch):
    import torchvision.datasets

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", FakeTorchvisionCIFAR10)
    FakeTorchvisionCIFAR10.calls = []
    c = load_cifar10(tmp_path, full=None)
    assert c.full and c.train.shape == (50_000, 3) and c.test.shape == (10_000, 3)
    assert FakeTorchvisionCIFAR10.calls == [(str(tmp_path), True, True), (str(tmp_path), False, True)]
    # the shipped generators' training images, picked out of the full set by position
    subset = c.prefix_subset()
    assert not subset.full and subset.train.shape == (4660, 3) and subset.test.shape == (846, 3)
    assert subset.train_labels.tolist() == cifar10_subset_positions()[0].tolist()
    assert subset.train_labels[[0, 931, 932, 4659]].tolist() == [0, 931, 10_000, 40_931]
    assert subset.test_labels.tolist() == list(range(846))


def test_cifar10_subset_positions_are_the_offline_files():
    with np.load(data_root() / CIFAR_SUBSET_FILE) as f:
        batch, index = f["train_batch"].astype(np.int64), f["train_index"].astype(np.int64)
        test_index = f["test_index"].astype(np.int64)
    train, test = cifar10_subset_positions()
    assert train.tolist() == ((batch - 1) * 10_000 + index).tolist()
    assert test.tolist() == test_index.tolist()


def test_cifar10_with_the_subset_reads_it_and_never_downloads(tmp_path, offline):
    path = tmp_path / CIFAR_SUBSET_FILE
    path.parent.mkdir()
    images = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    np.savez(path, x_train=images, y_train=np.arange(5), x_test=images[:2], y_test=np.arange(2))
    c = load_cifar10(tmp_path, full=None)
    assert not c.full and c.train.shape == (5, 3072) and c.test.shape == (2, 3072)
    assert c.prefix_subset() is c
    assert offline == []
    assert figure2.training_data("cifar10", tmp_path, full_cifar10=None).shape == (5, 3072)


# --- networks -----------------------------------------------------------------

PARAMETERS = {  # stated in the docstrings of gan_src.figure2 and in the chapter
    "faces": (2_567_104, 3_055_441),
    "cifar10": (3_182_272, 3_977_041),
    "cifar10_conv": (1_368_403, 2_077_297),
}


@pytest.mark.parametrize("name", figure2.NETWORKS)
def test_shapes_and_parameter_counts(name):
    make_G, make_D = figure2.NETWORKS[name]
    dim = figure2.FACES_DIM if name == "faces" else figure2.CIFAR_DIM
    G, D = make_G(torch.full((dim,), 0.25)), make_D()
    x = G(mnist_p_z(7, torch.Generator().manual_seed(0)))
    assert x.shape == (7, dim) and 0 < x.min() and x.max() < 1
    assert D(x).shape == (7,)
    assert (count_parameters(G), count_parameters(D)) == PARAMETERS[name]
    assert (experiments.get(name).generator, experiments.get(name).discriminator) == (make_G, make_D)


@pytest.mark.parametrize("name", figure2.NETWORKS)
def test_untrained_G_starts_at_the_mean_image(name):
    dim = figure2.FACES_DIM if name == "faces" else figure2.CIFAR_DIM
    mean = torch.linspace(0.1, 0.9, dim) if name != "cifar10_conv" else torch.tensor([0.2, 0.5, 0.7]).repeat_interleave(1024)
    x = figure2.NETWORKS[name][0](mean, generator=torch.Generator().manual_seed(0))(torch.zeros(2, 100))
    assert torch.allclose(x[0], mean, atol=0.05)


def test_a_real_training_step_moves_G_and_D_on_cifar10_conv(tmp_path):
    data = load_cifar10().train[:200]
    gen = torch.Generator().manual_seed(0)
    G, D = figure2.cifar10_conv_generator(data.mean(0), gen), figure2.cifar10_conv_discriminator(gen)
    before_G, before_D = G[7].weight.clone(), D[2].conv.weight.clone()
    history = train(G, D, data, mnist_p_z, TrainConfig(epochs=1, steps_per_epoch=2, m=50, optimizer="adam", lr=2e-4),
                    out=tmp_path, progress=False)
    assert history[0]["step"] == 2 and np.isfinite(history[0]["d_loss"])
    assert not torch.equal(G[7].weight, before_G) and not torch.equal(D[2].conv.weight, before_D)
    # the checkpoint exports as the registered architecture
    weights, _ = pretrained.export(tmp_path / "checkpoint.pt", "conv", {}, folder=tmp_path, architecture="cifar10_conv")
    stored = torch.load(weights, weights_only=True)
    assert stored["0.weight"].dtype == torch.float16 and stored["1.num_batches_tracked"].dtype == torch.int64
    assert pretrained.load("conv", folder=tmp_path)(torch.zeros(1, 100)).shape == (1, 3072)


# --- the figure ---------------------------------------------------------------


def test_nearest_neighbour_panel_frames_the_nearest_training_image():
    from gan_src.plotting import nearest_neighbour_panel

    train_rows = torch.rand(20, 3 * 8 * 8)
    x = torch.rand(6, 3 * 8 * 8)
    x[2] = train_rows[13]  # the last sample of the first row is a training image
    ax, dist = nearest_neighbour_panel(x, train_rows, cols=3, side=8, channels=3)
    assert dist[0] < 1e-9 and dist.shape == (2,)  # zero up to the rounding of the distance expansion
    assert ax.images[0].get_array().shape == (2 * 10 + 2, 4 * 10 + 2, 3)
    assert len(ax.patches) == 1  # the frame


# --- the command line -----------------------------------------------------------


def test_cli_dry_run_trains_the_faces_model(capsys):
    from gan_src.cli import main

    assert main(["train", "--dataset", "faces", "--dry-run", "--no-progress"]) == 0
    assert "dry run: its temporary run folder" in capsys.readouterr().out


def test_cli_conditional_is_for_mnist_only(capsys):
    from gan_src.cli import main

    assert main(["train", "--dataset", "cifar10", "--conditional", "--dry-run", "--no-progress"]) == 2
    assert "--conditional is for --dataset mnist only" in capsys.readouterr().err


def test_conv_D_starts_with_a_logit_that_varies_over_real_images():
    """With pylearn2's U(-0.005, 0.005) the four-layer conv D's logit spread was ~1e-6 and D never left 0.5."""
    D = figure2.cifar10_conv_discriminator(torch.Generator().manual_seed(0)).eval()
    with torch.no_grad():
        logits = D(load_cifar10().train[:200])
    assert logits.std() > 5e-3


# --- fetching the faces, and the chapter's numbers ------------------------------


def test_fetch_olivetti_makes_the_file_once_with_scikit_learn(tmp_path, monkeypatch):
    import sys
    import types
    calls = []
    faces = np.linspace(0, 1, 400 * 64 * 64, dtype=np.float32).reshape(400, 64, 64)  # sklearn's floats in [0, 1]
    datasets = types.ModuleType("sklearn.datasets")
    datasets.fetch_olivetti_faces = lambda: calls.append(1) or types.SimpleNamespace(images=faces)
    monkeypatch.setitem(sys.modules, "sklearn", types.ModuleType("sklearn"))
    monkeypatch.setitem(sys.modules, "sklearn.datasets", datasets)
    x = load_olivetti(tmp_path, download=True)
    stored = np.load(fetch_olivetti(tmp_path))  # on disk now: not fetched again
    assert calls == [1] and stored.dtype == np.uint8 and (stored == (faces * 255).round()).all()
    assert x.shape == (400, 64 * 64) and x.min() == 0 and x.max() == 1
    assert not list(tmp_path.rglob("*.tmp"))


def test_fetch_olivetti_without_scikit_learn_says_what_to_install(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn raises ImportError
    with pytest.raises(DataNotFoundError, match=r'Olivetti faces not found.*pip install "gan-book\[book\]"'):
        fetch_olivetti(tmp_path)
    assert not (tmp_path / "olivetti").exists()


def test_comparison_rows_put_ours_beside_the_papers_for_every_panel():
    for name in figure2.NETWORKS:
        rows = figure2.comparison_rows(name, pretrained.provenance(name))
        assert [r[0] for r in rows] == [f"{figure2.PANEL[name]} {what}" for what in ("G", "D", "training")]
        G, D = (make() for make in figure2.NETWORKS[name])
        assert f"({count_parameters(G):,} parameters)" in rows[0][2] and "→" in rows[0][1]
        assert rows[2][1] == figure2.PAPER_TRAINING[name] and "min on one CPU core" in rows[2][2]


def test_memorisation_measures_copies_scale_and_variety():
    train = torch.rand(40, 12, generator=torch.Generator().manual_seed(0))
    stats = figure2.memorisation(train[:3].clone(), train, torch.zeros(3))  # samples that are copies
    assert stats["dist"] == [0.0, 0.0, 0.0] and stats["scale"] > 0
    assert stats["variety"][0] > 0 and stats["variety"][1] > 0
    collapsed = figure2.memorisation(train[:1].repeat(3, 1), train, torch.zeros(3))
    assert collapsed["variety"][0] == 0
    report = figure2.memorisation_report(stats).splitlines()
    assert report[1] == "  0.0, 0.0, 0.0" and report[-1].startswith("  samples ")


def test_varied_from_is_where_the_samples_stay_more_varied_than_the_data():
    epochs = [5, 10, 15, 20]
    assert figure2.varied_from(epochs, [100, 300, 500, 600], 350) == 15
    assert figure2.varied_from(epochs, [400, 300, 500, 600], 350) == 15  # a dip counts
    assert figure2.varied_from(epochs, [400, 500, 500, 600], 350) == 5
    assert figure2.varied_from(epochs, [400, 500, 500, 300], 350) is None
