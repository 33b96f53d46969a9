/* gan-book: small reading aids for every page (loaded by _config.yml's html_js_files).
 *
 * 1. A figure opens at full resolution on a tap or click: on a phone a figure drawn 600+ px
 *    wide is shown at ~370 px, its tick labels ~5 px tall. The full-size image opens in a
 *    dialog that scrolls both ways; a tap, Esc or the × closes it.
 * 2. A number in a table cell stays on one line ("8.016e-01", not "8.016e-" / "01").
 * 3. Search result snippets (search.html) read as prose: code cells and printed outputs are
 *    left out, and math shows as plain symbols (σ) instead of raw TeX (\(\sigma\)).
 * 4. "Solution to Exercise 3" links underline the words, not the space before them.
 * 5. On the Chinese site (<html lang="zh-CN">, tools/zh_site.py) the words these aids write, and
 *    the label that sphinx-togglebutton writes at run time, are in Chinese. (The theme's own
 *    strings are put in Chinese when the site is built: zh_site.INTERFACE.)
 */
(() => {
  "use strict";

  const WORDS = {
    en: {figure: "Figure at full resolution", close: "Close", open: "Open at full resolution"},
    zh: {figure: "原始分辨率的图", close: "关闭", open: "点击查看原始分辨率的图"},
  };
  const LANG = /^zh\b/i.test(document.documentElement.lang) ? "zh" : "en";
  const words = WORDS[LANG];
  // labels other scripts write at run time (as zh_site.INTERFACE has them for the built pages)
  const OTHERS_ZH = {"Toggle hidden content": "显示或隐藏内容"};

  /* 1. Figures ------------------------------------------------------------------------- */
  let dialog = null;

  function zoomDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "gan-zoom";
    dialog.setAttribute("aria-label", words.figure);
    const close = document.createElement("button");
    close.className = "gan-zoom-close";
    close.type = "button";
    close.setAttribute("aria-label", words.close);
    close.textContent = "×";
    const img = document.createElement("img");
    img.alt = "";
    dialog.append(close, img);
    // Any tap closes it, except one that pans a figure wider than the screen.
    dialog.addEventListener("click", () => dialog.close());
    document.body.appendChild(dialog);
    return dialog;
  }

  function openFigure(source) {
    const d = zoomDialog();
    const img = d.querySelector("img");
    img.src = source.currentSrc || source.src;
    img.alt = source.alt || "";
    img.width = source.naturalWidth;  // one image pixel per CSS pixel
    d.showModal();
    d.scrollTo(0, 0);
  }

  function zoomableFigures() {
    document.querySelectorAll("div.cell_output img").forEach((img) => {
      if (img.closest("div.animation, .gan-live, a")) return;  // players, widgets, links
      img.classList.add("gan-zoomable");
      img.tabIndex = 0;
      img.setAttribute("role", "button");
      img.title = words.open;
      img.addEventListener("click", () => openFigure(img));
      img.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          openFigure(img);
        }
      });
    });
  }

  /* 2. Numbers in tables --------------------------------------------------------------- */
  const NUMBER = /^[−+-]?[\d.,]+(e[−+-]?\d+)?%?(\s*±\s*[\d.,]+(e[−+-]?\d+)?)?$/;

  function numbersOnOneLine() {
    document.querySelectorAll("article table td").forEach((td) => {
      if (NUMBER.test(td.textContent.trim())) td.classList.add("gan-number");
    });
  }

  /* 3. Search snippets ----------------------------------------------------------------- */
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", theta: "θ",
    lambda: "λ", mu: "μ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", psi: "ψ",
    omega: "ω", Delta: "Δ", Sigma: "Σ", Phi: "Φ", Omega: "Ω", nabla: "∇", partial: "∂",
    infty: "∞", sum: "Σ", prod: "Π", int: "∫", sqrt: "√", cdot: "·", times: "×", pm: "±",
    le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", sim: "~",
    in: "∈", subseteq: "⊆", to: "→", rightarrow: "→", mapsto: "↦", lVert: "‖", rVert: "‖",
    Vert: "‖", lvert: "|", rvert: "|", vert: "|", mid: "|", ell: "ℓ", ldots: "…", dots: "…",
    log: "log", exp: "exp", max: "max", min: "min", arg: "arg", lim: "lim", KL: "KL",
  };

  function plainMath(tex) {
    return tex
      .replace(/^\s*(\\\(|\\\[|\$\$?)|(\\\)|\\\]|\$\$?)\s*$/g, "")
      .replace(/\\(begin|end)\s*\{[^{}]*\}/g, " ")
      .replace(/\\\\|&/g, " ")
      .replace(/\\(?:text|mathrm|operatorname|mathbf|boldsymbol|mathbb|mathcal)\s*\{([^{}]*)\}/g, "$1")
      .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\([A-Za-z]+)/g, (m, name) => (name in SYMBOLS ? SYMBOLS[name] : ""))
      .replace(/\\./g, "")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  function proseOnly(htmlString, anchor) {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    const drop = [".headerlink", "script", "style", "div.cell_input", "div.cell_output",
                  "pre", ".highlight", ".gan-live", "nav", ".bd-header-article", ".onlyprint",
                  ".prev-next-area", ".bd-sidebar-secondary", "footer",
                  "details.above-input", "details.below-input"];
    doc.querySelectorAll(drop.join(", ")).forEach((el) => el.remove());
    doc.querySelectorAll(".math").forEach((el) => {
      el.textContent = ` ${plainMath(el.textContent)} `;
    });
    const main = doc.querySelector('[role="main"]');
    const block = (anchor && main && main.querySelector(anchor)) || main;
    return block ? block.textContent.replace(/\s+/g, " ") : "";
  }

  function proseSnippets() {
    // searchtools.js declares `Search` on the search page (and where search-as-you-type is on)
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    Search.htmlToText = proseOnly;
    // a search for "sigma" centres its snippet on the σ the math now shows
    const summary = Search.makeSearchSummary;
    Search.makeSearchSummary = (htmlText, keywords, anchor) => summary(htmlText,
      new Set([...keywords].flatMap((k) => (k in SYMBOLS && SYMBOLS[k] !== k ? [k, SYMBOLS[k]] : [k]))),
      anchor);
  }

  /* 4. "Solution to Exercise 3": sphinx-exercise puts the space inside the link, which then
        underlines it; move it before the link. ---------------------------------------- */
  function solutionTitles() {
    document.querySelectorAll("p.admonition-title > a.reference").forEach((a) => {
      const first = a.firstChild;
      if (first && first.nodeType === Node.TEXT_NODE && /^\s/.test(first.data)) {
        first.data = first.data.replace(/^\s+/, "");
        a.before(document.createTextNode(" "));
      }
    });
  }

  /* 5. Labels that other scripts write at run time (togglebutton.js, loaded before this file,
        adds its buttons on DOMContentLoaded too). ------------------------------------------ */
  function otherScriptsLabels() {
    if (LANG === "en") return;
    document.querySelectorAll("[aria-label]").forEach((el) => {
      const label = el.getAttribute("aria-label");
      if (Object.hasOwn(OTHERS_ZH, label)) el.setAttribute("aria-label", OTHERS_ZH[label]);
    });
  }

  function ready(callback) {
    if (document.readyState !== "loading") callback();
    else document.addEventListener("DOMContentLoaded", callback);
  }

  ready(zoomableFigures);
  ready(numbersOnOneLine);
  ready(proseSnippets);
  ready(solutionTitles);
  ready(otherScriptsLabels);
})();
