"""The website in a real browser, offline: every page of the built site, every check.

Each page is visited once in headless Chromium with every request that leaves
localhost blocked (and recorded), so a script, font or stylesheet fetched from a CDN
fails these tests the way it would fail a reader behind a firewall. The checks then
read what the visit recorded: failed or external requests, console errors, math left
as raw TeX, images that did not load, animation players that do not step, Colab links
to notebooks that are not in the repository, internal links that do not resolve.
A full-page screenshot of each page goes to ``_build/screenshots/`` for review.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from conftest import ROOT, SCREENSHOTS, SITE, WAIT_FOR_MATH, offline_context

COLAB = "https://colab.research.google.com/github/"
REFRESH = re.compile(r'<meta[^>]+http-equiv="refresh"[^>]+url=([^"]+)"', re.IGNORECASE)


def site_pages() -> list[str]:
    """Every HTML page of the built site (theme assets and page sources excluded)."""
    if not SITE.is_dir():
        return ["index.html"]  # the site_url fixture then fails with "run make book"
    skip = ("_static/", "_sources/", "_images/")
    return sorted(
        p.relative_to(SITE).as_posix()
        for p in SITE.rglob("*.html")
        if not p.relative_to(SITE).as_posix().startswith(skip)
    )


def toc_files() -> list[str]:
    """The documents named in _toc.yml (root, chapters, sections, parts), any depth."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    found.append(toc["root"])
    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in found]


PAGES = site_pages()


@dataclass
class Visit:
    """What one page did in the browser."""

    page: str
    blocked: list[str] = field(default_factory=list)  # requests that tried to leave localhost
    failed: list[str] = field(default_factory=list)  # requests that failed or answered >= 400
    console_errors: list[str] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    images: dict = field(default_factory=dict)
    animations: list[dict] = field(default_factory=list)
    widgets: dict = field(default_factory=dict)
    links: list[str] = field(default_factory=list)


MATH_REPORT = """() => {
  const math = [...document.querySelectorAll('.math')];
  const untypeset = math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80));
  const errors = [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80));
  // Visible prose with code, scripts and typeset math taken out: no TeX may be left.
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight')
      .forEach(e => e.remove());
  const text = body.textContent;
  // ... and no inline $...$ left untypeset (e.g. a glued sentence parsed as CommonMark)
  const raw = [...text.matchAll(/\\\\\\(|\\\\\\[|\\$\\$|\\\\begin\\{|\\\\frac\\{|\\$[^$\\s][^$]{0,60}?\\$/g)]
      .map(m => text.slice(Math.max(0, m.index - 30), m.index + 50).replace(/\\s+/g, ' '));
  return {count: math.length, untypeset, errors, raw,
          mathjax: !!(window.MathJax && MathJax.version), version: window.MathJax && MathJax.version};
}"""

