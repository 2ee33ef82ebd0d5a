"""The encoders of the DataTypes: a Python value -> the JSON of the `Data` field holding it
(`datatypes.ROWS` says which field), validated. Errors are `ArgumentError`s naming `where`.

Output is canonical proto3 JSON (what `MessageToDict(..., preserving_proto_field_name=True)`
writes): zero scalars are omitted, int64 values are strings; except that bytes stay `bytes`
(encoded once: gRPC sends them as they are, the HTTP transport writes them as base64).
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import ArgumentError, indexed
from .optional import import_optional
from .types import Audio, Concept, Frame, Image, Region, Text, Video

Json = dict[str, Any]
_INT64 = (-(2**63), 2**63 - 1)


def fail(where: str, expected: str, value: object, hint: str = "") -> ArgumentError:
    return ArgumentError(f"{where}: expected {expected}, got {type(value).__name__}{hint}")


def each(encode: Callable[[Any, str], Any], items: list[Any], where: str) -> list[Any]:
    """`encode` applied to each of `items`, an error naming the item's index (`where[i]`)."""
    return indexed(encode, items, where, ArgumentError)


def _blob(data: bytes | bytearray) -> bytes:
    return bytes(data)  # a copy of a bytearray (the caller may change it), never of bytes


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise fail(where, "int", value)
    out = int(value)
    if not _INT64[0] <= out <= _INT64[1]:
        raise ArgumentError(f"{where}: {out} does not fit in a signed 64-bit integer")
    return out


def _float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail(where, "float", value)
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
        raise fail(where, "str", value)
    return value


def _scalar(key: str, value: object) -> Json:
    return {key: value} if value else {}


def _fscalar(key: str, value: float) -> Json:
    return _scalar(key, _json_float(value))


def pil_class() -> type | None:
    mod = sys.modules.get("PIL.Image")
    cls = getattr(mod, "Image", None)
    return cls if isinstance(cls, type) else None


def is_ndarray(value: object) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.ndarray)


def _media_json(value: Image | Audio | Video, where: str) -> Json:
    out: Json = {}
    if value.url is not None:
        out.update(_scalar("url", _str(value.url, f"{where}.url")))
    if value.bytes is not None:
        if not isinstance(value.bytes, (bytes, bytearray)):
            raise fail(f"{where}.bytes", "bytes", value.bytes)
        out.update(_scalar("base64", _blob(value.bytes)))
    return out


def image(value: Any, where: str) -> Json:
    if isinstance(value, Image):
        return _media_json(value, where)
    pil = pil_class()
    if pil is not None and isinstance(value, pil):
        return _media_json(Image.from_pil(value), where)
    hint = (
        " (use Image.from_url(...) or Image.from_bytes(...))"
        if isinstance(value, (str, bytes))
        else ""
    )
    raise fail(where, "Image or PIL.Image.Image", value, hint)


def concept(value: Any, where: str) -> Json:
    if type(value) is Concept:  # the common case, checked without building any message
        cid, name, score = value.id, value.name, value.value
        if type(cid) is str and type(name) is str and type(score) is float and score - score == 0:
            out: Json = {}
            if cid:
                out["id"] = cid
            if name:
                out["name"] = name
            if score:
                out["value"] = score
            return out
    return _concept(value, where)


def _concept(value: Any, where: str) -> Json:
    if not isinstance(value, Concept):
        raise fail(where, "Concept", value)
    value_f = _float(value.value, f"{where}.value")
    return {
        **_scalar("id", _str(value.id, f"{where}.id")),
        **_scalar("name", _str(value.name, f"{where}.name")),
        **_fscalar("value", value_f),
    }


