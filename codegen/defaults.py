"""Decode `ModelTypeField.default` strings into validated Python literals.

The field is a string whose encoding changed in SDK 11.5: STR defaults are stored raw (`low`) by new SDKs
and JSON-quoted (`"low"`) by old ones; everything else is `json.dumps`'d, or `str(obj)` when that failed.
Only values that survive `ast.literal_eval(repr(v)) == v` are ever emitted as code.
"""

from __future__ import annotations

import ast
import json
import math
from typing import Any

from .spec import DataType, Default, LiteralDefault, ServerDefault, TypeRef

_SCALARS = {DataType.STR: str, DataType.INT: int, DataType.FLOAT: float, DataType.BOOL: bool}


def decode(ftype: TypeRef, text: str, required: bool) -> tuple[Default | None, str]:
    """Return (default, warning). `None` default means the argument is required."""
    if required:
        note = f"required argument has a default {text!r}; ignored" if text else ""
        return None, note
    if text == "null":
        return LiteralDefault(None), ""
    kind = ftype.kind
    if text == "":
        if kind is DataType.STR:
            return LiteralDefault(""), ""
        # Not required, but no default recorded: the model fills it in.
        return ServerDefault(""), ""
    if kind is DataType.STR:
        try:
            legacy = json.loads(text)
        except ValueError:
            legacy = None
        if isinstance(legacy, str) and text.startswith('"'):
            return LiteralDefault(legacy), ""
        return LiteralDefault(text), ""
    if kind is DataType.BYTES:
        try:
            raw = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raw = None
        if isinstance(raw, bytes):
            return LiteralDefault(raw), ""
        return ServerDefault(text), f"BYTES default {text!r} is not a bytes literal"
    try:
        value: Any = json.loads(text)
    except (ValueError, RecursionError):
        return ServerDefault(text), ""
    if conforms(ftype, value) and is_safe_literal(value):
        if kind is DataType.INT:
            value = int(value)
        elif kind is DataType.FLOAT:
            value = float(value)
        elif kind is DataType.TUPLE:
            value = tuple(value)
        return LiteralDefault(value), ""
    return ServerDefault(text), f"default {text!r} does not fit type {kind.name}; left to the model"


def conforms(ftype: TypeRef, value: Any) -> bool:
    """Does a JSON-decoded value fit the type (as a default or a choice)?"""
    kind = ftype.kind
    if value is None:
        return False
    if kind is DataType.BOOL:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return kind is DataType.JSON_DATA
    if kind is DataType.INT:
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind is DataType.FLOAT:
        return isinstance(value, (int, float)) and _finite_float(value)
    if kind is DataType.STR:
        return isinstance(value, str)
    if kind is DataType.JSON_DATA:
        return True
    if kind is DataType.LIST:
        return isinstance(value, list) and all(conforms(ftype.args[0], v) for v in value)
    if kind is DataType.TUPLE:
        return (
            isinstance(value, list)
            and len(value) == len(ftype.args)
            and all(conforms(t, v) for t, v in zip(ftype.args, value, strict=True))
        )
    return False


def _finite_float(value: float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int too large for a double
        return False


def is_safe_literal(value: Any) -> bool:
    """True when `repr(value)` is a Python literal that evaluates back to an equal value."""
    try:
        return bool(ast.literal_eval(repr(value)) == value)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return False


def decode_choice(ftype: TypeRef, choice_id: str) -> Any:
    """A choice id (always a string on the wire) as a value of the field's type, or None if invalid."""
    kind = ftype.kind
    if kind is DataType.STR:
        return choice_id
    if kind is DataType.BOOL:
        return {"true": True, "false": False}.get(choice_id.lower())
    try:
        value = json.loads(choice_id)
    except ValueError:
        return None
    if kind not in _SCALARS or not conforms(ftype, value):
        return None
    return int(value) if kind is DataType.INT else float(value)
