"""Decode `ModelTypeField.default` strings into validated Python literals.

The field is a string: STR and BYTES have their own formats (`datatypes.TYPES[...].decode`);
everything else is `json.dumps`'d, or `str(obj)` when that failed. Only values that survive
`ast.literal_eval(repr(v)) == v` are ever emitted as code.
"""

from __future__ import annotations

from typing import Any

from .datatypes import TYPES, json_value
from .errors import shown
from .literals import is_safe_literal
from .spec import DataType, Default, LiteralDefault, ServerDefault, TypeRef


def decode(ftype: TypeRef, text: str, required: bool) -> tuple[Default | None, str]:
    """Return (default, warning). `None` default means the argument is required."""
    if required:
        note = f"required argument has a default {shown(text)}; ignored" if text else ""
        return None, note
    if text == "null":
        return LiteralDefault(None), ""
    row = TYPES[ftype.kind]
    if row.decode is not None:
        return row.decode(text)
    if text == "":
        # Not required, but no default recorded: the model fills it in.
        return ServerDefault(""), ""
    value = json_value(text)
    if value is None:  # not JSON: the `str(obj)` of a default json.dumps could not write
        return ServerDefault(text), ""
    if conforms(ftype, value):
        value = coerce(ftype, value)
        if is_safe_literal(value):
            return LiteralDefault(value), ""
    return ServerDefault(
        text
    ), f"default {shown(text)} does not fit type {row.kind.name}; left to the model"


def conforms(ftype: TypeRef, value: Any) -> bool:
    """Does a JSON-decoded value fit the type (as a default or a choice)?"""
    kind = ftype.kind
    if value is None:
        return False
    if kind is DataType.LIST:
        return isinstance(value, list) and all(conforms(ftype.args[0], v) for v in value)
    if kind is DataType.TUPLE:
        return (
            isinstance(value, list)
            and len(value) == len(ftype.args)
            and all(conforms(t, v) for t, v in zip(ftype.args, value, strict=True))
        )
    accepts = TYPES[kind].literal
    return accepts is not None and accepts(value)


def decode_choice(ftype: TypeRef, choice_id: str) -> Any:
    """A choice id (always a string on the wire) as a value of the field's type, or None if invalid."""
    row = TYPES[ftype.kind]
    if row.choice is None:
        return None
    value = row.choice(choice_id)
    if value is None or not conforms(ftype, value):
        return None
    return coerce(ftype, value)


def coerce(ftype: TypeRef, value: Any) -> Any:
    """A conforming JSON value as a value of the type, items included: `tuple[int]` takes `(1,)`,
    never JSON's `[1.0]` (mypy rejects a float in an int tuple)."""
    if ftype.kind is DataType.LIST:
        return [coerce(ftype.args[0], v) for v in value]
    if ftype.kind is DataType.TUPLE:
        return tuple(coerce(t, v) for t, v in zip(ftype.args, value, strict=True))
    return TYPES[ftype.kind].coerce(value)
