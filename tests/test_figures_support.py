import pytest
import torch

from gan_src.interpolation import interpolate, lerp_path
from gan_src.models import mnist_generator, mnist_p_z
from gan_src.neighbours import mean_pairwise_distance, nearest


def test_nearest_finds_exact_and_perturbed_copies():
    gen = torch.Generator().manual_seed(0)
    pool = torch.rand(500, 784, generator=gen)
    picks = torch.tensor([3, 141, 499])
    queries = pool[picks] + 1e-3 * torch.randn(3, 784, generator=gen)
    index, dist = nearest(queries, pool, batch_size=2)
    assert index.tolist() == picks.tolist()
    brute = ((queries[:, None].double() - pool[None].double()) ** 2).sum(-1).min(dim=1).values
    assert torch.allclose(dist, brute, rtol=1e-9, atol=1e-12)


def test_mean_pairwise_distance_is_the_mean_over_pairs_and_zero_for_one_repeated_image():
    x = torch.rand(40, 30, generator=torch.Generator().manual_seed(0))
    d = ((x[:, None].double() - x[None].double()) ** 2).sum(-1)
    assert mean_pairwise_distance(x) == pytest.approx((d.sum() / (40 * 39)).item(), rel=1e-9)
    assert mean_pairwise_distance(x[:1].repeat(10, 1)) == 0


def test_lerp_path_ends_and_midpoint():
    z0, z1 = torch.zeros(4), torch.ones(4)
    path = lerp_path(z0, z1, 5)
    assert path.shape == (5, 4)
    assert torch.equal(path[0], z0) and torch.equal(path[-1], z1)
    assert torch.allclose(path[2], torch.full((4,), 0.5))
    with pytest.raises(ValueError):
        lerp_path(z0, z1, 1)


def test_interpolate_starts_and_ends_at_the_endpoints_images():
    G = mnist_generator(generator=torch.Generator().manual_seed(0))
    gen = torch.Generator().manual_seed(1)
    z0, z1 = mnist_p_z(3, gen), mnist_p_z(3, gen)
    frames = interpolate(G, z0, z1, steps=7)
    assert frames.shape == (3, 7, 784)
    with torch.no_grad():
        assert torch.allclose(frames[:, 0], G(z0), atol=1e-6)
        assert torch.allclose(frames[:, -1], G(z1), atol=1e-6)


def test_grid_player_has_one_frame_per_grid():
    from gan_src.plotting import grid_player

    frames = torch.rand(5, 3, 784, generator=torch.Generator().manual_seed(0))
    html = grid_player(frames, nrow=3, title=lambda i: f"frame {i}")
    assert html.count("data:image/png;base64") == 5
    assert 'class="animation"' in html


def test_sigma_curves_draw_one_line_per_set_of_centres_and_the_papers_number():
    import matplotlib.pyplot as plt

    from gan_src.plotting import sigma_curves

    ax = sigma_curves({"G": ([0.1, 0.2], [100.0, 150.0]), "real": ([0.1, 0.2], [200.0, 220.0])}, (225.0, 2.0))
    assert [line.get_label() for line in ax.get_lines()[:2]] == ["G", "real"]
    assert list(ax.get_lines()[1].get_ydata()) == [200.0, 220.0]
    assert ax.get_lines()[2].get_ydata()[0] == 225.0 and ax.get_xscale() == "log"
    assert any(t.get_text() == "paper: 225" for t in ax.texts)
    plt.close("all")


def test_seed_curves_mark_the_shipped_seed_and_title_the_common_epochs():
    import matplotlib.pyplot as plt

    from gan_src.plotting import seed_curves

    curve = [{"epoch": e, "test": float(e)} for e in (50, 100, 150)]
    ax = seed_curves({0: curve, 1: curve[:2]}, (225.0, 2.0), shipped=0)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["seed 0 (the shipped run)", "seed 1", "paper, Table 1: 225 ± 2"]
    assert ax.get_title() == "The first 100 epochs, 2 seeds (test set)"
    plt.close("all")


