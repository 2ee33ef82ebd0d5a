"""The only two ways third-party text becomes code: `py_literal` (repr of a checked value) and
`docstring` (a triple-quoted literal built character by character and verified by parsing it back)."""

from __future__ import annotations

import ast
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
    if ch == "\n":
        return "\n"
    if ch == "\t":
        return "    "
    code = ord(ch)
    if code < 0x20 or 0x7F <= code < 0xA0 or ch in "\u2028\u2029\ufeff":
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


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
    text = "".join("\ufffd" if 0xD800 <= ord(ch) < 0xE000 else ch for ch in text)
    chars = [_escape_char(ch) for ch in text]
    for i, ch in enumerate(text):  # a lone '"' in prose stays readable; runs and a final one do not
        lone = not (i + 1 < len(text) and text[i + 1] == '"') and not (i > 0 and text[i - 1] == '"')
        if ch == '"' and lone and i + 1 != len(text):
            chars[i] = '"'
    body = _indent("".join(chars), indent)
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
