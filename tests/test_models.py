import torch

from gan_src.models import Dropout, Maxout, count_parameters, mlp, mnist_discriminator, mnist_generator, mnist_p_z


def test_parameter_counts_match_the_authors_mnist_yaml():
    assert count_parameters(mnist_generator()) == 2_503_984
    assert count_parameters(mnist_discriminator()) == 1_231_441


def test_initialisation_ranges_follow_irange():
    G = mnist_generator(generator=torch.Generator().manual_seed(0))
    D = mnist_discriminator(generator=torch.Generator().manual_seed(0))
    g_weights = [m.weight for m in G if isinstance(m, torch.nn.Linear)]
    assert all(w.abs().max() <= 0.05 for w in g_weights)
    assert max(w.abs().max() for w in g_weights) > 0.049  # uniform over the whole range, not smaller
    d_weights = [p for name, p in D.named_parameters() if name.endswith("weight")]
    assert all(w.abs().max() <= 0.005 for w in d_weights)


def test_init_is_reproducible_from_a_generator():
    a = mnist_generator(generator=torch.Generator().manual_seed(3))
    b = mnist_generator(generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_output_bias_is_the_logit_of_the_pixel_mean():
    mean = torch.linspace(0, 1, 784)
    G = mnist_generator(pixel_mean=mean)
    with torch.no_grad():  # zero the weights: G(z) is then sigmoid(bias), the pixel mean
        for m in G:
            if isinstance(m, torch.nn.Linear):
                m.weight.zero_()
        out = G(torch.zeros(1, 100))[0]
    assert torch.allclose(out, mean.clamp(1e-7, 1 - 1e-7), atol=1e-6)


def test_shapes_and_ranges():
    G, D = mnist_generator(), mnist_discriminator().eval()
    z = mnist_p_z(7, torch.Generator().manual_seed(0))
    x = G(z)
    assert x.shape == (7, 784) and x.min() >= 0 and x.max() <= 1
    assert D(x).shape == (7,)


def test_noise_has_unit_variance_uniform():
    z = mnist_p_z(20_000, torch.Generator().manual_seed(0))
    assert z.abs().max() <= 3**0.5
    assert abs(z.var().item() - 1) < 0.01


def test_maxout_takes_the_max_over_consecutive_pieces():
    layer = Maxout(2, units=2, pieces=3)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0, 0], [2, 0], [3, 0], [0, 1], [0, -1], [0, 0]]))
        layer.linear.bias.zero_()
    out = layer(torch.tensor([[1.0, 2.0], [-1.0, -2.0]]))
    assert torch.equal(out, torch.tensor([[3.0, 2.0], [-1.0, 2.0]]))


def test_maxout_gradient_reaches_only_the_winning_piece():
    layer = Maxout(1, units=1, pieces=3)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0], [3.0], [2.0]]))
        layer.linear.bias.zero_()
    layer(torch.tensor([[1.0]])).sum().backward()
    assert torch.equal(layer.linear.weight.grad, torch.tensor([[0.0], [1.0], [0.0]]))


def test_dropout_keeps_each_input_with_probability_1_minus_p_and_scales_it():
    torch.manual_seed(0)
    drop = Dropout(0.2).train()
    out = drop(torch.ones(1000, 784))
    kept = out != 0
    assert set(out.unique().tolist()) == {0.0, 1.25}  # pylearn2's scale 1 / 0.8
    assert abs(kept.float().mean().item() - 0.8) < 0.002  # 784,000 draws: sd 0.00045
    assert abs(kept.float().mean(0).std().item() - (0.8 * 0.2 / 1000) ** 0.5) < 0.002  # independent units
    assert torch.equal(drop.eval()(out), out)


def test_d_uses_dropout_only_in_training():
    D = mnist_discriminator()
    x = torch.rand(4, 784)
    D.eval()
    assert torch.equal(D(x), D(x))
    D.train()
    torch.manual_seed(0)
    assert not torch.equal(D(x), D(x))


def test_mlp_shapes():
    assert mlp(2, 1, hidden=8, depth=3)(torch.zeros(5, 2)).shape == (5, 1)


def test_library_functions_leave_the_readers_global_random_stream_alone():
    """Building the toy players, D of Proposition 1 and the inference net E draws from explicit
    generators: a reader's own torch.manual_seed keeps its stream, and the same seed gives the
    same networks as nn.Linear's default init after torch.manual_seed(seed)."""
    from gan_src import inference, theory, toy1d, toy2d
    from gan_src.models import mlp, mnist_generator, mnist_p_z

    x = torch.linspace(-1, 7, 20, dtype=torch.float64)
    G = mnist_generator(generator=torch.Generator().manual_seed(0))
    calls = [lambda: toy1d.make_players(toy1d.Toy1DConfig(seed=3)),
             lambda: toy2d.make_players(toy2d.Toy2DConfig(seed=3)),
             lambda: theory.train_discriminator(x[:10] + 1, x[10:], x, steps=2, seed=3),
             lambda: inference.fit_inference_net(G, mnist_p_z, steps=1, hidden=8, seed=3)]
    for call in calls:
        torch.manual_seed(11)
        expected = torch.rand(4)
        torch.manual_seed(11)
        call()
        assert torch.equal(torch.rand(4), expected)
    torch.manual_seed(3)
    default = mlp(2, 1, hidden=5)
    seeded = mlp(2, 1, hidden=5, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(a, b) for a, b in zip(default.parameters(), seeded.parameters()))


def test_architecture_names_every_layer_in_order():
    from gan_src.models import architecture

    assert architecture(mnist_generator()) == (
        "Linear(100→1200) → ReLU → Linear(1200→1200) → ReLU → Linear(1200→784) → Sigmoid")
    assert architecture(mnist_discriminator()) == (
        "Dropout(p=0.2) → Maxout(240×5) → Dropout(p=0.5) → Maxout(240×5) → Dropout(p=0.5) → Linear(240→1)")
