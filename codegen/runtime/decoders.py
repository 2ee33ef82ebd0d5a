"""The decoders of the DataTypes: the JSON of the `Data` field holding a value (None when the
field is absent) -> the Python value (`datatypes.ROWS` says which field). Errors are
`MalformedResponse`s naming `what`.

Accepts both proto3 JSON spellings (snake_case and camelCase keys; int64 as strings or
numbers). Missing scalars decode as their zero value, because proto3 JSON omits them.
"""

from __future__ import annotations

import binascii
import math
import re
import sys
from collections.abc import Callable
from typing import Any

from .errors import TransportError, indexed, shown
from .optional import import_optional
from .types import Audio, Concept, Frame, Image, Region, Text, Video

Json = dict[str, Any]
_CAMEL = re.compile(r"_([a-z])")


class MalformedResponse(TransportError):
    """The response JSON does not have the shape the signature promises."""


def bad(what: str) -> MalformedResponse:
    return MalformedResponse(f"malformed response: {what}")


def get_field(d: Json, key: str, default: Any = None) -> Any:
    """`d[key]`, also under its camelCase spelling."""
    if key in d:
        return d[key]
    return d.get(_CAMEL.sub(lambda m: m.group(1).upper(), key), default)


def obj(value: Any, what: str) -> Json:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad(f"{what} is not an object")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad(f"{what} is not a list")
    return value


