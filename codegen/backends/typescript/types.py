"""IR types -> TypeScript types, plus the runtime names and the interfaces / aliases they need.

One row per DataType (this language's type map); LIST, TUPLE and NAMED_FIELDS are built from parts.
Every type returned is atomic (a name, `X[]`) or a union of atomic members (`Text | string`), so
`layout` can break lines as prettier does; a tuple gets an alias, a NAMED_FIELDS an interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...spec import DataType, TypeRef
from ...ts_literals import ts_string
from .layout import Type, atom
from .names import TsIdent, TsNamespace, pascal

# (output type, input type when wider, runtime names they use)
_ROWS: Mapping[DataType, tuple[str, str]] = {
    DataType.NOT_SET: ("unknown", ""),
    DataType.STR: ("string", ""),
    DataType.BYTES: ("Uint8Array", ""),
    DataType.INT: ("number", ""),
    DataType.FLOAT: ("number", ""),
    DataType.BOOL: ("boolean", ""),
    DataType.NDARRAY: ("NDArray", ""),
    DataType.JSON_DATA: ("JsonValue", ""),
    DataType.TEXT: ("Text", "Text | string"),
    DataType.IMAGE: ("Image", ""),
    DataType.CONCEPT: ("Concept", ""),
    DataType.REGION: ("Region", ""),
    DataType.FRAME: ("Frame", ""),
    DataType.AUDIO: ("Audio", ""),
    DataType.VIDEO: ("Video", ""),
}
STRUCTURAL = frozenset({DataType.LIST, DataType.TUPLE, DataType.NAMED_FIELDS})
assert set(_ROWS) | STRUCTURAL == set(DataType), "every DataType needs a row"
# Runtime exports the generated code names (reserved in every module).
RUNTIME_CLASSES = frozenset(
    {"NDArray", "Text", "Image", "Concept", "Region", "Frame", "Audio", "Video"}
)
RUNTIME_TYPES = frozenset({"JsonValue", "ModelRef", "CallOptions", "RunnerOptions"})
RUNTIME_VALUES = frozenset({"Client", "loadSignatures", "StreamingNotSupportedError"})
MODULE_NAMES = RUNTIME_CLASSES | RUNTIME_TYPES | RUNTIME_VALUES | {"MODEL", "METHODS"}


@dataclass(frozen=True)
class Interface:
    name: TsIdent
    props: tuple[tuple[str, bool, Type, tuple[str, ...]], ...]  # (key source, optional, type, doc)
    alias: bool = False  # `type X = {...}`: assignable to `Record<string, unknown>` (batch items)
    base: str = ""  # the interface it extends


@dataclass(frozen=True)
class TupleAlias:
    name: TsIdent
    items: tuple[str, ...]
    readonly: bool  # an argument's: a caller may pass a readonly tuple (`[...] as const`)


@dataclass
class TsTypes:
    """Maps types for one module; collects the runtime names, interfaces and aliases it uses."""

    names: TsNamespace
    runtime: set[str] = field(default_factory=set)
    declarations: list[Interface | TupleAlias] = field(default_factory=list)
    _shapes: dict[tuple[TypeRef, bool], TsIdent] = field(default_factory=dict)

    def type(self, t: TypeRef, is_input: bool, hint: str) -> Type:
        kind = t.kind
        if kind in _ROWS:
            out, wider = _ROWS[kind]
            text = wider if is_input and wider else out
            self.runtime.update(n for n in text.split(" | ") if n in MODULE_NAMES)
            return Type(tuple(text.split(" | ")))
        if kind is DataType.LIST:
            inner = self.type(t.args[0], is_input, hint + "Item")
            return atom(f"({inner.text})[]" if inner.union else f"{inner.text}[]")
        key = (t, is_input)
        known = self._shapes.get(key)
        if known is not None:
            return atom(known)
        if kind is DataType.TUPLE:
            items = tuple(
                self.type(a, is_input, f"{hint}Item{i}").text for i, a in enumerate(t.args)
            )
            name = self.names.add_ts(hint, pascal(hint, "T"), "type for")
            self.declarations.append(TupleAlias(name, items, is_input))
        else:
            props = tuple(
                (_key(k), False, self.type(sub, is_input, hint + pascal(k, "Field")), ())
                for k, sub in t.fields
            )
            name = self.names.add_ts(hint, pascal(hint, "T"), "interface for")
            self.declarations.append(Interface(name, props))
        self._shapes[key] = name
        return atom(name)

    def interface(
        self,
        hint: str,
        props: list[tuple[str, bool, Type, tuple[str, ...]]],
        alias: bool = False,
        base: str = "",
    ) -> TsIdent:
        name = self.names.add_ts(hint, pascal(hint, "T"), "interface for")
        self.declarations.append(Interface(name, tuple(props), alias, base))
        return name


def _key(key: str) -> str:
    """A property key as prettier prints it: bare when it is an identifier name (Unicode letters
    included, as in `名前: string`), else a quoted string literal."""
    return key if is_identifier_name(key) else ts_string(key)


def is_identifier_name(key: str) -> bool:
    """An ECMAScript IdentifierName (ID_Start / ID_Continue, `$`, `_`), as near as Python's
    XID classes tell."""
    if not key or key != key.strip() or "\\" in key:
        return False
    first_ok = key[0] == "$" or key[0].isidentifier()
    rest = "_" + key[1:].replace("$", "_").replace("\u200c", "_").replace("\u200d", "_")
    return first_ok and rest.isidentifier()


property_key = _key
