"""Lint of the committed chapters (book/*.ipynb), i.e. of what the website shows.

- no stderr in committed outputs (progress bars belong to a live run, not to the page);
- every number the prose quotes with ``{glue:text}`NAME``` is glued by a cell of the same chapter
  (so prose cannot disagree with the output it quotes);
- every claim check names a band of gan_src.claims, in a cell whose digits nbval does not compare
  (a run-dependent number is checked by its band, not by its last digits).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gan_src.claims import BANDS

CHAPTERS = sorted((Path(__file__).resolve().parent.parent / "book").glob("*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


chapters = pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)


@chapters
def test_committed_outputs_hold_no_stderr(path):
    noisy = [i for i, cell in enumerate(cells(path)) if cell["cell_type"] == "code"
             for out in cell.get("outputs", []) if out.get("name") == "stderr"]
    assert not noisy, f"cells {noisy} of {path.name} show stderr (re-execute with tools/execute_notebooks.py)"


@chapters
def test_every_glued_number_in_the_prose_comes_from_the_chapter(path):
    quoted = {m for cell in cells(path) if cell["cell_type"] == "markdown"
              for m in re.findall(r"\{glue:?\w*\}`([^`:]+)", source(cell))}
    glued = {out.get("metadata", {}).get("scrapbook", {}).get("name") for cell in cells(path)
             if cell["cell_type"] == "code" for out in cell.get("outputs", [])}
    assert quoted <= glued, f"{path.name} quotes {sorted(quoted - glued)} but glues no such value"


@chapters
def test_every_claim_check_has_a_band_and_an_uncompared_cell(path):
    for cell in cells(path):
        names = re.findall(r"\bcheck\(\s*\"([^\"]+)\"", source(cell)) if cell["cell_type"] == "code" else []
        for name in names:
            assert name in BANDS, f"{path.name}: check({name!r}) has no band in gan_src.claims.BANDS"
        if names:
            assert "nbval-ignore-output" in cell["metadata"].get("tags", []), (
                f"{path.name}: the cell checking {names} prints run-dependent digits; tag it nbval-ignore-output")
