"""The Chinese edition (中文版): translations stored per cell, checked against the English, built
into a second book from the same executed notebooks.

The translation store, ``book/zh/``:

- ``PAGE.md`` translates ``book/PAGE.ipynb`` (or ``book/PAGE.md``): a series of blocks, each opened by
  a marker line and holding the Chinese MyST Markdown of one English markdown cell::

      <!-- cell 0955c231 en:5d41402a -->
      ## 一维的造假者与警察
      ...

  ``0955c231`` is the cell's nbformat id; a Markdown page (``intro.md``) is cut at its headings
  and each part is named by its heading's slug. ``en:5d41402a`` starts the SHA-256 of the English
  cell's source as it was when translated: when the English cell changes, the block is stale.
  Directives, math, ``{glue:text}``, ``{cite}`` and ``{doc}`` roles are written as in English.
  A glued value that is itself prose (``{glue:md}`seed_verdict```) has a Chinese twin glued by the
  notebook under the same name plus ``_zh``; the Chinese site shows the twin (:func:`zh_glue`).
- ``glossary.yml``: the terms (tools/zh_text.py checks pages against it).
- ``book.yml``: the Chinese title and each chapter's Chinese title (link text while a chapter is
  not translated yet: the link then goes to the English page).
- ``colab/PAGE.ipynb``: generated, output-free Chinese notebooks, opened by the Colab buttons.

Commands (``python tools/zh_book.py COMMAND``):

- ``status``: every stale, missing or orphaned block, with the English change since translation.
- ``accept PAGE [CELL ...]``: after re-translating, record the English cells' current hashes.
- ``scaffold PAGE``: start a translation: one block per English cell, holding the English text.
- ``colab``: rewrite ``book/zh/colab/`` (tests/test_translation.py fails when it is out of date).

tools/zh_site.py builds the Chinese site from the store; tools/zh_text.py reads Chinese prose.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import hashlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- cell (?P<id>[\w-]+) en:(?P<hash>[0-9a-f]{8}) -->[ \t]*$", re.M)
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")
HEADER = """<!-- The Chinese text of book/{source}: one block per English markdown cell, opened by a
     marker naming the cell and the hash of the English it translates. README.md, "The Chinese
     edition", says how to keep it current. -->
"""


class StoreError(ValueError):
    """A translation file that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class Unit:
    """One English markdown cell (or heading section of a Markdown page)."""

    id: str
    source: str

    @property
    def hash(self) -> str:
        return source_hash(self.source)


@dataclass(frozen=True)
class Block:
    """One translated cell of the store."""

    id: str
    hash: str
    text: str
    line: int = 0


@dataclass(frozen=True)
class Problem:
    page: str
    cell: str
    kind: str  # "stale", "missing", "orphan", "duplicate"
    detail: str

    def __str__(self) -> str:
        return f"{self.page}, cell {self.cell}: {self.detail}"


def source_hash(source: str) -> str:
    """First 8 hex digits of the SHA-256 of a cell's source (trailing spaces ignored)."""
    text = "\n".join(line.rstrip() for line in source.strip().splitlines())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def slug(heading: str) -> str:
    words = re.findall(r"[a-z0-9]+", heading.lower())
    return "-".join(words) or "top"


def split_markdown(text: str) -> list[Unit]:
    """A Markdown page cut before each heading (outside fences), named by the heading's slug."""
    parts: list[tuple[str, list[str]]] = [("top", [])]
    fence = None
    for line in text.splitlines():
        m = FENCE.match(line)
        if m:
            fence = None if fence and m[1].startswith(fence) else (fence or m[1])
        heading = HEADING.match(line) if fence is None else None
        if heading:
            parts.append((slug(heading[2]), []))
        parts[-1][1].append(line)
    units, seen = [], {}
    for name, lines in parts:
        source = "\n".join(lines).strip()
        if not source:
            continue
        seen[name] = seen.get(name, 0) + 1
        units.append(Unit(name if seen[name] == 1 else f"{name}-{seen[name]}", source))
    return units


def english_path(page: str, root: Path = ROOT) -> Path:
    for suffix in (".ipynb", ".md"):
        path = root / "book" / f"{page}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no English page book/{page}.ipynb or book/{page}.md for book/zh/{page}.md")


def english_units(page: str, root: Path = ROOT) -> list[Unit]:
    path = english_path(page, root)
    if path.suffix == ".md":
        return split_markdown(path.read_text(encoding="utf-8"))
    nb = nbformat.read(path, as_version=4)
    return [Unit(cell.id, cell.source) for cell in nb.cells if cell.cell_type == "markdown"]


