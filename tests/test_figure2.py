"""Figure 2 (b)-(d): the face and CIFAR-10 loaders, the scaled-down networks, a real training step."""

import matplotlib
import numpy as np
import pytest
import torch

from gan_src import experiments, figure2, pretrained
from gan_src.data import DataNotFoundError, data_root, load_cifar10, load_olivetti
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
