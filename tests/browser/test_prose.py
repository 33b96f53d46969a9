"""What the pages say, as a student reads them: prose for readers, citations that lead to the
right work, headings and links set cleanly.

- no maintainer wording (the history of how the code or a run evolved, the project's own
  machines) outside the one collapsed block "How this generator was made";
- one citation style, numbers: every citation's number is the number of the bibliography
  entry it links to, an author named just before it ("Breuleux et al. [5]") is that entry's
  author, no bare "[8]" is left in the text (the paper's own reference numbers, which would
  point at other works here), and the paper's quoted citations lead to the works it cites;
- no heading inside a chapter numbered like a chapter ("1. Conditional ..."), which the
  right-hand contents would list beside the book's chapters;
- "Solution to Exercise 3" links start at the word, not at an underlined space.

The Chinese pages (``zh/``) get every check that applies in any language: citations, headings,
solution links; the maintainer wording is an English phrase list (see MAINTAINER_PHRASES).
"""

from __future__ import annotations

import re

import pytest

from test_layout import CHAPTERS
from test_website import PAGES

# the translated chapters, as built (a chapter not translated yet has no page under zh/)
ZH_CHAPTERS = [f"zh/{p}" for p in CHAPTERS if f"zh/{p}" in PAGES]

# Wording that speaks to the people who built the book, not to a student. English phrases: the
# check runs on the English pages only; the Chinese text is reviewed with its English cell (a
# translation of maintainer wording would go when the English does), and an English phrase left in
# a Chinese page's prose fails tests/browser/test_zh.py's check for English prose.
MAINTAINER_PHRASES = [
    "today's step", "today's code", "the faster step", "the earlier one", "bernoulli_",
    "switched to it", "offline copy", "the project's machines", "all that survives",
    "on one cpu core; its record", "provenance records the change",
]

# Passages quoted from the paper whose reference numbers the book replaces, and what the
# citation right after each must lead to (words of the bibliography entries, in order).
QUOTED_CITATIONS = {
    "book/experiments.html": {
        "introduced in Breuleux et al.": ["Quickly generating representative samples"],
        "the exact likelihood is not tractable": ["Better mixing via deep representations",
                                                  "Deep generative stochastic networks",
                                                  "sampling contractive auto-encoders"],
    },
    "book/conclusions.html": {
        "the wake-sleep algorithm": ["wake-sleep algorithm"],
        "the deterministic MP-DBM": ["Multi-prediction deep Boltzmann machines"],
    },
}

PAGE_REPORT = """() => {
  const article = document.querySelector('article.bd-article');
  const clone = article.cloneNode(true);
  // prose and printed results, without code, math, the history block and the citations
  clone.querySelectorAll('div.cell_input, pre, .highlight, mjx-container, .math, script, style')
       .forEach(e => e.remove());
  clone.querySelectorAll('.admonition').forEach(e => {
    const title = e.querySelector('.admonition-title');
    if (title && /How this generator was made/.test(title.textContent)) e.remove();
  });
  const prose = clone.textContent.replace(/\\s+/g, ' ');
  clone.querySelectorAll('.bibtex-citation, div.cell_output').forEach(e => e.remove());
  const bare = [...clone.textContent.replace(/\\s+/g, ' ').matchAll(/.{0,40}\\[\\d+(?:,\\s*\\d+)*\\].{0,20}/g)]
                 .map(m => m[0]);
  const citations = [...article.querySelectorAll('.bibtex-citation')].map(span => {
    // the text of the block just before the citation
    const range = document.createRange();
    range.setStart(span.closest('p, li, td, blockquote') || article, 0);
    range.setEndBefore(span);
    return {before: range.toString().replace(/\\s+/g, ' ').slice(-60),
            links: [...span.querySelectorAll('a')].map(a => ({text: a.textContent.trim(),
                                                             target: a.getAttribute('href').split('#')[1]}))};
  });
  return {
    prose, bare, citations,
    numbered_headings: [...article.querySelectorAll('h2, h3, h4')].map(h => h.textContent.replace('#', '').trim())
                         .filter(t => /^\\d+\\.\\s/.test(t)),
    spaced_links: [...article.querySelectorAll('p.admonition-title a')].map(a => a.textContent)
                    .filter(t => /^\\s/.test(t)),
  };
}"""

