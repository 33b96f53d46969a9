"""Shared fixtures: the real MNIST files, loaded once through torchvision's loader; no network."""

import urllib.error
import urllib.request

import pytest

from gan_src.data import load_mnist


@pytest.fixture(scope="session")
def mnist():
    """The paper's MNIST splits from $GAN_SRC_DATA (``../shared/data`` in CI); never downloads."""
    return load_mnist(download=False)


@pytest.fixture
def offline(monkeypatch):
    """No network: every URL torchvision opens fails as it does offline. Yields the URLs it tried."""
    tried = []

    def urlopen(request, *args, **kwargs):
        tried.append(getattr(request, "full_url", request))
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution (test: offline)")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return tried
