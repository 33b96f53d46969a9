"""The live generators (_ext/live_widgets.py, _ext/live_widgets.js) in headless Chromium, offline.

Each widget page is opened with every request that leaves localhost blocked. The checks: the
runtime and the model load only once the widget is reached; the pixels drawn equal PyTorch's
G(z) from ``gan_src.pretrained.load`` within 2/255 for the z the page used (read back through
``window.ganLive``); the slider, "new z0" and the class buttons change what they should; the
widget fits a 400 px phone screen; and the files the feature adds fit the size budget.
Screenshots of each widget at 1280 and 400 px go to ``_build/screenshots/live_*.png``.

Every check runs on the English page and on its Chinese twin (``zh/``), pressing the same controls
by the names a reader sees in each language; a page not translated yet is skipped, with the reason.
The Chinese screenshots go to ``_build/screenshots/zh/live_*.png``.
"""

from __future__ import annotations

import json
import re
import sys
from urllib.parse import urlsplit

import pytest
import torch

from conftest import ROOT, SCREENSHOTS, SITE
from gan_src import pretrained
from gan_src.neighbours import nearest

sys.path.insert(0, str(ROOT / "tools"))
import zh_site  # noqa: E402

BUDGET = 25 * 10**6  # bytes the live widgets may add to the site
TOLERANCE = 2 / 255  # per pixel, against PyTorch
LIVE_FILES = ["_static/live", "_static/vendor/onnxruntime-web"]
WIDGETS = {"mnist": "book/experiments.html", "mnist_conditional": "book/conclusions.html",
           "faces": "book/figure2.html"}
RUNTIME = ("onnxruntime-web", ".onnx")  # requests that only a started widget makes

# The controls a reader presses, by the names each language gives them (_ext/live_widgets.js).
CONTROLS = {
    "en": {"seed": "seed of z", "t": "interpolation parameter t", "points": "points on the path",
           "new z0": "new z0", "new samples": "new samples"},
    "zh": {"seed": "z 的随机种子", "t": "插值参数 t", "points": "路径上的点数",
           "new z0": "换一个 z0", "new samples": "换一批样本"},
}
PREFIX = {"en": "", "zh": "zh/"}  # where each language's pages are in the site
TRANSLATED = {f"{doc}.html" for doc in zh_site.zh_docs()}
CJK = re.compile(r"[\u4e00-\u9fff]")


def in_both_languages(names) -> list:
    """(name, language) for each widget in English and in Chinese; a widget whose chapter is not
    translated yet is skipped in Chinese (pages without a translation are English only)."""
    return [pytest.param(name, lang, marks=pytest.mark.skip(reason=f"{WIDGETS[name]} not translated yet"))
            if lang == "zh" and WIDGETS[name] not in TRANSLATED else pytest.param(name, lang)
            for name in names for lang in PREFIX]


def added_bytes() -> int:
    return sum(p.stat().st_size for folder in LIVE_FILES for p in (SITE / folder).rglob("*") if p.is_file())


def test_live_files_fit_the_budget():
    manifest = json.loads((SITE / "_static/live/models.json").read_text())["models"]
    assert set(manifest) == set(WIDGETS)
    for name, m in manifest.items():
        assert (SITE / "_static/live" / m["file"]).is_file(), f"{name}: {m['file']} not built"
        assert m["epochs"] == pretrained.provenance(name)["epochs"]
    assert added_bytes() <= BUDGET, f"the live widgets add {added_bytes():,} bytes, over {BUDGET:,}"


def test_only_widget_pages_load_the_module():
    for page in SITE.rglob("*.html"):
        html = page.read_text(encoding="utf-8", errors="replace")
        if "_static/" in page.relative_to(SITE).as_posix():
            continue
        has_widget = 'class="gan-live"' in html
        assert has_widget == ("gan_live.js" in html), f"{page}: module without widget, or widget without module"
        eager = re.findall(r'(?:src|href)="[^"]*(?:onnxruntime-web|ort-wasm|\.onnx)[^"]*"', html)
        assert not eager, f"{page} loads the runtime eagerly: {eager}"
    expected = set(WIDGETS.values()) | {f"zh/{p}" for p in WIDGETS.values() if p in TRANSLATED}
    assert expected <= {p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                        if 'class="gan-live"' in p.read_text(encoding="utf-8")}


