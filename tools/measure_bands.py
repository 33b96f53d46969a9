"""Measure the spread of every run-dependent number a chapter checks (gan_src.claims).

    python tools/measure_bands.py book/theoretical_results.ipynb --seeds 0 1 2 --out runs/bands.jsonl

Executes the chapter top to bottom once per (kernel configuration, seed): the configurations
are this machine's default and the other kernel paths it can be forced onto (one thread;
ATen's portable ``default`` path instead of its AVX2/AVX-512 one; MKL held to SSE4.2), the
seed replaces the chapter's ``SEED`` (and ``SEEDS`` / ``SWEEP_SEEDS`` ranges by as many
fresh seeds). Its claim checks are switched off (an injected ``check = no-op``), and every value
the chapter glues is read back from the executed notebook. Prints min-max per name and appends
one JSON line per execution to ``--out``; the bands in gan_src/claims.py cite these figures.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CONFIGS = {
    "default": {},
    "1 thread": {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    "ATen default": {"ATEN_CPU_CAPABILITY": "default"},
    "MKL SSE4.2, 1 thread, ATen default": {"MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "OMP_NUM_THREADS": "1",
                                           "ATEN_CPU_CAPABILITY": "default"},
}
GLUE_MIME = "application/papermill.record/text/plain"


def override(nb: nbformat.NotebookNode, seed: int) -> None:
    """Insert, after the budget cell, one that reseeds the chapter and switches its checks off."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "SEED" in cell.source and "import" not in cell.source:
            lines = [f"SEED = {seed}"]
            for name, size in (("SEEDS", 5), ("SWEEP_SEEDS", 3)):  # disjoint sets of seeds, SWEEP_SEEDS within SEEDS
                if f"{name} = range(" in cell.source:
                    lines.append(f"{name} = range({seed * 5}, {seed * 5 + size})")
            lines.append("check = lambda *args, **kwargs: None  # measuring, not checking")
            nb.cells.insert(i + 1, nbformat.v4.new_code_cell("\n".join(lines)))
            return
    raise ValueError("no budget cell defining SEED")


def glued(nb: nbformat.NotebookNode) -> dict[str, float]:
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and GLUE_MIME in out.get("data", {}):
                values[name] = float(out["data"][GLUE_MIME])
    return values


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--out", type=Path, default=Path("runs/bands.jsonl"))
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    spread = defaultdict(list)
    for config in args.configs:
        for seed in args.seeds:
            nb = nbformat.read(args.notebook, as_version=4)
            override(nb, seed)
            env = {**os.environ, **CONFIGS[config]}
            start = time.perf_counter()
            saved = dict(os.environ)
            os.environ.update(env)  # the kernel inherits this process's environment
            try:
                NotebookClient(nb, timeout=1800, resources={"metadata": {"path": str(args.notebook.parent)}}).execute()
            finally:
                os.environ.clear()
                os.environ.update(saved)
            values = glued(nb)
            row = {"notebook": args.notebook.name, "config": config, "seed": seed, "values": values,
                   "seconds": round(time.perf_counter() - start, 1)}
            with args.out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"{config:36s} seed {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in values.items()), flush=True)
            for k, v in values.items():
                spread[k].append(v)
    for k, vs in spread.items():
        print(f"{k:40s} min {min(vs):.4g}  max {max(vs):.4g}  over {len(vs)} runs")


if __name__ == "__main__":
    main()
