"""Section 7, extension 1: a class-conditional GAN p(x | c).

"A conditional generative model p(x | c) can be obtained by adding c as input to both G
and D" (Section 7). Here c is an MNIST digit class, fed to both networks as a one-hot
vector appended to their usual input (the paper's MNIST MLPs, one layer wider at the bottom).

A conditional GAN is an ordinary GAN on pairs (x, c): the data are the pairs
(x, c) ~ p_data(x, c), and G produces pairs (G(z, c), c) with c drawn from the data's class
frequencies p(c), so that p_g(x, c) = p(c) p_g(x | c). At the optimum of Theorem 1,
p_g(x, c) = p_data(x, c), hence p_g(x | c) = p_data(x | c) for every class. Written this way,
Algorithm 1 (:func:`gan_src.train.train`) runs unchanged:

- a data row is ``[x, one_hot(c)]`` (:func:`joint`);
- p_z draws ``[z, one_hot(c)]`` (:func:`conditional_p_z`);
- G maps ``[z, one_hot(c)]`` to ``[G(z, c), one_hot(c)]``: it passes c through, so that D
  judges G's image *together with the class it was asked for*;
- D maps ``[x, one_hot(c)]`` to a logit.

c must come from the data's class frequencies rather than uniformly: otherwise D could
separate real from generated pairs by c alone, which G cannot change.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .data.mnist import MNISTSplits
from .models import X_DIM, Z_DIM, mnist_discriminator, mnist_generator
from .neighbours import nearest
from .noise import NoisePrior, mnist_p_z

N_CLASSES = 10


def one_hot(c: Tensor, n_classes: int = N_CLASSES) -> Tensor:
    """Class indices (n,) -> float one-hot rows (n, n_classes)."""
    return nn.functional.one_hot(c.long(), n_classes).float()


def joint(x: Tensor, c: Tensor, n_classes: int = N_CLASSES) -> Tensor:
    """The pairs (x, c) as rows ``[x, one_hot(c)]``: the training data of a conditional GAN."""
    return torch.cat([x, one_hot(c, n_classes)], dim=1)


def class_frequencies(labels: Tensor, n_classes: int = N_CLASSES) -> Tensor:
    """p(c): the fraction of each class among ``labels``."""
    counts = torch.bincount(labels.long(), minlength=n_classes).double()
    return (counts / counts.sum()).float()


def conditional_p_z(class_probs: Tensor,
                    p_z: NoisePrior = mnist_p_z) -> NoisePrior:
    """The noise prior of a conditional GAN.

    Rows ``[z, one_hot(c)]`` with z ~ p_z and c ~ ``class_probs``.
    """
    class_probs = class_probs.detach().float().cpu()

    def draw(n: int, generator: torch.Generator) -> Tensor:
        z = p_z(n, generator)
        c = torch.multinomial(class_probs, n, replacement=True,
                              generator=generator)
        return torch.cat([z, one_hot(c, len(class_probs))], dim=1)

    return draw


class ConditionalGenerator(nn.Module):
    """G(z, c): a network on ``[z, one_hot(c)]``.

    Its output is returned beside the one-hot c, which D sees too.
    """

    def __init__(self, net: nn.Module, n_classes: int = N_CLASSES) -> None:
        super().__init__()
        self.net, self.n_classes = net, n_classes

    def forward(self, zc: Tensor) -> Tensor:
        return torch.cat([self.net(zc), zc[:, -self.n_classes:]], dim=1)

    def generate(self, z: Tensor, c: Tensor) -> Tensor:
        """Images only: G(z, c) for noise rows ``z`` and class indices ``c``."""
        c = one_hot(c, self.n_classes).to(z.device)
        return self.net(torch.cat([z, c], dim=1))


class ConditionalDiscriminator(nn.Module):
    """D(x, c): a network on ``[x, one_hot(c)]``; input dropout acts on the pixels, never on c."""

    def __init__(self, net: nn.Module, n_classes: int = N_CLASSES, input_dropout: float = 0.2) -> None:
        super().__init__()
        self.net, self.n_classes = net, n_classes
        # mnist.yaml drops 20% of D's inputs; a dropped label entry would be a wrong label, so only pixels are dropped
        self.input_dropout = nn.Dropout(input_dropout)

    def forward(self, xc: Tensor) -> Tensor:
        x, c = xc[:, : -self.n_classes], xc[:, -self.n_classes:]
        return self.net(torch.cat([self.input_dropout(x), c], dim=1))


def conditional_mnist_generator(pixel_mean: Tensor | None = None, generator: torch.Generator | None = None,
                                n_classes: int = N_CLASSES) -> ConditionalGenerator:
    """The paper's MNIST G with c as input: [z (100), one_hot(c) (10)] -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid."""
    return ConditionalGenerator(mnist_generator(pixel_mean, generator, in_features=Z_DIM + n_classes), n_classes)


