"""What a chapter imports must be installable: `pip install "gan-book[book]"` runs every chapter."""

import ast
import json
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# import name -> distribution, where they differ
DISTRIBUTIONS = {"IPython": "ipython", "sklearn": "scikit-learn", "gan_src": "gan-book"}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["book"]
    return {n.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for n in names} | {"gan-book"}


def imported(notebook: Path) -> set[str]:
    """Top-level names of every module a notebook's code cells import (IPython magics skipped)."""
    names = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "\n".join(line for line in "".join(cell["source"]).splitlines() if not line.startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"google"}  # google.colab: Colab's own


@pytest.mark.parametrize("notebook", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_module_a_chapter_imports_is_declared(notebook):
    missing = {DISTRIBUTIONS.get(n, n).lower() for n in imported(notebook)} - declared()
    assert not missing, f"{notebook.name} imports {sorted(missing)}: add them to pyproject.toml's [book] extra"


def test_the_check_sees_an_undeclared_import(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ["import seaborn\n", "from sklearn.datasets import x\n"]}]}
    (tmp_path / "c.ipynb").write_text(json.dumps(nb))
    assert imported(tmp_path / "c.ipynb") == {"seaborn", "sklearn"}
    assert "seaborn" not in declared() and "scikit-learn" in declared()
