"""Python values -> REST JSON `Data` (protocol §4.2), with client-side validation.

Output is canonical proto3 JSON (what `MessageToDict(..., preserving_proto_field_name=True)`
writes): zero scalars are omitted, int64 values are strings, bytes are base64.
"""

from __future__ import annotations

import base64
import math
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import ArgumentError
from .optional import import_optional
from .signature import Field, Method, Type
from .types import Audio, Concept, Frame, Image, Region, Text, Video

__all__ = ["check_constraints", "encode_args", "encode_part", "encode_value"]

Json = dict[str, Any]
_INT64 = (-(2**63), 2**63 - 1)
REPEATED = {"CONCEPT": "concepts", "REGION": "regions", "FRAME": "frames"}


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
    if data or not (t.t == "LIST" and t.args[0].t not in REPEATED):
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


def _fail(where: str, expected: str, value: object, hint: str = "") -> ArgumentError:
    return ArgumentError(f"{where}: expected {expected}, got {type(value).__name__}{hint}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _fail(where, "int", value)
    out = int(value)
    if not _INT64[0] <= out <= _INT64[1]:
        raise ArgumentError(f"{where}: {out} does not fit in a signed 64-bit integer")
    return out


def _float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(where, "float", value)
    return float(value)


def _json_float(value: float) -> float | str:
    """Proto3 JSON spells non-finite doubles as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "str", value)
    return value


def _scalar(key: str, value: object) -> Json:
    return {key: value} if value else {}


def _fscalar(key: str, value: float) -> Json:
    return _scalar(key, _json_float(value))


def _pil_class() -> type | None:
    mod = sys.modules.get("PIL.Image")
    cls = getattr(mod, "Image", None)
    return cls if isinstance(cls, type) else None


def _is_ndarray(value: object) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.ndarray)


def _media_json(value: Image | Audio | Video, where: str) -> Json:
    out: Json = {}
    if value.url is not None:
        out.update(_scalar("url", _str(value.url, f"{where}.url")))
    if value.bytes is not None:
        if not isinstance(value.bytes, (bytes, bytearray)):
            raise _fail(f"{where}.bytes", "bytes", value.bytes)
        out.update(_scalar("base64", _b64(bytes(value.bytes))))
    return out


def _image_json(value: Any, where: str) -> Json:
    if isinstance(value, Image):
        return _media_json(value, where)
    pil = _pil_class()
    if pil is not None and isinstance(value, pil):
        return _media_json(Image.from_pil(value), where)
    hint = (
        " (use Image.from_url(...) or Image.from_bytes(...))"
        if isinstance(value, (str, bytes))
        else ""
    )
    raise _fail(where, "Image or PIL.Image.Image", value, hint)


def _concept_json(value: Any, where: str) -> Json:
    if not isinstance(value, Concept):
        raise _fail(where, "Concept", value)
    value_f = _float(value.value, f"{where}.value")
    return {
        **_scalar("id", _str(value.id, f"{where}.id")),
        **_scalar("name", _str(value.name, f"{where}.name")),
        **_fscalar("value", value_f),
    }


def _floats(value: Any, n: int, where: str) -> list[float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise _fail(where, f"a tuple of {n} floats", value)
    items = [_float(v, where) for v in value]
    if len(items) != n:
        raise ArgumentError(f"{where}: expected {n} values, got {len(items)}")
    return items


def _region_json(value: Any, where: str) -> Json:
    if not isinstance(value, Region):
        raise _fail(where, "Region", value)
    info: Json = {}
    if value.box is not None:
        x0, y0, x1, y1 = _floats(value.box, 4, f"{where}.box")
        info["bounding_box"] = {
            **_fscalar("top_row", y0),
            **_fscalar("left_col", x0),
            **_fscalar("bottom_row", y1),
            **_fscalar("right_col", x1),
        }
    if value.mask is not None:
        info["mask"] = {"image": _image_json(value.mask, f"{where}.mask")}
    if value.point is not None:
        x, y, z = _floats(value.point, 3, f"{where}.point")
        info["point"] = {**_fscalar("row", y), **_fscalar("col", x), **_fscalar("z", z)}
    data: Json = {}
    if not isinstance(value.concepts, (list, tuple)):
        raise _fail(f"{where}.concepts", "list[Concept]", value.concepts)
    if value.concepts:
        concepts = value.concepts
        data["concepts"] = [
            _concept_json(c, f"{where}.concepts[{i}]") for i, c in enumerate(concepts)
        ]
    if _str(value.text, f"{where}.text"):
        data["text"] = {"raw": value.text}
    out: Json = _scalar("id", _str(value.id, f"{where}.id"))
    if info:
        out["region_info"] = info
    if data:
        out["data"] = data
    out.update(_scalar("track_id", _str(value.track_id, f"{where}.track_id")))
    return out


def _frame_json(value: Any, where: str) -> Json:
    if not isinstance(value, Frame):
        raise _fail(where, "Frame", value)
    index = _int(value.index, f"{where}.index")
    seconds = _float(value.time, f"{where}.time")
    if index < 0 or index >= 2**32:
        raise ArgumentError(f"{where}.index: {index} is out of range")
    if not 0 <= seconds < 2**63 / 1000:
        raise ArgumentError(f"{where}.time: {seconds} is out of range")
    out: Json = {}
    if index or seconds:
        ms = round(seconds * 1000)
        out["frame_info"] = {**_scalar("index", index), **_scalar("time", str(ms) if ms else "")}
    data: Json = {}
    if value.image is not None:
        data["image"] = _image_json(value.image, f"{where}.image")
    if not isinstance(value.regions, (list, tuple)):
        raise _fail(f"{where}.regions", "list[Region]", value.regions)
    if value.regions:
        data["regions"] = [
            _region_json(r, f"{where}.regions[{i}]") for i, r in enumerate(value.regions)
        ]
    if data:
        out["data"] = data
    return out


_ELEMENT: dict[str, Callable[[Any, str], Json]] = {
    "CONCEPT": _concept_json,
    "REGION": _region_json,
    "FRAME": _frame_json,
}


def _text(value: Any, where: str) -> Json:
    if isinstance(value, str):
        value = Text(value)
    elif isinstance(value, Mapping):
        value = Text(value.get("text") or "", value.get("url"))
    if not isinstance(value, Text):
        raise _fail(where, "Text or str", value)
    raw = _str(value.text, f"{where}.text")
    url = "" if value.url is None else _str(value.url, f"{where}.url")
    return {"text": {**_scalar("raw", raw), **_scalar("url", url)}}


def _ndarray(value: Any, where: str) -> Json:
    np = import_optional("numpy", "encoding an NDARRAY argument")
    if not isinstance(value, (np.ndarray, list, tuple)) and not isinstance(value, np.generic):
        raise _fail(where, "numpy.ndarray", value)
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.number):
        raise ArgumentError(f"{where}: expected a numeric array, got dtype {arr.dtype}")
    nd: Json = {**_scalar("buffer", _b64(arr.tobytes())), "dtype": str(arr.dtype)}
    if arr.shape:
        nd["shape"] = [int(n) for n in arr.shape]
    return {"ndarray": nd}


def _plain_json(value: Any, where: str) -> Any:
    """A JSON-compatible copy of `value` (tuples become lists), or ArgumentError."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ArgumentError(f"{where}: {value} cannot be sent as JSON")
        return value
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ArgumentError(
                    f"{where}: JSON object keys must be str, got {type(k).__name__}"
                )
            out[k] = _plain_json(v, f"{where}[{k!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise _fail(where, "a JSON value", value)


def _json_data(value: Any, where: str) -> Json:
    if isinstance(value, (list, tuple)):
        return {"struct_value": {"_list": _plain_json(value, where)}}
    if isinstance(value, Mapping):
        return {"struct_value": _plain_json(value, where)}
    raise _fail(where, "dict or list (JSON)", value)


def _items(value: Any, where: str) -> list[Any]:
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise _fail(where, "list", value)
    return list(value)


def _list(t: Type, value: Any, where: str) -> Json:
    items = _items(value, where)
    inner = t.args[0]
    if inner.t in REPEATED:
        encoded = [_ELEMENT[inner.t](v, f"{where}[{i}]") for i, v in enumerate(items)]
        return {REPEATED[inner.t]: encoded} if encoded else {}
    parts = [encode_part(inner, v, f"{where}[{i}]") for i, v in enumerate(items)]
    return {"parts": parts} if parts else {}


def _tuple(t: Type, value: Any, where: str) -> Json:
    if not isinstance(value, (tuple, list)):
        raise _fail(where, "tuple", value)
    if len(value) != len(t.args):
        raise ArgumentError(f"{where}: expected a tuple of length {len(t.args)}, got {len(value)}")
    parts = [
        encode_part(sub, v, f"{where}[{i}]", str(i))
        for i, (sub, v) in enumerate(zip(t.args, value, strict=True))
    ]
    return {"parts": parts}


def _named(t: Type, value: Any, where: str) -> Json:
    if not isinstance(value, Mapping):
        raise _fail(where, "dict", value)
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
    """Best effort for fields without a declared type: choose by the Python type."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return _scalar("bool_value", value)
    if isinstance(value, numbers.Integral):
        return _scalar("int_value", str(_int(value, where)) if value else "")
    if isinstance(value, numbers.Real):
        return _fscalar("float_value", float(value))
    if isinstance(value, str):
        return _scalar("string_value", value)
    if isinstance(value, (bytes, bytearray)):
        return _scalar("bytes_value", _b64(bytes(value)))
    if isinstance(value, Text):
        return _text(value, where)
    pil = _pil_class()
    if isinstance(value, Image) or (pil is not None and isinstance(value, pil)):
        return {"image": _image_json(value, where)}
    if isinstance(value, (Audio, Video)):
        return {type(value).__name__.lower(): _media_json(value, where)}
    for t, cls in (("CONCEPT", Concept), ("REGION", Region), ("FRAME", Frame)):
        if isinstance(value, cls):
            return {REPEATED[t]: [_ELEMENT[t](value, where)]}
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, cls) for v in value):
            return {REPEATED[t]: [_ELEMENT[t](v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if _is_ndarray(value):
        return _ndarray(value, where)
    if isinstance(value, (Mapping, list, tuple)):
        return _json_data(value, where)
    raise _fail(where, "a str, number, bool, bytes, JSON, numpy or media value", value)


def encode_value(t: Type, value: Any, where: str = "value") -> Json:
    """Encode one value of type `t` as a `Data` JSON object. `where` prefixes error messages."""
    kind = t.t
    if kind == "STR":
        return _scalar("string_value", _str(value, where))
    if kind == "BYTES":
        if not isinstance(value, (bytes, bytearray)):
            raise _fail(where, "bytes", value)
        return _scalar("bytes_value", _b64(bytes(value)))
    if kind == "INT":
        n = _int(value, where)
        return _scalar("int_value", str(n) if n else "")
    if kind == "FLOAT":
        return _fscalar("float_value", _float(value, where))
    if kind == "BOOL":
        if not isinstance(value, bool):
            raise _fail(where, "bool", value)
        return _scalar("bool_value", value)
    if kind == "NDARRAY":
        return _ndarray(value, where)
    if kind == "JSON_DATA":
        return _json_data(value, where)
    if kind == "TEXT":
        return _text(value, where)
    if kind == "IMAGE":
        return {"image": _image_json(value, where)}
    if kind in ("AUDIO", "VIDEO"):
        cls = Audio if kind == "AUDIO" else Video
        if not isinstance(value, cls):
            raise _fail(where, cls.__name__, value)
        return {kind.lower(): _media_json(value, where)}
    if kind in REPEATED:
        return {REPEATED[kind]: [_ELEMENT[kind](value, where)]}
    if kind == "LIST":
        return _list(t, value, where)
    if kind == "TUPLE":
        return _tuple(t, value, where)
    if kind == "NAMED_FIELDS":
        return _named(t, value, where)
    return _any(value, where)