def conditional_mnist_discriminator(generator: torch.Generator | None = None,
                                    n_classes: int = N_CLASSES) -> ConditionalDiscriminator:
    """The paper's MNIST D with c as input: [x (784), one_hot(c) (10)] -> maxout 240x5 -> maxout 240x5 -> 1 logit."""
    net = mnist_discriminator(generator, in_features=X_DIM + n_classes)
    return ConditionalDiscriminator(net[1:], n_classes)  # net[0], the input dropout, moves to the pixels only


@torch.no_grad()
def class_grid(G: ConditionalGenerator, per_class: int, seed: int = 0, p_z: NoisePrior = mnist_p_z) -> Tensor:
    """``per_class`` samples of every class, rows of a grid class by class. Column j uses the same z
    in every row, so that a column shows what z alone (the "style") does across classes."""
    G.eval()
    device = next(G.parameters()).device
    z = p_z(per_class, torch.Generator().manual_seed(seed)).repeat(G.n_classes, 1)
    c = torch.arange(G.n_classes).repeat_interleave(per_class)
    return G.generate(z.to(device), c.to(device)).cpu()


@dataclass(frozen=True)
class ClassCheck:
    """Does G(z, c) look like a digit of class c? The judge is the nearest training digit's label.

    ``hit``: the share of samples G(z, c) whose nearest training digit has class c; ``real_hit``:
    the same judge on real test digits and their own labels (its ceiling); ``per_class[c]``: the
    share of class c's samples the judge accepts.
    """

    hit: float
    real_hit: float
    per_class: list[float]
    per_class_n: int
    n_real: int

    def worst(self, k: int = 3) -> list[int]:
        """The ``k`` classes whose samples the judge accepts least often, worst first."""
        return sorted(range(len(self.per_class)), key=self.per_class.__getitem__)[:k]

    def report(self) -> str:
        """The check as printed in the book: overall, for real digits, then class by class."""
        n = len(self.per_class) * self.per_class_n
        half = (len(self.per_class) + 1) // 2
        rows = (range(half), range(half, len(self.per_class)))
        return "\n".join([
            "nearest training digit of the asked-for class:",
            f"  {self.hit:.3f} of {n} samples G(z, c), {self.per_class_n} of each class",
            "nearest training digit of the same label:",
            f"  {self.real_hit:.3f} of the first {self.n_real} test digits",
            "samples G(z, c) by class c:",
            *("  " + "   ".join(f"{c}: {self.per_class[c]:.2f}" for c in row) for row in rows)])


def class_check(G: ConditionalGenerator, splits: MNISTSplits, per_class: int, seed: int = 0,
                n_real: int = 500) -> ClassCheck:
    """Judge ``per_class`` samples of every class (:func:`class_grid` with ``seed``) by the label of
    their nearest training digit, and the first ``n_real`` test digits by the same judge."""
    asked = torch.arange(G.n_classes).repeat_interleave(per_class)
    generated = class_grid(G, per_class=per_class, seed=seed)
    hits = splits.train_labels[nearest(generated, splits.train)[0]] == asked
    test_x, test_y = splits.test[:n_real], splits.test_labels[:n_real]
    real_hits = splits.train_labels[nearest(test_x, splits.train)[0]] == test_y
    return ClassCheck(hit=hits.double().mean().item(), real_hit=real_hits.double().mean().item(),
                      per_class=[hits[asked == c].double().mean().item() for c in range(G.n_classes)],
                      per_class_n=per_class, n_real=n_real)
