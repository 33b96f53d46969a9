"""The Chinese site at ``_build/html/zh/``: a second Jupyter Book built from the English notebooks.

``make book`` runs, after the English build:

1. ``python tools/zh_site.py source _build/zh`` writes the Chinese book's source tree,
   ``_build/zh/src/`` (never committed): each translated page (the English notebook, outputs and
   all, with its markdown cells in Chinese: nothing is executed again), a ``_config.yml`` derived
   from the English one (``language: zh_CN``; search segmented by jieba with the glossary's terms
   as its dictionary; MathJax and the widget scripts taken from the English site), a ``_toc.yml``
   of the translated pages, and the glossary page.
2. ``jupyter-book build _build/zh/src --path-output _build/zh -W -n --keep-going``, with this file as
   its Sphinx extension: a ``{doc}`` link to a page not translated yet goes to the English page,
   marked （英文）; the Colab button opens ``book/zh/colab/PAGE.ipynb`` and the download button
   gives that notebook; a page with a live generator loads the English site's widget module;
   _ext/offline_assets.py's page hooks run.
3. ``python tools/zh_site.py finish _build/zh/_build/html _build/html`` copies that build into
   ``_build/html/zh/``, except the files of ``_static`` and ``_images`` that the English site holds
   byte for byte (the Chinese pages point at the English copies), and gives every page that exists
   in both languages a switch to its twin, and puts in Chinese the interface strings that the
   themes leave in English (:data:`INTERFACE`). The English pages' switch is written into their HTML
   here, since the English build knows nothing of the translations.
"""

from __future__ import annotations

import filecmp
import os
import posixpath
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(ROOT / "_ext"))  # offline_assets, the English build's extension

import zh_book  # noqa: E402
from zh_text import Glossary  # noqa: E402

SEARCH_BAR = "搜索本书……"      # the search box's placeholder (Jupyter Book's "Search this book...")
EN = "../../_static/"           # the English site's _static, from the Chinese site's _static
GLOSSARY_DOC = "book/glossary"  # the glossary page (Chinese only)
NOT_TRANSLATED = "（英文）"     # after a link to an English page


# --- 1. the source tree ---------------------------------------------------------------------------
def toc_docs(toc: dict) -> list[str]:
    """Root, chapters and sections of a _toc.yml, in reading order."""
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections"))
    walk(toc.get("chapters"))
    return docs


def _keep(entries: list[dict], keep: set[str]) -> list[dict]:
    out = []
    for entry in entries or []:
        sections = _keep(entry.get("sections", []), keep)
        if entry.get("file") in keep:
            out.append({"file": entry["file"], **({"sections": sections} if sections else {})})
        else:
            out.extend(sections)  # a translated section of a chapter not translated yet
    return out


def english_toc(root: Path = zh_book.ROOT) -> dict:
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def zh_docs(root: Path = zh_book.ROOT) -> list[str]:
    """The English toc's documents that have a translation, in reading order."""
    translated = {f"book/{p}" for p in zh_book.translated_pages(root)}
    return [d for d in toc_docs(english_toc(root)) if d in translated]


def zh_toc(root: Path = zh_book.ROOT) -> dict:
    toc = english_toc(root)
    keep = set(zh_docs(root))
    if toc["root"] not in keep:
        raise SystemExit(f"the Chinese edition needs its landing page: translate {toc['root']} first")
    chapters = _keep(toc.get("chapters", []), keep)
    at = next((i for i, c in enumerate(chapters) if c["file"] == "book/bibliography"), len(chapters))
    chapters.insert(at, {"file": GLOSSARY_DOC})
    return {"format": toc["format"], "root": toc["root"], "chapters": chapters}


