"""Reading Chinese pages for what a reviewer would catch: English left untranslated, a ruled-out
term, a term's first use without its English.

A page is read as a list of ``Paragraph``: from MyST source (``paragraphs_of_markdown``) or from a
built page (tests/browser/test_zh.py collects the same from the DOM). Code, math, roles and
URLs are taken out first; what is left is prose.

- ``untranslated``: a paragraph holding a run of English prose (six or more Latin words with two
  or more English function words: "the police learns to tell ..."), unless it is a quotation (the
  paper's own sentences stay in English) followed by a Chinese paragraph, its translation.
  Names, symbols and short English terms in parentheses are not runs of prose.
- ``ruled_out``: a variant that book/zh/glossary.yml rules out (鉴别器 where it says 判别器).
- ``first_use_without_english``: a glossary term whose first use on the page (outside headings)
  is not followed by its English in parentheses: 判别器（discriminator）.
- ``italic_chinese``: *强调* in italics, which Chinese type does not have (use **强调**).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
# English function words: six Latin words with two of these are a sentence, not a name or a term
STOPWORDS = frozenset("""a an the of to in on at by for from with without and or but not no nor is are
was were be been being it its this that these those which who whom whose what when where why how
than then as if so can could would should may might must will shall do does did has have had into
onto over under about between while we our you your they their he she his her""".split())
# Latin words separated only by spaces and light punctuation, no CJK character in between
RUN = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?:[\s,;:.()\"“”]+[A-Za-z][A-Za-z'’\-]*)*")
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
MIN_WORDS, MIN_STOPWORDS = 6, 2


@dataclass
class Paragraph:
    text: str
    kind: str = "para"  # "para", "heading" or "quote" (inside a blockquote)


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    avoid: tuple[str, ...] = ()
    abbr: tuple[str, ...] = ()
    first_use: bool = True
    note: str = ""


@dataclass
class Glossary:
    terms: list[Term] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return cls([Term(en=t["en"], zh=t["zh"], avoid=tuple(t.get("avoid") or ()),
                         abbr=tuple(t.get("abbr") or ()), first_use=t.get("first_use", True),
                         note=t.get("note", "")) for t in data["terms"]])


# --- MyST source -> paragraphs ---------------------------------------------------------------
FENCE = re.compile(r"^(`{3,}|:{3,})\s*(\{[\w:-]+\})?.*$")
OPTION = re.compile(r"^:[\w-]+:.*$")
ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
INLINE_CODE = re.compile(r"`[^`]*`")
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S)
INLINE_MATH = re.compile(r"\$[^$\n]+\$")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
URL = re.compile(r"https?://\S+|arXiv:\S+")
TAG = re.compile(r"<!--.*?-->|<[^>]+>", re.S)
# directives whose body is code or data, not prose
CODE_DIRECTIVES = {"code-cell", "code-block", "code", "math", "raw", "bibliography", "glue:math"}


def _strip_inline(text: str) -> str:
    for pattern, repl in ((ROLE, " "), (INLINE_CODE, " "), (INLINE_MATH, " "), (LINK, r"\1"),
                          (URL, " "), (TAG, " ")):
        text = pattern.sub(repl, text)
    return text.replace("*", "").replace("_", " ")


def paragraphs_of_markdown(markdown: str) -> list[Paragraph]:
    """The prose of a MyST page: code blocks dropped, directive bodies kept, math and roles out."""
    markdown = re.sub(r"<!--.*?-->", "\n", DISPLAY_MATH.sub("\n\n", markdown), flags=re.S)
    out: list[Paragraph] = []
    current: list[str] = []
    kind = "para"
    directives: list[str] = []  # fences of the open directives ({exercise}, {solution}, ...)
    code: str | None = None     # the fence of the code block being skipped

    def flush():
        nonlocal current, kind
        text = " ".join(_strip_inline(line) for line in current).strip()
        if text:
            out.append(Paragraph(re.sub(r"\s+", " ", text), kind))
        current, kind = [], "para"

    for line in markdown.splitlines():
        stripped = line.strip()
        if code is not None:
            if stripped and stripped.strip(code[0]) == "" and len(stripped) >= len(code):
                code = None
            continue
        m = FENCE.match(stripped)
        if m:
            flush()
            bare = stripped == m[1]
            if m[2] and m[2].strip("{}") not in CODE_DIRECTIVES:
                directives.append(m[1])
            elif bare and directives and directives[-1][0] == m[1][0]:
                directives.pop()
            else:
                code = m[1]
            continue
        if not stripped or OPTION.match(stripped):
            flush()
            continue
        quote = stripped.startswith(">")
        heading = re.match(r"^#{1,6}\s", stripped)
        if heading or quote != (kind == "quote") or re.match(r"^([*+-]|\d+\.)\s", stripped):
            flush()  # a heading, a list item, or the start or end of a blockquote
        if heading:
            out.append(Paragraph(re.sub(r"\s+", " ", _strip_inline(stripped.lstrip("# "))).strip(),
                                 "heading"))
            continue
        if quote:
            stripped = stripped.lstrip(">").strip()
            if not stripped:  # "> " between two paragraphs of one quotation
                flush()
            kind = "quote"
        current.append(stripped)
    flush()
    return out


# --- checks ------------------------------------------------------------------------------------
def english_run(text: str) -> str | None:
    """The first run of English prose in ``text`` (quoted English left out), or None."""
    text = QUOTED.sub(" ", text)
    for match in RUN.finditer(text):
        words = WORD.findall(match[0])
        if len(words) >= MIN_WORDS and sum(w.lower() in STOPWORDS for w in words) >= MIN_STOPWORDS:
            return match[0].strip()
    return None


def untranslated(paragraphs: list[Paragraph]) -> list[str]:
    """English prose paragraphs; a quotation counts only when no Chinese paragraph follows it."""
    found = []
    for i, p in enumerate(paragraphs):
        run = english_run(p.text)
        if run is None:
            continue
        if p.kind == "quote":
            following = [q for q in paragraphs[i + 1:] if english_run(q.text) is None or CJK.search(q.text)]
            if following and len(CJK.findall(following[0].text)) >= 10:
                continue
            found.append(f"quotation without a Chinese translation after it: {run[:90]!r}")
        else:
            found.append(f"English prose: {run[:90]!r}")
    return found


def _term_pattern(term: str) -> re.Pattern:
    # "KL 散度" matches "KL散度" too: a space between Latin and CJK is optional
    return re.compile(r"\s*".join(re.escape(part) for part in term.split()))


def ruled_out(text: str, glossary: Glossary) -> list[str]:
    """Each ruled-out variant in ``text``, with the term to use instead. A variant inside a chosen
    term is not a use of it (值函数 in 价值函数)."""
    chosen = [(m.start(), m.end()) for t in glossary.terms for m in _term_pattern(t.zh).finditer(text)]
    found = []
    for term in glossary.terms:
        for variant in term.avoid:
            for m in _term_pattern(variant).finditer(text):
                if any(a <= m.start() and m.end() <= b and (b - a) > (m.end() - m.start()) for a, b in chosen):
                    continue
                context = text[max(0, m.start() - 12):m.end() + 12].replace("\n", " ")
                found.append(f"{variant} (use {term.zh} for {term.en}): ...{context}...")
                break
    return found


def first_use_without_english(paragraphs: list[Paragraph], glossary: Glossary) -> list[str]:
    """Glossary terms whose first use outside headings lacks the English in parentheses."""
    text = "\n".join(p.text for p in paragraphs if p.kind != "heading")
    found = []
    for term in glossary.terms:
        if not term.first_use:
            continue
        pattern = _term_pattern(term.zh)
        longer = [_term_pattern(t.zh) for t in glossary.terms if t.zh != term.zh and term.zh in t.zh]
        inside = [(m.start(), m.end()) for p in longer for m in p.finditer(text)]
        for m in pattern.finditer(text):
            if any(a <= m.start() and m.end() <= b for a, b in inside):
                continue  # part of a longer term (玻尔兹曼机 in 受限玻尔兹曼机)
            # 判别器（discriminator）, or inside parentheses: （模式崩溃，mode collapse）
            before = text[:m.start()]
            inside_parens = max(before.rfind("（"), before.rfind("(")) > max(before.rfind("）"), before.rfind(")"))
            opener = r"[（(]|[，,]\s*" if inside_parens else r"[（(]"
            after = re.match(rf"[”’\"]?\s*(?:{opener})([^）)]{{0,80}})", text[m.end():])
            names = [term.en, *term.abbr]
            if not (after and any(n.lower() in after[1].lower() for n in names)):
                context = text[max(0, m.start() - 12):m.end() + 16].replace("\n", " ")
                found.append(f"{term.zh}: first use without ({term.en}): ...{context}...")
            break
    return found


def italic_chinese(markdown: str) -> list[str]:
    """Chinese text set in italics (``*...*``); Chinese emphasis is bold."""
    found = []
    for line in DISPLAY_MATH.sub("", markdown).splitlines():
        line = re.sub(r"^\s*[*+-]\s", "", line)  # a list item's bullet
        for pattern in (ROLE, INLINE_CODE, INLINE_MATH):
            line = pattern.sub(" ", line)
        found += re.findall(r"(?<!\*)\*[^*\s][^*]*?[\u3400-\u9fff][^*]*?\*(?!\*)", line)
    return found
