"""The request / response JSON of the runtime <-> protobuf messages, directly (no JSON text).

What `json_format.ParseDict` / `MessageToDict(preserving_proto_field_name=True,
use_integers_for_enums=True)` do for the messages the runtime sends and reads, without their
generic per-field machinery, with these differences: bytes stay bytes both ways (an encoder may
put raw `bytes` where the JSON has base64; a response's bytes fields come back as `bytes`, which
the decoders take as they take base64 text), int64 values are ints, and a float32 field is the
Python float protobuf reads (0.9 reads as 0.8999999761581421, as the SDK decodes it; the JSON
text MessageToDict prints rounds it back to 0.9). Each message type's fields are looked up once and kept
(`_fields`). Well-known types other than Struct / ListValue / Value go through `json_format`.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from typing import Any

from .optional import import_optional

__all__ = ["ConversionError", "from_message", "new_message", "to_message"]

Json = dict[str, Any]

_MESSAGE, _STRUCT, _LIST, _VALUE, _OTHER_WKT, _MAP, _KEPT = range(7)
_SCALAR, _BYTES, _INT64, _FLOAT32, _DOUBLE, _ENUM = range(7, 13)
# Messages `from_message` leaves as they are: their decoder reads the fields (as the SDK does),
# so a thousand Concepts are not first turned into a thousand dicts.
KEPT = frozenset({"clarifai.api.Concept"})
_WKT = {
    "google.protobuf.Struct": _STRUCT,
    "google.protobuf.ListValue": _LIST,
    "google.protobuf.Value": _VALUE,
}
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class ConversionError(Exception):
    """A body the message type does not hold (a bug of the runtime, not the caller's)."""


# A field: (name, kind, repeated, descriptor of its message or enum type, or None).
Field = tuple[str, int, bool, Any]
_BY_NAME: dict[Any, dict[str, Field]] = {}  # message descriptor -> proto and JSON names
_BY_FIELD: dict[Any, Field] = {}  # field descriptor -> its Field
_PLAIN: dict[Any, str] = {}  # field descriptor -> name, for scalars read as they are
_NESTED: dict[Any, tuple[str, bool]] = {}  # field descriptor -> (name, repeated), for messages
_DIRECT: dict[Any, tuple[frozenset[str], tuple[str, ...]]] = {}  # see `_direct`


def _kind(field: Any) -> int:
    t = field.type
    if t == field.TYPE_MESSAGE:
        msg = field.message_type
        if _is_map(field):
            return _MAP
        if msg.full_name in _WKT:
            return _WKT[msg.full_name]
        if msg.full_name in KEPT:
            return _KEPT
        return _OTHER_WKT if msg.full_name.startswith("google.protobuf.") else _MESSAGE
    if t == field.TYPE_BYTES:
        return _BYTES
    if t in (
        field.TYPE_INT64,
        field.TYPE_UINT64,
        field.TYPE_SINT64,
        field.TYPE_FIXED64,
        field.TYPE_SFIXED64,
    ):
        return _INT64
    if t == field.TYPE_FLOAT:
        return _FLOAT32
    if t == field.TYPE_DOUBLE:
        return _DOUBLE
    if t == field.TYPE_ENUM:
        return _ENUM
    return _SCALAR


def _is_map(field: Any) -> bool:
    """Whether a message-typed field is a map: its value in a message is a mapping. Not from
    the entry type's `GetOptions().map_entry`, which imports protobuf's descriptor_pb2 (0.5 MB
    of a cold process); a map entry always has options, most messages have none."""
    if not field.message_type.has_options:
        return False
    holder = getattr(field.containing_type, "_concrete_class", None)  # set by protobuf
    if holder is None:
        return bool(field.message_type.GetOptions().map_entry)
    return isinstance(getattr(holder(), field.name), Mapping)


def is_repeated(field: Any) -> bool:
    """Whether a field descriptor is repeated: protobuf 6.31+ says `is_repeated` (7 has no
    `label`), the 5.x releases clarifai-grpc also allows only have `label` (3 = repeated)."""
    flag = getattr(field, "is_repeated", None)
    return bool(field.label == 3) if flag is None else bool(flag)


def _fields(desc: Any) -> dict[str, Field]:
    """The fields of a message type by proto name and by JSON name (looked up once)."""
    fields = _BY_NAME.get(desc)
    if fields is None:
        fields = {}
        for f in desc.fields:
            kind = _kind(f)
            spec = (f.name, kind, is_repeated(f) and kind != _MAP, f.message_type or f.enum_type)
            fields[f.json_name] = fields[f.name] = _BY_FIELD[f] = spec
        _BY_NAME[desc] = fields
    return fields


# ------------------------------------------------------------------ JSON -> message
def new_message(cls: Any, body: Json) -> Any:
    """A `cls` message from `body`: by protobuf's own constructor (in C) when `body` is already
    what it takes (proto names, bytes as bytes, numbers as numbers, enums by name or number);
    anything it refuses (base64 text, JSON names, "NaN", int64 as text, ...) by `to_message`."""
    try:
        return cls(**body)
    except Exception:
        return to_message(body, cls())


def to_message(body: Json, message: Any) -> Any:
    """Fill `message` from `body` (proto JSON, bytes values allowed); returns it."""
    try:
        _fill(message, body)
    except ConversionError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, binascii.Error) as exc:
        raise ConversionError(f"{type(exc).__name__}: {exc}") from None
    return message


Nested = list[tuple[str, int, bool, Any, Any]]


