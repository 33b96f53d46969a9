"""The live generators of the website (_ext/live_widgets.py): bytes, time to interactive, ms per image.

Serves the built site (``make book``) on localhost and opens each widget page in headless
Chromium with a fresh profile (nothing cached), the network beyond localhost blocked. Prints

- the bytes the live widgets add to the site, file by file (target: at most 25 MB in all), and
  the bytes a first visit of each widget page fetches for them;
- time to interactive: from the moment the widget started loading (it loads lazily, one screen
  before it comes into view, or when touched) to its first images drawn (target: under 2 s: the
  wait a reader who scrolls to it or opens a link to it sees after the page itself); and from
  navigation start to those images, the widget scrolled into view as soon as the page's DOM is
  ready, which adds the page's own load and MathJax's typesetting (which delays the start);
- G alone in the page (onnxruntime-web, WebAssembly, one thread): ms per image at batch 1 (a
  slider step) and batch 100 (the conditional grid), and a slider step including the drawing;
- the largest difference, over every pixel drawn at seed 0, from PyTorch's G(z) on the same z.

    .venv/bin/python benchmarks/live_widgets.py [--repeats 3]

Needs /usr/bin/chromium (or CHROMIUM=...). Take timings on an idle machine only: the load
average is printed with them.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import threading
from pathlib import Path
from urllib.parse import urlsplit

import torch

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
LIVE_FILES = ["_static/live", "_static/vendor/onnxruntime-web"]
WIDGETS = {"mnist": "book/experiments.html", "mnist_conditional": "book/conclusions.html",
           "faces": "book/figure2.html"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

MEASURE = """async () => {
  const w = ganLive.widgets[0];
  const perImage1 = await w.time(1, 50), perImage100 = await w.time(100, 3);
  const start = performance.now();
  for (let i = 0; i <= 20; i++) await w.set({t: i / 20});
  const step = (performance.now() - start) / 21;
  await w.set({t: 0.5});
  return {perImage1, perImage100, step};
}"""


def serve(site: Path) -> str:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def added_files(site: Path) -> list[tuple[str, int]]:
    return sorted((p.relative_to(site).as_posix(), p.stat().st_size)
                  for folder in LIVE_FILES for p in (site / folder).rglob("*") if p.is_file())


def visit(browser, url: str, page_name: str) -> dict:
    """One first visit: timings from the page and the bytes fetched for the live widget."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    local, fetched = urlsplit(url).netloc, {}
    context.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).netloc == local
                  else r.abort("blockedbyclient"))
    page = context.new_page()

    def record(response):
        if "/_static/live/" in response.url or "onnxruntime-web" in response.url:
            try:
                fetched[response.url] = len(response.body())
            except Exception:  # a response without a body (redirect)
                pass

    page.on("response", record)
    page.goto(f"{url}/{page_name}", wait_until="domcontentloaded")
    page.evaluate("async () => { await window.ganLiveReady; ganLive.widgets[0].el.scrollIntoView(); }")
    page.wait_for_selector("div.gan-live[data-ready=true]", timeout=60_000)
    times = page.evaluate("() => ({started: ganLive.widgets[0].started, ready: ganLive.widgets[0].readyAt, "
                          "dom: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd})")
    return {"page": page, "context": context, "fetched": sum(fetched.values()), **times}


@torch.no_grad()
def max_error(page, name: str) -> float:
    """Largest |page - PyTorch| over the large image, the points, the strip and the grid at seed 0."""
    from gan_src import pretrained

    s = page.evaluate("async () => { const w = ganLive.widgets[0]; await w.set({seed: 0, t: 0.3}); return w.read(); }")
    G = pretrained.load(name)
    points = torch.tensor(s["points"])

    def along(t):
        k = t * (len(points) - 1)
        i = min(int(k), len(points) - 2)
        return ((1 - (k - i)) * points[i].double() + (k - i) * points[i + 1].double()).float()

    zs = torch.stack([along(s["t"]), *points, *[along(i / 9) for i in range(10)]])
    shown = [s["main"], *s["ends"], *s["strip"]]
    if s["grid"]:
        zs, shown = torch.cat([zs, torch.tensor(s["grid_z"])]), shown + s["grid"]
    x = G.generate(zs, torch.full((len(zs),), s["c"])) if hasattr(G, "generate") else G(zs)
    return (torch.tensor(shown, dtype=torch.float64) / 255 - x.double()).abs().max().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="first visits per widget page")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if not (SITE / "_static/live/models.json").is_file():
        raise SystemExit(f"no live widgets in {SITE}: run `make book` first")
    files = added_files(SITE)
    total = sum(size for _, size in files)
    print(f"bytes added to the site: {total:,} ({total / 1e6:.2f} MB; budget 25 MB)")
    for name, size in files:
        print(f"  {size:>12,}  {name}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores\n")

    url = serve(SITE)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        header = (f"{'model':<18} {'page':<24} {'fetched MB':>10} {'page DOM ms':>11} {'nav->ready ms':>14} "
                  f"{'start->ready ms':>16} "
                  f"{'ms/image b=1':>13} {'ms/image b=100':>15} {'slider step ms':>15} {'max err /255':>13}")
        print(header)
        for name, page_name in WIDGETS.items():
            visits = [visit(browser, url, page_name) for _ in range(args.repeats)]
            last = visits[-1]
            speed = last["page"].evaluate(MEASURE)
            error = max_error(last["page"], name)
            for v in visits:
                v["context"].close()
            print(f"{name:<18} {page_name:<24} {last['fetched'] / 1e6:>10.2f} "
                  f"{statistics.median(v['dom'] for v in visits):>11.0f} "
                  f"{statistics.median(v['ready'] for v in visits):>14.0f} "
                  f"{statistics.median(v['ready'] - v['started'] for v in visits):>16.0f} "
                  f"{speed['perImage1']:>13.2f} {speed['perImage100']:>15.3f} {speed['step']:>15.2f} "
                  f"{error * 255:>13.3f}")
        browser.close()
    print("\nmedians over first visits (fresh profile each). page DOM: the page's own DOMContentLoaded, before any "
          "widget code runs; nav->ready: navigation to the widget's first images; start->ready: from the widget's "
          "lazy start (it came into view) to them. Targets: <= 25 MB added, start->ready < 2 s")


if __name__ == "__main__":
    main()
