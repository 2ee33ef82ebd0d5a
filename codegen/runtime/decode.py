"""REST JSON `Data` -> Python values (the inverse of `encode`, like the SDK's `deserialize`).

Accepts both proto3 JSON spellings (snake_case and camelCase keys; int64 as strings or
numbers). Missing scalars decode as their zero value, because proto3 JSON omits them.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from typing import Any

from .errors import TransportError
from .optional import import_optional
from .signature import Type
from .types import Audio, Concept, Frame, Image, Region, Text, Video

__all__ = ["MalformedResponse", "decode_value"]

Json = dict[str, Any]
REPEATED = {"CONCEPT": "concepts", "REGION": "regions", "FRAME": "frames"}
_CAMEL = re.compile(r"_([a-z])")


class MalformedResponse(TransportError):
    """The response JSON does not have the shape the signature promises."""


def _bad(what: str) -> MalformedResponse:
    return MalformedResponse(f"malformed response: {what}")


def _get(d: Json, key: str, default: Any = None) -> Any:
    """`d[key]`, also under its camelCase spelling."""
    if key in d:
        return d[key]
    return d.get(_CAMEL.sub(lambda m: m.group(1).upper(), key), default)


def _obj(value: Any, what: str) -> Json:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(f"{what} is not a list")
    return value


def _str(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(f"{what} is not a string")
    return value


def _int(value: Any, what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        if isinstance(value, str):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    except ValueError:
        pass
    raise _bad(f"{what} is not an integer: {value!r}")


def _float(value: Any, what: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        if value in special:
            return special[value]
        try:
            return float(value)
        except ValueError:
            pass
    raise _bad(f"{what} is not a number: {value!r}")


def _bytes(value: Any, what: str) -> bytes:
    text = _str(value, what).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise _bad(f"{what} is not base64") from None


def _media(cls: type[Image] | type[Audio] | type[Video], value: Any, what: str) -> Any:
    d = _obj(value, what)
    url = _str(d.get("url"), f"{what}.url")
    data = _bytes(d.get("base64"), f"{what}.base64")
    return cls(url=url or None, bytes=data or None)


def _concept(value: Any, what: str) -> Concept:
    d = _obj(value, what)
    name = _str(d.get("name"), f"{what}.name")
    return Concept(name, _float(d.get("value"), f"{what}.value"), _str(d.get("id"), f"{what}.id"))


def _concepts(value: Any, what: str) -> list[Concept]:
    return [_concept(c, f"{what}[{i}]") for i, c in enumerate(_list(value, what))]


def _region(value: Any, what: str) -> Region:
    d = _obj(value, what)
    info = _obj(_get(d, "region_info"), f"{what}.region_info")
    data = _obj(d.get("data"), f"{what}.data")
    box = point = mask = None
    bb = _get(info, "bounding_box")
    if bb is not None:
        bb = _obj(bb, f"{what}.bounding_box")
        keys = ("left_col", "top_row", "right_col", "bottom_row")
        x0, y0, x1, y1 = (_float(_get(bb, k), f"{what}.bounding_box.{k}") for k in keys)
        box = (x0, y0, x1, y1)
    if info.get("point") is not None:
        p = _obj(info["point"], f"{what}.point")
        point = (
            _float(p.get("col"), f"{what}.point.col"),
            _float(p.get("row"), f"{what}.point.row"),
            _float(p.get("z"), f"{what}.point.z"),
        )
    if info.get("mask") is not None:
        m = _obj(info["mask"], f"{what}.mask")
        if m.get("image") is not None:
            mask = _media(Image, m["image"], f"{what}.mask.image")
    text = _obj(data.get("text"), f"{what}.data.text")
    return Region(
        box=box,
        concepts=_concepts(data.get("concepts"), f"{what}.data.concepts"),
        id=_str(d.get("id"), f"{what}.id"),
        text=_str(text.get("raw"), f"{what}.data.text.raw"),
        track_id=_str(_get(d, "track_id"), f"{what}.track_id"),
        mask=mask,
        point=point,
    )


def _frame(value: Any, what: str) -> Frame:
    d = _obj(value, what)
    info = _obj(_get(d, "frame_info"), f"{what}.frame_info")
    data = _obj(d.get("data"), f"{what}.data")
    image = data.get("image")
    regions = _list(data.get("regions"), f"{what}.data.regions")
    return Frame(
        image=None if image is None else _media(Image, image, f"{what}.data.image"),
        regions=[_region(r, f"{what}.data.regions[{i}]") for i, r in enumerate(regions)],
        time=_int(info.get("time"), f"{what}.frame_info.time") / 1000.0,
        index=_int(info.get("index"), f"{what}.frame_info.index"),
    )


_MEDIA: dict[str, type[Image] | type[Audio] | type[Video]] = {
    "IMAGE": Image,
    "AUDIO": Audio,
    "VIDEO": Video,
}
_ELEMENT: dict[str, Callable[[Any, str], Any]] = {
    "CONCEPT": _concept,
    "REGION": _region,
    "FRAME": _frame,
}


def _floats_in(value: Any) -> Any:
    """Struct numbers are doubles: 1 reads back as 1.0 (as through the SDK)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats_in(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_in(v) for v in value]
    raise _bad(f"unexpected JSON value {value!r}")


def _struct(value: Any, what: str) -> Any:
    if value is None:
        return None
    out = _floats_in(_obj(value, what))
    if len(out) == 1 and isinstance(out.get("_list"), list):
        return out["_list"]
    return out


