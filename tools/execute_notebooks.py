"""Re-execute the book's notebooks in place, as a reader would run them: a fresh kernel,
top to bottom, in the notebook's folder. Progress-bar updates (carriage returns) are
collapsed to their final line so that the committed outputs stay small and readable.

    python tools/execute_notebooks.py                 # every notebook under book/
    python tools/execute_notebooks.py book/x.ipynb    # some of them
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

BOOK = Path(__file__).resolve().parent.parent / "book"


def execute(path: Path, timeout: int = 1200) -> float:
    """Run one notebook in place; return its wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   record_timing=False).execute()
    seconds = time.perf_counter() - start
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> None:
    for path in [Path(p) for p in paths] or sorted(BOOK.glob("*.ipynb")):
        print(f"{path}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
