"""The Chinese edition's sources: book/zh/ against the English chapters it translates.

Every English markdown cell of a translated page has a current translation (a changed English
cell fails, naming page and cell); no English prose is left; the glossary's terms are used and
its ruled-out variants are not; each term's first use gives the English; the Colab notebooks in
book/zh/colab/ are what tools/zh_book.py makes of today's English notebooks; the Chinese book's
source tree keeps the English code cells and outputs. The built site: tests/browser/test_zh.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import zh_book  # noqa: E402
import zh_site  # noqa: E402
import zh_text  # noqa: E402

PAGES = zh_book.translated_pages()
GLOSSARY = zh_text.Glossary.load(ROOT / "book" / "zh" / "glossary.yml")


def paragraphs(page: str) -> list[zh_text.Paragraph]:
    return zh_text.paragraphs_of_markdown(zh_book.chinese_markdown(page))


def test_the_pilot_pages_are_translated():
    assert {"intro", "introduction", "bibliography"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_every_english_cell_has_a_current_translation(page):
    found = zh_book.problems(page)
    assert not found, "stale translations (`python tools/zh_book.py status` shows what changed):\n" + \
        "\n".join(map(str, found))


@pytest.mark.parametrize("page", PAGES)
def test_no_english_prose_left(page):
    assert not zh_text.untranslated(paragraphs(page))


@pytest.mark.parametrize("page", zh_book.colab_pages())
def test_glued_prose_shown_on_a_chinese_page_is_chinese(page):
    """A {glue:md} value is prose made by the notebook: on the Chinese page it must be the notebook's
    Chinese twin (NAME_zh, zh_book.zh_glue), with no English word in it (math aside)."""
    import re

    nb = zh_book.translated_notebook(page)
    values = {o.metadata["scrapbook"]["name"]: "".join(v for k, v in o.data.items() if k.endswith("text/markdown"))
              for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if "scrapbook" in o.get("metadata", {})}
    shown = {name for cell in nb.cells if cell.cell_type == "markdown"
             for name in re.findall(r"\{glue:md\}`(\w+)", cell.source)}
    for name in shown:
        assert values[name], f"{page}: {{glue:md}}`{name}` has no Markdown value"
        words = zh_text.WORD.findall(re.sub(r"\$[^$]*\$", " ", values[name]))
        english = [w for w in words if w.lower() in zh_text.STOPWORDS]
        assert not english, f"{page}: {{glue:md}}`{name}` shows English on the Chinese page: {values[name]!r}"


def test_glue_points_at_the_chinese_twin_only_where_the_notebook_glues_one():
    names = {"seed_verdict", "seed_verdict_zh", "sigma"}
    text = "{glue:md}`seed_verdict` at {glue:text}`sigma:.4f`, {glue:md}`other`"
    assert zh_book.zh_glue(text, names) == "{glue:md}`seed_verdict_zh` at {glue:text}`sigma:.4f`, {glue:md}`other`"


@pytest.mark.parametrize("page", PAGES)
def test_glossary_terms_and_no_ruled_out_variant(page):
    assert not zh_text.ruled_out(zh_book.chinese_markdown(page), GLOSSARY)


@pytest.mark.parametrize("page", PAGES)
def test_first_use_of_a_term_gives_the_english(page):
    assert not zh_text.first_use_without_english(paragraphs(page), GLOSSARY)


@pytest.mark.parametrize("page", PAGES)
def test_no_chinese_in_italics(page):
    assert not zh_text.italic_chinese(zh_book.chinese_markdown(page))


@pytest.mark.parametrize("page", PAGES)
def test_glue_and_cross_references_kept(page):
    """Every {glue:...}, {cite}, {doc} and directive label of the English is in the Chinese."""
    import re

    english = "\n".join(u.source for u in zh_book.english_units(page))
    chinese = zh_book.chinese_markdown(page)
    markup = re.compile(r"\{(?:glue:\w+|cite|doc|numref|ref|eq|prf:ref)\}`[^`]*`|^:label: .*$", re.M)
    assert sorted(markup.findall(english)) == sorted(markup.findall(chinese))


def test_titles_agree_with_book_yml():
    titles = zh_book.book_settings()["titles"]
    english = {d.removeprefix("book/") for d in zh_site.toc_docs(zh_site.english_toc())}
    assert english <= set(titles), f"book/zh/book.yml has no Chinese title for {english - set(titles)}"
    for page in PAGES:
        heading = next(p.text for p in paragraphs(page) if p.kind == "heading")
        assert heading == titles[page], f"book/zh/{page}.md is titled {heading!r}, book.yml says {titles[page]!r}"


# --- the staleness check, on a copy of the repository ---------------------------------------------
@pytest.fixture
def copy(tmp_path):
    """The English pages and book/zh/ copied, so that a test can edit them."""
    (tmp_path / "book").mkdir()
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    for page in PAGES:
        shutil.copy2(zh_book.english_path(page), tmp_path / "book")
    shutil.copy2(ROOT / "book" / "references.bib", tmp_path / "book")
    shutil.copytree(ROOT / "book" / "zh", tmp_path / "book" / "zh")
    return tmp_path


def _edit_cell(path: Path, cell_id: str, edit) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.id == cell_id)
    edit(nb, cell)
    nbformat.write(nb, path)


def test_an_english_cell_changed_alone_fails_naming_page_and_cell(copy):
    assert not zh_book.problems("introduction", copy)
    _edit_cell(copy / "book" / "introduction.ipynb", "0955c231",
               lambda nb, c: setattr(c, "source", c.source.replace("real number", "real-valued number")))
    found = zh_book.problems("introduction", copy)
    assert [(p.page, p.cell, p.kind) for p in found] == [("introduction.ipynb", "0955c231", "stale")]
    assert "introduction.ipynb, cell 0955c231" in str(found[0]) and "accept introduction 0955c231" in str(found[0])
    # re-translated and accepted: current again
    zh_book.accept("introduction", ["0955c231"], copy)
    assert not zh_book.problems("introduction", copy)


def test_new_and_deleted_english_cells_fail(copy):
    path = copy / "book" / "introduction.ipynb"

    def add(nb, cell):
        new = nbformat.v4.new_markdown_cell("A new paragraph.")
        nb.cells.insert(nb.cells.index(cell) + 1, new)
    _edit_cell(path, "738fcb8c", add)
    _edit_cell(path, "a45a2c11", lambda nb, c: nb.cells.remove(c))
    kinds = sorted(p.kind for p in zh_book.problems("introduction", copy))
    assert kinds == ["missing", "orphan"]


def test_a_changed_section_of_a_markdown_page_fails(copy):
    path = copy / "book" / "intro.md"
    path.write_text(path.read_text().replace("two CPU cores", "four CPU cores"))
    found = zh_book.problems("intro", copy)
    assert [(p.page, p.cell, p.kind) for p in found] == [("intro.md", "budgets", "stale")]


def test_status_shows_the_english_change(copy, capsys):
    """`status` finds the translated English in git history and prints what changed since."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(copy)]
    subprocess.run(git[:5] + ["init", "-q", str(copy)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "translated"], check=True)
    _edit_cell(copy / "book" / "introduction.ipynb", "0955c231",
               lambda nb, c: setattr(c, "source", c.source.replace("real number", "real-valued number")))
    assert zh_book.status(copy) == 1
    out = capsys.readouterr().out
    assert "introduction.ipynb, cell 0955c231" in out and "1 problem(s)" in out
    assert "-The \"currency\" is a real number $x$." in out
    assert "+The \"currency\" is a real-valued number $x$." in out


