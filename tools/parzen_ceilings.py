"""The two Parzen "ceilings" of Theis et al. (2016) beside Table 1, measured and saved.

    python tools/parzen_ceilings.py        # writes gan_src/results/parzen_ceilings.json

The same protocol as for G (gan_src.parzen.evaluate: sigma from logspace(-1, 0, 10) on the
first 1,000 validation images, mean ± se over the 10,000 test images) with 10,000 centres
that are (1) the first 10,000 real training images, (2) k-means centres of all 50,000
training images (Lloyd, 10 iterations, seed 0). The k-means run takes minutes on 2 cores,
too long for a chapter, so the chapter reads this file; re-run this script to check it.
"""

from __future__ import annotations

import time
from dataclasses import asdict

import torch

from gan_src import parzen, results
from gan_src.data import load_mnist
from gan_src.kmeans import kmeans

ITERATIONS, SEED = 10, 0


def main() -> None:
    splits = load_mnist()
    valid, test = splits.valid[: parzen.N_VALID], splits.test
    rows = {}
    start = time.perf_counter()
    rows["real"] = {"centres": f"the first {parzen.N_CENTRES} training images",
                    **asdict(parzen.evaluate(splits.train[: parzen.N_CENTRES], valid, test))}
    print("real data:", parzen.ParzenResult(**{k: v for k, v in rows["real"].items() if k != "centres"}))
    centres, inertia = kmeans(splits.train, parzen.N_CENTRES, ITERATIONS, seed=SEED, progress=True)
    rows["kmeans"] = {"centres": f"{parzen.N_CENTRES} k-means centres of the 50,000 training images "
                                 f"(Lloyd, {ITERATIONS} iterations, seed {SEED})",
                      "inertia": inertia, **asdict(parzen.evaluate(centres, valid, test))}
    print("k-means:", parzen.ParzenResult(**{k: v for k, v in rows["kmeans"].items() if k not in ("centres", "inertia")}))
    rows["seconds"] = round(time.perf_counter() - start, 1)
    rows["torch"] = torch.__version__
    print(f"wrote {results.save('parzen_ceilings', rows)}")


if __name__ == "__main__":
    main()
