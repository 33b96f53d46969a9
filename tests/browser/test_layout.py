"""The pages as a reader sees them, at desktop (1280 px) and phone (400 px) width.

Each chapter is loaded once per width, offline, with its math typeset; the checks read one
layout report taken from the page:

- display math never wider than its box at 1280 px, and never clipped at 400 px (a display
  that cannot be broken further may scroll sideways on a phone, never be cut off);
- inline math never runs past the text column;
- code, printed output and tables never scroll sideways at 1280 px; at 400 px a table wider
  than the screen sits in a box that scrolls sideways (the page itself never does);
- no Markdown table left as raw ``| --- |`` text;
- figures shown at >= 60 % of their drawn width at 1280 px (text in them stays legible);
- every figure a cell draws is captioned: the next cell opens with "Figure.";
- no doubled words from cross-references ("exercise Exercise 27").

Full-page screenshots at both widths go to ``_build/screenshots/layout/`` for review.
"""

from __future__ import annotations

import pytest

from conftest import SCREENSHOTS
from test_website import PAGES, WAIT_FOR_MATH

WIDTHS = {"desktop": 1280, "phone": 400}
CHAPTERS = [p for p in PAGES if p.startswith("book/") and p != "book/bibliography.html"]

LAYOUT_REPORT = """(desktop) => {
  const article = document.querySelector('article.bd-article') || document.querySelector('article');
  const right = article.getBoundingClientRect().right;
  const text = (el) => (el.innerText || el.textContent || '').trim().slice(0, 60).replace(/\\s+/g, ' ');
  const wider = (el) => el.scrollWidth > el.clientWidth + 3;
  const past = (el) => el.getBoundingClientRect().right > right + 3;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const scrollsSideways = (el) => { for (let a = el.parentElement; a && a !== article; a = a.parentElement)
    if (scrolls(a) && a.getBoundingClientRect().right <= right + 3) return true; return false; };
  const displays = [...article.querySelectorAll('mjx-container[display=true]')];
  // a display scrolls when it or its block (div.math) lets it; otherwise a wide one is clipped
  const box = (el) => el.closest('div.math, .math') || el;
  return {
    wide_math: displays.filter(el => wider(el) || wider(box(el)) || past(el)).map(text),
    clipped_math: displays.filter(el => (wider(el) && !scrolls(el)) || (wider(box(el)) && !scrolls(box(el)))
                                        || past(el)).map(text),
    inline_math: [...article.querySelectorAll('mjx-container:not([display=true])')].filter(past).map(text),
    wide_blocks: desktop ? [...article.querySelectorAll('div.highlight pre, div.cell_output pre, div.output pre')]
                             .filter(el => wider(el) || past(el)).map(text) : [],
    // a table wider than the column is allowed on a phone only inside a box that scrolls sideways
    wide_tables: [...article.querySelectorAll('table')].filter(el => (past(el) || wider(el.parentElement))
        && (desktop || !scrollsSideways(el))).map(text),
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
# fixed and the entry must go. Issue 11 lists them; nothing is added here without a reason.
KNOWN: dict[str, dict[str, str]] = {}  # check -> {page: why it fails}; each a strict xfail


def pages(check: str) -> list:
    """CHAPTERS, those known to fail ``check`` marked as strict xfails with their reason."""
    known = KNOWN.get(check, {})
    return [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=known[p])) if p in known else p
            for p in CHAPTERS]


@pytest.fixture(scope="session")
def layout(browser, site_url):
    """layout(page, width) -> the page's layout report at that width (cached)."""
    cache: dict[tuple[str, str], dict] = {}
    contexts = {name: browser.new_context(viewport={"width": px, "height": 900})
                for name, px in WIDTHS.items()}
    for context in contexts.values():  # offline, as a reader behind a firewall
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site_url)
                      else r.abort("blockedbyclient"))

    def _layout(page_name: str, width: str) -> dict:
        if (page_name, width) not in cache:
            page = contexts[width].new_page()
            page.goto(f"{site_url}/{page_name}", wait_until="load")
            page.evaluate(WAIT_FOR_MATH)
            cache[page_name, width] = page.evaluate(LAYOUT_REPORT, width == "desktop")
            shot = SCREENSHOTS / "layout" / f"{page_name.removesuffix('.html').replace('/', '__')}_{width}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            page.close()
        return cache[page_name, width]

    yield _layout
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize("page", pages("display_math"))
def test_display_math_fits_the_column(layout, page):
    assert layout(page, "desktop")["wide_math"] == [], "display math wider than the column at 1280 px"
    assert layout(page, "phone")["clipped_math"] == [], "display math cut off at 400 px"


@pytest.mark.parametrize("page", pages("inline_math"))
def test_inline_math_stays_in_the_column(layout, page):
    assert layout(page, "desktop")["inline_math"] == []
    assert layout(page, "phone")["inline_math"] == []


@pytest.mark.parametrize("page", pages("code_and_outputs"))
def test_code_and_outputs_fit_at_desktop_width(layout, page):
    assert layout(page, "desktop")["wide_blocks"] == [], "lines longer than ~80 characters"


@pytest.mark.parametrize("page", pages("tables"))
def test_tables_are_tables_that_fit(layout, page):
    for width in WIDTHS:
        report = layout(page, width)
        assert report["raw_tables"] == [], f"a Markdown table shown as text at {width} width"
        assert report["wide_tables"] == [], f"a table wider than the screen at {width} width"


@pytest.mark.parametrize("page", pages("figures"))
def test_figures_are_legible_and_captioned(layout, page):
    report = layout(page, "desktop")
    assert report["small_images"] == [], "figures shrunk below 60 % of their drawn width"
    assert report["uncaptioned"] == [], "a figure without a 'Figure.' caption below it"


@pytest.mark.parametrize("page", pages("doubled"))
def test_no_doubled_words_from_references(layout, page):
    assert layout(page, "desktop")["doubled"] == []
