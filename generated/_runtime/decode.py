"""REST JSON `Data` -> Python values (the inverse of `encode`, like the SDK's `deserialize`): the
nested `parts` of LIST, TUPLE and NAMED_FIELDS, and values of undeclared type. Each other DataType
is a row of `datatypes.ROWS`; its decoder is in `decoders`."""

from __future__ import annotations

from typing import Any

from .datatypes import ROWS, repeated_row
from .decoders import MalformedResponse, as_list, bad, each, get_field, obj
from .signature import Type

__all__ = ["MalformedResponse", "decode_value"]

Json = dict[str, Any]


def _parts(data: Json, what: str) -> list[Json]:
    return [obj(p, f"{what}.parts[{i}]") for i, p in enumerate(as_list(data.get("parts"), what))]


def _any(data: Json, what: str) -> Any:
    """Best effort for untyped values: decode whichever field is present (in the rows' order),
    else nested parts (named: a dict; unnamed: a list)."""
    for row in ROWS.values():
        if get_field(data, row.field) is not None:
            return row.decode_data(data, what)
    parts = _parts(data, what)
    if parts and all(p.get("id") for p in parts):
        return {p["id"]: _any(obj(p.get("data"), what), f"{what}.{p['id']}") for p in parts}
    if parts:
        return [_any(obj(p.get("data"), what), f"{what}[{i}]") for i, p in enumerate(parts)]
    return None


def _list(t: Type, data: Json, what: str) -> Any:
    inner = t.args[0]
    row = repeated_row(inner)
    if row is not None:
        items = as_list(data.get(row.field), f"{what}.{row.field}")
        return each(row.decode, items, what)
    return [
        decode_value(inner, obj(p.get("data"), what), f"{what}[{i}]")
        for i, p in enumerate(_parts(data, what))
    ]


def _tuple(t: Type, data: Json, what: str) -> Any:
    parts = _parts(data, what)
    if not parts:
        return None
    if len(parts) != len(t.args):
        raise bad(f"{what}: expected a tuple of {len(t.args)} parts, got {len(parts)}")
    return tuple(
        decode_value(sub, obj(p.get("data"), what), f"{what}[{i}]")
        for i, (sub, p) in enumerate(zip(t.args, parts, strict=True))
    )


def _named(t: Type, data: Json, what: str) -> Any:
    parts = _parts(data, what)
    if not parts:
        return None
    by_id = {p.get("id"): obj(p.get("data"), what) for p in parts}
    missing = [name for name, _ in t.fields if name not in by_id]
    if missing:
        raise bad(f"{what}: missing field(s) {', '.join(repr(m) for m in missing)}")
    return {name: decode_value(sub, by_id[name], f"{what}.{name}") for name, sub in t.fields}


_CONTAINERS = {"LIST": _list, "TUPLE": _tuple, "NAMED_FIELDS": _named}


def decode_value(t: Type, data: Json, what: str = "data") -> Any:
    """Decode a `Data` JSON object holding a value of type `t`."""
    container = _CONTAINERS.get(t.t)
    if container is not None:
        return container(t, data, what)
    row = ROWS.get(t.t)
    return _any(data, what) if row is None else row.decode_data(data, what)
