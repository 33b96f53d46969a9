"""Re-execute the book's notebooks in place, as a reader would run them: a fresh kernel,
top to bottom, in the notebook's folder. Progress bars (tqdm on stderr) are left out of the
committed outputs: a reader running the chapter sees them live, the page shows the results.

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


def is_progress_bar(output: nbformat.NotebookNode) -> bool:
    """A tqdm bar: a stderr stream of lines like ``epoch 1/1: 100%|...| 500/500 [00:19<00:00, 26.19it/s]``."""
    text = output.get("text", "")
    return (output.get("output_type") == "stream" and output.get("name") == "stderr" and "%|" in text
            and ("it/s" in text or "s/it" in text))


def execute(path: Path, timeout: int = 1200) -> float:
    """Run one notebook in place; return its wall time in seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   record_timing=False).execute()
    seconds = time.perf_counter() - start
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if not is_progress_bar(out)]
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> None:
    for path in [Path(p) for p in paths] or sorted(BOOK.glob("*.ipynb")):
        print(f"{path}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
