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
