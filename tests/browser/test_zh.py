"""The Chinese site (``_build/html/zh/``) in headless Chromium, offline.

test_website.py already visits every page of the built site, the Chinese ones included (requests,
console, math, images, widgets, players, Colab links, internal links). Here, for each Chinese
chapter at 1280 and 400 px: the page is in Chinese (``lang``, the theme's own strings), its glyphs
are drawn by a CJK font (no tofu boxes), no English prose paragraph is left (code, math, names,
bibliography entries and the paper's quoted English excepted), no MyST markup is left raw, math is
typeset, test_layout.py's layout report holds as for the English chapters, and no interface string
is left in English (the theme's tooltips and labels, the live widgets, the animation players). The
language switch goes from each page to its twin and back; search finds Chinese words; the Colab and
download buttons give the committed Chinese notebook. Screenshots: ``_build/screenshots/zh/``.

The other browser tests run on the Chinese pages too: test_website.py (every page), test_live_widgets.py,
test_prose.py, test_navigation.py and test_layout.py's tap on a figure.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, SITE, WIDTHS, PageReports, offline_context
from test_layout import LAYOUT_REPORT
from test_website import LIVE_WIDGETS_DRAWN, MATH_REPORT

sys.path.insert(0, str(ROOT / "tools"))
import zh_book  # noqa: E402
import zh_site  # noqa: E402
import zh_text  # noqa: E402

ZH_PAGES = sorted(f"zh/{d}.html" for d in zh_site.zh_docs()) + [f"zh/{zh_site.GLOSSARY_DOC}.html"]
CHAPTERS = [p for p in ZH_PAGES if p not in ("zh/book/bibliography.html", f"zh/{zh_site.GLOSSARY_DOC}.html")]
# test_layout.py's report; a Chinese caption opens with 图：
REPORT = LAYOUT_REPORT.replace(r"/^Figure\b/", r"/^(Figure\b|图[：:])/")
assert REPORT != LAYOUT_REPORT, "test_layout.py's caption check changed: update REPORT"

# What a reader reads, as paragraphs: code, outputs, math, citations and live widgets taken out.
PROSE = """() => {
  const clone = document.querySelector('article.bd-article').cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .math, div.cell_output, div.output, ' +
                         'div.highlight, div.citation, .gan-live, a.headerlink').forEach(e => e.remove());
  const out = [];
  clone.querySelectorAll('p, li, th, td, h1, h2, h3, h4, h5, h6, dt, dd, caption, figcaption').forEach(el => {
    if (el.querySelector('p')) return;  // its paragraphs are read one by one
    const kind = /^H\\d$/.test(el.tagName) ? 'heading' : (el.closest('blockquote') ? 'quote' : 'para');
    out.push([el.textContent.replace(/\\s+/g, ' ').trim(), kind]);
  });
  return out;
}"""

# MyST that did not render: roles, fences, directive options, comments, unrendered emphasis.
RAW_MARKUP = """() => {
  const clone = document.querySelector('article.bd-article').cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, div.cell_output').forEach(e => e.remove());
  const text = clone.textContent;
  return [...text.matchAll(/\\{[\\w:-]+\\}`|```|:::|^\\s*:[\\w-]+:\\s|<!--|\\*\\*|\\$\\$/gm)]
      .map(m => text.slice(Math.max(0, m.index - 20), m.index + 30).replace(/\\s+/g, ' '));
}"""

# Interface strings in English: the tooltips and labels (for screen readers too) of every element,
# the text of the theme's header, sidebars and footer, and in the chapter the text of the live
# widgets and animation players. Left out: code, math, the English switch (lang="en"), citations
# (bibliography entries), chapter titles in the navigation, image paths, and the names below.
INTERFACE_REPORT = """() => {
  const names = new Set(['GAN', 'MNIST', 'CIFAR', 'Parzen', 'nats', 'Colab', 'PDF', 'pdf', 'ipynb', 'Ctrl',
                         'GitHub', 'gan-book', 'onnxruntime-web']);
  const english = (s) => (s.match(/[A-Za-z][A-Za-z-]{2,}/g) || []).filter((w) => !names.has(w));
  const ignored = 'pre, code, script, style, noscript, mjx-container, .math, [lang="en"], div.citation, ' +
                  '.bibtex-citation, kbd, nav a, .toc-entry, .onlyprint, .prev-next-title';
  const attributes = ['title', 'aria-label', 'placeholder', 'alt', 'data-bs-title', 'data-bs-original-title',
                      'data-tooltip'];
  const found = new Set();
  // one walk over the page, skipping ignored subtrees whole (math is thousands of elements)
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT,
    (n) => n.nodeType === 1 && n.matches(ignored) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeType === 1) {
      for (const a of attributes) {
        const v = n.getAttribute(a);
        if (v && !/\\.(png|svg|jpe?g)$/.test(v) && english(v).length) found.add(`<${n.tagName.toLowerCase()} ${a}="${v}">`);
      }
    } else if (english(n.data).length) {
      const el = n.parentElement;
      // in the chapter, its prose is test_no_english_prose_left's: here the widgets and players
      if (!el.closest('article') || el.closest('.gan-live, div.animation'))
        found.add(`<${el.tagName.toLowerCase()}> ${n.data.trim().slice(0, 80)}`);
    }
  }
  return [...found].sort();
}"""


# Draw two Chinese characters and an unassigned code point in the page's own font: with no CJK
# font, both characters come out as the same box as the unassigned one (tofu).
GLYPHS = """() => {
  const family = getComputedStyle(document.querySelector('article p')).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext('2d');
  const draw = (ch) => {
    ctx.clearRect(0, 0, 48, 48); ctx.font = `32px ${family}`; ctx.fillText(ch, 4, 38);
    return ctx.getImageData(0, 0, 48, 48).data.join(',');
  };
  const a = draw('判'), b = draw('器'), none = draw('\\u{10FFFD}');
  return {family, distinct: a !== b, not_tofu: a !== none && b !== none, inked: /[1-9]/.test(a)};
}"""


@pytest.fixture(scope="session")
def zh(browser, site_url):
    """zh(page, width) -> what the page shows at that width (cached); screenshots as a side effect."""
    if not (SITE / "zh" / "index.html").is_file():
        pytest.fail(f"no Chinese site at {SITE / 'zh'}: run `make book`")
    reports = PageReports(browser, site_url, {
        "lang": "() => document.documentElement.lang",
        "text": "() => document.body.innerText",
        "prose": PROSE, "raw": RAW_MARKUP, "math": MATH_REPORT, "glyphs": GLYPHS, "layout": REPORT,
        "widgets": LIVE_WIDGETS_DRAWN, "interface": INTERFACE_REPORT}, "zh")
    yield reports
    reports.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", ZH_PAGES)
def test_page_is_chinese_and_its_glyphs_render(zh, page, width):
    report = zh(page, width)
    assert report["lang"] == "zh-CN"
    glyphs = report["glyphs"]
    assert glyphs["inked"] and glyphs["distinct"] and glyphs["not_tofu"], \
        f"Chinese drawn as boxes in {glyphs['family']}: install a CJK font (fonts-noto-cjk)"


def test_the_glyph_check_sees_tofu(browser, site_url):
    """The same check in a Chromium that sees no CJK font (fontconfig limited to DejaVu) fails."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip(f"no {dejavu} to build a font set without CJK from")
    from conftest import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "fonts.conf"
        config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{dejavu}</dir><cachedir>{tmp}</cachedir>'
                          "</fontconfig>")
        no_cjk = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             env={**os.environ, "FONTCONFIG_FILE": str(config)})
        page = no_cjk.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site_url)
                   else r.abort("blockedbyclient"))
        page.goto(f"{site_url}/zh/book/introduction.html", wait_until="load")
        glyphs = page.evaluate(GLYPHS)
        no_cjk.close()
    assert not (glyphs["distinct"] and glyphs["not_tofu"]), "tofu not detected"


