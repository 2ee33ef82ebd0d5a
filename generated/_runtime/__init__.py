"""Runtime for generated Clarifai model clients (copied verbatim into each output package).

Public API: `Client`, `AsyncClient`, `ModelRef`, `RunnerSelector`, the data types (`Image`,
`Audio`, `Video`, `Text`, `Concept`, `Region`, `Frame`, `JsonValue`), the `signature` module and
the exceptions.
"""

from __future__ import annotations

from . import signature
from .aclient import AsyncClient
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
