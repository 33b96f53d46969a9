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

import torch
from torch import Tensor, nn

from .models import X_DIM, Z_DIM, mnist_discriminator, mnist_generator
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