def test_walk_slider_shows_G_along_its_segment_and_draws_new_ends_on_the_button():
    import matplotlib
    import matplotlib.pyplot as plt

    from gan_src.models import mnist_generator, mnist_p_z
    from gan_src.widgets import walk_images, walk_slider

    matplotlib.use("Agg")
    G = mnist_generator(generator=torch.Generator().manual_seed(0))
    z0, z1 = mnist_p_z(2, torch.Generator().manual_seed(1))
    x = walk_images(G, z0, z1, 0.25)
    with torch.no_grad():
        assert torch.allclose(x, G(torch.stack([z0, 0.75 * z0 + 0.25 * z1, z1])))
    gen = torch.Generator().manual_seed(1)
    box = walk_slider(G, mnist_p_z, gen)
    slider, button = box.children[0].children
    assert (slider.min, slider.max, slider.value) == (0, 1, 0.5)
    state = gen.get_state()
    slider.value = 1.0  # redraws from the same ends: no new draw
    assert torch.equal(gen.get_state(), state)
    button.click()  # new end points: two more draws from the generator
    assert not torch.equal(gen.get_state(), state)
    plt.close("all")


def test_samples_against_density_reports_range_and_tallest_bar():
    import matplotlib.pyplot as plt

    from gan_src.plotting import samples_against_density

    # bins of width 1 over the samples' range [0, 6]: 2 samples in [0, 1), 5 in [3, 4), 2 in [5, 6]
    x = torch.tensor([0.0, 0.5, 3.1, 3.2, 3.5, 3.7, 3.9, 5.2, 6.0])
    grid = torch.linspace(0, 6, 61)
    _, ax = plt.subplots()
    hist = samples_against_density(x, grid, torch.full_like(grid, 0.1), "G(z)", "p_data", bins=6, ax=ax)
    assert (hist.lo, hist.hi) == pytest.approx((0.0, 6.0))
    assert hist.peak == pytest.approx(5 / 9) and hist.peak_x == pytest.approx(3.5)
    assert sum(p.get_height() for p in ax.patches) == pytest.approx(1.0)  # a density: bars of width 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["G(z)", "p_data"]
    plt.close("all")


def test_objective_runs_draw_each_runs_curves_and_its_samples():
    import matplotlib.pyplot as plt

    from gan_src.plotting import image_grid, objective_runs, sample

    hist = [{"step": 100, "D_real": 0.9, "D_fake": 0.1}, {"step": 200, "D_real": 0.8, "D_fake": 0.2}]
    Gs = {name: mnist_generator(generator=torch.Generator().manual_seed(i))
          for i, name in enumerate(("minimax", "non_saturating"))}
    runs = {name: (G, None, hist if name == "minimax" else hist[:1]) for name, G in Gs.items()}
    fig = objective_runs(runs, mnist_p_z, seed=3)
    curves = fig.axes[0]
    labels = [line.get_label() for line in curves.get_lines()]
    assert labels == ["minimax: mean D(G(z))", "minimax: mean D(x)",
                      "non-saturating: mean D(G(z))", "non-saturating: mean D(x)"]
    assert list(curves.get_lines()[0].get_xdata()) == [100, 200]
    assert list(curves.get_lines()[1].get_ydata()) == [0.9, 0.8]
    panels = fig.axes[1:]
    assert [ax.get_title() for ax in panels] == ["G, minimax", "G, non-saturating"]
    for ax, G in zip(panels, Gs.values()):  # each panel shows its own G's samples for the seed
        shown = torch.as_tensor(ax.get_images()[0].get_array().data)
        assert torch.equal(shown, image_grid(sample(G, mnist_p_z, 64, seed=3), nrow=8))
    assert not torch.equal(torch.as_tensor(panels[0].get_images()[0].get_array().data),
                           torch.as_tensor(panels[1].get_images()[0].get_array().data))
    plt.close("all")
