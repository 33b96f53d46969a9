"""Lint of the committed chapters (book/*.ipynb), i.e. of what the website shows.

- no stderr in committed outputs (progress bars belong to a live run, not to the page);
- every number the prose quotes with ``{glue:text}`NAME``` is glued by a cell of the same chapter
  (so prose cannot disagree with the output it quotes);
- every claim check names a band of gan_src.claims, in a cell whose digits nbval does not compare
  (a run-dependent number is checked by its band, not by its last digits).
"""

from __future__ import annotations

import ast
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


REPOSITORY_PATH = re.compile(r"""["'](?:\.\./|\./)?(?:tools|runs|book|benchmarks|tests)/[^"']*["']|["']\.\./""")


@chapters
def test_a_chapter_runs_alone_as_in_colab(path):
    """Opened alone in Colab, a chapter has only itself and what pip installs: its first code cell
    installs gan_src there (and the site shows that cell collapsed), and no code cell reads or runs
    a file of the repository (tools/, runs/, book/, ...), which a pip install does not include."""
    code = [cell for cell in cells(path) if cell["cell_type"] == "code"]
    first = code[0]
    assert "google.colab" in source(first) and "pip" in source(first), f"{path.name}: no Colab install cell first"
    assert "hide-input" in first.get("metadata", {}).get("tags", []), f"{path.name}: install cell not hide-input"
    found = [m.group(0) for cell in code for m in REPOSITORY_PATH.finditer(source(cell))]
    assert not found, f"{path.name} reads repository files a Colab reader does not have: {found}"


@chapters
def test_code_lines_fit_the_column(path):
    """80 characters fit the website's text column at 1280 px (tests/browser/test_layout.py checks
    the rendered page, outputs included)."""
    long = [(i, line) for i, cell in enumerate(cells(path)) if cell["cell_type"] == "code"
            for line in source(cell).splitlines() if len(line) > 80]
    assert not long, f"{path.name}: code lines over 80 characters: {long[:3]}"


SHOW_SOURCE = re.compile(r"\bshow_source\(([^)]*)\)")


@chapters
def test_shown_sources_fit_the_column(path):
    """The gan_src functions a chapter shows with show_source are printed as they are in the
    package: their lines must fit the same 80 characters as the chapter's own code."""
    code = [source(cell) for cell in cells(path) if cell["cell_type"] == "code"]
    calls = [args for text in code for args in SHOW_SOURCE.findall(text)]
    if not calls:
        pytest.skip(f"{path.name} shows no gan_src source")
    namespace: dict = {}
    for text in code:  # the chapter's imports of gan_src give the names show_source is called with
        imports = [node for node in ast.parse(text).body
                   if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gan_src")
                   or isinstance(node, ast.Import) and node.names[0].name.startswith("gan_src")]
        exec(compile(ast.Module(body=imports, type_ignores=[]), path.name, "exec"), namespace)
    from gan_src.display import source_markdown
    for args in calls:
        objects = [eval(name.strip(), namespace) for name in args.split(",") if name.strip()]
        long = [line for line in source_markdown(*objects).splitlines() if len(line) > 80]
        assert not long, f"{path.name}: show_source({args}) has lines over 80 characters: {long[:2]}"
