"""Serve the website's browser assets from the site itself, so every page reads offline.

Jupyter Book 1 pages would load MathJax, require.js and the ipywidgets embed manager
from CDNs, and matplotlib's ``to_jshtml`` animation player links Font Awesome 4 from
one. ``_config.yml`` points ``mathjax_path`` and ``nb_ipywidgets_js`` at
``_static/vendor/...``; this extension fills that folder from ``node_modules/``
(``npm ci`` installs the versions pinned in ``package-lock.json``; ``make book`` runs
it) and rewrites the Font Awesome link inside committed notebook outputs. The browser
tests block every request that leaves localhost, so a CDN reference added later fails
them rather than silently breaking offline readers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.osutil import relative_uri

# What the site serves, as (file or folder under node_modules/, path under _static/vendor/).
ASSETS: list[tuple[str, str]] = [
    # MathJax 3: the combined component plus what it loads on demand (TeX extensions,
    # CHTML fonts, the menu's accessibility and speech modules).
    ("mathjax/es5/tex-mml-chtml.js", "mathjax/tex-mml-chtml.js"),
    ("mathjax/es5/input", "mathjax/input"),
    ("mathjax/es5/output/chtml", "mathjax/output/chtml"),
    ("mathjax/es5/a11y", "mathjax/a11y"),
    ("mathjax/es5/ui", "mathjax/ui"),
    ("mathjax/es5/adaptors", "mathjax/adaptors"),
    ("mathjax/es5/sre", "mathjax/sre"),
    # The ipywidgets embed manager (AMD build, loaded by require.js) and its icon fonts.
    ("@jupyter-widgets/html-manager/dist", "html-manager"),
    ("requirejs/require.js", "requirejs/require.js"),
    # Font Awesome 4.4.0, the version matplotlib's animation player asks for.
    ("font-awesome/css", "font-awesome/css"),
    ("font-awesome/fonts", "font-awesome/fonts"),
]

# html-manager/dist also holds a non-AMD bundle and source maps the site never loads.
SKIP = shutil.ignore_patterns("*.map", "embed.js", "embed.js.LICENSE.txt", "libembed-amd.js")

# CDN links written into committed notebook outputs, and their local replacements.
REWRITES: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css":
        "_static/vendor/font-awesome/css/font-awesome.min.css",
}


def _node_modules(app: Sphinx) -> Path:
    return Path(app.confdir) / "node_modules"


def check_assets(app: Sphinx) -> None:
    """Fail at the start of a build, with the fix, when ``npm ci`` has not run."""
    root = _node_modules(app)
    missing = [src for src, _ in ASSETS if not (root / src).exists()]
    if missing:
        raise ExtensionError(
            f"offline_assets: {len(missing)} browser asset(s) missing from {root} "
            f"(first: {missing[0]}). Run `npm ci` in the repository root "
            "(`make book` does) to install the versions pinned in package-lock.json."
        )


def rewrite_cdn_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Point CDN links inside raw HTML outputs at the site's own copies."""
    if app.builder.format != "html":
        return
    page = app.builder.get_target_uri(docname)
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        text = node.astext()
        new = text
        for cdn, local in REWRITES.items():
            new = new.replace(cdn, relative_uri(page, local))
        if new != text:
            node.replace(node.children[0], nodes.Text(new))


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    """Copy the pinned assets into ``_static/vendor`` of the built site."""
    if exception is not None or app.builder.format != "html":
        return
    root = _node_modules(app)
    vendor = Path(app.outdir) / "_static" / "vendor"
    for src, dst in ASSETS:
        source, target = root / src, vendor / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=SKIP, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str,
                           context: dict, doctree) -> None:
    """Emit each script tag once.

    Under Sphinx 7.4, sphinx-thebe 0.3.1 and sphinx-togglebutton register their inline
    scripts twice (at two priorities); the second ``const THEBE_JS_URL = ...`` throws "Identifier 'THEBE_JS_URL' has already
    been declared" in every page's console.
    """
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # priority left out and None == "": the copies differ only in those
        key = (getattr(script, "filename", str(script)) or "",
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_unused_widget_scripts(app: Sphinx, pagename: str, templatename: str,
                               context: dict, doctree) -> None:
    """Load the ipywidgets scripts only on a page that shows a widget.

    myst-nb adds the widget state and ``nb_ipywidgets_js`` (require.js, the embed manager:
    about 3.6 MB) to every page whose notebook metadata holds widget state, even when each
    widget output is removed from the page (``remove-output``, where a live generator takes
    its place). Without a widget view on the page they only cost the reader time.
    """
    if WIDGET_VIEW in context.get("body", ""):
        return
    widget_js = getattr(app.config, "nb_ipywidgets_js", None) or {}

    def is_widget_script(script) -> bool:
        attributes = getattr(script, "attributes", {})
        if attributes.get("type") == WIDGET_STATE:
            return True
        filename = str(getattr(script, "filename", None) or "").removeprefix("_static/")
        if filename not in widget_js:
            return False
        # the inline script ("": {body: ...}) is known by its body, a file by its name
        return bool(filename) or attributes.get("body") == widget_js[filename].get("body")

    context["script_files"] = [s for s in context.get("script_files", []) if not is_widget_script(s)]


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", check_assets)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", drop_unused_widget_scripts, priority=901)
    app.connect("doctree-resolved", rewrite_cdn_links)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
