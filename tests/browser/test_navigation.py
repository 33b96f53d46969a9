"""Finding one's way on a phone, a tablet and a desktop: the buttons a reader presses.

At 400 px (a phone) and 900 px (a tablet) the sidebars are hidden; the ☰ button opens the
chapter list and the contents icon opens the page's headings, each a link that must lead
somewhere. At 1280 px ☰ folds the chapter list away and brings it back. The page carries
a single search box at every width (the sidebar's), not a second one in a header band.

Each check presses the button a reader sees, not one the theme hides, so a theme that binds
its script to a hidden copy of a button fails here. Each runs on an English page and on a
Chinese one.
"""

from __future__ import annotations

import re

import pytest

# language -> (a short page with sections, a link followed from its chapter list, where it leads)
PAGES = {"en": ("book/figure1.html", "6. Advantages and disadvantages", "book/advantages.html"),
         "zh": ("zh/book/introduction.html", "6. 优点与缺点", "zh/book/advantages.html")}

SKIPPED = re.compile(r"/vendor/mathjax/|\.png$")

# True when the element is drawn, not transparent, and at least partly inside the viewport.
SHOWN = """(el) => {
  if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
         && r.left < window.innerWidth && r.top < window.innerHeight;
}"""


@pytest.fixture(params=PAGES)
def open_page(browser, site_url, request):
    """open_page(width) -> a fresh page at that width, offline, in each language (the fixture's
    parameter); ``open_page.chapter`` and ``open_page.target``: a link of its chapter list."""
    contexts = []
    start, chapter, target = PAGES[request.param]

    def _open(width: int):
        context = browser.new_context(viewport={"width": width, "height": 800})
        # offline; math and images are not needed to find one's way, and skipping them is faster
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site_url)
                      and not SKIPPED.search(r.request.url) else r.abort("blockedbyclient"))
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{site_url}/{start}", wait_until="load")
        return page

    _open.chapter, _open.target = chapter, target
    yield _open
    for context in contexts:
        context.close()


def shown(locator) -> bool:
    return locator.count() > 0 and locator.first.evaluate(SHOWN)


def press(page, selector: str):
    """Press the one button matching ``selector`` that a reader can see."""
    buttons = [b for b in page.locator(selector).all() if b.evaluate(SHOWN)]
    assert len(buttons) == 1, f"{len(buttons)} visible buttons match {selector!r}"
    buttons[0].click()


@pytest.mark.parametrize("width", [400, 900])
def test_menu_button_opens_the_chapter_list(open_page, site_url, width):
    page = open_page(width)
    link = page.locator("nav.bd-docs-nav a", has_text=open_page.chapter)
    assert not shown(link), "the chapter list is already on screen before ☰ is pressed"
    press(page, ".primary-toggle")
    link.wait_for(state="visible", timeout=3000)
    assert shown(link), f"☰ pressed at {width} px, but the chapter list did not appear"
    link.click()
    page.wait_for_url(f"{site_url}/{open_page.target}", timeout=5000)


@pytest.mark.parametrize("width", [400, 900])
def test_contents_button_opens_the_page_headings(open_page, width):
    page = open_page(width)
    links = page.locator("#pst-page-toc-nav a.nav-link")
    assert links.count() >= 3, "the page lists fewer than three headings"
    target = links.nth(1)
    assert not shown(target), "the page's headings are already on screen before the icon is pressed"
    press(page, ".secondary-toggle")
    page.wait_for_timeout(300)
    assert shown(target), f"contents icon pressed at {width} px, but the page's headings did not appear"
    anchor = target.get_attribute("href")
    target.click()
    page.wait_for_function("(hash) => location.hash === hash", arg=anchor, timeout=3000)
    page.wait_for_timeout(300)
    heading = page.locator(anchor)
    assert heading.evaluate(SHOWN), f"{anchor} followed, but its section is not on screen"


def test_menu_button_folds_the_sidebar_at_desktop_width(open_page):
    page = open_page(1280)
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.evaluate(SHOWN), "the chapter list is not shown at 1280 px"
    press(page, ".primary-toggle")
    page.wait_for_timeout(600)  # the theme animates the fold
    assert not sidebar.evaluate(SHOWN), "☰ pressed at 1280 px, but the chapter list stayed"
    assert page.locator("dialog[open]").count() == 0, "☰ opened a dialog instead of folding the sidebar"
    press(page, ".primary-toggle")
    page.wait_for_timeout(600)
    assert sidebar.evaluate(SHOWN), "☰ pressed twice at 1280 px, but the chapter list did not return"


@pytest.mark.parametrize("width", [400, 1280])
def test_one_search_box(open_page, width):
    page = open_page(width)
    boxes = [b for b in page.locator(".search-button-field, .search-button").all() if b.evaluate(SHOWN)]
    assert len(boxes) == 1, f"{len(boxes)} search boxes on screen at {width} px"
