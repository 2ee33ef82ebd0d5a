"""Python values -> REST JSON `Data` (protocol §4.2), with client-side validation: the
arguments of a call, constraints, and the nested `parts` of LIST, TUPLE and NAMED_FIELDS. Each
other DataType is a row of `datatypes.ROWS`."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .datatypes import REPEATED, ROWS, repeated_row
from .encoders import each, fail
from .errors import ArgumentError
from .signature import Field, Method, Type
from .types import Text

__all__ = ["check_constraints", "encode_args", "encode_part", "encode_value"]

Json = dict[str, Any]


def encode_args(method: Method, args: Mapping[str, Any], *, skip: str | None = None) -> list[Json]:
    """Validate `args` (wire name -> value; None = not passed) and encode them as `parts`.

    `skip` names an argument to leave out (the streamed input of a bidi call).
    """
    unknown = [k for k in args if method.field(k) is None]
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        raise ArgumentError(f"{method.name}() got unexpected argument(s) {names}")
    parts: list[Json] = []
    for f in method.inputs:
        if f.name == skip:
            continue
        value = args.get(f.name)
        if value is None:
            if f.required:
                raise ArgumentError(f"{method.name}() missing required argument {f.name!r}")
            continue
        where = f"{method.name}() argument {f.name!r}"
        part = encode_part(f.type, value, where, f.name)
        check_constraints(f, value, where)
        parts.append(part)
    return parts


def encode_part(t: Type, value: Any, where: str, part_id: str | None = None) -> Json:
    """A `Part` holding `value`. Like the SDK, an empty list (sent as nested parts) leaves
    `data` unset rather than empty."""
    data = encode_value(t, value, where)
    part: Json = {} if part_id is None else {"id": part_id}
    if data or not (t.t == "LIST" and repeated_row(t.args[0]) is None):
        part["data"] = data
    return part


def check_constraints(f: Field, value: Any, where: str) -> None:
    """`choices` and the inclusive [min, max] range of a field."""
    plain = value.text if isinstance(value, Text) else value
    if isinstance(plain, numbers.Integral) and not isinstance(plain, bool):
        plain = int(plain)  # numpy integers compare like ints
    if f.choices is not None and isinstance(plain, (str, int, float)):
        if not any(_same(plain, c) for c in f.choices):
            allowed = ", ".join(repr(c) for c in f.choices)
            raise ArgumentError(f"{where}: {plain!r} is not one of {allowed}")
    if isinstance(plain, bool) or not isinstance(plain, numbers.Real):
        return
    number = float(plain)
    if f.minimum is not None and not number >= f.minimum:
        raise ArgumentError(f"{where}: {plain!r} is below the minimum {f.minimum:g}")
    if f.maximum is not None and not number <= f.maximum:
        raise ArgumentError(f"{where}: {plain!r} is above the maximum {f.maximum:g}")


def _same(value: object, choice: object) -> bool:
    """Equal and of the same kind (True is not 1; 1 is 1.0)."""
    if value != choice:
        return False
    numeric = [isinstance(x, (int, float)) and not isinstance(x, bool) for x in (value, choice)]
    return all(numeric) or type(value) is type(choice)


def _items(value: Any, where: str) -> list[Any]:
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise fail(where, "list", value)
    return list(value)


def _list(t: Type, value: Any, where: str) -> Json:
    items = _items(value, where)
    inner = t.args[0]
    row = repeated_row(inner)
    if row is not None:
        encoded = each(row.encode, items, where)
        return {row.field: encoded} if encoded else {}
    parts = [encode_part(inner, v, f"{where}[{i}]") for i, v in enumerate(items)]
    return {"parts": parts} if parts else {}


def _tuple(t: Type, value: Any, where: str) -> Json:
    if not isinstance(value, (tuple, list)):
        raise fail(where, "tuple", value)
    if len(value) != len(t.args):
        raise ArgumentError(f"{where}: expected a tuple of length {len(t.args)}, got {len(value)}")
    parts = [
        encode_part(sub, v, f"{where}[{i}]", str(i))
        for i, (sub, v) in enumerate(zip(t.args, value, strict=True))
    ]
    return {"parts": parts}


def _named(t: Type, value: Any, where: str) -> Json:
    if not isinstance(value, Mapping):
        raise fail(where, "dict", value)
    names = [name for name, _ in t.fields]
    extra = [k for k in value if k not in names]
    if extra:
        raise ArgumentError(f"{where}: unexpected key(s) {', '.join(repr(k) for k in extra)}")
    missing = [k for k in names if k not in value]
    if missing:
        raise ArgumentError(f"{where}: missing key(s) {', '.join(repr(k) for k in missing)}")
    parts = [encode_part(sub, value[name], f"{where}[{name!r}]", name) for name, sub in t.fields]
    return {"parts": parts}


def _any(value: Any, where: str) -> Json:
    """Best effort for fields without a declared type: choose the row by the Python type."""
    if value is None:
        return {}
    for row in ROWS.values():  # a list of concepts, regions or frames (before JSON lists)
        if row.shape == REPEATED and isinstance(value, (list, tuple)) and value:
            if all(row.accepts(v) for v in value):
                return {row.field: [row.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    for row in ROWS.values():
        if row.accepts(value):
            return row.encode_data(value, where)
    raise fail(where, "a str, number, bool, bytes, JSON, numpy or media value", value)


def encode_value(t: Type, value: Any, where: str = "value") -> Json:
    """Encode one value of type `t` as a `Data` JSON object. `where` prefixes error messages."""
    container = _CONTAINERS.get(t.t)
    if container is not None:
        return container(t, value, where)
    row = ROWS.get(t.t)
    return _any(value, where) if row is None else row.encode_data(value, where)


_CONTAINERS: dict[str, Callable[[Type, Any, str], Json]] = {
    "LIST": _list,
    "TUPLE": _tuple,
    "NAMED_FIELDS": _named,
}
