"""Values crossing between Python and Node as JSON: the runtime's values "tagged" (bytes, big
ints, non-finite floats, media, concepts, ...), the format scripts/tags.ts reads and writes, and an
equality that tells booleans from numbers but not 3 from 3.0 (JavaScript has one number type)."""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from codegen.runtime import types as rt

SAFE = 2**53 - 1


def b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode()


def tag(v: Any) -> Any:
    """A runtime value (what `to_runtime` gives, or a decoded one) as tagged JSON."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if abs(v) <= SAFE else {"$bigint": str(v)}
    if isinstance(v, float):
        if math.isfinite(v):
            return v
        return {"$float": "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")}
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": b64(bytes(v))}
    if isinstance(v, np.ndarray):
        data = {"dtype": str(v.dtype), "shape": list(v.shape), "data": b64(v.tobytes())}
        return {"$nd": data}
    if isinstance(v, rt.Text):
        return {"$text": [v.text, v.url]}
    if isinstance(v, (rt.Image, rt.Audio, rt.Video)):
        return {f"${type(v).__name__.lower()}": [v.url, b64(v.bytes)]}
    if isinstance(v, rt.Concept):
        return {"$concept": [v.name, tag(v.value), v.id]}
    if isinstance(v, rt.Region):
        region = {
            "box": None if v.box is None else [tag(x) for x in v.box],
            "concepts": [tag(c) for c in v.concepts],
            "id": v.id,
            "text": v.text,
            "track_id": v.track_id,
            "mask": tag(v.mask),
            "point": None if v.point is None else [tag(x) for x in v.point],
        }
        return {"$region": region}
    if isinstance(v, rt.Frame):
        frame = {
            "image": tag(v.image),
            "regions": [tag(r) for r in v.regions],
            "time": tag(v.time),
            "index": v.index,
        }
        return {"$frame": frame}
    if isinstance(v, (list, tuple)):
        return [tag(x) for x in v]
    if isinstance(v, dict):
        return {"$dict": {k: tag(x) for k, x in v.items()}}
    raise TypeError(f"cannot tag {type(v).__name__}")


def same(a: Any, b: Any) -> bool:
    """Tagged values equal: numbers by value (NaN equals NaN), booleans only to booleans."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b