def test_a_malformed_store_names_file_and_line(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("stray text\n<!-- cell abc en:0123abcd -->\n中文\n")
    with pytest.raises(zh_book.StoreError, match=r"x\.md:1"):
        zh_book.read_blocks(path)


# --- the checks themselves fail on what they are for ----------------------------------------------
def test_english_prose_is_caught_quotations_with_a_translation_are_not():
    english = "The counterfeiter is a small neural network that turns a random number into a note."
    assert zh_text.untranslated([zh_text.Paragraph(english)])
    quote = zh_text.Paragraph("Competition in this game drives both teams to improve their methods.", "quote")
    assert zh_text.untranslated([quote]), "a quotation with no translation after it"
    translation = zh_text.Paragraph("这场博弈中的竞争促使双方不断改进各自的手段，直到假币与真币无从区分。", "quote")
    assert not zh_text.untranslated([quote, translation])
    names = "Ian J. Goodfellow, Jean Pouget-Abadie, Mehdi Mirza. Generative Adversarial Nets. NeurIPS 2014."
    assert not zh_text.untranslated([zh_text.Paragraph(names)])
    assert not zh_text.untranslated([zh_text.Paragraph("判别器（discriminator）输出 $D(x)$。")])


def test_a_ruled_out_variant_fails():
    assert zh_text.ruled_out("警察就是鉴别器。", GLOSSARY)
    assert not zh_text.ruled_out("警察就是判别器。", GLOSSARY)
    # a variant inside the chosen term is not a use of the variant: 价值函数 holds 值函数
    assert not zh_text.ruled_out("价值函数（value function）", GLOSSARY)
    assert zh_text.ruled_out("值函数", GLOSSARY)


def test_first_use_without_english_fails():
    page = [zh_text.Paragraph("判别器", "heading"), zh_text.Paragraph("判别器输出概率。判别器（discriminator）")]
    assert zh_text.first_use_without_english(page, GLOSSARY)
    page = [zh_text.Paragraph("判别器（discriminator）输出概率，判别器很小。")]
    assert not zh_text.first_use_without_english(page, GLOSSARY)


def test_glossary_is_consistent():
    zh = [t.zh for t in GLOSSARY.terms]
    en = [t.en.lower() for t in GLOSSARY.terms]
    assert len(set(zh)) == len(zh) and len(set(en)) == len(en), "a term twice in glossary.yml"
    for term in GLOSSARY.terms:
        for variant in term.avoid:
            assert variant not in zh, f"{variant} is both ruled out and a chosen term"
            assert zh_text.ruled_out(variant, GLOSSARY), f"{variant} could never be caught"
    required = {"生成对抗网络", "生成器", "判别器", "小批量", "动量法", "暂退法", "对数似然"}
    assert required <= set(zh), "d2l-zh's terms"
    assert "鉴别器" in next(t for t in GLOSSARY.terms if t.zh == "判别器").avoid


# --- Colab notebooks and the generated source tree --------------------------------------------------
def test_colab_notebooks_are_current():
    assert not zh_book.colab_problems(), "\n".join(zh_book.colab_problems())


def test_colab_notebook_is_the_english_code_without_outputs():
    for page in zh_book.colab_pages():
        english = nbformat.read(zh_book.english_path(page), as_version=4)
        chinese = json.loads((ROOT / "book" / "zh" / "colab" / f"{page}.ipynb").read_text(encoding="utf-8"))
        assert [c["id"] for c in chinese["cells"]] == [c.id for c in english.cells]
        for en, zh in zip(english.cells, chinese["cells"]):
            if en.cell_type == "code":
                assert "".join(zh["source"]) == en.source and zh["outputs"] == [] and zh["metadata"] == en.metadata
            else:
                assert zh_text.CJK.search("".join(zh["source"])), f"{page} cell {en.id} not in Chinese"
        assert "widgets" not in chinese["metadata"]
        nbformat.validate(nbformat.reads(json.dumps(chinese), as_version=4))


def test_colab_check_fails_when_the_english_code_changes(copy):
    assert not zh_book.colab_problems(copy)
    _edit_cell(copy / "book" / "introduction.ipynb", "30a3f1a6",
               lambda nb, c: setattr(c, "source", c.source.replace("1500", "2000")))
    assert any("out of date" in p for p in zh_book.colab_problems(copy))
    zh_book.write_colab(copy)
    assert not zh_book.colab_problems(copy)


def test_source_tree_keeps_the_english_code_and_outputs(copy):
    out = copy / "_build" / "zh"
    assert not zh_site.write_source(out, copy)
    src = out / "src"
    config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert config["language"] == "zh_CN" and config["html_search_language"] == "zh"
    assert config["mathjax_path"].startswith("../../_static/vendor/"), "the English site's MathJax"
    toc = yaml.safe_load((src / "_toc.yml").read_text(encoding="utf-8"))
    english_toc = zh_site.toc_docs(yaml.safe_load((copy / "_toc.yml").read_text(encoding="utf-8")))
    translated = [d for d in english_toc if (copy / "book" / "zh" / f"{Path(d).name}.md").is_file()]
    # the translated pages in the English order, the glossary before the bibliography
    assert zh_site.toc_docs(toc) == [d for d in translated if d != "book/bibliography"] + [
        "book/glossary", "book/bibliography"]
    assert "book/introduction" in translated
    english = nbformat.read(copy / "book" / "introduction.ipynb", as_version=4)
    chinese = nbformat.read(src / "book" / "introduction.ipynb", as_version=4)
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    for en, zh in zip(english.cells, chinese.cells):
        assert (zh.source == en.source) == (en.cell_type == "code")
        if en.cell_type == "code":
            assert zh.outputs == en.outputs
    assert chinese.metadata == english.metadata
    # a page whose translation goes away leaves the tree; nothing is rewritten that did not change
    before = (src / "book" / "intro.md").stat().st_mtime_ns
    (copy / "book" / "zh" / "bibliography.md").unlink()
    zh_site.write_source(out, copy)
    assert not (src / "book" / "bibliography.md").exists()
    assert (src / "book" / "intro.md").stat().st_mtime_ns == before


def test_search_segments_the_glossary_terms(tmp_path):
    """Sphinx's Chinese search splits with jieba; the glossary is its dictionary (判别器 is one word)."""
    pytest.importorskip("jieba")
    from sphinx.search.zh import SearchChinese

    words = tmp_path / "jieba.txt"
    words.write_text(zh_site.jieba_dictionary(GLOSSARY), encoding="utf-8")
    search = SearchChinese({"dict": str(words)})
    assert {"判别器", "模式崩溃", "生成对抗网络"} <= set(search.split("判别器与模式崩溃，生成对抗网络"))


def test_glossary_page_lists_every_term():
    page = zh_site.glossary_markdown(GLOSSARY)
    assert all(f"| {t.en} | {t.zh} |" in page for t in GLOSSARY.terms)


def test_proof_directives_of_untranslated_pages_are_found_by_label():
    """sphinx-proof keeps its directives out of objects.inv: a {prf:ref} from a Chinese page into a
    page not translated yet is resolved from the English source, numbered per page and kind."""
    proofs = zh_site.english_proofs(ROOT, {"book/adversarial_nets", "book/theoretical_results"})
    assert proofs["alg-1"] == ["book/adversarial_nets", "算法 1"]
    assert proofs["prop-optimal-d"] == ["book/theoretical_results", "命题 1"]
    assert proofs["prop-convergence"] == ["book/theoretical_results", "命题 2"]
    assert proofs["thm-global-optimum"] == ["book/theoretical_results", "定理 1"]
    assert zh_site.english_proofs(ROOT, {"book/introduction"}) == {}


# --- the interface ------------------------------------------------------------------------------
SCRIPTS = ["book/_static/gan_book.js", "_ext/live_widgets.js"]  # each with its words in Chinese
CJK_LITERAL = re.compile(r"""(['"`])((?:(?!\1).)*[\u4e00-\u9fff](?:(?!\1).)*)\1""")


def test_interface_strings_use_the_glossary_terms():
    """The Chinese interface (zh_site.INTERFACE, the tables of the book's scripts) exists and uses
    no variant the glossary rules out."""
    strings = {"tools/zh_site.py": [*zh_site.INTERFACE.values(), *zh_site.BUTTON_LABELS.values(),
                                    zh_site.SEARCH_BAR]}
    for script in SCRIPTS:
        strings[script] = [m[2] for m in CJK_LITERAL.finditer((ROOT / script).read_text(encoding="utf-8"))]
    for where, found in strings.items():
        assert found, f"{where} has no Chinese strings"
        assert not zh_text.ruled_out("\n".join(found), GLOSSARY), where
    assert any("迭代周期" in s for s in strings["_ext/live_widgets.js"]), "epochs: 迭代周期 (glossary)"


def test_animation_player_in_chinese():
    """matplotlib's animation player, an output shared with the English page, gets Chinese
    tooltips and labels on the Chinese page."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots()
    html = FuncAnimation(fig, lambda i: [], frames=2).to_jshtml()
    plt.close(fig)
    chinese = zh_site.interface_in_chinese(html)
    english = [v for v in re.findall(r'(?:title|aria-label)="([^"]+)"', chinese) if re.search("[A-Za-z]", v)]
    assert not english, f"English left in the player: {english}"
    assert ">播放一次</label>" in chinese and 'title="下一帧"' in chinese
    assert re.sub(r'(title|aria-label)="[^"]*"|>\w+</label>', "", chinese) == \
        re.sub(r'(title|aria-label)="[^"]*"|>\w+</label>', "", html), "more than the words changed"
