"""`ts_literals`, the only road from signature text to TypeScript: what a string literal means to
Node is the text it came from, and TSDoc text cannot close its comment."""

from __future__ import annotations

import json
import subprocess

import pytest

from codegen.ts_literals import comment_text, ts_number, ts_string, tsdoc

from .tools import need_node

HOSTILE = [
    "plain",
    'say "hi"',
    "it's",
    "\"'\"'",
    "back\\slash\\",
    "line\nbreak\r\n\t",
    "sep\u2028para\u2029",
    "lone \ud800 surrogate \udfff",
    "nul \x00 del \x7f c1 \x85 bom \ufeff",
    "</script><!-- */ ${x} `tick`",
    "名前 größe 🙂",
]


def test_string_literals_mean_their_text_to_node() -> None:
    node = need_node()
    source = "process.stdout.write(JSON.stringify([" + ", ".join(map(ts_string, HOSTILE)) + "]))"
    result = subprocess.run(
        [node, "--input-type=module", "-e", source], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == HOSTILE


def test_literals_hold_no_raw_line_terminators() -> None:
    for text in HOSTILE:
        literal = ts_string(text)
        assert not set(literal) & {"\n", "\r", "\u2028", "\u2029"}, literal


@pytest.mark.parametrize(
    ("value", "expected"), [(1e100, "1e100"), (1.5e-7, "1.5e-7"), (-3, "-3"), (0.5, "0.5")]
)
def test_numbers_as_prettier_prints_them(value: float, expected: str) -> None:
    assert ts_number(value) == expected


def test_numbers_refuse_what_is_not_one() -> None:
    for bad in (float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError):
            ts_number(bad)  # type: ignore[arg-type]


def test_tsdoc_cannot_be_closed_by_its_text() -> None:
    lines = tsdoc(comment_text("a */ console.log(1) /* b\u2028c\x00"), "  ")
    body = "\n".join(lines[1:-1])
    assert "*/" not in body and lines[-1] == "   */"
    assert "\u2028" not in body and "\x00" not in body