def string(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad(f"{what} is not a string")
    return value


def int64(value: Any, what: str) -> int:
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
    raise bad(f"{what} is not an integer: {shown(value)}")


def double(value: Any, what: str) -> float:
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
    raise bad(f"{what} is not a number: {shown(value)}")


_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def raw_bytes(value: Any, what: str) -> bytes:
    """Bytes as gRPC gives them, or base64 text (standard or URL-safe, padding optional)."""
    if isinstance(value, bytes):
        return value
    text = string(value, what)
    if "-" in text or "_" in text:
        text = text.replace("-", "+").replace("_", "/")
    try:
        return _a2b_checked(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):  # ValueError: not ASCII
        raise bad(f"{what} is not base64") from None


def _a2b_checked_py310(text: str) -> bytes:
    """Only the alphabet, then at most two "=" (checked in C), decoded."""
    raw = text.encode("ascii")
    core = raw.rstrip(b"=")
    if len(raw) - len(core) > 2 or core.translate(None, _B64_ALPHABET):
        raise ValueError
    return binascii.a2b_base64(raw)


if sys.version_info >= (3, 11):

    def _a2b_strict(text: str) -> bytes:
        """The same check, the alphabet's part made by a2b_base64 as it decodes: no copy of the
        text and no second pass over it (a fifth of a 1 MB image's decoding)."""
        if text.endswith("==="):  # strict mode lets padding run on after a whole quantum
            raise ValueError
        return binascii.a2b_base64(text, strict_mode=True)

    _a2b_checked = _a2b_strict
else:
    _a2b_checked = _a2b_checked_py310


def _media(cls: type[Image] | type[Audio] | type[Video], value: Any, what: str) -> Any:
    d = obj(value, what)
    url = string(d.get("url"), f"{what}.url")
    data = raw_bytes(d.get("base64"), f"{what}.base64")
    return cls(url=url or None, bytes=data or None)


def each(decode: Callable[[Any, str], Any], items: list[Any], what: str) -> list[Any]:
    """`decode` applied to each of `items`, an error naming the item's index (`what[i]`)."""
    return indexed(decode, items, what, MalformedResponse)


def concept(value: Any, what: str) -> Concept:
    """A Concept from its JSON, or from its message (gRPC: `protoconv.KEPT`)."""
    if type(value) is dict:  # the common case, checked without building any message
        name, score, cid = value.get("name", ""), value.get("value", 0.0), value.get("id", "")
        if type(name) is str and type(score) is float and type(cid) is str:
            return Concept(name, score, cid)
    elif hasattr(value, "DESCRIPTOR"):  # a clarifai.api.Concept: typed by protobuf
        return Concept(value.name, value.value, value.id)
    d = obj(value, what)
    name = string(d.get("name"), f"{what}.name")
    return Concept(name, double(d.get("value"), f"{what}.value"), string(d.get("id"), f"{what}.id"))


def _concepts(value: Any, what: str) -> list[Concept]:
    items = as_list(value, what)
    if items and hasattr(items[0], "DESCRIPTOR"):  # gRPC: clarifai.api.Concept messages
        try:  # typed by protobuf: nothing to check per item (a thousand calls of `concept` saved)
            return [Concept(c.name, c.value, c.id) for c in items]
        except AttributeError:  # not all messages: item by item, errors named
            pass
    return each(concept, items, what)


def region(value: Any, what: str) -> Region:
    d = obj(value, what)
    info = obj(get_field(d, "region_info"), f"{what}.region_info")
    data = obj(d.get("data"), f"{what}.data")
    box = point = mask = None
    bb = get_field(info, "bounding_box")
    if bb is not None:
        bb = obj(bb, f"{what}.bounding_box")
        keys = ("left_col", "top_row", "right_col", "bottom_row")
        x0, y0, x1, y1 = (double(get_field(bb, k), f"{what}.bounding_box.{k}") for k in keys)
        box = (x0, y0, x1, y1)
    if info.get("point") is not None:
        p = obj(info["point"], f"{what}.point")
        point = (
            double(p.get("col"), f"{what}.point.col"),
            double(p.get("row"), f"{what}.point.row"),
            double(p.get("z"), f"{what}.point.z"),
        )
    if info.get("mask") is not None:
        m = obj(info["mask"], f"{what}.mask")
        if m.get("image") is not None:
            mask = _media(Image, m["image"], f"{what}.mask.image")
    text = obj(data.get("text"), f"{what}.data.text")
    return Region(
        box=box,
        concepts=_concepts(data.get("concepts"), f"{what}.data.concepts"),
        id=string(d.get("id"), f"{what}.id"),
        text=string(text.get("raw"), f"{what}.data.text.raw"),
        track_id=string(get_field(d, "track_id"), f"{what}.track_id"),
        mask=mask,
        point=point,
    )


def frame(value: Any, what: str) -> Frame:
    d = obj(value, what)
    info = obj(get_field(d, "frame_info"), f"{what}.frame_info")
    data = obj(d.get("data"), f"{what}.data")
    image = data.get("image")
    regions = as_list(data.get("regions"), f"{what}.data.regions")
    return Frame(
        image=None if image is None else _media(Image, image, f"{what}.data.image"),
        regions=each(region, regions, f"{what}.data.regions"),
        time=int64(info.get("time"), f"{what}.frame_info.time") / 1000.0,
        index=int64(info.get("index"), f"{what}.frame_info.index"),
    )


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
    raise bad(f"unexpected JSON value {shown(value)}")


def json_data(value: Any, what: str) -> Any:
    if value is None:
        return None
    out = _floats_in(obj(value, what))
    if len(out) == 1 and isinstance(out.get("_list"), list):
        return out["_list"]
    return out


def ndarray(value: Any, what: str) -> Any:
    if value is None:
        return None
    d = obj(value, what)
    buffer = raw_bytes(d.get("buffer"), f"{what}.buffer")
    dtype = string(d.get("dtype"), f"{what}.dtype")
    if not buffer and not dtype:
        return None
    shape = [int64(n, f"{what}.shape") for n in as_list(d.get("shape"), f"{what}.shape")]
    np = import_optional("numpy", "decoding an NDARRAY result")
    try:
        return np.frombuffer(buffer, dtype=np.dtype(dtype)).reshape(shape).copy()
    except (TypeError, ValueError) as e:
        raise bad(f"{what}: {e}") from None


def boolean(value: Any, what: str) -> bool:
    raw = False if value is None else value
    if not isinstance(raw, bool):
        raise bad(f"{what} is not a bool")
    return raw


def text(value: Any, what: str) -> Text | None:
    if value is None:
        return None
    d = obj(value, what)
    url = string(d.get("url"), f"{what}.url")
    return Text(string(d.get("raw"), f"{what}.raw"), url or None)


def image(value: Any, what: str) -> Image | None:
    return None if value is None else _media(Image, value, what)


def audio(value: Any, what: str) -> Audio | None:
    return None if value is None else _media(Audio, value, what)


def video(value: Any, what: str) -> Video | None:
    return None if value is None else _media(Video, value, what)