@pytest.mark.parametrize("page", ZH_PAGES)
def test_no_english_prose_left(zh, page):
    prose = [zh_text.Paragraph(text, kind) for text, kind in zh(page, "desktop")["prose"]]
    assert prose, "no prose found on the page"
    assert not zh_text.untranslated(prose)


@pytest.mark.parametrize("page", ZH_PAGES)
def test_no_raw_markup_and_math_typeset(zh, page):
    report = zh(page, "desktop")
    assert not report["raw"], f"MyST markup left in the page: {report['raw'][:5]}"
    math = report["math"]
    assert not math["untypeset"] and not math["errors"] and not math["raw"], math
    if page in CHAPTERS:
        assert math["count"] and math["mathjax"], "no typeset math on a chapter"


def test_theme_speaks_chinese(zh):
    text = zh("zh/book/introduction.html", "desktop")["text"]
    for words in ("搜索", "目录", "上一页", "下一页", "练习", "解答", "显示代码"):
        assert words in text, f"{words!r} not on the page: the theme's strings are not in Chinese"
    for words in ("Search", "Contents", "Previous", "Next", "Exercise", "Solution to", "Show code cell",
                  "Click to show"):
        assert words not in text, f"{words!r} on a Chinese page"


@pytest.mark.parametrize("page", ZH_PAGES)
def test_interface_in_chinese(zh, page):
    """The theme's tooltips and labels, the book's own scripts (figures, live widgets) and the
    animation players speak Chinese: zh_site.INTERFACE, gan_book.js, live_widgets.js."""
    assert zh(page, "desktop")["interface"] == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", CHAPTERS)
