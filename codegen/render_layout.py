"""Black's layout, written directly: the pieces of a module template whose layout depends on the
data (literals, docstrings, signatures, calls, collections), laid out the way black 26 lays out these
shapes, so that a module needs no black pass.

A `Layout` renders in one of two modes. `fast`: black's layout; when `vouch` finds a line black
might lay out otherwise (over the limit and not an unsplittable `key: "literal",` entry), the caller
renders again in `raw` mode (one line per piece, the templates' plain form) and formats that with
black. Tests compare the fast output with black's on every golden, fuzzed and hostile module
(tests/generator/test_layout.py, test_fuzz.py), with the black release pinned in constraints.txt:
with any other installed (pyproject allows a range, and black's layout changes between releases),
every module goes through black.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from .literals import py_literal

if TYPE_CHECKING:
    from .plan import MethodPlan, ParamPlan

Kind = Literal["call", "def", "atom"]
INDENT = "    "
BLACK = "26.10.1"  # the release whose layout this is (constraints.txt; a test keeps them equal)


@functools.cache
def black_is_ours() -> bool:
    """The installed black is the release this layout is black's for."""
    from .lock import dist_version

    return dist_version("black") == BLACK


# A string literal (as repr and literals.docstring write them) or a number; anything else in a
# literal's or annotation's source is punctuation, names and spaces that black leaves alone.
_TOKEN = re.compile(
    r"""(?P<s>[bB]?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))"""
    r"|(?P<n>(?<![\w.])(?:0[xXoObB][0-9a-fA-F_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?[jJ]?))"
)
# A line black cannot split whatever its length (no brackets, no delimiter but its final comma):
# `"key": "literal",`, `key="literal",`, `name: type = "literal",`, `"literal",`.
_STR = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_NAME = r"[A-Za-z_]\w*"
_UNSPLITTABLE = re.compile(
    rf"^ *(?:{_STR}: {_STR}|{_NAME}={_STR}|{_NAME}: {_NAME} = {_STR}|{_STR}),$"
)


def _black_string(text: str) -> str:
    """What black writes for one string literal (prefix, quotes, escape case)."""
    if text[0] in "'\"" and "\\" not in text:  # repr's usual output: no prefix, no escapes
        if text[0] == '"' or '"' in text:  # black keeps double quotes, and adds no escapes
            return text
        return f'"{text[1:-1]}"'
    return _black_string_slow(text)


def _black_string_slow(text: str) -> str:
    from black.strings import (
        normalize_string_prefix,
        normalize_string_quotes,
        normalize_unicode_escape_sequences,
    )
    from blib2to3.pgen2 import token  # type: ignore[import-untyped]
    from blib2to3.pytree import Leaf  # type: ignore[import-untyped]

    from .formatting import black_mode

    leaf = Leaf(token.STRING, text)
    normalize_unicode_escape_sequences(leaf)
    return str(normalize_string_quotes(normalize_string_prefix(leaf.value, black_mode())))


def _black_number(text: str) -> str:
    from black.numerics import normalize_numeric_literal
    from blib2to3.pgen2 import token
    from blib2to3.pytree import Leaf

    leaf = Leaf(token.NUMBER, text)
    normalize_numeric_literal(leaf)
    return str(leaf.value)


def black_source(text: str) -> str:
    """`text` (an annotation or a literal's source: names, brackets, strings, numbers) with its
    strings and numbers as black writes them."""

    def one(match: re.Match[str]) -> str:
        if match.group("s") is not None:
            return _black_string(match.group("s"))
        return _black_number(match.group("n"))

    return _TOKEN.sub(one, text)


def black_docstring(literal: str, depth: int, line_length: int) -> str:
    """black's `visit_STRING` for a docstring (`literals.docstring`'s `\"\"\"...\"\"\"`) at `depth`."""
    from black.strings import fix_multiline_docstring

    if re.search(r"\\\s*\n", literal):
        return _black_string(literal)  # black leaves these docstrings' layout alone
    docstring = _black_string(literal)
    quote_char = docstring[0]
    quote_len = 1 if docstring[1] != quote_char else 3
    docstring = docstring[quote_len:-quote_len]
    started_empty = not docstring
    indent = INDENT * depth
    if "\n" in literal:
        docstring = fix_multiline_docstring(docstring, indent)
    else:
        docstring = docstring.strip()
    trailing_backslash = False
    if docstring:
        if docstring[0] == quote_char:
            docstring = " " + docstring
        if docstring[-1] == quote_char:
            docstring += " "
        if docstring[-1] == "\\":
            if (len(docstring) - len(docstring.rstrip("\\"))) % 2:
                docstring += " "
                trailing_backslash = True
    elif not started_empty:
        docstring = " "
    quote = quote_char * quote_len
    if quote_len == 3:
        lines = docstring.splitlines()
        last = len(lines[-1]) if docstring and not docstring.endswith("\n") else 0  # (black: len)
        if (
            len(lines) > 1
            and last + quote_len > line_length
            and len(indent) + quote_len <= line_length
            and not trailing_backslash
        ):
            if literal[-1 - quote_len] == "\n":
                return quote + docstring + quote
            return quote + docstring + "\n" + indent + quote
    return quote + docstring + quote


