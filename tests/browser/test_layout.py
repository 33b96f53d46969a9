"""The pages as a reader sees them, at desktop (1280 px) and phone (400 px) width.

Each chapter is loaded once per width, offline, with its math typeset; the checks read one
layout report taken from the page:

- display math never wider than its box, at 1280 px and at 400 px (a long display is broken
  into lines in its TeX, so that nothing sits off-screen behind a scroll bar);
- inline math never runs past the text column;
- code, printed output and tables never scroll sideways at 1280 px; at 400 px tables and
  printed output (print(), a value's repr) still fit their box (output wraps), and only code
  may scroll sideways; a number in a table cell is never broken across lines;
- no Markdown table left as raw ``| --- |`` text;
- figures shown at >= 60 % of their drawn width at 1280 px (text in them stays legible), and
  at 400 px a tap opens each at full resolution;
- every figure a cell draws is captioned: the next cell opens with "Figure.";
- no doubled words from cross-references ("exercise Exercise 27").

Full-page screenshots at both widths go to ``_build/screenshots/layout/`` for review.
"""

from __future__ import annotations

import pytest

from conftest import WIDTHS, PageReports, offline_context
from test_website import PAGES
CHAPTERS = [p for p in PAGES if p.startswith("book/") and p != "book/bibliography.html"]

LAYOUT_REPORT = """(desktop) => {
  const article = document.querySelector('article.bd-article') || document.querySelector('article');
  const right = article.getBoundingClientRect().right;
  const text = (el) => (el.innerText || el.textContent || '').trim().slice(0, 60).replace(/\\s+/g, ' ');
  const wider = (el) => el.scrollWidth > el.clientWidth + 3;
  const past = (el) => el.getBoundingClientRect().right > right + 3;
  const displays = [...article.querySelectorAll('mjx-container[display=true]')];
  const box = (el) => el.closest('div.math, .math') || el;
  return {
    wide_math: displays.filter(el => wider(el) || wider(box(el)) || past(el)).map(text),
    inline_math: [...article.querySelectorAll('mjx-container:not([display=true])')].filter(past).map(text),
    wide_blocks: desktop ? [...article.querySelectorAll('div.highlight pre, div.cell_output pre, div.output pre')]
                             .filter(el => wider(el) || past(el)).map(text) : [],
    // printed results (not code) at any width: the whole line on screen, wrapped if need be
    wide_outputs: [...article.querySelectorAll('div.output.stream pre, div.output.text_plain pre, div.output.stderr pre')]
                    .filter(el => wider(el) || past(el)).map(text),
    wide_tables: [...article.querySelectorAll('table')].filter(el => past(el) || wider(el.parentElement)
                                                                    || wider(el)).map(text),
    // "8.016e-01" or "225 ± 2" in a cell drawn on two lines
    broken_numbers: [...article.querySelectorAll('table td')].filter(td =>
        /^[−+-]?[\\d.,]+(e[−+-]?\\d+)?%?(\\s*±\\s*[\\d.,]+(e[−+-]?\\d+)?)?$/.test(td.innerText.trim())).filter(td => {
          const lines = new Set(), walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
          for (let node = walk.nextNode(); node; node = walk.nextNode()) {
            const range = document.createRange(); range.selectNodeContents(node);
            [...range.getClientRects()].forEach(r => r.width > 0 && lines.add(Math.round(r.bottom)));
          }
          return lines.size > 1;
        }).map(text),
    // output figures a tap does not open at full resolution (gan_book.js)
    unzoomable: [...article.querySelectorAll('div.cell_output img')].filter(i =>
        !i.closest('div.animation, .gan-live') && !i.classList.contains('gan-zoomable')).map(i => i.src.slice(-40)),
    raw_tables: [...article.querySelectorAll('p, div.cell_output pre, div.output pre')]
                  .filter(el => /\\|\\s*:?-{3,}:?\\s*\\|/.test(el.innerText)).map(text),
    small_images: desktop ? [...article.querySelectorAll('div.cell_output img')]
                              .filter(i => i.naturalWidth > 0 && i.clientWidth < 0.6 * i.naturalWidth)
                              .map(i => `${i.naturalWidth} px drawn, ${i.clientWidth} px shown`) : [],
    uncaptioned: [...article.querySelectorAll('div.cell')].filter(cell =>
        cell.querySelector('div.cell_output img') && !cell.querySelector('.gan-live')).filter(cell => {
          const next = cell.nextElementSibling;
          const first = next && (next.matches('p') ? next : next.querySelector('p'));
          return !(first && /^Figure\\b/.test(first.innerText.trim()));
        }).map(cell => text(cell.querySelector('div.cell_input') || cell)),
    doubled: [...article.innerText.matchAll(/\\b(exercise|figure|section|equation|proposition|theorem)\\s+\\1\\b/gi)]
               .map(m => article.innerText.slice(Math.max(0, m.index - 20), m.index + 40)),
  };
}"""