def test_layout_as_for_the_english_chapters(zh, page, width):
    report = zh(page, width)["layout"]
    checks = ["wide_math", "inline_math", "wide_outputs", "wide_tables", "broken_numbers", "raw_tables"]
    if width == "desktop":
        checks += ["wide_blocks", "small_images", "uncaptioned"]
    else:
        checks += ["unzoomable"]
    assert {c: report[c] for c in checks if report[c]} == {}


def _switch(browser, site_url, start: str, width: int) -> str:
    context = offline_context(browser, site_url, width)
    page = context.new_page()
    page.goto(f"{site_url}/{start}", wait_until="domcontentloaded")
    switch = page.locator("a.gan-lang-switch")
    if switch.count() == 0:
        context.close()
        return ""
    box = switch.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, f"the switch on {start} is off-screen"
    switch.click()
    page.wait_for_load_state("domcontentloaded")
    landed = page.url.removeprefix(f"{site_url}/")
    context.close()
    return landed


TWINS = zh_site.twins(SITE) if (SITE / "zh").is_dir() else {}


@pytest.mark.parametrize("english", sorted(TWINS))
def test_language_switch_lands_on_the_twin_both_ways(browser, site_url, english):
    width = 400 if english.endswith("introduction.html") else 1280
    assert _switch(browser, site_url, english, width) == TWINS[english]
    assert _switch(browser, site_url, TWINS[english], width) == english


def test_switch_only_where_a_twin_exists():
    assert {"book/intro.html", "book/introduction.html", "search.html"} <= set(TWINS)
    for page in SITE.rglob("*.html"):
        rel = page.relative_to(SITE).as_posix()
        if rel.startswith(("_static/", "zh/_static/")):
            continue
        twin = TWINS.get(rel) or next((en for en, z in TWINS.items() if z == rel), None)
        has = "gan-lang-switch" in page.read_text(encoding="utf-8")
        assert has == (twin is not None), f"{rel}: a switch {'without' if has else 'missing for'} a twin"


@pytest.mark.parametrize("query, expected", [("模式崩溃", "book/introduction.html"), ("判别器", "book/glossary.html")])
def test_search_finds_chinese_words(browser, site_url, query, expected):
    context = offline_context(browser, site_url, 1280)
    page = context.new_page()
    page.goto(f"{site_url}/zh/search.html?q={query}", wait_until="load")
    page.wait_for_selector("#search-results ul.search li a", timeout=20000)
    links = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    context.close()
    assert any(link.split("?")[0].endswith(expected) for link in links), f"{query}: {links}"


def test_colab_opens_the_chinese_notebook():
    html = (SITE / "zh" / "book" / "introduction.html").read_text(encoding="utf-8")
    assert "/blob/main/book/zh/colab/introduction.ipynb" in html
    assert (ROOT / "book" / "zh" / "colab" / "introduction.ipynb").is_file()


DOWNLOAD = re.compile(r'<a href="([^"]+)"[^>]*class="[^"]*btn-download-source-button')


@pytest.mark.parametrize("page", zh_book.colab_pages())
def test_download_gives_the_chinese_notebook(page):
    """The download button of a Chinese notebook page gives book/zh/colab/PAGE.ipynb (Chinese text,
    no outputs), the notebook its Colab button opens."""
    html = SITE / "zh" / "book" / f"{page}.html"
    link = DOWNLOAD.search(html.read_text(encoding="utf-8"))
    assert link, f"no download button on {html.relative_to(SITE)}"
    target = (html.parent / link[1]).resolve()
    assert target.is_relative_to((SITE / "zh").resolve()), f"{link[1]}: the English site's notebook"
    assert target.read_bytes() == (ROOT / "book" / "zh" / "colab" / f"{page}.ipynb").read_bytes(), \
        f"{link[1]} is not book/zh/colab/{page}.ipynb"


def test_shared_files_are_not_copied():
    """The Chinese site holds no vendor script, live model or image that the English site has."""
    zh = SITE / "zh"
    assert not (zh / "_static" / "vendor").exists() and not (zh / "_static" / "live").exists()
    for folder in ("_static", "_images"):
        for path in (zh / folder).rglob("*"):
            twin = SITE / folder / path.relative_to(zh / folder)
            assert not (path.is_file() and twin.is_file() and path.read_bytes() == twin.read_bytes()), \
                f"{path.relative_to(SITE)} duplicates {twin.relative_to(SITE)}"
