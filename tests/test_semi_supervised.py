import pytest
import torch
import torch.nn.functional as F

from gan_src.models import mnist_discriminator
from gan_src.semi_supervised import (PROBE_COLUMNS, Result, Scaler, accuracies, accuracy, cross_validate, evaluate,
                                     fit_softmax, hidden_features, labelled_subset, probe, probe_rows,
                                     representations)


def test_features_are_the_two_maxout_layers_without_dropout(mnist):
    D = mnist_discriminator(generator=torch.Generator().manual_seed(0)).train()
    x = mnist.train[:300]
    features = hidden_features(D, x, batch_size=128)
    assert features.shape == (300, 480)
    with torch.no_grad():
        h1 = D[1](x)
        h2 = D[3](h1)
    assert torch.allclose(features, torch.cat([h1, h2], 1))
    assert D.training  # mode restored
    assert all(not m._forward_hooks for m in D.modules())  # hooks removed


def test_a_network_without_maxout_layers_is_refused():
    with pytest.raises(ValueError, match="no maxout layers"):
        hidden_features(torch.nn.Linear(784, 1), torch.zeros(2, 784))


def test_labelled_subset_draws_per_class_examples_reproducibly(mnist):
    labels = mnist.train_labels
    idx = labelled_subset(labels, 10, seed=3)
    assert len(idx) == 100 and len(set(idx.tolist())) == 100
    assert torch.equal(torch.bincount(labels[idx], minlength=10), torch.full((10,), 10))
    assert torch.equal(idx, labelled_subset(labels, 10, seed=3))
    assert not torch.equal(idx, labelled_subset(labels, 10, seed=4))
    with pytest.raises(ValueError, match="fewer than"):
        labelled_subset(labels[:20], 10, seed=0)


@pytest.mark.parametrize("n, d", [(60, 5), (30, 100)])  # more rows than features, and fewer (solved in their span)
def test_softmax_fit_reaches_the_optimum_of_the_penalised_loss(n, d):
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(n, d, generator=gen), torch.randint(3, (n,), generator=gen)
    model = fit_softmax(x, y, weight_decay=0.1, n_classes=3, tolerance=1e-8)
    loss = F.cross_entropy(model(x.double()), y) + 0.05 * model.weight.pow(2).sum()
    grads = torch.autograd.grad(loss, list(model.parameters()))
    assert max(g.abs().max().item() for g in grads) < 1e-6  # convex: a zero gradient is the minimum


def test_cross_validation_prefers_strong_decay_for_noise_and_weak_for_signal():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(100) % 10
    noise = torch.randn(100, 50, generator=gen)
    signal = noise.clone()
    signal[torch.arange(100), y] += 3.0  # feature c lights up for class c
    grid = (1e-4, 1e-2, 1.0)
    assert cross_validate(noise, y, grid) == 1.0
    assert cross_validate(signal, y, grid) < 1.0


def test_scaler_centres_and_uses_one_scale(mnist):
    scaler = Scaler.fit(mnist.train[:1000])
    z = scaler(mnist.train[:1000])
    assert z.mean(0).abs().max() < 1e-9 and z.pow(2).mean().item() == pytest.approx(1)
    # one common scale: pixel ratios are kept, a rarely-on pixel is not blown up
    assert z.std(0).max() / z.std(0)[z.std(0) > 0].min() > 100


def test_100_labels_of_pixels_give_a_usable_classifier(mnist):
    results = evaluate(mnist.train[:5000], mnist.train_labels[:5000], mnist.test[:2000], mnist.test_labels[:2000],
                       per_class=10, seeds=[0, 1])
    assert [r.seed for r in results] == [0, 1]
    assert all(0.6 < r.accuracy < 0.9 for r in results)  # chance is 0.1; all 50,000 labels give ~0.92
    assert results[0].accuracy != results[1].accuracy  # different labelled draws


def test_accuracy_counts_argmax_hits():
    model = torch.nn.Linear(2, 2).double()
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
        model.bias.zero_()
    assert accuracy(model, torch.tensor([[1.0, 0], [0, 1], [1, 0]]), torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)


def test_probe_runs_the_same_protocol_on_pixels_and_each_Ds_features(mnist):
    from dataclasses import replace
    splits = replace(mnist, train=mnist.train[:1000], train_labels=mnist.train_labels[:1000],
                     test=mnist.test[:300], test_labels=mnist.test_labels[:300])
    D = mnist_discriminator(generator=torch.Generator().manual_seed(0))
    reps = representations(splits, {"untrained D": D})
    assert list(reps) == ["raw pixels", "untrained D"]
    assert reps["raw pixels"][0] is splits.train and reps["raw pixels"][1] is splits.test
    assert torch.equal(reps["untrained D"][1], hidden_features(D, splits.test))
    results = probe(reps, splits.train_labels, splits.test_labels, per_class=5, seeds=[0, 1])
    for name, (train_x, test_x) in reps.items():
        assert results[name] == evaluate(train_x, splits.train_labels, test_x, splits.test_labels,
                                         per_class=5, seeds=[0, 1])
    acc = accuracies(results)
    assert acc["untrained D"].tolist() == [r.accuracy for r in results["untrained D"]]
    rows = probe_rows(reps, results)
    assert [row[:2] for row in rows] == [["raw pixels", 784], ["untrained D", 480]]
    a = acc["raw pixels"]
    assert rows[0][2:] == [f"{a.mean():.3f} ± {a.std(ddof=1):.3f}", f"{a.min():.3f}", f"{a.max():.3f}"]
    assert len(rows[0]) == len(PROBE_COLUMNS)


def test_probe_rows_summarise_the_draws():
    results = {"x": [Result(0, 0.1, 0.5), Result(1, 0.1, 0.7), Result(2, 0.1, 0.6)]}
    rows = probe_rows({"x": (torch.zeros(4, 7), torch.zeros(2, 7))}, results)
    assert rows == [["x", 7, "0.600 ± 0.100", "0.500", "0.700"]]
