"""Defaults: Param.to_proto / Param.set_default, and MessageToDict's rendering of the proto."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

from ...errors import clip, shown
from .values import _describe, _Mimic, _NamedFieldsValue, _ParamValue, _Unresolved


def _runtime(v: object) -> object:
    """The Python object the SDK would hold for a plain value; symbols have none we can name."""
    if v is None or isinstance(v, (bool, int, float, complex, str, bytes, _Mimic)) or v is ...:
        return v
    if isinstance(v, list):
        return [_runtime(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_runtime(x) for x in v)
    if isinstance(v, dict):
        try:
            return {_runtime(k): _runtime(x) for k, x in v.items()}
        except TypeError as exc:
            raise _Unresolved(f"unhashable dict key ({clip(str(exc))})") from None
    if isinstance(v, _NamedFieldsValue):  # NamedFields.__repr__
        inner = ", ".join(f"{k}={_runtime(x)!r}" for k, x in v.fields)
        return _Mimic(f"NamedFields({inner})")
    if isinstance(v, _ParamValue):
        raise _Unresolved("a Param(...) nested inside another value")
    raise _Unresolved(f"{_describe(v)} has no value we can compute")


def _encode_default(value: object) -> str:
    """Param.set_default: a str as is, else json.dumps, else str(); the SDK crashes if str() fails."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except Exception:
        try:
            return str(value)
        except Exception as exc:
            raise _Unresolved(f"the SDK fails to store this default ({clip(str(exc))})") from None


def _f32(x: float) -> float:
    """A double stored into a proto `float` field (C cast: overflow gives inf)."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", x))[0])
    except OverflowError:
        return math.copysign(math.inf, x)


def _json_float(x: float) -> float | str:
    """json_format's rendering of a proto `float` field (type_checkers.ToShortestFloat)."""
    if math.isinf(x):
        return "-Infinity" if x < 0 else "Infinity"
    if math.isnan(x):
        return "NaN"
    precision = 6
    rounded = float(f"{x:.{precision}g}")
    while _f32(rounded) != x:
        precision += 1
        rounded = float(f"{x:.{precision}g}")
    return rounded


def _is_plus_zero(x: float) -> bool:
    return struct.pack("<f", x) == b"\0\0\0\0"


def _utf8(text: str, what: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Unresolved(
            f"{what} is not valid UTF-8 (lone surrogate); the SDK fails to store it in the proto"
        ) from None
    return text


def _param_fields(p: _ParamValue) -> dict[str, Any]:
    """Param.to_proto: description, enum options, range info, is_param, default (keys in proto order)."""
    out: dict[str, Any] = {}
    description = _runtime(p.description)
    if description is not None:
        if not isinstance(description, str):
            raise _Unresolved("Param description is not a str (the SDK raises TypeError)")
        if description:
            out["description"] = _utf8(description, "Param description")
    choices = _runtime(p.choices)
    if choices is not None:
        if isinstance(choices, (str, bytes, list, tuple, dict)):
            ids = [_utf8(str(c), "a choice") for c in choices]
        else:
            raise _Unresolved(f"Param choices {_describe(choices)} is not a list or tuple")
        if ids:
            out["model_type_enum_options"] = [{"id": i} if i else {} for i in ids]
    range_info: dict[str, Any] | None = None
    if p.min_value is not None or p.max_value is not None:
        range_info = {}
        for key, bound in (("min", p.min_value), ("max", p.max_value)):
            if bound is None:
                continue
            raw = _runtime(bound)
            try:
                stored = _f32(float(raw))  # type: ignore[arg-type]
            except (TypeError, ValueError, OverflowError) as exc:
                raise _Unresolved(
                    f"Param {key}_value {shown(raw)} is not a number ({clip(str(exc))})"
                ) from None
            if not _is_plus_zero(stored):
                range_info[key] = _json_float(stored)
    if range_info is not None:
        out["model_type_range_info"] = range_info
    is_param = _runtime(p.is_param)
    if not isinstance(is_param, int):  # bool is an int; the proto also accepts ints
        raise _Unresolved("Param is_param is not a bool (the SDK raises TypeError)")
    default = _utf8(_encode_default(_runtime(p.default)), "the default")
    if default:
        out["default"] = default
    if is_param:
        out["is_param"] = True
    return out
