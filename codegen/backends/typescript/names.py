"""TypeScript identifiers: `TsIdent` (checked), camelCase for members and arguments, PascalCase
for types, reserved words renamed with a warning through a `Namespace`."""

from __future__ import annotations

import re

from ...errors import Level, Problem
from ...naming import Namespace, _ascii_words

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SIMPLE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Reserved words (ES2022 strict mode, modules) and names strict code cannot bind.
RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw true
    try typeof var void while with implements interface let package private protected public static
    yield await arguments eval undefined NaN Infinity constructor""".split()
)
# Type names a module may not redefine (TypeScript's own and the built-ins the output names).
TYPE_NAMES = frozenset(
    """any unknown never string number boolean symbol object bigint void undefined null
    Array Promise Record AsyncIterable Iterable Uint8Array Object String Number Boolean Error""".split()
)


class TsIdent(str):
    """An ASCII TypeScript identifier that is not a reserved word (checked on construction)."""

    __slots__ = ()

    def __new__(cls, value: str) -> TsIdent:
        if not _IDENT.fullmatch(value) or value in RESERVED:
            raise ValueError(f"not a safe TypeScript identifier: {value!r}")
        return super().__new__(cls, value)


def camel_case(raw: str, prefix: str) -> str:
    """`max_tokens` -> `maxTokens`; a name TypeScript cannot use gets a suffix or a prefix."""
    words = _ascii_words(raw)
    if not words:
        return prefix
    first = words[0].lower() if words[0].isupper() else words[0][:1].lower() + words[0][1:]
    name = first + "".join(w[:1].upper() + w[1:] for w in words[1:])
    if name[0].isdigit():
        name = prefix + name[:1].upper() + name[1:]
    return name + "_" if name in RESERVED else name


def pascal(raw: str, prefix: str) -> str:
    """`hello-world` -> `HelloWorld` (types and classes)."""
    name = "".join(w[:1].upper() + w[1:] for w in _ascii_words(raw)) or prefix
    if name[0].isdigit():
        name = prefix + name
    return name + "_" if name in RESERVED or name in TYPE_NAMES else name


class TsNamespace(Namespace):
    """A `Namespace` of TypeScript names: reserved words and unusable names are renamed, with a
    warning; camelCase itself (`max_tokens` -> `maxTokens`) is the language's style, not warned."""

    def add_ts(self, raw: str, candidate: str, what: str) -> TsIdent:
        return TsIdent(self.add_name(raw, candidate, what))

    def add_wire_ts(self, raw: str, prefix: str, what: str) -> TsIdent:
        candidate = camel_case(raw, prefix)
        name = self.add_ts(raw, candidate, what)
        natural = camel_case(raw, prefix).removesuffix("_") if _SIMPLE.fullmatch(raw) else None
        if name == candidate and candidate != natural:
            reason = "is a TypeScript reserved word" if natural else "cannot be a TypeScript name"
            self.problems.append(
                Problem(Level.WARNING, f"{what} {raw!r} {reason}; named {name!r}", self.where)
            )
        return name
