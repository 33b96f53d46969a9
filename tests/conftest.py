"""Shared fixtures: the real MNIST files, loaded once through torchvision's loader; no network."""

import importlib.util
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gan_src.data import load_mnist


@pytest.fixture(scope="session")
def script():
    """Import a script of the repository that is not a package module, by its path from the root:
    ``script("tools/ship_mnist.py")``."""
    def load(path: str):
        spec = importlib.util.spec_from_file_location(Path(path).stem, Path(__file__).parents[1] / path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load


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
