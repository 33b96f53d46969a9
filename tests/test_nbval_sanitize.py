"""nbval compares stored outputs with a fresh run's through tests/nbval_sanitize.cfg: glued
full-precision floats must match whatever the CPU's last digits, rounded numbers must not."""

import re
import tomllib
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

ROOT = Path(__file__).resolve().parents[1]
CFG = "tests/nbval_sanitize.cfg"


def sanitize(text: str) -> str:
    """What nbval does to an output string with the project's patterns."""
    for regex, replace in get_sanitize_patterns((ROOT / CFG).read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_glued_floats_match_across_kernels():
    # Pairs measured: the stored output and the one-thread, portable-kernel run in CI.
    for stored, rerun in (("0.4696989953517914", "0.4696989357471466"),
                          ("3.136683225631714", "3.1366829872131348"),
                          ("9.340858724559142e-05", "9.340858724559199e-05"),
                          ("-224.41371917724610", "-224.4137191772461")):
        assert sanitize(stored) == sanitize(rerun) == sanitize("1.0000000"), (stored, rerun)


def test_rounded_numbers_are_still_compared():
    for a, b in (("0.47", "0.48"), ("mean 3.914", "mean 3.915"), ("198.56 ± 2.30", "198.57 ± 2.30"),
                 ("epoch 500", "epoch 510"), ("[0.12345]", "[0.12346]")):
        assert sanitize(a) != sanitize(b)


def test_every_nbval_pass_uses_the_patterns():
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert f"--nbval-sanitize-with {CFG}" in addopts
    # A Makefile line that overrides addopts for an nbval pass must name the file itself.
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    for name, value in re.findall(r"^(\w+)\s*:=\s*(.*)$", makefile, flags=re.MULTILINE):
        makefile = makefile.replace(f"$({name})", value.strip())
    overriding = [line for line in makefile.splitlines() if "--nbval" in line and "-o addopts" in line]
    assert len(overriding) == 2, "both nbval passes of the Makefile override addopts"
    for line in overriding:
        assert f"--nbval-sanitize-with {CFG}" in line, line