def _ndarray(value: Any, what: str) -> Any:
    if value is None:
        return None
    d = _obj(value, what)
    buffer = _bytes(d.get("buffer"), f"{what}.buffer")
    dtype = _str(d.get("dtype"), f"{what}.dtype")
    if not buffer and not dtype:
        return None
    shape = [_int(n, f"{what}.shape") for n in _list(d.get("shape"), f"{what}.shape")]
    np = import_optional("numpy", "decoding an NDARRAY result")
    try:
        return np.frombuffer(buffer, dtype=np.dtype(dtype)).reshape(shape).copy()
    except (TypeError, ValueError) as e:
        raise _bad(f"{what}: {e}") from None


def _parts(data: Json, what: str) -> list[Json]:
    return [_obj(p, f"{what}.parts[{i}]") for i, p in enumerate(_list(data.get("parts"), what))]


_MESSAGE_FIELDS = (
    ("image", "IMAGE"),
    ("audio", "AUDIO"),
    ("video", "VIDEO"),
    ("concepts", "CONCEPT"),
    ("regions", "REGION"),
    ("frames", "FRAME"),
)


def _any(data: Json, what: str) -> Any:
    """Best effort for untyped values: decode whichever field is present."""
    scalars: list[tuple[str, Callable[[Any, str], Any]]] = [
        ("string_value", _str),
        ("int_value", _int),
        ("float_value", _float),
        ("bool_value", lambda v, _w: bool(v)),
        ("bytes_value", _bytes),
    ]
    for key, fn in scalars:
        raw = _get(data, key)
        if raw is not None:
            return fn(raw, what)
    for key, t in (("struct_value", "JSON_DATA"), ("ndarray", "NDARRAY"), ("text", "TEXT")):
        if _get(data, key) is not None:
            return decode_value(Type(t), data, what)
    for key, t in _MESSAGE_FIELDS:
        if data.get(key) is not None:
            return decode_value(Type(t), data, what)
    parts = _parts(data, what)
    if parts and all(p.get("id") for p in parts):
        return {p["id"]: _any(_obj(p.get("data"), what), f"{what}.{p['id']}") for p in parts}
    if parts:
        return [_any(_obj(p.get("data"), what), f"{what}[{i}]") for i, p in enumerate(parts)]
    return None


def decode_value(t: Type, data: Json, what: str = "data") -> Any:
    """Decode a `Data` JSON object holding a value of type `t`."""
    kind = t.t
    if kind == "STR":
        return _str(_get(data, "string_value"), what)
    if kind == "BYTES":
        return _bytes(_get(data, "bytes_value"), what)
    if kind == "INT":
        return _int(_get(data, "int_value"), what)
    if kind == "FLOAT":
        return _float(_get(data, "float_value"), what)
    if kind == "BOOL":
        raw = _get(data, "bool_value", False)
        if not isinstance(raw, bool):
            raise _bad(f"{what} is not a bool")
        return raw
    if kind == "NDARRAY":
        return _ndarray(data.get("ndarray"), f"{what}.ndarray")
    if kind == "JSON_DATA":
        return _struct(_get(data, "struct_value"), f"{what}.struct_value")
    if kind == "TEXT":
        if data.get("text") is None:
            return None
        text = _obj(data["text"], f"{what}.text")
        url = _str(text.get("url"), f"{what}.text.url")
        return Text(_str(text.get("raw"), f"{what}.text.raw"), url or None)
    if kind in ("IMAGE", "AUDIO", "VIDEO"):
        key = kind.lower()
        cls = _MEDIA[kind]
        return None if data.get(key) is None else _media(cls, data[key], f"{what}.{key}")
    if kind in REPEATED:
        items = _list(data.get(REPEATED[kind]), f"{what}.{REPEATED[kind]}")
        values = [_ELEMENT[kind](v, f"{what}[{i}]") for i, v in enumerate(items)]
        return values[0] if len(values) == 1 else (values or None)
    if kind == "LIST":
        inner = t.args[0]
        if inner.t in REPEATED:
            items = _list(data.get(REPEATED[inner.t]), f"{what}.{REPEATED[inner.t]}")
            return [_ELEMENT[inner.t](v, f"{what}[{i}]") for i, v in enumerate(items)]
        parts = _parts(data, what)
        return [
            decode_value(inner, _obj(p.get("data"), what), f"{what}[{i}]")
            for i, p in enumerate(parts)
        ]
    if kind == "TUPLE":
        parts = _parts(data, what)
        if not parts:
            return None
        if len(parts) != len(t.args):
            raise _bad(f"{what}: expected a tuple of {len(t.args)} parts, got {len(parts)}")
        return tuple(
            decode_value(sub, _obj(p.get("data"), what), f"{what}[{i}]")
            for i, (sub, p) in enumerate(zip(t.args, parts, strict=True))
        )
    if kind == "NAMED_FIELDS":
        parts = _parts(data, what)
        if not parts:
            return None
        by_id = {p.get("id"): _obj(p.get("data"), what) for p in parts}
        missing = [name for name, _ in t.fields if name not in by_id]
        if missing:
            raise _bad(f"{what}: missing field(s) {', '.join(repr(m) for m in missing)}")
        return {name: decode_value(sub, by_id[name], f"{what}.{name}") for name, sub in t.fields}
    return _any(data, what)
