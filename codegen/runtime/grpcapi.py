"""The `clarifai.api` message classes the gRPC transport uses, from the descriptors it carries.

Not clarifai-grpc's `resources_pb2` / `service_pb2`: importing them builds a Python class for
every message of Clarifai's whole API (6 MB of a process that calls one model). `grpcapi_data`
holds just the messages the transport sends and reads, each with every field (written by
scripts/grpc_descriptors.py from clarifai-grpc). They live in a private descriptor pool, never
protobuf's default one, where an application importing clarifai-grpc has its own definitions.
The wire format is the same: either side's classes parse what the other's serialize.
"""

from __future__ import annotations

import base64
import importlib
import threading
import zlib
from typing import Any, NamedTuple

from . import grpcapi_data

__all__ = ["Api", "api", "serialized_files"]


class Api(NamedTuple):
    """The message classes of the `clarifai.api.V2` calls the transport makes."""

    PostModelOutputsRequest: Any
    MultiOutputResponse: Any
    GetUserRequest: Any
    SingleUserResponse: Any


_lock = threading.Lock()
_api: Api | None = None


def api() -> Api:
    """The message classes, built on the first call (which imports protobuf: the caller has
    checked it is installed)."""
    global _api
    with _lock:
        if _api is None:
            _api = _build()
        return _api


def serialized_files() -> list[bytes]:
    """The `FileDescriptorProto`s of `grpcapi_data`, serialized, in dependency order."""
    data = zlib.decompress(base64.b64decode(grpcapi_data.FILES))
    ends = [sum(grpcapi_data.SIZES[: i + 1]) for i in range(len(grpcapi_data.SIZES))]
    return [data[end - size : end] for end, size in zip(ends, grpcapi_data.SIZES, strict=True)]


def _build() -> Api:
    if importlib.import_module("google.protobuf.internal.api_implementation").Type() == "upb":
        try:
            return _build_upb()
        except (ImportError, AttributeError, TypeError):  # upb's private API moved: the public road
            pass
    pool = importlib.import_module("google.protobuf.descriptor_pool").DescriptorPool()
    for serialized in serialized_files():
        pool.AddSerializedFile(serialized)
    make = importlib.import_module("google.protobuf.message_factory").GetMessageClass
    return Api(*(make(pool.FindMessageTypeByName(f"clarifai.api.{n}")) for n in Api._fields))


def _build_upb() -> Api:
    """As `message_factory.GetMessageClass` does on upb, without importing `descriptor_pool` /
    `message_factory`: they load protobuf's pure-Python message layer (~1 MB) this never uses."""
    upb = importlib.import_module("google._upb._message")
    base = importlib.import_module("google.protobuf.message").Message
    pool = upb.DescriptorPool()
    for serialized in serialized_files():
        pool.AddSerializedFile(serialized)
    made: dict[str, Any] = {}

    def make(desc: Any) -> Any:
        cls = made.get(desc.full_name)
        if cls is None:
            cls = made[desc.full_name] = upb.MessageMeta(
                desc.name, (base,), {"DESCRIPTOR": desc, "__module__": None}
            )
            for field in desc.fields:  # each message type a field holds, as GetMessageClass
                if field.message_type is not None:
                    make(field.message_type)
        return cls

    return Api(*(make(pool.FindMessageTypeByName(f"clarifai.api.{n}")) for n in Api._fields))