class Live:
    """One widget page in its own browser context: network blocked, everything recorded."""

    def __init__(self, browser, site_url: str, page: str, width: int, lang: str = "en"):
        self.lang, self.words = lang, CONTROLS[lang]
        self.blocked, self.failed, self.errors, self.requests = [], [], [], []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        local = urlsplit(site_url).netloc

        def route(r):
            if urlsplit(r.request.url).netloc == local:
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort("blockedbyclient")

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("request", lambda q: self.requests.append(q.url))
        self.page.on("requestfailed", lambda q: self.failed.append(f"{q.url}: {q.failure}"))
        self.page.on("response", lambda s: s.status >= 400 and self.failed.append(f"{s.url}: HTTP {s.status}"))
        self.page.goto(f"{site_url}/{page}", wait_until="load")
        self.page.evaluate("() => window.ganLiveReady")
        self.before_scroll = [u for u in self.requests if any(r in u for r in RUNTIME)]
        self.widget = self.page.locator("div.gan-live").first
        self.widget.scroll_into_view_if_needed()
        self.page.wait_for_selector("div.gan-live[data-ready=true]", timeout=60_000)
        caption = self.widget.locator(".gan-live-caption").inner_text()
        assert bool(CJK.search(caption)) == (lang == "zh"), f"{page}: the widget does not speak {lang}: {caption!r}"

    def read(self) -> dict:
        return self.page.evaluate("async () => { const w = ganLive.widgets[0]; await w.idle(); return w.read(); }")

    def shows(self, pixels) -> torch.Tensor:
        return torch.tensor(pixels, dtype=torch.float64) / 255

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def live(browser, site_url):
    """live(model, width, lang) -> the page of that model's widget, started (cached per module)."""
    opened: dict[tuple, Live] = {}

    def _open(model: str, width: int = 1280, lang: str = "en") -> Live:
        if (model, width, lang) not in opened:
            opened[model, width, lang] = Live(browser, site_url, PREFIX[lang] + WIDGETS[model], width, lang)
        return opened[model, width, lang]

    yield _open
    for page in opened.values():
        page.close()


def along(points: torch.Tensor, t: float) -> torch.Tensor:
    """The page's path through ``points`` at t (equal share of t per leg), as it computes it."""
    s = t * (len(points) - 1)
    i = min(int(s), len(points) - 2)
    u = s - i
    return ((1 - u) * points[i].double() + u * points[i + 1].double()).float()


@torch.no_grad()
def torch_images(name: str, zs: torch.Tensor, c: int | None = None) -> torch.Tensor:
    G = pretrained.load(name)
    if c is None:
        return G(zs).double()
    return G.generate(zs, torch.full((len(zs),), c)).double()


def assert_close(shown, expected: torch.Tensor, what: str) -> float:
    error = (shown - expected).abs().max().item()
    assert error <= TOLERANCE, f"{what}: the page differs from PyTorch by {error * 255:.2f}/255"
    return error


def check_player(lv: Live, name: str, c: int | None = None) -> float:
    """The large image, the ends and the strip against PyTorch, for the z the page reports."""
    s = lv.read()
    points = torch.tensor(s["points"], dtype=torch.float32)
    strip_z = torch.stack([along(points, i / 9) for i in range(10)])
    expected = torch_images(name, torch.cat([along(points, s["t"])[None], points, strip_z]), c)
    err = assert_close(lv.shows([s["main"]]), expected[:1], f"{name}: G(z(t)) at t = {s['t']}")
    err = max(err, assert_close(lv.shows(s["ends"]), expected[1:1 + len(points)], f"{name}: the points"))
    return max(err, assert_close(lv.shows(s["strip"]), expected[1 + len(points):], f"{name}: the strip"))


def set_seed(lv: Live, seed: int) -> None:
    box = lv.widget.get_by_label(lv.words["seed"])
    box.fill(str(seed))
    box.press("Tab")  # commits the value: a "change" event, as a reader's Enter or Tab does


def drag_slider(lv: Live, fraction: float) -> None:
    box = lv.widget.get_by_label(lv.words["t"]).bounding_box()
    lv.page.mouse.click(box["x"] + fraction * box["width"], box["y"] + box["height"] / 2)


@pytest.mark.parametrize("name, lang", in_both_languages(["mnist", "faces"]))
def test_interpolation_equals_pytorch(live, name, lang):
    lv = live(name, lang=lang)
    set_seed(lv, 7)
    drag_slider(lv, 0.3)
    s = lv.read()
    assert s["seed"] == 7 and 0.2 < s["t"] < 0.4
    check_player(lv, name)
    # the path through several z (here 3): the strip follows the legs
    lv.widget.get_by_label(lv.words["points"]).select_option("3")
    assert len(lv.read()["points"]) == 3
    check_player(lv, name)


