"""The only two ways third-party text becomes code: `py_literal` (repr of a checked value) and
`docstring` (a triple-quoted literal built character by character and verified by parsing it back)."""

from __future__ import annotations

import ast
import re
from typing import Any


def literal_eval(text: str) -> Any:
    """`ast.literal_eval` of third-party text, every failure a `ValueError` (it also raises
    `SyntaxError`, `TypeError` for `{[]: 1}`, and `RecursionError` or `MemoryError` when deep)."""
    try:
        return ast.literal_eval(text)
    except (SyntaxError, TypeError, MemoryError, RecursionError, OverflowError) as exc:
        raise ValueError(f"not a literal ({type(exc).__name__})") from None


def is_safe_literal(value: Any) -> bool:
    """True when `repr(value)` is a Python literal that evaluates back to an equal value."""
    try:
        return bool(literal_eval(repr(value)) == value)
    except (ValueError, RecursionError):  # (comparing deep values recurses too)
        return False


def py_literal(value: Any) -> str:
    """`repr(value)`, refusing anything that does not evaluate back to an equal value."""
    if not is_safe_literal(value):
        raise ValueError(f"not a safe literal: {type(value).__name__}")
    return repr(value)


def _escape_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == '"':
        return '\\"'
    if ch == "\t":
        return "    "
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# What `_escape_char` rewrites: quotes, backslashes, tabs, control characters (not newlines) and the
# characters that end a line or hide in one; everything else is written as is.
_SPECIAL = re.compile('["\\\\\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Normalize third-party prose for a docstring: unify newlines, drop trailing spaces."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def docstring(text: str, indent: str = "") -> str:
    """A `\"\"\"...\"\"\"` literal whose value is `text` (re-indented by `indent` after newlines).

    Quotes and backslashes are escaped, control characters written as escapes, so the literal can never
    end early or change meaning; the result is parsed back and compared before it is returned.
    """
    # Lone surrogates cannot be encoded (CPython fails compiling such a docstring): replace them.
    text = _SURROGATE.sub("\ufffd", text)

    def escape(match: re.Match[str]) -> str:
        ch, i = match.group(), match.start()
        # a lone '"' in prose stays readable; runs and a final one do not
        if ch == '"' and i + 1 < len(text) and text[i + 1] != '"' and text[i - 1 : i] != '"':
            return ch
        return _escape_char(ch)

    body = _indent(_SPECIAL.sub(escape, text), indent)
    if "\n" in text:
        body += "\n" + indent
    literal = f'"""{body}"""'
    expected = _indent(text.replace("\t", "    "), indent) + ("\n" + indent if "\n" in text else "")
    if ast.literal_eval(literal) != expected:
        raise ValueError("docstring round trip failed")
    return literal


def _indent(text: str, indent: str) -> str:
    """Indent every line after the first, leaving empty lines empty."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(indent + line if line else line for line in rest)])