BIBLIOGRAPHY = """() => Object.fromEntries([...document.querySelectorAll('div.citation')].map(c =>
  [c.id, {label: c.querySelector('.label').textContent.replace(/[\\[\\]]/g, '').trim(),
          text: c.querySelector('p').textContent.replace(/\\s+/g, ' ')}]))"""

# "Breuleux et al." or "Kingma and Welling" right before a citation (in Chinese "Salimans 等人",
# "Kingma 和 Welling"): the first surname
AUTHOR_BEFORE = re.compile(r"([A-Z][\w\u00C0-\u017F'-]+)(?: et al\.| and [A-Z][\w\u00C0-\u017F'-]+| ?等人?"
                           r"| ?和 ?[A-Z][\w\u00C0-\u017F'-]+)\s*$")


@pytest.fixture(scope="module")
def read(browser, site_url):
    """read(page) -> the page's prose report (cached); read('bibliography') -> id -> entry."""
    cache: dict[str, dict] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # offline; the report leaves math and figures out, so MathJax and images are not loaded
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site_url)
                  and not re.search(r"/vendor/mathjax/|\.png$", r.request.url)
                  else r.abort("blockedbyclient"))

    def _read(page_name: str) -> dict:
        if page_name not in cache:
            page = context.new_page()
            page.goto(f"{site_url}/{page_name}", wait_until="load")
            cache[page_name] = page.evaluate(BIBLIOGRAPHY if page_name.endswith("bibliography.html")
                                             else PAGE_REPORT)
            page.close()
        return cache[page_name]

    yield _read
    context.close()


@pytest.mark.parametrize("page", CHAPTERS)
def test_no_maintainer_wording(read, page):
    prose = read(page)["prose"].lower().replace("\u2019", "'")
    found = [p for p in MAINTAINER_PHRASES if p in prose]
    assert not found, f"{page} speaks to the book's makers: {found}"


@pytest.mark.parametrize("page", CHAPTERS + ZH_CHAPTERS)
def test_citation_numbers_resolve_to_the_right_work(read, page):
    # the Chinese chapters cite the Chinese bibliography page (same numbers, same entries)
    prefix = "zh/" if page.startswith("zh/") else ""
    report, bibliography = read(page), read(f"{prefix}book/bibliography.html")
    assert not report["bare"], f"numbers in brackets that link nowhere (the paper's own?): {report['bare']}"
    for citation in report["citations"]:
        assert citation["links"], f"an empty citation after {citation['before']!r}"
        for link in citation["links"]:
            entry = bibliography.get(link["target"])
            assert entry, f"[{link['text']}] links to no bibliography entry"
            assert link["text"] == entry["label"], \
                f"[{link['text']}] after {citation['before']!r} links to entry [{entry['label']}]"
        named = AUTHOR_BEFORE.search(citation["before"])
        if named:
            first = bibliography[citation["links"][0]["target"]]["text"]
            assert named[1] in first, f"{citation['before']!r} cites [{citation['links'][0]['text']}]: {first[:80]}"
    # the paper's quoted sentences stay in English on the Chinese pages, each then translated
    for phrase, works in QUOTED_CITATIONS.get(page.removeprefix("zh/"), {}).items():
        cited = [c for c in report["citations"] if phrase in c["before"]]
        assert cited, f"no citation right after the quoted {phrase!r}"
        entries = [bibliography[link["target"]]["text"].lower() for link in cited[0]["links"]]
        for work in works:
            assert any(work.lower() in e for e in entries), f"after {phrase!r}: {work!r} not among {entries}"


@pytest.mark.parametrize("page", CHAPTERS + ZH_CHAPTERS)
def test_headings_and_solution_links(read, page):
    report = read(page)
    assert not report["numbered_headings"], f"headings numbered like chapters: {report['numbered_headings']}"
    assert not report["spaced_links"], f"links that start with a space: {report['spaced_links'][:3]}"
