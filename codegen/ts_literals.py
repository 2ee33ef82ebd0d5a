"""The only roads from third-party text to TypeScript code: `ts_string` (a string literal as
prettier prints it), `ts_number`, `ts_literal` and `tsdoc` (a comment that cannot end early)."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any

# Escaped inside string literals: what could end the literal or the line, hide in it, or not
# encode (lone surrogates); everything else is written as is, as JSON.stringify does.
_SPECIAL = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f", "\\": "\\\\"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _SHORT.get(ch) or f"\\u{ord(ch):04x}"


def ts_string(value: str) -> str:
    """A string literal whose value is `value`, quoted as prettier quotes it (double quotes unless
    the text holds more double than single quotes)."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    body = _SPECIAL.sub(_escape, value).replace(quote, "\\" + quote)
    if _unescape(body, quote) != value:
        raise ValueError("string literal round trip failed")
    return quote + body + quote


def _unescape(body: str, quote: str) -> str:
    """The value of a literal's body as written by `ts_string` (the check of its round trip)."""

    def as_json(match: re.Match[str]) -> str:
        token = match.group()
        if token == quote:
            raise ValueError("unescaped quote")
        return {"\\'": "'", '"': '\\"'}.get(token, token)

    value: str = json.loads('"' + re.sub(r'\\.|["\']', as_json, body) + '"')
    return value


def ts_number(value: int | float) -> str:
    """A number literal as prettier prints it (`1e+100` -> `1e100`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a number: {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    text = repr(value).lower()
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", text)


def ts_literal(value: Any) -> str:
    """A literal for a scalar (str, int, float, bool, None); anything else is refused."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return ts_number(value)
    if isinstance(value, str):
        return ts_string(value)
    raise ValueError(f"not a TypeScript literal: {type(value).__name__}")


def comment_text(text: str) -> list[str]:
    """Third-party prose as lines safe inside a `/** ... */` block: `*/` cannot close it, line
    terminators are real newlines, control characters and lone surrogates are replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n").replace("\t", "    ")
    text = re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ud800-\udfff]", "\ufffd", text)
    text = text.replace("*/", "*\\/")
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def tsdoc(lines: list[str], indent: str) -> list[str]:
    """A `/** ... */` block of `lines` (already `comment_text`), one source line each."""
    if not lines:
        return []
    body = [f"{indent} *" + (f" {line}" if line else "") for line in lines]
    return [f"{indent}/**", *body, f"{indent} */"]


def width(text: str) -> int:
    """The width prettier measures: wide East Asian characters count two, combining marks none."""
    if text.isascii():
        return len(text)
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total
