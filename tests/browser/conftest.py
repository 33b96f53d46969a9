"""Fixtures for the website tests: the built site served on localhost, headless Chromium, and
:class:`PageReports`, the cached per-page, per-width reports that test_layout.py and test_zh.py read.

The site is `_build/html` of the repository (``make book`` builds it; ``make test`` builds
it before running these). ``GAN_BOOK_ROOT`` points the tests at another built checkout,
``CHROMIUM`` at another browser binary (default: Debian's ``/usr/bin/chromium``).
Without it the tests skip with one line; ``GAN_BOOK_REQUIRE_BROWSER=1`` (CI) fails instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("GAN_BOOK_ROOT", Path(__file__).resolve().parents[2]))
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Flags that run Debian's Chromium headless as root, with no background traffic.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


WIDTHS = {"desktop": 1280, "phone": 400}  # the widths a reader's pages are checked at

# Run inside a page once it has loaded: resolves once MathJax has typeset the page.
WAIT_FOR_MATH = """async () => {
  if (!document.querySelector('.math, div.math, span.math')) return;
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(r => setTimeout(r, 50));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def site_url():
    """Serve the built site on 127.0.0.1 (a free port) for the whole session."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built website at {SITE}: run `make book` first (`make test` does)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _no_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return None
    return (f"browser tests skipped: no Chromium at {CHROMIUM} "
            "(apt-get install chromium, or set CHROMIUM=/path/to/chromium)")


def pytest_collection_modifyitems(config, items):
    """Without Chromium, drop the browser tests and say so in one line (see below)."""
    reason = _no_browser()
    if reason is None or os.environ.get("GAN_BOOK_REQUIRE_BROWSER"):
        return  # CI sets GAN_BOOK_REQUIRE_BROWSER: the browser fixture then fails
    here = Path(__file__).parent
    dropped = [item for item in items if here in Path(item.path).parents]
    if dropped:
        items[:] = [item for item in items if item not in dropped]
        config.hook.pytest_deselected(items=dropped)
        config.stash[_REASON] = f"{reason}: {len(dropped)} tests not run"


_REASON = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _REASON in config.stash:
        terminalreporter.write_line(config.stash[_REASON], yellow=True, bold=True)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; the tests skip, in one line, without it."""
    reason = _no_browser()
    if reason is not None:  # only reached when GAN_BOOK_REQUIRE_BROWSER is set (CI)
        pytest.fail(reason.replace("skipped", "required"))
    from playwright.sync_api import sync_playwright

    # Playwright gives the browser a fresh temporary profile (--user-data-dir) itself.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def offline_context(browser, site_url: str, width: int, **kwargs):
    """A browser context ``width`` px wide that reaches the site and nothing else, as a reader
    behind a firewall."""
    context = browser.new_context(viewport={"width": width, "height": 900}, **kwargs)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site_url)
                  else r.abort("blockedbyclient"))
    return context


class PageReports:
    """reports(page, width) -> {name: what script ``name`` returned on that page at that width}.

    Each page is loaded once per width (:data:`WIDTHS`), offline, its math typeset; each script is
    called with ``desktop`` (True at 1280 px); a full-page screenshot goes to ``SCREENSHOTS/folder``.
    The results are cached for the session; ``close()`` closes the browser contexts.
    """

    def __init__(self, browser, site_url: str, scripts: dict[str, str], folder: str):
        self.site_url, self.scripts, self.folder = site_url, scripts, SCREENSHOTS / folder
        self.cache: dict[tuple[str, str], dict] = {}
        self.contexts = {name: offline_context(browser, site_url, px) for name, px in WIDTHS.items()}

    def __call__(self, page_name: str, width: str) -> dict:
        if (page_name, width) not in self.cache:
            page = self.contexts[width].new_page()
            page.goto(f"{self.site_url}/{page_name}", wait_until="load")
            page.evaluate(WAIT_FOR_MATH)
            self.cache[page_name, width] = {name: page.evaluate(script, width == "desktop")
                                            for name, script in self.scripts.items()}
            self.folder.mkdir(parents=True, exist_ok=True)
            name = page_name.removeprefix("zh/").removesuffix(".html").replace("/", "__")
            page.screenshot(path=str(self.folder / f"{name}_{width}.png"), full_page=True)
            page.close()
        return self.cache[page_name, width]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()
