"""Lines as prettier prints them, for the few shapes the TypeScript templates use.

The generator does not run prettier: it breaks lines the way prettier 3 does for these shapes
(a test runs the pinned prettier `--check` on its output). Every piece given here is atomic
(a name, a literal, a generic reference) or a union of atomic members (`Type.members`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...ts_literals import width

WIDTH = 80
INDENT = "  "
SHORT_KEY = 5  # prettier keeps `key: value` on one line when the key is narrower than this


@dataclass(frozen=True)
class Type:
    """A type expression: one atomic text, or a union of atomic members."""

    members: tuple[str, ...]

    @property
    def text(self) -> str:
        return " | ".join(self.members)

    @property
    def union(self) -> bool:
        return len(self.members) > 1


def atom(text: str) -> Type:
    return Type((text,))


def fits(line: str) -> bool:
    return width(line) <= WIDTH


def typed(indent: str, head: str, t: Type, end: str) -> list[str]:
    """`head: T<end>` (a parameter or an interface property), a union broken as prettier does."""
    line = f"{indent}{head}: {t.text}{end}"
    if fits(line) or not t.union:
        return [line]
    inner = indent + INDENT
    if fits(f"{inner}{t.text}{end}"):
        return [f"{indent}{head}:", f"{inner}{t.text}{end}"]
    bars = [f"{inner}| {m}" for m in t.members]
    bars[-1] += end
    return [f"{indent}{head}:", *bars]


def alias(name: str, t: Type, export: bool = True) -> list[str]:
    """`export type Name = T;`."""
    head = f"{'export ' if export else ''}type {name} ="
    if fits(f"{head} {t.text};"):
        return [f"{head} {t.text};"]
    if not t.union or fits(f"{INDENT}{t.text};"):
        return [head, f"{INDENT}{t.text};"]
    bars = [f"{INDENT}| {m}" for m in t.members]
    bars[-1] += ";"
    return [head, *bars]


def tuple_alias(name: str, items: Sequence[str], readonly: bool = False) -> list[str]:
    """`export type Name = [A, B];`, broken one item per line."""
    head = f"export type {name} = {'readonly ' if readonly else ''}["
    one = f"{head}{', '.join(items)}];"
    if fits(one) or not items:
        return [one]
    return [head, *(f"{INDENT}{i}," for i in items), "];"]


def signature(indent: str, head: str, params: Sequence[tuple[str, Type]], tail: str) -> list[str]:
    """`head(p: T, ...)tail`, e.g. `async predict(` ... `): Promise<string> {`."""
    flat = ", ".join(f"{name}: {t.text}" for name, t in params)
    one = f"{indent}{head}({flat}){tail}"
    if fits(one) or not params:
        return [one]
    lines = [f"{indent}{head}("]
    for name, t in params:
        lines.extend(typed(indent + INDENT, name, t, ","))
    return [*lines, f"{indent}){tail}"]


def call(indent: str, head: str, args: Sequence[str], tail: str) -> list[str]:
    """`head(a, b)tail` (a statement), the arguments one per line when it does not fit."""
    one = f"{indent}{head}({', '.join(args)}){tail}"
    if fits(one) or not args:
        return [one]
    return [f"{indent}{head}(", *(f"{indent}{INDENT}{a}," for a in args), f"{indent}){tail}"]


def prop(indent: str, key: str, value: str, fallback: str | None = None) -> list[str]:
    """`key: value,` in an object literal; with `fallback`, `key: value ?? fallback,`."""
    right = value if fallback is None else f"{value} ?? {fallback}"
    line = f"{indent}{key}: {right},"
    if fits(line) or (fallback is None and width(key) < SHORT_KEY):
        return [line]
    inner = indent + INDENT
    if fallback is None or fits(f"{inner}{right},"):
        return [f"{indent}{key}:", f"{inner}{right},"]
    return [f"{indent}{key}:", f"{inner}{value} ??", f"{inner}{fallback},"]


def obj(indent: str, head: str, entries: Sequence[list[str]], tail: str = ";") -> list[str]:
    """`head{` entries `}tail`, kept expanded (prettier keeps an object broken when its first key
    starts a new line); `head{}tail` when empty."""
    if not entries:
        return [f"{indent}{head}{{}}{tail}"]
    return [f"{indent}{head}{{", *(line for e in entries for line in e), f"{indent}}}{tail}"]


def imports(names: Sequence[str], source: str, type_only: bool = False) -> list[str]:
    keyword = "import type" if type_only else "import"
    one = f"{keyword} {{ {', '.join(names)} }} from {source};"
    if fits(one) or len(names) == 1:
        return [one]
    return [f"{keyword} {{", *(f"{INDENT}{n}," for n in names), f"}} from {source};"]