def zh_config(out: Path, root: Path = zh_book.ROOT) -> dict:
    """The Chinese book's _config.yml: the English one, in Chinese, sharing the English assets."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    settings = zh_book.book_settings(root)
    config["title"] = settings["title"]
    config["exclude_patterns"] = ["_build", "**.ipynb_checkpoints"]
    config["bibtex_bibfiles"] = [Path(b).as_posix() for b in config.get("bibtex_bibfiles", [])]
    sphinx = config["sphinx"]
    sphinx["local_extensions"] = {"zh_site": str(TOOLS)}
    c = sphinx["config"]
    c["language"] = "zh_CN"
    c["html_search_language"] = "zh"
    c["nb_code_prompt_show"], c["nb_code_prompt_hide"] = "显示代码", "隐藏代码"
    c["togglebutton_hint"], c["togglebutton_hint_hide"] = "点击显示", "点击隐藏"
    c.setdefault("html_theme_options", {})["search_bar_text"] = SEARCH_BAR
    config["author"] = settings.get("author", config.get("author"))
    c["html_search_options"] = {"dict": str((out / "src" / "jieba.txt").resolve())}
    c["mathjax_path"] = EN + c["mathjax_path"]
    c["nb_ipywidgets_js"] = {
        (EN + path if path else path): ({**opts, "body": opts["body"].replace("'_static/", "'../_static/")}
                                        if "body" in opts else opts)
        for path, opts in c.get("nb_ipywidgets_js", {}).items()}
    c["html_static_path"] = [str(root / p) for p in c.get("html_static_path", [])]
    translated = set(zh_docs(root))
    c["zh_english_pages"] = {d: settings["titles"].get(d.removeprefix("book/"), d)
                             for d in toc_docs(english_toc(root)) if d not in translated}
    c["zh_colab"] = "book/zh/colab"
    c["zh_root"] = str(root.resolve())
    c["zh_english_inventory"] = str((root / "_build" / "html" / "objects.inv").resolve())
    c["zh_english_proofs"] = english_proofs(root, set(c["zh_english_pages"]))
    return config


def glossary_markdown(glossary: Glossary) -> str:
    rows = "\n".join(f"| {t.en} | {t.zh} | {'、'.join(t.avoid)} | {t.note} |" for t in glossary.terms)
    return f"""# 术语表

中文版的术语以《动手学深度学习》第二版（d2l-zh 2.0）的用法为准；该书没有的，取中文机器学习文献中通行的一种译法。每个术语在一页中第一次出现时，括号里给出英文原文。“不用”一栏列出本书不采用的译法。

| 英文 | 中文 | 不用 | 说明 |
|---|---|---|---|
{rows}
"""


def jieba_dictionary(glossary: Glossary) -> str:
    """jieba's user dictionary: every glossary term one word, so that search finds 判别器 whole."""
    return "".join(f"{t.zh.replace(' ', '')} 100000\n" for t in glossary.terms)


