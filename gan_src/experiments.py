"""The paper's experiments in one place: for each, its data, G, D, p_z and training settings.

Section 5 trains adversarial nets on MNIST, the Toronto Face Database and CIFAR-10
(Table 1, Figure 2 (a)-(d)); Section 7 proposes a class-conditional model. Each is one
:class:`Experiment` here, under the name that the command line (``--dataset``, ``--conditional``),
every training checkpoint (its ``"experiment"``) and the shipped models (:mod:`gan_src.pretrained`)
use. Where the networks themselves live: :mod:`gan_src.models` (MNIST), :mod:`gan_src.conditional`
(Section 7), :mod:`gan_src.figure2` (faces and CIFAR-10, scaled down).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from . import figure2
from .conditional import (class_frequencies, conditional_mnist_discriminator, conditional_mnist_generator,
                          conditional_p_z, joint)
from .data import load_mnist
from .models import mnist_discriminator, mnist_generator
from .noise import NoisePrior, mnist_p_z


@dataclass(frozen=True)
class TrainingSet:
    """What Algorithm 1 trains on: the examples as rows, and the p_z that G draws from."""

    rows: Tensor        # one training example per row
    pixel_mean: Tensor  # the mean training image: G's output bias starts at its logit
    p_z: NoisePrior


@dataclass(frozen=True)
class Experiment:
    """One experiment of the paper: untrained G and D, its training data, and its settings."""

    name: str
    title: str                                # what its G draws, and where the paper shows it
    generator: Callable[..., nn.Module]       # (pixel_mean=None, generator=None) -> untrained G
    discriminator: Callable[..., nn.Module]   # (generator=None) -> untrained D
    data: Callable[..., TrainingSet]          # (root=None, full=False) -> rows, pixel mean, p_z
    config: dict[str, Any] = field(default_factory=dict)  # TrainConfig fields unlike mnist.yaml's: the shipped run's

    def build(self, seed: int = 0, root: str | os.PathLike | None = None,
              full: bool = False) -> tuple[nn.Module, nn.Module, Tensor, NoisePrior]:
        """(G, D, training rows, p_z): G and D initialised from ``seed`` (G first), the data from
        ``root`` (``full``: the whole CIFAR-10 rather than the offline subset)."""
        data = self.data(root, full)
        gen = torch.Generator().manual_seed(seed)
        G = self.generator(data.pixel_mean, generator=gen)
        return G, self.discriminator(generator=gen), data.rows, data.p_z


def _mnist(root: str | os.PathLike | None = None, full: bool = False) -> TrainingSet:
    train = load_mnist(root).train
    return TrainingSet(train, train.mean(0), mnist_p_z)


def _mnist_conditional(root: str | os.PathLike | None = None, full: bool = False) -> TrainingSet:
    splits = load_mnist(root)
    return TrainingSet(joint(splits.train, splits.train_labels), splits.train.mean(0),
                       conditional_p_z(class_frequencies(splits.train_labels)))


def _figure2(name: str) -> Callable[..., TrainingSet]:
    def load(root: str | os.PathLike | None = None, full: bool = False) -> TrainingSet:
        rows = figure2.training_data(name, root, full)
        return TrainingSet(rows, rows.mean(0), mnist_p_z)
    return load


EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in (
    Experiment("mnist", "the MNIST G of Section 5 (Table 1, Figure 2 (a))",
               mnist_generator, mnist_discriminator, _mnist),
    Experiment("mnist_conditional", "the class-conditional MNIST G(z, c) of Section 7",
               conditional_mnist_generator, conditional_mnist_discriminator, _mnist_conditional),
    Experiment("faces", "the faces G of Figure 2 (b), trained on Olivetti faces for TFD",
               *figure2.NETWORKS["faces"], _figure2("faces"), {"lr": 0.05}),
    Experiment("cifar10", "the fully connected CIFAR-10 G of Figure 2 (c)",
               *figure2.NETWORKS["cifar10"], _figure2("cifar10"), {"lr": 0.05}),
    Experiment("cifar10_conv", "the convolutional CIFAR-10 G of Figure 2 (d)",
               *figure2.NETWORKS["cifar10_conv"], _figure2("cifar10_conv"), {"optimizer": "adam", "lr": 0.0002}),
)}


def get(name: str) -> Experiment:
    """The experiment called ``name``; ValueError naming the known ones otherwise."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def identify(G_state: Mapping[str, Any]) -> str | None:
    """The experiment whose G has exactly these parameter names and shapes, or None.

    The five G differ in their input or output widths, so the shapes alone tell them apart;
    a G snapshot (``snapshots/G_epochNNNN.pt``) and a checkpoint of an older gan_src that did
    not record its experiment are identified this way.
    """
    if not isinstance(G_state, Mapping):
        return None
    for name, experiment in EXPERIMENTS.items():
        with torch.device("meta"):  # shapes only: nothing is allocated or initialised
            expected = experiment.generator().state_dict()
        if G_state.keys() == expected.keys() and all(
                isinstance(G_state[k], Tensor) and G_state[k].shape == v.shape for k, v in expected.items()):
            return name
    return None


def of_checkpoint(state: Mapping[str, Any]) -> str | None:
    """The experiment of a training checkpoint: the one it records, else the one its G's shapes match."""
    return state.get("experiment") or identify(state.get("G"))