def _split(desc: Any, body: Any) -> tuple[Json, Nested]:
    """The scalar fields of `body` (converted, by proto name) and its message fields."""
    if not isinstance(body, dict):
        raise ConversionError(f"{desc.full_name}: expected an object")
    fields = _fields(desc)
    scalars: Json = {}
    nested: Nested = []
    for key, value in body.items():
        spec = fields.get(key)
        if spec is None:
            raise ConversionError(f"{desc.full_name} has no field {key!r}")
        name, kind, repeated, of = spec
        if value is None:
            continue
        if kind < _SCALAR:
            nested.append((name, _MESSAGE if kind == _KEPT else kind, repeated, of, value))
        elif kind == _SCALAR:
            scalars[name] = value
        elif repeated:
            scalars[name] = [_scalar(kind, v, of) for v in value]
        else:
            scalars[name] = _scalar(kind, value, of)
    return scalars, nested


def _fill(message: Any, body: Any) -> None:
    scalars, nested = _split(message.DESCRIPTOR, body)
    for name, value in scalars.items():
        if isinstance(value, list):
            getattr(message, name).extend(value)
        else:
            setattr(message, name, value)
    _fill_nested(message, nested)


def _fill_nested(message: Any, nested: Nested) -> None:
    for name, kind, repeated, of, value in nested:
        if kind == _MAP:
            target = getattr(message, name)
            for k, v in value.items():
                if isinstance(v, dict):
                    _fill(target[k], v)
                else:
                    target[k] = v
        elif repeated and kind == _MESSAGE:
            container = getattr(message, name)
            plain, floats = _direct(of)
            for item in value:
                if type(item) is dict and plain.issuperset(item) and None not in item.values():
                    for key in floats:  # a float spelled as text ("NaN") needs converting
                        if type(item.get(key)) is str:
                            break
                    else:
                        container.add(**item)  # Concepts and the like: nothing to convert
                        continue
                scalars, inner = _split(of, item)
                _fill_nested(container.add(**scalars), inner)  # one call for the scalars
        elif repeated:
            container = getattr(message, name)
            for item in value:
                _fill_one(container.add(), kind, item)
        else:
            sub = getattr(message, name)
            sub.SetInParent()
            _fill_one(sub, kind, value)


def _direct(desc: Any) -> tuple[frozenset[str], tuple[str, ...]]:
    """The keys of `desc` whose JSON value is the proto value (by proto name: strings, bools,
    32-bit integers and floats, not repeated), and those of them that are floats."""
    direct = _DIRECT.get(desc)
    if direct is None:
        plain = [
            key
            for key, (name, kind, repeated, _) in _fields(desc).items()
            if key == name and not repeated and kind in (_SCALAR, _FLOAT32, _DOUBLE)
        ]
        floats = tuple(k for k in plain if _fields(desc)[k][1] != _SCALAR)
        direct = _DIRECT[desc] = (frozenset(plain), floats)
    return direct


def _fill_one(sub: Any, kind: int, value: Any) -> None:
    if kind == _MESSAGE:
        _fill(sub, value)
    elif kind == _STRUCT:
        sub.update(value)
    elif kind == _LIST:
        sub.extend(value)
    else:  # Value, Timestamp, ...: rare, the generic road
        _json_format().ParseDict(value, sub)


def _scalar(kind: int, value: Any, enum: Any) -> Any:
    if kind == _BYTES:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return base64.b64decode(value)
    if kind == _INT64:
        return int(value)
    if kind in (_FLOAT32, _DOUBLE) and isinstance(value, str):
        return _SPECIAL[value] if value in _SPECIAL else float(value)
    if kind == _ENUM and isinstance(value, str):
        return enum.values_by_name[value].number
    return value


# ------------------------------------------------------------------ message -> JSON
def from_message(message: Any) -> Json:
    """The JSON of `message` (as `MessageToDict`, but bytes stay bytes, int64 stay ints and
    float32 values are the Python floats protobuf reads, as the SDK gets them)."""
    out: Json = {}
    for f, value in message.ListFields():
        name = _PLAIN.get(f)
        if name is not None:  # most fields: a scalar, as it is
            out[name] = value
            continue
        nested = _NESTED.get(f)
        if nested is not None:  # a message field
            name, repeated = nested
            out[name] = [from_message(v) for v in value] if repeated else from_message(value)
            continue
        spec = _BY_FIELD.get(f)
        if spec is None:
            spec = _fields(f.containing_type)[f.name]
        name, kind, repeated, _ = spec
        if kind < _SCALAR:
            if kind == _MESSAGE:
                _NESTED[f] = (name, repeated)
            out[name] = _read_message(kind, repeated, value)
        elif repeated:
            out[name] = list(value)
        else:
            _PLAIN[f] = name
            out[name] = value
    return out


def _read_message(kind: int, repeated: bool, value: Any) -> Any:
    if kind == _KEPT:
        return list(value) if repeated else value
    if kind == _MAP:
        return {k: from_message(v) if hasattr(v, "ListFields") else v for k, v in value.items()}
    if repeated:
        if kind == _MESSAGE:
            return [from_message(v) for v in value]
        return [_read_one(kind, v) for v in value]
    return _read_one(kind, value)


def _read_one(kind: int, value: Any) -> Any:
    if kind == _MESSAGE:
        return from_message(value)
    if kind != _VALUE and kind != _STRUCT and kind != _LIST:
        to_json = getattr(value, "ToJsonString", None)  # Timestamp, Duration, FieldMask
        if to_json is not None:
            return to_json()
    return _json_format().MessageToDict(
        value, preserving_proto_field_name=True, use_integers_for_enums=True
    )


def _json_format() -> Any:
    return import_optional("google.protobuf.json_format", "the gRPC transport")