def _write(path: Path, data: str | bytes) -> bool:
    """Write only what changed, so that Sphinx rebuilds only the pages that changed."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.read_bytes() == raw:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return True


def write_source(out: Path, root: Path = zh_book.ROOT) -> list[str]:
    """Write the source tree ``out/src``; returns notes for the log (stale translations)."""
    src, notes = out / "src", []
    for page in zh_book.translated_pages(root):
        notes += [f"zh: {p}" for p in zh_book.problems(page, root)]
    glossary = Glossary.load(zh_book.store(root) / "glossary.yml")
    files: dict[str, str | bytes] = {
        "_config.yml": yaml.safe_dump(zh_config(out, root), allow_unicode=True, sort_keys=False),
        "_toc.yml": yaml.safe_dump(zh_toc(root), allow_unicode=True, sort_keys=False),
        f"{GLOSSARY_DOC}.md": glossary_markdown(glossary),
        "jieba.txt": jieba_dictionary(glossary),
    }
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    for bib in config.get("bibtex_bibfiles", []):
        files[bib] = (root / bib).read_bytes()
    for doc in zh_docs(root):
        page = doc.removeprefix("book/")
        if zh_book.english_path(page, root).suffix == ".ipynb":
            files[f"{doc}.ipynb"] = nbformat.writes(zh_book.translated_notebook(page, root)) + "\n"
        else:
            files[f"{doc}.md"] = zh_book.chinese_markdown(page, root)
    for name, data in files.items():
        _write(src / name, data)
    for path in list((src / "book").rglob("*")):
        if path.is_file() and path.relative_to(src).as_posix() not in files:
            path.unlink()  # a page no longer translated
    return notes


PROOF = re.compile(r"^(?:```|:::)\{prf:(\w+)\}.*\n:label: (\S+)", re.M)
PROOF_NAMES = {"algorithm": "算法", "theorem": "定理", "proposition": "命题", "lemma": "引理",
               "definition": "定义", "corollary": "推论", "proof": "证明", "remark": "注"}


def english_proofs(root: Path, docs: set[str]) -> dict[str, list[str]]:
    """label -> [page, Chinese name and number] of every sphinx-proof directive on the English pages
    ``docs`` (numbered per page and kind, as sphinx-proof numbers them), for links into pages not
    translated yet; sphinx-proof leaves them out of objects.inv."""
    found = {}
    for doc in sorted(docs):
        path = root / f"{doc}.ipynb"
        if not path.is_file():
            continue
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        counts: dict[str, int] = {}
        for kind, label in PROOF.findall(text):
            counts[kind] = counts.get(kind, 0) + 1
            found[label] = [doc, f"{PROOF_NAMES.get(kind, kind)} {counts[kind]}"]
    return found


# --- 2. the Sphinx extension of the Chinese build -------------------------------------------------
def link_english_page(app, env, node, contnode):
    """A ``{doc}`` link to a chapter not translated yet: to the English page, marked （英文）."""
    from sphinx.util import docname_join

    if node.get("refdomain") == "std" and node.get("reftype") == "doc":
        target = docname_join(node["refdoc"], node["reftarget"])
        pages = app.config.zh_english_pages
        if target not in pages:
            return None
        text = contnode.astext() if node.get("refexplicit") else pages[target]
        return _english_link(app, node["refdoc"], f"{target}.html", text)
    # a label, equation, figure or proof directive of a chapter not translated yet: the English
    # site's inventory says where it is
    found = _english_inventory(app).get((node.get("refdomain") or "", node["reftarget"]))
    if found is None:
        return None
    uri, title = found
    text = contnode.astext() if node.get("refexplicit") or not title else title
    return _english_link(app, node["refdoc"], uri, text)


def _english_link(app, refdoc: str, uri: str, text: str):
    """A link from Chinese page ``refdoc`` to ``uri`` of the English site, marked （英文）."""
    from docutils import nodes
    from sphinx.util.osutil import relative_uri

    href = relative_uri(app.builder.get_target_uri(refdoc), f"../{uri}")
    return nodes.reference("", "", nodes.inline("", text + NOT_TRANSLATED), internal=False, refuri=href,
                           classes=["gan-english-page"])


def _english_inventory(app) -> dict[tuple[str, str], tuple[str, str]]:
    """(domain, name) -> (uri, title) of every object of the English site (its objects.inv, built
    first by ``make book``); names of the std domain's labels and the proof domain's directives."""
    if not hasattr(app, "_zh_english_inventory"):
        from sphinx.util.inventory import InventoryFile

        found = {}
        path = Path(app.config.zh_english_inventory)
        if path.is_file():
            with path.open("rb") as f:
                inventory = InventoryFile.load(f, "", posixpath.join)
            for objtype, objects in inventory.items():
                domain = objtype.split(":")[0]
                for name, (_, _, uri, title) in objects.items():
                    found.setdefault((domain, name), (uri, "" if title == "-" else title))
        app._zh_english_inventory = found
    return app._zh_english_inventory


def link_english_files(app, doctree, docname: str) -> None:
    """A Markdown link to a chapter not translated yet (``[2. 相关工作](related_work.ipynb)``) or a
    ``{prf:ref}`` to one of its proof directives: to the English page, marked （英文）, before MyST
    or sphinx-proof look for it in the Chinese book (and warn)."""
    from sphinx import addnodes
    from sphinx.util import docname_join

    pages = app.config.zh_english_pages
    for node in list(doctree.findall(addnodes.pending_xref)):
        if node.get("refdomain") == "prf":  # sphinx-proof warns before any other resolver is asked
            found = app.config.zh_english_proofs.get(node["reftarget"])
            if found is not None:
                page, name = found
                text = node.astext() if node.get("refexplicit") else name
                node.replace_self(_english_link(app, docname, f"{page}.html#{node['reftarget']}", text))
            continue
        if node.get("reftype") != "myst":
            continue
        path, _, anchor = node["reftarget"].partition("#")
        target = docname_join(docname, re.sub(r"\.(ipynb|md)$", "", path))
        if target in pages:
            uri = f"{target}.html" + (f"#{anchor}" if anchor else "")
            node.replace_self(_english_link(app, docname, uri, node.astext() or pages[target]))


# sphinx-book-theme's button labels that its zh_CN catalogue leaves in English
BUTTON_LABELS = {"Repository": "代码仓库", "Open issue": "报告问题"}

# The interface strings that the themes' zh_CN catalogues leave in English (or give in traditional
# characters), and those of matplotlib's animation player (an output, shared with the English
# page): tooltips, labels for screen readers. `finish` puts them in Chinese on every Chinese page,
# as attribute values (title, aria-label, data-bs-title, alt) that equal a key here. The strings
# that the book's own scripts write at run time are in their scripts (book/_static/gan_book.js,
# _ext/live_widgets.js), chosen by the page's <html lang>.
INTERFACE = {
    # sphinx-book-theme, pydata-sphinx-theme, Sphinx, myst-nb
    "Launch interactive content": "在线运行",
    "Launch on Colab": "在 Colab 中打开",
    "Colab logo": "Colab 图标",
    "Source repositories": "代码仓库",
    "列印成 PDF": "打印为 PDF",
    "Color mode": "颜色模式",
    "System Settings": "跟随系统",
    "Toggle primary sidebar": "显示或隐藏全书目录",
    "Toggle secondary sidebar": "显示或隐藏本页目录",
    "Main": "全书目录",
    "Page": "本页目录",
    "Toggle hidden content": "显示或隐藏内容",
    "Link to this heading": "链接到本标题",
    # matplotlib's animation player (Animation.to_jshtml)
    "Decrease speed": "减速", "First frame": "第一帧", "Previous frame": "上一帧", "Play backwards": "倒放",
    "Pause": "暂停", "Play": "播放", "Next frame": "下一帧", "Last frame": "最后一帧", "Increase speed": "加速",
    "Repetition mode": "重复方式", "Once": "播放一次", "Loop": "循环", "Reflect": "往返",
}
INTERFACE_ATTRIBUTE = re.compile(r'\b(title|aria-label|data-bs-title|alt)="([^"]+)"')
# the player's radio buttons' labels, and the footer's copyright line
INTERFACE_TEXT = [(re.compile(r'(<label for="_anim_radio\d_\w+">)(Once|Loop|Reflect)(</label>)'),
                   lambda m: m[1] + INTERFACE[m[2]] + m[3]),
                  (re.compile(r"© Copyright (\d{4})\."), lambda m: f"© {m[1]} 版权所有")]


def interface_in_chinese(html: str) -> str:
    """``html`` with the interface strings of :data:`INTERFACE` in Chinese."""
    html = INTERFACE_ATTRIBUTE.sub(lambda m: f'{m[1]}="{INTERFACE.get(m[2], m[2])}"', html)
    for pattern, chinese in INTERFACE_TEXT:
        html = pattern.sub(chinese, html)
    return html


def header_buttons(app, pagename, templatename, context, doctree) -> None:
    """The Colab button opens the committed Chinese notebook, book/zh/colab/PAGE.ipynb; the
    buttons' labels are in Chinese."""
    english = f"/{pagename}.ipynb"
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if "colab.research.google.com" in url and url.endswith(english):
                button["url"] = url[:-len(english)] + f"/{app.config.zh_colab}/{Path(pagename).name}.ipynb"
            if button.get("text") in BUTTON_LABELS:
                button["text"] = BUTTON_LABELS[button["text"]]


