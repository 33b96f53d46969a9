"""Results the book quotes that are not models: measured once by a maintainer's script (minutes to
hours of compute, too long for a chapter) and kept here as JSON, one file each.

- ``parzen_ceilings``: Table 1's protocol with real training images and k-means centres as the
  kernel centres (``tools/parzen_ceilings.py``);
- ``mnist_seeds``: the Parzen curves of MNIST runs with other seeds (``tools/ship_seeds.py``);
- ``update_rules``: Algorithm 1, the authors' simultaneous update and the minimax objective
  compared on MNIST (``tools/compare_updates.py``).

``load(name)`` reads one; ``save(name, record)`` writes it (whole or not at all). The shipped
generators and their provenance live in :mod:`gan_src.pretrained`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..checkpoint import write_atomically

FOLDER = Path(__file__).resolve().parent
# name -> the script that measures it
RESULTS = {"parzen_ceilings": "tools/parzen_ceilings.py", "mnist_seeds": "tools/ship_seeds.py",
           "update_rules": "tools/compare_updates.py"}


def path(name: str) -> Path:
    """The file of result ``name``; KeyError naming the known results otherwise (a name, never a path)."""
    if name not in RESULTS:
        raise KeyError(f"no result {name!r}; the results are {', '.join(RESULTS)}")
    return FOLDER / f"{name}.json"


def load(name: str) -> dict[str, Any]:
    """Result ``name`` as its script recorded it."""
    return json.loads(path(name).read_text())


def save(name: str, record: dict[str, Any]) -> Path:
    """Write result ``name`` (JSON, one space of indentation), atomically; returns its path."""
    text = json.dumps(record, indent=1) + "\n"
    return write_atomically(path(name), lambda f: f.write(text.encode()))
