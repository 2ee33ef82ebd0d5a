"""A REST body as a protobuf message: what `json_format.ParseDict(..., ignore_unknown_fields=False)`
gives, without its cost for the bodies clients send (ParseDict rebuilds a field-name table for
every message it converts, about 60 us of a predict body).

The fast road only takes what it can tell ParseDict takes the same way: known keys (proto or JSON
name, each field once, one member per oneof), strings, bools, ints (also as plain digits), finite
floats and "NaN" / "Infinity" / "-Infinity", enum names, padded standard base64, lists and
objects; well-known types (Struct, Value, Timestamp, ...) through ParseDict itself. Anything else
(null, map fields, urlsafe base64, "1e3" for an int, a wrong type, an unknown key, ...) drops what
it built and goes through ParseDict, which accepts or rejects it.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any, Final, TypeVar

from google.protobuf.json_format import ParseDict

from ..runtime.protoconv import is_repeated

__all__ = ["parse_dict"]

M = TypeVar("M")

_DEPTH: Final = 100  # ParseDict's default max_recursion_depth
_FLOAT_MAX: Final = float.fromhex("0x1.fffffep+127")
_EXACT: Final = 2**53  # ints a float holds exactly
_SURROGATE: Final = re.compile(  # ParseDict's own check for text fields
    "[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]"
)
_DIGITS: Final = re.compile("-?[0-9]+")  # int64 as text, as the runtime sends it
_MSG, _WKT, _STR, _BYTES, _BOOL, _INT, _FLOAT, _DOUBLE, _ENUM, _NO = range(10)
# A field: (proto name, kind, repeated, enum type or None, oneof name or None).
Spec = tuple[str, int, bool, Any, "str | None"]
_TABLES: dict[Any, dict[str, Spec]] = {}


class _Decline(Exception):
    """The fast road does not take this body."""


def parse_dict(body: Any, cls: type[M]) -> M:
    """A `cls` message from `body`, as `ParseDict(body, cls(), ignore_unknown_fields=False)`,
    raising what it raises."""
    message = cls()
    try:
        _fill(message, body, 1)
    except Exception:  # _Decline, or protobuf refusing a value (an int out of range, ...)
        return ParseDict(body, cls(), ignore_unknown_fields=False)  # type: ignore[no-any-return]
    return message


def _table(desc: Any) -> dict[str, Spec]:
    table = _TABLES.get(desc)
    if table is None:
        table = {}
        for f in desc.fields:
            oneof = f.containing_oneof
            spec = (f.name, _kind(f), is_repeated(f), f.enum_type, oneof and oneof.name)
            table[f.json_name] = table[f.name] = spec
        _TABLES[desc] = table
    return table


def _kind(f: Any) -> int:
    if f.type == f.TYPE_MESSAGE:
        msg = f.message_type
        if msg.GetOptions().map_entry:
            return _NO
        return _WKT if msg.full_name.startswith("google.protobuf.") else _MSG
    return {
        f.TYPE_STRING: _STR,
        f.TYPE_BYTES: _BYTES,
        f.TYPE_BOOL: _BOOL,
        f.TYPE_FLOAT: _FLOAT,
        f.TYPE_DOUBLE: _DOUBLE,
        f.TYPE_ENUM: _ENUM,
        f.TYPE_GROUP: _NO,
    }.get(f.type, _INT)


def _fill(message: Any, body: Any, depth: int) -> None:
    if type(body) is not dict or depth > _DEPTH:
        raise _Decline
    table = _table(message.DESCRIPTOR)
    names: set[str] = set()  # as ParseDict's: keys and oneof names seen
    fields: set[str] = set()
    for key, value in body.items():
        name, kind, repeated, enum, oneof = table[key]
        if value is None or kind == _NO or key in names or name in fields:
            raise _Decline
        names.add(key)
        fields.add(name)
        if oneof is not None:
            if oneof in names:
                raise _Decline
            names.add(oneof)
        if repeated:
            if type(value) is not list:
                raise _Decline
            container = getattr(message, name)
            if kind == _MSG or kind == _WKT:
                for item in value:
                    _fill_one(container.add(), kind, item, depth + 1)
            else:
                container.extend([_scalar(kind, item, enum) for item in value])
        elif kind == _MSG or kind == _WKT:
            sub = getattr(message, name)
            sub.SetInParent()
            _fill_one(sub, kind, value, depth + 1)
        else:
            setattr(message, name, _scalar(kind, value, enum))


def _fill_one(sub: Any, kind: int, value: Any, depth: int) -> None:
    if kind == _MSG:
        _fill(sub, value, depth)
    else:  # the depth ParseDict would have left at this point
        ParseDict(value, sub, ignore_unknown_fields=False, max_recursion_depth=_DEPTH - depth + 1)


def _scalar(kind: int, value: Any, enum: Any) -> Any:
    t = type(value)
    if kind == _STR and t is str:
        if value.isascii() or not _SURROGATE.search(value):
            return value
    elif kind == _INT or kind == _BOOL:
        if t is (int if kind == _INT else bool):
            return value
        if kind == _INT and t is str and _DIGITS.fullmatch(value):
            return int(value)
    elif kind == _FLOAT or kind == _DOUBLE:
        if t is float and math.isfinite(value):
            if kind == _DOUBLE or -_FLOAT_MAX <= value <= _FLOAT_MAX:
                return value
        elif t is int and -_EXACT <= value <= _EXACT:
            return float(value)
        elif t is str and value in ("NaN", "Infinity", "-Infinity"):
            return float(value)  # as ParseDict reads them
    elif kind == _ENUM:
        if t is str:
            return enum.values_by_name[value].number
        if t is int and value in enum.values_by_number:
            return value
    elif kind == _BYTES and t is str and len(value) % 4 == 0:
        return base64.b64decode(value, validate=True)
    raise _Decline