def read_blocks(path: Path) -> list[Block]:
    text = Path(path).read_text(encoding="utf-8")
    markers = list(MARKER.finditer(text))
    before = re.sub(r"<!--.*?-->", "", text[:markers[0].start()] if markers else text, flags=re.S)
    if before.strip():
        line = text[:text.find(before.strip()[:20])].count("\n") + 1
        raise StoreError(f"{path}:{line}: text before the first <!-- cell ID en:HASH --> marker")
    blocks = []
    for i, m in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        blocks.append(Block(m["id"], m["hash"], text[m.end():end].strip("\n").rstrip(),
                            text[:m.start()].count("\n") + 1))
    return blocks


def write_blocks(path: Path, source: str, blocks: list[Block]) -> None:
    body = "".join(f"\n<!-- cell {b.id} en:{b.hash} -->\n{b.text.strip()}\n" for b in blocks)
    Path(path).write_text(HEADER.format(source=source) + body, encoding="utf-8")


def store(root: Path = ROOT) -> Path:
    return root / "book" / "zh"


def translated_pages(root: Path = ROOT) -> list[str]:
    """Pages with a translation file, in no particular order."""
    return sorted(p.stem for p in store(root).glob("*.md"))


def problems(page: str, root: Path = ROOT) -> list[Problem]:
    """What keeps book/zh/PAGE.md from being a current translation of every English cell."""
    name = english_path(page, root).name
    units = {u.id: u for u in english_units(page, root)}
    blocks = read_blocks(store(root) / f"{page}.md")
    found, seen = [], set()
    for b in blocks:
        where = f"book/zh/{page}.md line {b.line}"
        if b.id in seen:
            found.append(Problem(name, b.id, "duplicate", f"translated twice ({where})"))
        seen.add(b.id)
        if b.id not in units:
            found.append(Problem(name, b.id, "orphan", f"no such markdown cell in book/{name} any more "
                                 f"({where}): delete the block, or move its text to the cell that replaced it"))
        elif units[b.id].hash != b.hash:
            found.append(Problem(name, b.id, "stale", f"the English cell changed since it was translated "
                                 f"(en:{b.hash} at {where}, now en:{units[b.id].hash}): re-translate it, then "
                                 f"`python tools/zh_book.py accept {page} {b.id}`"))
    for uid in units:
        if uid not in seen:
            found.append(Problem(name, uid, "missing", f"no translation in book/zh/{page}.md: translate the "
                                 f"new cell (`python tools/zh_book.py status` shows it)"))
    return found


def translation(page: str, root: Path = ROOT) -> list[tuple[Unit, str]]:
    """Each English unit with its Chinese text; a missing one falls back to the English."""
    blocks = {b.id: b.text for b in read_blocks(store(root) / f"{page}.md")}
    return [(u, blocks.get(u.id, u.source)) for u in english_units(page, root)]


def chinese_markdown(page: str, root: Path = ROOT) -> str:
    """The whole Chinese text of a page, as one MyST document (what the tests read)."""
    return "\n\n".join(text for _, text in translation(page, root)) + "\n"


GLUE_ROLE = re.compile(r"(\{glue:(?:md|text)\}`)(\w+)")


def glued_names(nb: nbformat.NotebookNode) -> set[str]:
    """The names a notebook's outputs glue (myst-nb's ``scrapbook`` metadata)."""
    return {o.metadata["scrapbook"]["name"] for cell in nb.cells if cell.cell_type == "code"
            for o in cell.get("outputs", []) if "scrapbook" in o.get("metadata", {})}


def zh_glue(text: str, names: set[str]) -> str:
    """``text`` with each ``{glue:md}`NAME``` / ``{glue:text}`NAME``` pointed at ``NAME_zh`` where the
    notebook glues that Chinese twin (a glued sentence, not a number)."""
    return GLUE_ROLE.sub(lambda m: m[0] + "_zh" if f"{m[2]}_zh" in names else m[0], text)


def translated_notebook(page: str, root: Path = ROOT, outputs: bool = True) -> nbformat.NotebookNode:
    """The English notebook with its markdown cells in Chinese; code cells as they are. With
    ``outputs`` (the site), glued prose is the Chinese twin where there is one (:func:`zh_glue`)."""
    nb = nbformat.read(english_path(page, root), as_version=4)
    text = {u.id: zh for u, zh in translation(page, root)}
    nb = copy.deepcopy(nb)
    names = glued_names(nb) if outputs else set()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = zh_glue(text[cell.id], names)
        elif cell.cell_type == "code" and not outputs:
            cell.outputs, cell.execution_count = [], None
    if not outputs:
        nb.metadata.pop("widgets", None)  # the saved widget state is an output too
    return nb


def colab_text(page: str, root: Path = ROOT) -> str:
    """The committed Colab notebook of a page: Chinese text, English code, no outputs."""
    nb = translated_notebook(page, root, outputs=False)
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def colab_pages(root: Path = ROOT) -> list[str]:
    return [p for p in translated_pages(root) if english_path(p, root).suffix == ".ipynb"]


