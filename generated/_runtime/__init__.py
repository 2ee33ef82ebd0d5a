"""Runtime for generated Clarifai model clients (copied verbatim into each output package).

Public API: `Client`, `AsyncClient`, `ModelRef`, `RunnerSelector`, the data types (`Image`,
`Audio`, `Video`, `Text`, `Concept`, `Region`, `Frame`, `JsonValue`), the `signature` module and
the exceptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import signature
from .client import Client, ModelRef
from .decode import MalformedResponse
from .errors import (
    ArgumentError,
    AuthError,
    BatchError,
    ClarifaiError,
    ModelError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    StreamingNotSupportedError,
    TransportError,
)
from .runner import RunnerSelector
from .types import Audio, Concept, Frame, Image, JsonValue, Region, Text, Video

if TYPE_CHECKING:
    from .aclient import AsyncClient

__all__ = [
    "ArgumentError",
    "AsyncClient",
    "Audio",
    "AuthError",
    "BatchError",
    "ClarifaiError",
    "Client",
    "Concept",
    "Frame",
    "Image",
    "JsonValue",
    "MalformedResponse",
    "ModelError",
    "ModelRef",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Region",
    "ResponseTooLargeError",
    "RunnerSelector",
    "ServerError",
    "StreamingNotSupportedError",
    "Text",
    "TransportError",
    "Video",
    "signature",
]


def __getattr__(name: str) -> Any:
    """`AsyncClient`, its module loaded on first use: a program that never uses it does not
    pay for it (0.2 MB of a cold process)."""
    if name == "AsyncClient":
        from .aclient import AsyncClient

        globals()[name] = AsyncClient
        return AsyncClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
