import pytest
import torch

from gan_src.conditional import (ClassCheck, ConditionalDiscriminator, ConditionalGenerator, class_check,
                                 class_frequencies, class_grid,
                                 conditional_mnist_discriminator, conditional_mnist_generator, conditional_p_z,
                                 joint, one_hot)
from gan_src.data import uniform_noise
from gan_src.models import count_parameters, mlp
from gan_src.train import TrainConfig, train


def test_pairs_and_class_frequencies_on_real_labels(mnist):
    x, c = mnist.train[:500], mnist.train_labels[:500]
    rows = joint(x, c)
    assert rows.shape == (500, 794)
    assert torch.equal(rows[:, :784], x) and torch.equal(rows[:, 784:].argmax(1), c)
    p = class_frequencies(c)
    assert p.sum().item() == pytest.approx(1) and p[1] == pytest.approx((c == 1).float().mean().item())


def test_p_z_draws_c_from_the_given_frequencies_reproducibly():
    probs = torch.tensor([0.7, 0.0, 0.3])
    p_z = conditional_p_z(probs)
    zc = p_z(20_000, torch.Generator().manual_seed(0))
    assert zc.shape == (20_000, 103)
    assert zc[:, :100].abs().max() <= 3**0.5  # the paper's uniform z, unchanged
    freq = zc[:, 100:].mean(0)
    assert freq[1] == 0 and abs(freq[0] - 0.7) < 0.01
    assert torch.equal(zc, p_z(20_000, torch.Generator().manual_seed(0)))


def test_mnist_networks_are_the_papers_with_ten_more_inputs():
    G, D = conditional_mnist_generator(), conditional_mnist_discriminator()
    assert count_parameters(G) == 2_503_984 + 10 * 1200
    assert count_parameters(D) == 1_231_441 + 10 * 240 * 5
    zc = conditional_p_z(torch.full((10,), 0.1))(6, torch.Generator().manual_seed(0))
    out = G(zc)
    assert out.shape == (6, 794) and torch.equal(out[:, 784:], zc[:, 100:])  # c is passed through
    assert D.eval()(out).shape == (6,)


def test_dropout_in_D_never_touches_the_label():
    D = conditional_mnist_discriminator().train()
    seen = []
    D.net.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    torch.manual_seed(0)
    xc = joint(torch.rand(50, 784) + 0.5, torch.arange(50) % 10)
    D(xc)
    pixels, label = seen[0][:, :784], seen[0][:, 784:]
    assert torch.equal(label, xc[:, 784:])
    assert 0.1 < (pixels == 0).float().mean() < 0.3  # 20% of the pixels dropped


def test_class_grid_rows_are_classes_and_columns_share_z():
    G = conditional_mnist_generator(generator=torch.Generator().manual_seed(0))
    grid = class_grid(G, per_class=3, seed=1)
    assert grid.shape == (30, 784)
    z = uniform_noise(3, 100, torch.Generator().manual_seed(1))
    assert torch.allclose(grid[7 * 3 + 2], G.generate(z[2:3], torch.tensor([7]))[0])


def test_algorithm_1_on_pairs_learns_p_x_given_c():
    """Two classes with p(x | c) = N(-2, 0.5^2) and N(+2, 0.5^2), c = 1 three times as often:
    the unchanged training loop, run on (x, c) pairs, must put G(z, c) on the right mode."""
    gen = torch.Generator().manual_seed(0)
    c = (torch.rand(10_000, generator=gen) < 0.75).long()
    x = (4.0 * c - 2.0 + 0.5 * torch.randn(10_000, generator=gen)).unsqueeze(1)
    torch.manual_seed(0)
    G = ConditionalGenerator(mlp(1 + 2, 1, hidden=32), n_classes=2)
    D = ConditionalDiscriminator(torch.nn.Sequential(mlp(1 + 2, 1, hidden=32), torch.nn.Flatten(0)), 2,
                                 input_dropout=0.0)
    p_z = conditional_p_z(class_frequencies(c, 2), p_z=lambda n, g: uniform_noise(n, 1, g, half_width=1.0))
    train(G, D, joint(x, c, 2), p_z, TrainConfig(epochs=20, lr=0.02, momentum_saturate=2), progress=False)
    z = uniform_noise(5_000, 1, torch.Generator().manual_seed(1), half_width=1.0)
    with torch.no_grad():
        x0, x1 = (G.generate(z, torch.full((5_000,), label)) for label in (0, 1))
    assert abs(x0.mean().item() + 2) < 0.4 and abs(x1.mean().item() - 2) < 0.4
    assert x0.max() < 0 < x1.min()  # the same z lands on one mode or the other by c alone


def test_one_hot_is_float():
    assert one_hot(torch.tensor([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]


def _prototype_G(prototypes: torch.Tensor) -> ConditionalGenerator:
    """A conditional G that ignores z and returns ``prototypes[c]`` for class c."""
    net = torch.nn.Linear(100 + 10, 784)
    with torch.no_grad():
        net.weight.zero_()
        net.weight[:, 100:] = prototypes.T
        net.bias.zero_()
    return ConditionalGenerator(net)


def _small(mnist):
    from dataclasses import replace
    return replace(mnist, train=mnist.train[:3000], train_labels=mnist.train_labels[:3000],
                   test=mnist.test[:200], test_labels=mnist.test_labels[:200])


def test_class_check_judges_samples_by_their_nearest_training_digit(mnist):
    splits = _small(mnist)
    first = torch.stack([(splits.train_labels == c).nonzero()[0, 0] for c in range(10)])
    right = class_check(_prototype_G(splits.train[first]), splits, per_class=4, seed=1, n_real=200)
    assert right.hit == 1 and right.per_class == [1.0] * 10
    # asked for c, G draws the digit c + 1 (mod 10) except for the 7s: only the 7s pass
    shifted = first.roll(-1)
    shifted[7] = first[7]
    wrong = class_check(_prototype_G(splits.train[shifted]), splits, per_class=4, seed=1, n_real=200)
    assert wrong.hit == pytest.approx(0.1) and wrong.per_class[7] == 1 and wrong.per_class[3] == 0
    assert wrong.worst(3) == [0, 1, 2] and right.worst(2) == [0, 1]  # ties keep class order
    # the judge on real digits: the same labelled neighbour, computed by hand
    d = torch.cdist(splits.test.double(), splits.train.double())
    by_hand = (splits.train_labels[d.argmin(1)] == splits.test_labels).double().mean().item()
    assert right.real_hit == pytest.approx(by_hand) and right.real_hit == wrong.real_hit
    assert 0.8 < right.real_hit < 1  # nearest-neighbour MNIST on 3,000 digits


def test_class_check_report_prints_every_class():
    check = ClassCheck(hit=0.5, real_hit=0.9, per_class=[i / 10 for i in range(10)], per_class_n=50, n_real=500)
    lines = check.report().splitlines()
    assert lines[1] == "  0.500 of 500 samples G(z, c), 50 of each class"
    assert lines[3] == "  0.900 of the first 500 test digits"
    assert lines[5] == "  0: 0.00   1: 0.10   2: 0.20   3: 0.30   4: 0.40"
    assert lines[6] == "  5: 0.50   6: 0.60   7: 0.70   8: 0.80   9: 0.90"
    assert check.worst(3) == [0, 1, 2]
