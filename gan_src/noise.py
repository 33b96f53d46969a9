"""p_z, the prior on input noise variables (Section 3): every noise prior of the book, and their type.

"To learn the generator's distribution p_g over data x, we define a prior on input noise variables
p_z(z), then represent a mapping to data space as G(z; theta_g)" (Section 3). A prior here is a
function ``p_z(n, generator) -> z`` of shape (n, dim) (:data:`NoisePrior`), drawing only from the
``torch.Generator`` it is given, so that a seed gives the same z again.

- :func:`mnist_p_z`: the MNIST, faces and CIFAR-10 G's, 100-d uniform with unit variance (``mnist.yaml``);
- :func:`uniform_noise`: U(-a, a)^dim, of which it is one (Figure 1's 1-D G draws U(-1, 1));
- :func:`normal_noise`: N(0, I), the 2-D benchmarks' (VEEGAN, PacGAN).

The class-conditional GAN of Section 7 draws ``[z, one_hot(c)]`` with z from :func:`mnist_p_z`
(:func:`gan_src.conditional.conditional_p_z`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

NoisePrior = Callable[[int, torch.Generator], Tensor]  # p_z(n, generator) -> n rows of z
Z_DIM = 100  # the dimension of z for MNIST (and the faces and CIFAR-10 models of Figure 2)


def uniform_noise(n: int, dim: int, generator: torch.Generator, half_width: float = math.sqrt(3)) -> Tensor:
    """z ~ U(-a, a)^dim. The default a = sqrt(3) gives unit variance (``mnist.yaml``)."""
    return (torch.rand(n, dim, generator=generator) * 2 - 1) * half_width


def normal_noise(n: int, dim: int, generator: torch.Generator) -> Tensor:
    """z ~ N(0, I_dim), the noise prior of the 2-D benchmarks (VEEGAN, PacGAN)."""
    return torch.randn(n, dim, generator=generator)


def mnist_p_z(n: int, generator: torch.Generator) -> Tensor:
    """p_z for MNIST: 100-d uniform noise with unit variance, U(-sqrt 3, sqrt 3) (``mnist.yaml``)."""
    return uniform_noise(n, Z_DIM, generator)
