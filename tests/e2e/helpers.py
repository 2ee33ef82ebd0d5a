"""Values and comparisons shared by the end-to-end suite, and `Blocking`, which drives an
`Async<Model>` from plain test code so one test body serves the sync and the async clients."""

from __future__ import annotations

import asyncio
import inspect
import io
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

import numpy as np
from clarifai.runners.utils import data_types as sdk
from PIL import Image as PILImage

URL = "https://samples.clarifai.com/metro-north.jpg"


def _png() -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (3, 2), "red").save(buf, "PNG")
    return buf.getvalue()


PNG = _png()

ECHOES = [
    ("echo_str", "h\u00e9llo \"'\\ \n"),
    ("echo_str", ""),
    ("echo_bytes", b"\x00\x01\xff"),
    ("echo_int", 2**62),
    ("echo_int", 0),
    ("echo_int", -5),
    ("echo_float", 0.1),
    ("echo_float", -0.0),
    ("echo_bool", True),
    ("echo_bool", False),
    ("echo_dict", {"a": "b", "nested": {"list": ["x", True, None]}}),
    ("echo_list", ["a", {"b": "c"}, None]),
    ("echo_json_list", [{"role": "user"}, {}]),
    ("echo_str_list", ["a", "", "c"]),
    ("echo_grid", [[1, 2], [], [3]]),
    ("echo_tuple", (1, "one", 0.5)),
    ("echo_named", {"name": "Ada", "age": 36, "scores": [0.5, 1.0]}),
]


class Blocking:
    """`target`'s methods run to completion on `loop`: a coroutine gives its result, an async
    iterator becomes an iterator (closed, and so cancelled, when the caller stops early)."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.target, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            out = attr(*args, **kwargs)
            if inspect.isawaitable(out):
                return self._loop.run_until_complete(out)
            if hasattr(out, "__anext__"):
                return _iterate(self._loop, out)
            return out

        return call


def _iterate(loop: asyncio.AbstractEventLoop, it: AsyncIterator[Any]) -> Iterator[Any]:
    try:
        while True:
            try:
                yield loop.run_until_complete(it.__anext__())
            except StopAsyncIteration:
                return
    finally:
        close = getattr(it, "aclose", None)
        if close is not None:
            loop.run_until_complete(close())


def to_sdk(value: Any, rt: ModuleType) -> Any:
    """Our runtime values -> the SDK's data types, for a direct local call of the model."""
    if isinstance(value, rt.Image):
        return sdk.Image(url=value.url, bytes=value.bytes)
    if isinstance(value, (rt.Audio, rt.Video)):
        cls = sdk.Audio if isinstance(value, rt.Audio) else sdk.Video
        return cls(url=value.url, bytes=value.bytes)
    if isinstance(value, rt.Text):
        return sdk.Text(value.text, value.url)
    if isinstance(value, rt.Concept):
        return sdk.Concept(value.name, value.value, value.id)
    if isinstance(value, rt.Region):
        return sdk.Region(
            box=list(value.box or []), concepts=[to_sdk(c, rt) for c in value.concepts], id=value.id
        )
    if isinstance(value, rt.Frame):
        return sdk.Frame(
            image=to_sdk(value.image, rt) if value.image else None,
            regions=[to_sdk(r, rt) for r in value.regions],
            time=value.time,
            index=value.index,
        )
    if isinstance(value, list):
        return [to_sdk(v, rt) for v in value]
    if isinstance(value, tuple):
        return tuple(to_sdk(v, rt) for v in value)
    return value


def plain(value: Any) -> Any:
    """SDK or runtime values -> comparable plain data."""
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), list(value.shape), value.tolist())
    if hasattr(value, "box") and hasattr(value, "concepts"):
        return (
            "region",
            value.id,
            [float(v) for v in (value.box or [])],
            [plain(c) for c in value.concepts],
        )
    if hasattr(value, "regions") and hasattr(value, "index"):
        return (
            "frame",
            value.index,
            float(value.time),
            plain(value.image),
            [plain(r) for r in value.regions],
        )
    if hasattr(value, "name") and hasattr(value, "value") and hasattr(value, "id"):
        return ("concept", value.id, value.name, float(np.float32(value.value)))
    if hasattr(value, "url") and hasattr(value, "bytes"):
        return ("media", value.url or None, value.bytes or b"")
    if hasattr(value, "text") and hasattr(value, "url"):
        return ("text", value.text, value.url or None)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value
