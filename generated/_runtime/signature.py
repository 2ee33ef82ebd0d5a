"""Method signatures embedded in generated modules (`signature.load`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["KINDS", "TYPE_NAMES", "Field", "Method", "Type", "load", "parse_method"]

TYPE_NAMES = frozenset(
    "STR BYTES INT FLOAT BOOL NDARRAY JSON_DATA TEXT IMAGE CONCEPT REGION FRAME AUDIO VIDEO "
    "LIST TUPLE NAMED_FIELDS ANY".split()
)
KINDS = frozenset({"unary", "server_stream", "bidi_stream"})


@dataclass(frozen=True)
class Type:
    """A wire data type: `t` is the DataType name; `args` for LIST/TUPLE, `fields` for NAMED_FIELDS."""

    t: str
    args: tuple[Type, ...] = ()
    fields: tuple[tuple[str, Type], ...] = ()


@dataclass(frozen=True)
class Field:
    """One method argument (`name` is the wire name)."""

    name: str
    type: Type
    required: bool = False
    iterator: bool = False
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Method:
    """A model method: its name, call kind, arguments and return type."""

    name: str
    kind: str
    inputs: tuple[Field, ...]
    output: Type

    def field(self, name: str) -> Field | None:
        """The argument named `name`, if any."""
        return next((f for f in self.inputs if f.name == name), None)

    @property
    def streamed_input(self) -> Field | None:
        """The iterator argument of a bidi method."""
        return next((f for f in self.inputs if f.iterator), None)


def _fail(where: str, what: str) -> ValueError:
    return ValueError(f"invalid signature JSON ({where}): {what}")


def _parse_type(raw: Any, where: str) -> Type:
    if not isinstance(raw, Mapping) or raw.get("t") not in TYPE_NAMES:
        raise _fail(where, f"bad type {raw!r}")
    t = raw["t"]
    args = tuple(_parse_type(a, f"{where}.args") for a in raw.get("args") or ())
    fields: list[tuple[str, Type]] = []
    for item in raw.get("fields") or ():
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)):
            raise _fail(where, f"bad named field {item!r}")
        fields.append((item[0], _parse_type(item[1], f"{where}.{item[0]}")))
    if t == "LIST" and len(args) != 1:
        raise _fail(where, "LIST needs exactly one type argument")
    if t == "TUPLE" and not args:
        raise _fail(where, "TUPLE needs type arguments")
    if t == "NAMED_FIELDS" and not fields:
        raise _fail(where, "NAMED_FIELDS needs fields")
    return Type(t, args, tuple(fields))


def _number(raw: Any, where: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise _fail(where, f"bad bound {raw!r}")
    return float(raw)


def _parse_field(raw: Any, method: str) -> Field:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        raise _fail(method, f"bad field {raw!r}")
    where = f"{method}.{raw['name']}"
    choices = raw.get("choices")
    if choices is not None and not isinstance(choices, list):
        raise _fail(where, "choices must be a list")
    return Field(
        name=raw["name"],
        type=_parse_type(raw.get("type"), where),
        required=bool(raw.get("required", False)),
        iterator=bool(raw.get("iterator", False)),
        choices=tuple(choices) if choices else None,
        minimum=_number(raw.get("min"), where),
        maximum=_number(raw.get("max"), where),
    )


def parse_method(raw: Mapping[str, Any]) -> Method:
    """Build a `Method` from its decoded JSON object (unknown keys are ignored)."""
    name = raw.get("name")
    if not isinstance(name, str):
        raise _fail("?", "method name missing")
    kind = raw.get("kind", "unary")
    if kind not in KINDS:
        raise _fail(name, f"bad kind {kind!r}")
    inputs = tuple(_parse_field(f, name) for f in raw.get("inputs") or ())
    return Method(name, kind, inputs, _parse_type(raw.get("output"), f"{name}.return"))


def load(sources: Mapping[str, str]) -> dict[str, Method]:
    """Parse the per-method JSON strings a generated module embeds: `{name: json}`."""
    return {key: parse_method(json.loads(text)) for key, text in sources.items()}
