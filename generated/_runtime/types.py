"""The data types of the Clarifai model protocol (mirrors `clarifai.runners.utils.data_types`)."""

from __future__ import annotations

import builtins
import io
import os
import re
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

from .optional import import_optional

__all__ = ["Audio", "Concept", "Frame", "Image", "JsonValue", "Region", "Text", "Video"]

JsonValue: TypeAlias = dict[str, Any] | list[Any] | str | int | float | bool | None
"""A JSON_DATA value. On the wire it is a protobuf Struct: numbers come back as floats."""


def _check_url(cls: str, url: object) -> str:
    if not isinstance(url, str):
        raise TypeError(f"{cls}.from_url() expects a str, got {type(url).__name__}")
    return url


def _check_bytes(cls: str, data: object) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{cls}.from_bytes() expects bytes, got {type(data).__name__}")
    return bytes(data)


def _media_repr(cls: str, url: str | None, data: bytes | None) -> str:
    attrs = []
    if url is not None:
        attrs.append(f"url={url!r}")
    if data is not None:
        attrs.append(f"bytes=<{len(data)} bytes>")
    return f"{cls}({', '.join(attrs)})"


_M = TypeVar("_M", bound="_Media")


@dataclass(frozen=True, repr=False)
class _Media:
    url: str | None = None
    bytes: builtins.bytes | None = None

    @classmethod
    def from_url(cls: type[_M], url: str) -> _M:
        """A reference by URL (the platform downloads it)."""
        return cls(url=_check_url(cls.__name__, url))

    @classmethod
    def from_bytes(cls: type[_M], data: builtins.bytes) -> _M:
        """Inline content (sent base64-encoded)."""
        return cls(bytes=_check_bytes(cls.__name__, data))

    @classmethod
    def from_file(cls: type[_M], path: str | os.PathLike[str]) -> _M:
        """Inline content read from a local file."""
        with open(path, "rb") as f:
            return cls(bytes=f.read())

    def __repr__(self) -> str:
        return _media_repr(type(self).__name__, self.url, self.bytes)


@dataclass(frozen=True, repr=False)
class Image(_Media):
    """An image, by `url` or inline `bytes` (encoded, e.g. PNG or JPEG)."""

    @classmethod
    def from_pil(cls, pil_image: Any, format: str = "PNG") -> Image:
        """Encode a `PIL.Image.Image` (PNG by default)."""
        if not hasattr(pil_image, "save"):
            raise TypeError(f"Image.from_pil() expects a PIL image, got {type(pil_image).__name__}")
        with io.BytesIO() as out:
            pil_image.save(out, format=format)
            return cls(bytes=out.getvalue())

    def to_pil(self) -> Any:
        """Decode the inline bytes to a `PIL.Image.Image` (needs Pillow)."""
        pil = import_optional("PIL.Image", "Image.to_pil()")
        if not self.bytes:
            raise ValueError("Image has no bytes (only a URL); download it first")
        return pil.open(io.BytesIO(self.bytes))


@dataclass(frozen=True, repr=False)
class Audio(_Media):
    """An audio clip, by `url` or inline `bytes`."""


@dataclass(frozen=True, repr=False)
class Video(_Media):
    """A video, by `url` or inline `bytes`."""


@dataclass(frozen=True, eq=False)
class Text:
    """A text, optionally with a URL. Compares equal to a `str` with the same text."""

    text: str = ""
    url: str | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self.text == other.text and self.url == other.url
        if isinstance(other, str):
            return self.text == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text


def concept_id(name: str) -> str:
    """The SDK's default concept id: non-alphanumerics dropped, spaces turned into '-'."""
    return re.sub(r"[^a-zA-Z0-9\s]", "", name).replace(" ", "-")


@dataclass(frozen=True, init=False)
class Concept:
    """A named label with a score. `id` defaults to a slug of `name` (as in the SDK)."""

    name: str
    value: float
    id: str

    def __init__(self, name: str, value: float = 1.0, id: str | None = None) -> None:
        fields = self.__dict__  # frozen: set once, here (faster than object.__setattr__)
        fields["name"] = name
        fields["value"] = value
        fields["id"] = id or concept_id(name)


@dataclass
class Region:
    """A region of an image or video frame.

    `box` is (xmin, ymin, xmax, ymax) in relative coordinates; `point` is (x, y, z);
    `text` is the region's text; `mask` an image mask.
    """

    box: tuple[float, float, float, float] | None = None
    concepts: list[Concept] = field(default_factory=list)
    id: str = ""
    text: str = ""
    track_id: str = ""
    mask: Image | None = None
    point: tuple[float, float, float] | None = None


@dataclass
class Frame:
    """A video frame: `time` in seconds (milliseconds on the wire), `index`, image, regions."""

    image: Image | None = None
    regions: list[Region] = field(default_factory=list)
    time: float = 0.0
    index: int = 0
