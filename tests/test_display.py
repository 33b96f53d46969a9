import pytest

from gan_src.display import markdown_table, shell_lines, source_markdown
from gan_src.optim import learning_rate


def test_markdown_table_aligns_numbers_right_and_text_left():
    table = markdown_table(["model", "LL"], [["GAN", "225 ± 2"], ["DBN", "138 ± 2"]])
    assert table.splitlines() == ["| model | LL |", "|:--|--:|", "| GAN | 225 ± 2 |", "| DBN | 138 ± 2 |"]


def test_markdown_table_escapes_pipes_and_checks_row_lengths():
    assert "a \\| b" in markdown_table(["x"], [["a | b"]])
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["x", "y"], [[1]])


def test_source_markdown_is_one_python_block_with_the_real_source():
    text = source_markdown(learning_rate)
    assert text.startswith("```python\ndef learning_rate(") and text.endswith("\n```")
    assert "ExponentialDecay" in text


def test_shell_lines_breaks_before_options_and_and_and():
    command = "python -m gan_src train --dataset faces --epochs 1500 --lr 0.05 --out runs/faces && python tools/x.py"
    lines = shell_lines(command, width=40).splitlines()
    assert all(len(line) <= 42 for line in lines)
    assert lines[0].endswith(" \\") and lines[-1] == "    && python tools/x.py"
    assert " ".join(line.removesuffix(" \\").strip() for line in lines) == command
    assert shell_lines("short --x 1") == "short --x 1"