IMAGE_REPORT = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r); setTimeout(r, 5000); })));
  return {count: imgs.length,
          broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc.slice(0, 120))};
}"""

WIDGET_REPORT = """() => {
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  const unrendered = views.filter(s => !s.parentElement.querySelector('.jupyter-widgets, .widget-subarea'));
  return {count: views.length, unrendered: unrendered.length};
}"""

ANIMATION_STATE = """(el) => ({
  src: el.querySelector('img').getAttribute('src') || '',
  frame: Number(el.querySelector('input.anim-slider, input[type=range]').value),
  frames: Number(el.querySelector('input.anim-slider, input[type=range]').max),
  // every button shows an icon: Font Awesome 4 glyph, or the theme's SVG replacement
  icons: [...el.querySelectorAll('.anim-buttons button')].every(b => b.querySelector('svg') ||
      /FontAwesome/.test(getComputedStyle(b.querySelector('i') || b, '::before').fontFamily)),
})"""

# Live generators (_ext/live_widgets.js) load lazily; start them all and let them draw, so that no
# request is still in flight when the page closes and the screenshot shows them
# (tests/browser/test_live_widgets.py checks them in detail).
LIVE_WIDGETS_DRAWN = """async () => {
  if (window.ganLiveReady) await window.ganLiveReady;
  if (window.ganLive) await Promise.all(ganLive.widgets.map((w) => w.start()));
}"""


def _step_animations(page) -> list[dict]:
    """Click each matplotlib jshtml player's buttons and record what the frame did. The buttons are
    found by what they do, not by their titles, which are in Chinese on the Chinese pages."""
    results = []
    for index, player in enumerate(page.locator("div.animation").all()):
        player.scroll_into_view_if_needed()
        start = player.evaluate(ANIMATION_STATE)
        player.locator("button[onclick$='.next_frame()']").click()
        stepped = player.evaluate(ANIMATION_STATE)
        player.locator("button[onclick$='.play_animation()']").click()
        played = stepped
        for _ in range(40):  # up to 4 s for the timer to advance a frame
            page.wait_for_timeout(100)
            played = player.evaluate(ANIMATION_STATE)
            if played["frame"] != stepped["frame"]:
                break
        player.locator("button[onclick$='.pause_animation()']").click()
        results.append({"index": index, "start": start, "stepped": stepped, "played": played})
    return results


@pytest.fixture(scope="session")
def visit(browser, site_url):
    """visit(page) -> Visit, each page loaded once per session (cached)."""
    cache: dict[str, Visit] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    local = urlsplit(site_url).netloc
    current: list[Visit] = []

    def route(r):
        url = r.request.url
        if urlsplit(url).netloc == local:
            r.continue_()
        else:
            current[-1].blocked.append(url)
            r.abort("blockedbyclient")

    context.route("**/*", route)

    def _visit(page_name: str) -> Visit:
        if page_name in cache:
            return cache[page_name]
        result = Visit(page_name)
        current.append(result)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and result.console_errors.append(
            f"{m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: result.console_errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda q: result.failed.append(f"{q.url}: {q.failure}"))
        page.on("response", lambda s: s.status >= 400 and result.failed.append(f"{s.url}: HTTP {s.status}"))
        page.goto(f"{site_url}/{page_name}", wait_until="load")
        refresh = REFRESH.search((SITE / page_name).read_text(encoding="utf-8", errors="replace"))
        if refresh:  # index.html redirects to the landing page: check where it lands
            target = urljoin(f"{site_url}/{page_name}", refresh[1])
            result.links.append(target)
            page.wait_for_url(target.split("#")[0])
            page.wait_for_load_state("load")
        page.evaluate(WAIT_FOR_MATH)
        page.wait_for_load_state("networkidle")
        result.math = page.evaluate(MATH_REPORT)
        result.images = page.evaluate(IMAGE_REPORT)
        result.widgets = page.evaluate(WIDGET_REPORT)
        result.animations = _step_animations(page)
        result.links += page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        page.evaluate(LIVE_WIDGETS_DRAWN)
        shot = SCREENSHOTS / (page_name.removesuffix(".html").replace("/", "__") + ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        page.close()
        cache[page_name] = result
        return result

    yield _visit
    context.close()


def test_every_toc_entry_is_a_built_page():
    missing = [f for f in toc_files() if not (SITE / f"{f}.html").is_file()]
    assert not missing, f"in _toc.yml but not built: {missing} (run `make book`)"
    assert "index.html" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_no_request_leaves_the_site_or_fails(visit, page):
    v = visit(page)
    assert not v.blocked, f"{page} asked the network (a CDN?) for: {v.blocked}"
    assert not v.failed, f"{page}: failed requests: {v.failed}"


@pytest.mark.parametrize("page", PAGES)
def test_no_console_errors(visit, page):
    assert not visit(page).console_errors


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(visit, page):
    m = visit(page).math
    if m["count"]:
        assert m["mathjax"], f"{page} has {m['count']} math elements but MathJax did not load"
    assert not m["untypeset"], f"math not typeset: {m['untypeset'][:5]}"
    assert not m["errors"], f"MathJax errors: {m['errors'][:5]}"
    assert not m["raw"], f"raw TeX left in the page: {m['raw'][:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads(visit, page):
    images = visit(page).images
    assert not images["broken"], f"{len(images['broken'])} of {images['count']} images did not load"


@pytest.mark.parametrize("page", PAGES)
def test_widgets_render(visit, page):
    w = visit(page).widgets
    assert w["unrendered"] == 0, f"{w['unrendered']} of {w['count']} embedded widgets did not render"


@pytest.mark.parametrize("page", PAGES)
def test_animation_players_step_through_frames(visit, page):
    for a in visit(page).animations:
        start, stepped, played = a["start"], a["stepped"], a["played"]
        where = f"{page}: animation {a['index']}"
        assert start["frames"] >= 1, f"{where} has a single frame"
        assert stepped["frame"] == start["frame"] + 1, f"{where}: 'Next frame' did not advance"
        assert stepped["src"] != start["src"], f"{where}: 'Next frame' did not change the image"
        assert played["frame"] != stepped["frame"], f"{where}: 'Play' did not advance the frames"
        assert start["icons"], f"{where}: some buttons show no icon (Font Awesome not loaded?)"


def _repository() -> tuple[str, str, set[str] | None]:
    """(org/repo, branch) from _config.yml, and the files git tracks (None: not a clone)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/")
    slug = "/".join(urlsplit(url).path.strip("/").split("/")[:2])
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
        tracked = set(out.stdout.split("\n"))
    except (OSError, subprocess.CalledProcessError):
        tracked = None
    return slug, config["repository"].get("branch", "master"), tracked