def download_chinese_notebooks(app, exception) -> None:
    """The download button of a Chinese page (``_sources/PAGE.ipynb``) gives the Chinese notebook
    of the repository, book/zh/colab/PAGE.ipynb, the one its Colab button opens, rather than the
    source this build made (the English notebook with its outputs, which the English page offers,
    and the markdown in Chinese): the outputs are the English site's, not copied a second time."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.config.zh_root) / app.config.zh_colab
    for source in Path(app.outdir, "_sources").rglob("*.ipynb"):
        notebook = folder / source.name
        if notebook.is_file():
            shutil.copyfile(notebook, source)


def live_module(app, pagename, templatename, context, doctree) -> None:
    """Pages with a live generator load the English site's widget module (it finds its models)."""
    if 'class="gan-live"' in context.get("body", ""):
        app.add_js_file(EN + "live/gan_live.js", type="module")


def rewrite_cdn_links(app, doctree, docname) -> None:
    """As _ext/offline_assets.py does, pointing at the English site's copies."""
    from docutils import nodes
    from offline_assets import REWRITES
    from sphinx.util.osutil import relative_uri

    page = app.builder.get_target_uri(docname)
    for node in list(doctree.findall(nodes.raw)):
        if "html" in node.get("format", "").split():
            text = new = node.astext()
            for cdn, local in REWRITES.items():
                new = new.replace(cdn, relative_uri(page, f"../{local}"))
            if new != text:
                node.replace(node.children[0], nodes.Text(new))