def _width(line: str) -> int:
    """Columns as black counts them (wide characters take two)."""
    if line.isascii():
        return len(line)
    from black.strings import str_width

    return int(str_width(line))


class Piece:
    """`head` + items joined by ", " + `tail`, laid out by `render` as black splits it."""

    def __init__(self, head: str, items: Sequence[Item], tail: str, kind: Kind) -> None:
        self.head, self.items, self.tail, self.kind = head, items, tail, kind

    def flat(self) -> str:
        return self.head + ", ".join(_flat(item) for item in self.items) + self.tail

    def render(self, depth: int, line_length: int, trailer: str = "") -> str:
        """At `depth` (the first line not indented): one line; else (calls and defs) the items on
        a line of their own; else one item per line, each with a trailing comma."""
        flat = self.flat() + trailer
        if _width(INDENT * depth + flat) <= line_length:
            return flat
        inner = INDENT * (depth + 1)
        body = ", ".join(_flat(item) for item in self.items)
        if self.kind == "def" and len(self.items) == 1:
            body += ","  # black's trailing comma on a lone parameter
        if self.kind != "atom" and _width(inner + body) <= line_length:
            lines = [body]
        else:
            lines = [
                item.render(depth + 1, line_length, ",") if isinstance(item, Piece) else item + ","
                for item in self.items
            ]
        return "\n".join(
            [self.head, *(inner + line for line in lines), INDENT * depth + self.tail + trailer]
        )


Item = str | Piece


def _flat(item: Item) -> str:
    return item.flat() if isinstance(item, Piece) else item


class Layout:
    """The templates' layout functions (`L` in templates/python/), in `fast` or `raw` mode."""

    def __init__(self, fast: bool, line_length: int) -> None:
        self.fast = fast
        self.line_length = line_length
        self._strings: dict[str, str] = {}  # this module's string literals

    def lit(self, value: object) -> str:
        """A checked literal of `value` (`literals.py_literal`)."""
        if type(value) is str and self.fast:  # a wire name is written 6 times or more
            if value not in self._strings:
                self._strings[value] = black_source(py_literal(value))
            return self._strings[value]
        text = py_literal(value)
        return black_source(text) if self.fast else text

    def lits(self, values: Sequence[object]) -> list[str]:
        return [self.lit(value) for value in values]

    def src(self, text: str) -> str:
        """An annotation or a default's source."""
        return black_source(text) if self.fast else text

    def doc(self, literal: str, depth: int) -> str:
        return black_docstring(literal, depth, self.line_length) if self.fast else literal

    def imports(self, module: str, names: Sequence[str]) -> str:
        """`from module import names` (black puts one name per line when it is too long)."""
        line = f"from {module} import {', '.join(names)}"
        if not self.fast or _width(line) <= self.line_length:
            return line
        body = "".join(f"{INDENT}{name},\n" for name in names)
        return f"from {module} import (\n{body})"

    def piece(self, head: str, items: Sequence[Item], tail: str, kind: Kind = "call") -> Piece:
        return Piece(head, items, tail, kind)

    def wrap(
        self, depth: int, head: str, items: Sequence[Item], tail: str, kind: Kind = "call"
    ) -> str:
        """A `Piece` at `depth`: laid out in fast mode, on one line in raw mode."""
        piece = Piece(head, items, tail, kind)
        return piece.render(depth, self.line_length) if self.fast else piece.flat()

    def vouch(self, source: str) -> bool:
        """Whether black would leave `source` (a fast rendering) as it is, as far as lengths go:
        no line over the limit but docstrings and the entries black cannot split."""
        in_doc = False
        for line in source.split("\n"):
            quotes = line.count('"""')
            if not in_doc and quotes == 0 and _width(line) > self.line_length:
                if not _UNSPLITTABLE.match(line):
                    return False
            if quotes % 2:
                in_doc = not in_doc
        return True

    def params(self, method: MethodPlan, is_async: bool = False, first: str = "self") -> list[str]:
        """A method's parameters, `*` before the keyword-only ones."""
        out = [first] if first else []

        def one(p: ParamPlan) -> str:
            text = f"{p.name}: {self.src(p.async_annotation if is_async else p.annotation)}"
            return text if p.default is None else f"{text} = {self.src(p.default)}"

        out += [one(p) for p in method.positional]
        if method.keyword_only:
            out += ["*", *(one(p) for p in method.keyword_only)]
        return out

    def call_args(self, method: MethodPlan) -> list[Item]:
        """The runtime call's arguments: model, signature, arguments by wire name, runner."""
        args = self.piece(
            "{", [f"{self.lit(p.wire)}: {p.name}" for p in method.params], "}", "atom"
        )
        return ["self._model", f"_METHODS[{self.lit(method.wire)}]", args, "runner=self._runner"]

    def pairs(self, pairs: Sequence[tuple[str, str]], depth: int, literal: bool) -> str:
        """A dict of `key: value` (values literals of text, or sources) as a batch call's item."""
        items = [
            f"{self.lit(key)}: {self.lit(value) if literal else self.src(value)}"
            for key, value in pairs
        ]
        return self.wrap(depth, "{", items, "},", "atom")