@pytest.mark.parametrize("name, lang", in_both_languages(["mnist_conditional"]))
def test_conditional_equals_pytorch_and_draws_the_class(live, mnist, name, lang):
    lv = live(name, lang=lang)
    lv.widget.get_by_role("button", name="3", exact=True).click()
    s = lv.read()
    assert s["c"] == 3
    shown = lv.shows(s["grid"])
    assert len(shown) == 100
    assert_close(shown, torch_images("mnist_conditional", torch.tensor(s["grid_z"]), c=3), "the grid of 3s")
    check_player(lv, "mnist_conditional", c=3)
    # the chapter's judge: the nearest training digit of each sample has class 3
    hits = (mnist.train_labels[nearest(shown.float(), mnist.train)[0]] == 3).double().mean().item()
    assert hits >= 0.9, f"only {hits:.0%} of the grid's samples are nearest to a training 3"


@pytest.mark.parametrize("name, lang", in_both_languages(WIDGETS))
def test_slider_and_new_z0_change_what_they_should(live, name, lang):
    lv = live(name, lang=lang)
    drag_slider(lv, 0.1)
    first = lv.read()
    drag_slider(lv, 0.9)
    second = lv.read()
    assert second["t"] > first["t"] and second["main"] != first["main"], "dragging t did not redraw G(z(t))"
    assert second["strip"] == first["strip"], "the strip moved with t"
    lv.widget.get_by_role("button", name=lv.words["new z0"]).click()
    third = lv.read()
    assert third["points"][0] != second["points"][0] and third["points"][1:] == second["points"][1:]
    assert third["ends"][0] != second["ends"][0] and third["strip"][0] != second["strip"][0], "left end not redrawn"
    assert third["ends"][-1] == second["ends"][-1] and third["strip"][-1] == second["strip"][-1], "right end changed"


@pytest.mark.parametrize("name, lang", in_both_languages(["mnist_conditional"]))
def test_conditional_class_and_new_samples(live, name, lang):
    lv = live(name, lang=lang)
    lv.widget.get_by_role("button", name="7", exact=True).click()
    sevens = lv.read()
    lv.widget.get_by_role("button", name="1", exact=True).click()
    ones = lv.read()
    assert ones["grid_z"] == sevens["grid_z"] and ones["grid"] != sevens["grid"], "the class did not change G(z, c)"
    lv.widget.get_by_role("button", name=lv.words["new samples"]).click()
    fresh = lv.read()
    assert fresh["seed"] == ones["seed"] + 1 and fresh["grid_z"] != ones["grid_z"] and fresh["grid"] != ones["grid"]


@pytest.mark.parametrize("name, lang", in_both_languages(WIDGETS))
@pytest.mark.parametrize("width", [1280, 400])
def test_widget_offline_lazy_and_fits_the_screen(live, name, lang, width):
    lv = live(name, width, lang)
    assert not lv.before_scroll, f"the runtime loaded before the widget was reached: {lv.before_scroll}"
    assert any(".onnx" in u for u in lv.requests) and any("ort-wasm" in u for u in lv.requests)
    layout = lv.widget.evaluate("""(w) => {
      const box = w.getBoundingClientRect();
      const out = [...w.querySelectorAll('button, input, select, canvas, label, p')].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
      }).map((e) => e.outerHTML.slice(0, 60));
      return {out, right: box.right, viewport: innerWidth, scroll: document.documentElement.scrollWidth,
              font: parseFloat(getComputedStyle(w).fontSize)};
    }""")
    assert not layout["out"], f"{name} at {width} px: controls stick out of the widget: {layout['out']}"
    assert layout["right"] <= layout["viewport"], f"{name} at {width} px: the widget is wider than the screen"
    assert layout["font"] >= 12, f"{name} at {width} px: text at {layout['font']} px"
    # a screenshot for review, without the theme's sticky header over the widget
    lv.page.add_style_tag(content=".bd-header-article { position: static !important; } "
                                  ".skip-link { display: none !important; }")
    lv.widget.scroll_into_view_if_needed()
    folder = SCREENSHOTS / PREFIX[lang]
    folder.mkdir(parents=True, exist_ok=True)
    lv.widget.screenshot(path=str(folder / f"live_{name}_{width}.png"))
    assert not lv.blocked, f"{name}: requests left the site: {lv.blocked}"
    assert not lv.failed, f"{name}: failed requests: {lv.failed}"
    assert not lv.errors, f"{name}: console errors: {lv.errors}"