def colab_problems(root: Path = ROOT) -> list[str]:
    """Chinese Colab notebooks that are missing, out of date or left over."""
    folder, found = store(root) / "colab", []
    for page in colab_pages(root):
        path = folder / f"{page}.ipynb"
        if not path.is_file():
            found.append(f"book/zh/colab/{page}.ipynb is missing")
        elif path.read_text(encoding="utf-8") != colab_text(page, root):
            found.append(f"book/zh/colab/{page}.ipynb is out of date with book/{page}.ipynb and book/zh/{page}.md")
    extra = {p.stem for p in folder.glob("*.ipynb")} - set(colab_pages(root))
    found += [f"book/zh/colab/{p}.ipynb has no translation book/zh/{p}.md" for p in sorted(extra)]
    if found:
        found.append("run `python tools/zh_book.py colab` and commit book/zh/colab/")
    return found


def write_colab(root: Path = ROOT) -> list[str]:
    folder = store(root) / "colab"
    folder.mkdir(exist_ok=True)
    written = []
    for page in colab_pages(root):
        path, text = folder / f"{page}.ipynb", colab_text(page, root)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(str(path.relative_to(root)))
    for path in folder.glob("*.ipynb"):
        if path.stem not in colab_pages(root):
            path.unlink()
            written.append(f"removed {path.relative_to(root)}")
    return written


def english_history(page: str, cell: str, old_hash: str, root: Path = ROOT, depth: int = 50) -> str | None:
    """The English cell's source when it hashed to ``old_hash``, from git history (None: not found)."""
    rel = english_path(page, root).relative_to(root).as_posix()
    try:
        commits = subprocess.run(["git", "log", f"-{depth}", "--format=%H", "--", rel], cwd=root,
                                 capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    for commit in commits:
        shown = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=root, capture_output=True, text=True)
        if shown.returncode:
            continue
        if rel.endswith(".md"):
            units = split_markdown(shown.stdout)
        else:
            nb = nbformat.reads(shown.stdout, as_version=4)
            units = [Unit(c.get("id", ""), c.source) for c in nb.cells if c.cell_type == "markdown"]
        for unit in units:
            if unit.id == cell and unit.hash == old_hash:
                return unit.source
    return None


# --- commands ------------------------------------------------------------------------------------
def status(root: Path = ROOT) -> int:
    count = 0
    for page in translated_pages(root):
        blocks = {b.id: b for b in read_blocks(store(root) / f"{page}.md")}
        units = {u.id: u for u in english_units(page, root)}
        for problem in problems(page, root):
            count += 1
            print(problem)
            if problem.kind == "stale":
                old = english_history(page, problem.cell, blocks[problem.cell].hash, root)
                if old is None:
                    print("  (the translated English version is not in the last 50 commits)")
                else:
                    diff = difflib.unified_diff(old.splitlines(), units[problem.cell].source.splitlines(),
                                                "translated", "now", lineterm="", n=1)
                    print("\n".join("  " + line for line in diff))
    print(f"{count} problem(s) in {len(translated_pages(root))} translated page(s)")
    return 1 if count else 0


def accept(page: str, cells: list[str], root: Path = ROOT) -> None:
    path = store(root) / f"{page}.md"
    units = {u.id: u for u in english_units(page, root)}
    blocks = read_blocks(path)
    chosen = set(cells) or {b.id for b in blocks}
    unknown = chosen - set(units)
    if unknown:
        raise SystemExit(f"no markdown cell {sorted(unknown)} in {english_path(page, root).name}")
    blocks = [Block(b.id, units[b.id].hash if b.id in chosen else b.hash, b.text) for b in blocks]
    write_blocks(path, english_path(page, root).name, blocks)


def scaffold(page: str, root: Path = ROOT) -> Path:
    path = store(root) / f"{page}.md"
    if path.exists():
        raise SystemExit(f"{path} exists: edit it, `status` lists what is missing")
    write_blocks(path, english_path(page, root).name, [Block(u.id, u.hash, u.source) for u in english_units(page, root)])
    return path


def book_settings(root: Path = ROOT) -> dict:
    return yaml.safe_load((store(root) / "book.yml").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="stale, missing and orphaned translations")
    p = sub.add_parser("accept", help="record the English cells' current hashes after re-translating")
    p.add_argument("page")
    p.add_argument("cells", nargs="*", help="cell ids (default: every block of the page)")
    sub.add_parser("scaffold", help="start the translation of a page").add_argument("page")
    sub.add_parser("colab", help="rewrite the output-free Chinese notebooks in book/zh/colab/")
    args = parser.parse_args(argv)
    if args.command == "status":
        return status()
    if args.command == "accept":
        accept(args.page, args.cells)
    elif args.command == "scaffold":
        print(f"wrote {scaffold(args.page).relative_to(ROOT)}: translate each block in place")
    elif args.command == "colab":
        print("\n".join(write_colab()) or "book/zh/colab/ is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