@pytest.mark.parametrize("page", PAGES)
def test_colab_links_name_notebooks_in_the_repository(visit, page):
    links = [h for h in visit(page).links if h.startswith(COLAB)]
    source = SITE / "_sources" / page.replace(".html", ".ipynb")
    if source.is_file():  # a chapter written as a notebook gets a launch button
        assert links, f"{page} is a notebook chapter without a Colab link"
    slug, branch, tracked = _repository()
    for link in links:
        m = re.fullmatch(re.escape(COLAB) + r"([^/]+/[^/]+)/blob/([^/]+)/(.+\.ipynb)", link)
        assert m, f"unexpected Colab link {link}"
        assert m[1] == slug and m[2] == branch, f"{link} is not {slug}@{branch} (_config.yml)"
        path = unquote(m[3])
        assert (ROOT / path).is_file(), f"{link} names {path}, which is not in the repository"
        if tracked is not None:
            assert path in tracked, f"{link} names {path}, which git does not track"


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


def _anchors(path: Path, cache: dict[Path, set[str]] = {}) -> set[str]:  # noqa: B006 - memo
    if path not in cache:
        parser = _Ids()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = parser.ids
    return cache[path]


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(visit, page, site_url):
    broken = []
    for href in visit(page).links:
        if not href.startswith(site_url + "/"):
            continue
        parts = urlsplit(href)
        target = SITE / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href} (no such file)")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _anchors(target):
            broken.append(f"{href} (no anchor #{parts.fragment})")
    assert not broken, f"{page}: broken internal links: {broken}"


# The ipywidgets embed manager and require.js (about 3.6 MB) and the widgets' saved state.
WIDGET_SCRIPT = re.compile(r'<script[^>]+(src="[^"]*/(embed-amd|require)\.js[^"]*"|'
                           r'type="application/vnd\.jupyter\.widget-state\+json")')
WIDGET_VIEW = 'type="application/vnd.jupyter.widget-view+json"'


@pytest.mark.parametrize("page", PAGES)
def test_widget_scripts_only_on_pages_that_show_a_widget(page):
    html = (SITE / page).read_text(encoding="utf-8", errors="replace")
    if WIDGET_VIEW not in html:
        assert not WIDGET_SCRIPT.search(html), f"{page} shows no widget but loads the widget scripts"


def test_a_page_that_shows_a_widget_keeps_its_scripts(script):
    """_ext/offline_assets.py drops the widget scripts only where no widget is shown."""
    from types import SimpleNamespace

    from sphinx.builders.html._assets import _JavaScript

    offline = script("_ext/offline_assets.py")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    app = SimpleNamespace(config=SimpleNamespace(nb_ipywidgets_js=config["nb_ipywidgets_js"]))
    scripts = [_JavaScript("_static/doctools.js"),
               _JavaScript(None, type=offline.WIDGET_STATE, body="{}")]
    scripts += [_JavaScript(f"_static/{path}" if path else "", **kwargs)
                for path, kwargs in config["nb_ipywidgets_js"].items()]
    for body, kept in [(f"<script type={offline.WIDGET_VIEW!r}></script>", len(scripts)), ("<p>no widget</p>", 1)]:
        context = {"body": body, "script_files": list(scripts)}
        offline.drop_unused_widget_scripts(app, "page", "page.html", context, None)
        assert len(context["script_files"]) == kept, body


# Raw TeX or Python in a search result's snippet: a delimiter, a command, a code line.
SNIPPET_NOISE = re.compile(r"\\[()\[\]]|\\[A-Za-z]+|\b(import \w+|from [\w.]+ import|def \w+\()")


@pytest.mark.parametrize("search, query", [("search.html", "sigma"), ("search.html", "discriminator"),
                                           ("zh/search.html", "判别器")])
def test_search_snippets_read_as_prose(browser, site_url, search, query):
    context = offline_context(browser, site_url, 1280)
    page = context.new_page()
    page.goto(f"{site_url}/{search}?q={query}", wait_until="load")
    # the summary ("Search finished, found 9 pages ...", in the page's language) is written last
    page.wait_for_function("() => document.querySelector('#search-results p.search-summary')?.innerText.trim()",
                           timeout=20000)
    # each snippet is fetched after its result is listed
    page.wait_for_function("() => { const r = document.querySelectorAll('#search-results ul.search li');"
                           "return r.length > 0 && [...r].every(li => li.querySelector('p.context')); }",
                           timeout=20000)
    snippets = page.locator("#search-results ul.search li p.context").all_inner_texts()
    context.close()
    assert len(snippets) >= 3, f"'{query}' found {len(snippets)} pages"
    noisy = [s for s in snippets if SNIPPET_NOISE.search(s)]
    assert not noisy, f"search snippets with TeX or code: {noisy[:3]}"
