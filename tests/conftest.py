"""Shared fixtures: the real MNIST files, loaded once through torchvision's loader."""

import pytest

from gan_src.data import load_mnist


@pytest.fixture(scope="session")
def mnist():
    """The paper's MNIST splits from $GAN_SRC_DATA (``../shared/data`` in CI); never downloads."""
    return load_mnist(download=False)
