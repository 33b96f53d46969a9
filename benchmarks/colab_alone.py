"""Each chapter opened alone, as in Colab: copied into an empty folder and run top to bottom.

    GAN_SRC_DATA=../shared/data .venv/bin/python benchmarks/colab_alone.py            # every chapter
    GAN_SRC_DATA=../shared/data .venv/bin/python benchmarks/colab_alone.py figure2    # some of them

The folder holds the notebook and nothing else: no tools/, runs/, book/ or repository beside it;
the kernel's working directory is that folder. gan_src comes from the environment, as the
chapter's install cell gives it in Colab, and the data from ``GAN_SRC_DATA`` only. Prints PASS or
FAIL (with the error's last line) and the seconds per chapter. The committed notebook is not
changed. tests/test_notebooks.py checks the same promise statically, on every test run.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

BOOK = Path(__file__).resolve().parent.parent / "book"


def run_alone(chapter: Path, timeout: int = 1800) -> tuple[bool, float, str]:
    """(passed, seconds, the error's last line) for ``chapter`` run in an empty folder."""
    with tempfile.TemporaryDirectory(prefix="colab-") as folder:
        copy = Path(shutil.copy(chapter, folder))
        nb = nbformat.read(copy, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": folder}}).execute()
        except CellExecutionError as error:
            return False, time.perf_counter() - start, str(error).strip().splitlines()[-1]
        return True, time.perf_counter() - start, ""


def main(names: list[str]) -> None:
    chapters = [BOOK / f"{n}.ipynb" for n in names] or sorted(BOOK.glob("*.ipynb"))
    print(f"{'chapter':<24} {'result':<6} {'seconds':>8}")
    for chapter in chapters:
        passed, seconds, error = run_alone(chapter)
        print(f"{chapter.stem:<24} {'PASS' if passed else 'FAIL':<6} {seconds:8.1f}  {error}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