# Pages not yet fixed, by check: each is a strict xfail, so the test fails as soon as the page is
# fixed and the entry must go. Each entry says why the page fails; none is added without a reason.
KNOWN: dict[str, dict[str, str]] = {}  # check -> {page: why it fails}; each a strict xfail


def pages(check: str) -> list:
    """CHAPTERS, those known to fail ``check`` marked as strict xfails with their reason."""
    known = KNOWN.get(check, {})
    return [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=known[p])) if p in known else p
            for p in CHAPTERS]


@pytest.fixture(scope="session")
def layout(browser, site_url):
    """layout(page, width) -> the page's layout report at that width (cached)."""
    reports = PageReports(browser, site_url, {"layout": LAYOUT_REPORT}, "layout")
    yield lambda page, width: reports(page, width)["layout"]
    reports.close()


@pytest.mark.parametrize("page", pages("display_math"))
def test_display_math_fits_the_column(layout, page):
    assert layout(page, "desktop")["wide_math"] == [], "display math wider than the column at 1280 px"
    assert layout(page, "phone")["wide_math"] == [], "display math wider than its box at 400 px"


@pytest.mark.parametrize("page", pages("inline_math"))
def test_inline_math_stays_in_the_column(layout, page):
    assert layout(page, "desktop")["inline_math"] == []
    assert layout(page, "phone")["inline_math"] == []


@pytest.mark.parametrize("page", pages("code_and_outputs"))
def test_code_and_outputs_fit_at_desktop_width(layout, page):
    assert layout(page, "desktop")["wide_blocks"] == [], "lines longer than ~80 characters"


@pytest.mark.parametrize("page", pages("outputs_on_a_phone"))
def test_printed_outputs_fit_at_phone_width(layout, page):
    assert layout(page, "phone")["wide_outputs"] == [], "printed output cut off at 400 px"


@pytest.mark.parametrize("page", pages("tables"))
def test_tables_are_tables_that_fit(layout, page):
    for width in WIDTHS:
        report = layout(page, width)
        assert report["raw_tables"] == [], f"a Markdown table shown as text at {width} width"
        assert report["wide_tables"] == [], f"a table wider than its box at {width} width"
        assert report["broken_numbers"] == [], f"a number in a table broken across lines at {width} width"


@pytest.mark.parametrize("page", pages("figures"))
def test_figures_are_legible_and_captioned(layout, page):
    report = layout(page, "desktop")
    assert report["small_images"] == [], "figures shrunk below 60 % of their drawn width"
    assert report["uncaptioned"] == [], "a figure without a 'Figure.' caption below it"
    assert layout(page, "phone")["unzoomable"] == [], "a figure that a tap does not open full size"


@pytest.mark.parametrize("page", pages("doubled"))
def test_no_doubled_words_from_references(layout, page):
    assert layout(page, "desktop")["doubled"] == []


# the page's language -> the label of the zoomed figure's close button (book/_static/gan_book.js)
CLOSE = {"book/": "Close", "zh/book/": "关闭"}


@pytest.mark.parametrize("prefix", CLOSE)
def test_a_tap_opens_a_figure_at_full_resolution(browser, site_url, prefix):
    """At 400 px a figure is shown at ~370 px; one tap shows every pixel it was drawn with; the
    dialog speaks the page's language."""
    context = offline_context(browser, site_url, 400, has_touch=True)
    page = context.new_page()
    page.goto(f"{site_url}/{prefix}theoretical_results.html", wait_until="load")
    figure = page.locator("div.cell_output img").first
    figure.scroll_into_view_if_needed()
    natural, shown = figure.evaluate("(i) => [i.naturalWidth, i.clientWidth]")
    assert shown < natural, "the figure is not shrunk at 400 px: nothing to test"
    figure.tap()
    opened = page.locator("dialog[open] img")
    opened.wait_for(state="visible", timeout=3000)
    assert opened.evaluate("(i) => i.getBoundingClientRect().width") >= natural - 1, \
        "the tapped figure did not open at its full resolution"
    assert opened.evaluate("(i) => i.currentSrc") == figure.evaluate("(i) => i.currentSrc")
    assert page.locator("dialog[open] button").get_attribute("aria-label") == CLOSE[prefix]
    page.locator("dialog[open]").tap()
    page.wait_for_timeout(200)
    assert page.locator("dialog[open]").count() == 0, "a second tap did not close the figure"
    context.close()