def setup(app) -> dict:
    import offline_assets

    app.add_config_value("zh_english_pages", {}, "env")
    app.add_config_value("zh_colab", "book/zh/colab", "html")
    app.add_config_value("zh_root", str(ROOT), "html")
    app.add_config_value("zh_english_inventory", "", "env")
    app.add_config_value("zh_english_proofs", {}, "env")

    from sphinx.transforms.post_transforms import SphinxPostTransform

    class EnglishFiles(SphinxPostTransform):
        default_priority = 5  # before MyST's reference resolver (9) warns about a missing file

        def run(self, **kwargs) -> None:
            link_english_files(self.app, self.document, self.env.docname)

    app.add_post_transform(EnglishFiles)
    app.connect("missing-reference", link_english_page)
    app.connect("html-page-context", header_buttons, priority=600)
    app.connect("html-page-context", live_module)
    app.connect("html-page-context", offline_assets.drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", offline_assets.drop_unused_widget_scripts, priority=901)
    app.connect("doctree-resolved", rewrite_cdn_links)
    app.connect("build-finished", download_chinese_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}


# --- 3. after both builds ------------------------------------------------------------------------
ATTRIBUTE = re.compile(r'\b(src|href)="([^"#?:]+)([?#][^"]*)?"')
SWITCH = re.compile(r"<!-- gan-lang -->.*?<!-- /gan-lang -->", re.S)
BUTTONS = '<div class="article-header-buttons">'
LANGUAGES = {"en": ("EN", "English version of this page"), "zh-CN": ("中文", "本页的中文版")}


def copy_site(built: Path, site: Path) -> int:
    """Copy the Chinese build into ``site/zh``, leaving out the _static and _images files that the
    English site holds byte for byte; pages then point at the English copies. Returns bytes shared."""
    zh, shared, kept = site / "zh", 0, set()
    for path in sorted(built.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(built)
        english, target = site / rel, zh / rel
        if rel.parts[0] in ("_static", "_images") and english.is_file() and filecmp.cmp(path, english, shallow=False):
            shared += path.stat().st_size
            continue
        kept.add(target)
        if not (target.is_file() and rel.suffix != ".html" and filecmp.cmp(path, target, shallow=False)):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    for path in zh.rglob("*"):
        if path.is_file() and path not in kept:
            path.unlink()  # shared now, or no longer built
    for page in zh.rglob("*.html"):
        if page.is_relative_to(zh / "_static"):
            continue

        def to_english(m: re.Match) -> str:
            target = Path(posixpath.normpath((page.parent / m[2]).as_posix()))
            if target.is_relative_to(zh) and not target.exists():
                english = site / target.relative_to(zh)
                if english.exists():
                    return f'{m[1]}="{os.path.relpath(english, page.parent)}{m[3] or ""}"'
            return m[0]
        _write(page, interface_in_chinese(ATTRIBUTE.sub(to_english, page.read_text(encoding="utf-8"))))
    return shared


def set_switch(html: str, href: str | None, language: str) -> str:
    """``html`` with a language switch to ``href`` (in ``language``), or with none."""
    html = SWITCH.sub("", html)
    if href is None or BUTTONS not in html:
        return html
    label, title = LANGUAGES[language]
    button = (f'<!-- gan-lang --><a href="{href}" class="btn btn-sm pst-navbar-icon gan-lang-switch" '
              f'hreflang="{language}" lang="{language}" title="{title}" aria-label="{title}">{label}</a>'
              "<!-- /gan-lang -->")
    alternate = f'<!-- gan-lang --><link rel="alternate" hreflang="{language}" href="{href}" /><!-- /gan-lang -->'
    return html.replace(BUTTONS, BUTTONS + button, 1).replace("</head>", alternate + "\n</head>", 1)


def twins(site: Path, root: Path = zh_book.ROOT) -> dict[str, str]:
    """English page -> Chinese page, both under ``site``, for every page built in both languages."""
    pages = [f"{d}.html" for d in zh_docs(root)] + ["search.html"]
    return {p: f"zh/{p}" for p in pages if (site / p).is_file() and (site / "zh" / p).is_file()}


def finish(built: Path, site: Path, root: Path = zh_book.ROOT) -> list[str]:
    """Copy the Chinese build into ``site/zh`` and set the language switches of both sites."""
    zh = site / "zh"
    shared = copy_site(built, site)
    pairs = twins(site, root)
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        if rel.startswith(("_static/", "zh/_static/", "_sources/")):
            continue
        if rel in pairs:
            href, language = os.path.relpath(site / pairs[rel], page.parent), "zh-CN"
        elif rel.startswith("zh/") and rel[3:] in pairs:
            href, language = os.path.relpath(site / rel[3:], page.parent), "en"
        else:
            href, language = None, "en"
        _write(page, set_switch(page.read_text(encoding="utf-8"), href, language))
    size = sum(p.stat().st_size for p in zh.rglob("*") if p.is_file())
    return [f"zh: {len(pairs)} pages in both languages; the Chinese site adds {size / 1e6:.2f} MB to "
            f"{site} and shares {shared / 1e6:.2f} MB of static files and images with the English site"]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "source":
        notes = write_source(Path(args[1]))
    elif len(args) == 3 and args[0] == "finish":
        notes = finish(Path(args[1]), Path(args[2]))
    else:
        print("usage: zh_site.py source OUT | finish BUILT SITE", file=sys.stderr)
        return 2
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