def _floats(value: Any, n: int, where: str) -> list[float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise fail(where, f"a tuple of {n} floats", value)
    items = [_float(v, where) for v in value]
    if len(items) != n:
        raise ArgumentError(f"{where}: expected {n} values, got {len(items)}")
    return items


def region(value: Any, where: str) -> Json:
    if not isinstance(value, Region):
        raise fail(where, "Region", value)
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
        info["mask"] = {"image": image(value.mask, f"{where}.mask")}
    if value.point is not None:
        x, y, z = _floats(value.point, 3, f"{where}.point")
        info["point"] = {**_fscalar("row", y), **_fscalar("col", x), **_fscalar("z", z)}
    data: Json = {}
    if not isinstance(value.concepts, (list, tuple)):
        raise fail(f"{where}.concepts", "list[Concept]", value.concepts)
    if value.concepts:
        concepts = value.concepts
        data["concepts"] = each(concept, concepts, f"{where}.concepts")
    if _str(value.text, f"{where}.text"):
        data["text"] = {"raw": value.text}
    out: Json = _scalar("id", _str(value.id, f"{where}.id"))
    if info:
        out["region_info"] = info
    if data:
        out["data"] = data
    out.update(_scalar("track_id", _str(value.track_id, f"{where}.track_id")))
    return out


def frame(value: Any, where: str) -> Json:
    if not isinstance(value, Frame):
        raise fail(where, "Frame", value)
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
        data["image"] = image(value.image, f"{where}.image")
    if not isinstance(value.regions, (list, tuple)):
        raise fail(f"{where}.regions", "list[Region]", value.regions)
    if value.regions:
        data["regions"] = each(region, value.regions, f"{where}.regions")
    if data:
        out["data"] = data
    return out


def text(value: Any, where: str) -> Json:
    if isinstance(value, str):
        value = Text(value)
    elif isinstance(value, Mapping):
        value = Text(value.get("text") or "", value.get("url"))
    if not isinstance(value, Text):
        raise fail(where, "Text or str", value)
    raw = _str(value.text, f"{where}.text")
    url = "" if value.url is None else _str(value.url, f"{where}.url")
    return {**_scalar("raw", raw), **_scalar("url", url)}


def ndarray(value: Any, where: str) -> Json:
    np = import_optional("numpy", "encoding an NDARRAY argument")
    if not isinstance(value, (np.ndarray, list, tuple)) and not isinstance(value, np.generic):
        raise fail(where, "numpy.ndarray", value)
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.number):
        raise ArgumentError(f"{where}: expected a numeric array, got dtype {arr.dtype}")
    nd: Json = {**_scalar("buffer", arr.tobytes()), "dtype": str(arr.dtype)}
    if arr.shape:
        nd["shape"] = [int(n) for n in arr.shape]
    return nd


def string(value: Any, where: str) -> str:
    return _str(value, where)


def int64(value: Any, where: str) -> str:
    n = _int(value, where)
    return str(n) if n else ""


def double(value: Any, where: str) -> float | str:
    return _json_float(_float(value, where))


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise fail(where, "bool", value)
    return value


def raw_bytes(value: Any, where: str) -> bytes:
    if not isinstance(value, (bytes, bytearray)):
        raise fail(where, "bytes", value)
    return _blob(value)


def audio(value: Any, where: str) -> Json:
    if not isinstance(value, Audio):
        raise fail(where, "Audio", value)
    return _media_json(value, where)


def video(value: Any, where: str) -> Json:
    if not isinstance(value, Video):
        raise fail(where, "Video", value)
    return _media_json(value, where)


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
    raise fail(where, "a JSON value", value)


def json_data(value: Any, where: str) -> Json:
    if isinstance(value, (list, tuple)):
        return {"_list": _plain_json(value, where)}
    if isinstance(value, Mapping):
        return dict(_plain_json(value, where))
    raise fail(where, "dict or list (JSON)", value)


def is_image(value: Any) -> bool:
    """An `Image`, or a PIL image when Pillow is loaded."""
    pil = pil_class()
    return isinstance(value, Image) or (pil is not None and isinstance(value, pil))
