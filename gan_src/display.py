"""How the chapters show code and tables on the page: as Markdown, which the website renders
(myst-nb, ``nb_render_markdown_format: myst``) as highlighted code and real HTML tables, and
which Jupyter and Colab render the same way. Printed text would be cut at the column's width.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence

from IPython.display import Markdown, display


def source_markdown(*objects: object) -> str:
    """The source code of functions or classes as one fenced ``python`` block."""
    return "```python\n" + "\n\n".join(inspect.getsource(o).rstrip() for o in objects) + "\n```"


def show_source(*objects: object) -> None:
    """Display the source of ``objects`` as a highlighted code block (instead of ``print``)."""
    display(Markdown(source_markdown(*objects)))


def shell_lines(command: str, width: int = 76) -> str:
    """A long shell command as lines of at most ``width`` characters where it can be broken: before an
    option (``--``) or an ``&&``, each continued line ending in a backslash and the next indented."""
    lines = [""]
    for part in re.split(r" (?=--|&& )", command):
        if lines[-1] and len(lines[-1]) + 1 + len(part) > width:
            lines[-1] += " \\"
            lines.append("    " + part)
        else:
            lines[-1] = f"{lines[-1]} {part}" if lines[-1] else part
    return "\n".join(lines)


def show_commands(commands: dict[str, str], width: int = 76) -> None:
    """Display shell commands as one highlighted ``bash`` block, each under its ``# title`` comment
    and broken into lines by :func:`shell_lines`."""
    blocks = [f"# {title}\n{shell_lines(command, width)}" for title, command in commands.items()]
    display(Markdown("```bash\n" + "\n\n".join(blocks) + "\n```"))


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """A pipe table. Cells are shown with ``str`` (format numbers before); ``align`` holds one of
    ``l``, ``r``, ``c`` per column (default: text left, numbers right, judged on the first row)."""
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"every row needs {len(columns)} cells, one per column")
    if align is None:
        first = rows[0] if rows else [""] * len(columns)
        align = "".join("r" if _numeric(cell) else "l" for cell in first)
    rule = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(rule[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def show_table(columns: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> None:
    """Display :func:`markdown_table` as a table."""
    display(Markdown(markdown_table(columns, rows, align)))


def _numeric(cell: object) -> bool:
    text = str(cell).replace(",", "").replace("±", "").replace("−", "-").replace("%", "").split()
    try:
        [float(t) for t in text]
    except ValueError:
        return False
    return bool(text)
