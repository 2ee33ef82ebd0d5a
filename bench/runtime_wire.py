"""An in-memory wire for the benchmark's encode+decode rows: a client's own call, minus the network.

A tapped client is a normal client whose unary predict call (gRPC `PostModelOutputs`, REST
`POST .../outputs`) goes through a `Tap`. Live, the tap sends the request to the server and keeps
the response bytes; in replay, it still turns the request into the bytes that would be sent, then
answers with the kept response bytes, which the client parses. So a replayed call costs exactly
the client's work on both ends (building, validating and serializing the request; parsing and
decoding the response), whatever the client's internals are, and no socket I/O:

- gRPC: the stub's own `request_serializer` (protobuf `SerializeToString`) runs on the request and
  its `response_deserializer` (`FromString`) on the kept bytes. The same for the SDK and the
  generated client, since both build their stubs with `channel.unary_unary(...)` on a channel
  from `grpc.insecure_channel`, which `grpc_taps()` replaces while the client is built.
- HTTP: httpx builds the request (the body is bytes by then) and the tap answers with an
  `httpx.Response` holding the kept body, through the generated client's `http_client` argument.

Every other RPC (the SDK's GetModel and GetModelVersion) goes to the real channel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import grpc
import httpx

__all__ = ["HttpTap", "Tap", "grpc_taps"]

_PREDICT_RPC = "/clarifai.api.V2/PostModelOutputs"


class Tap:
    """Live (`replay is None`): calls go to the server and `last` keeps the response bytes.
    Replay: calls are answered with `replay`; `replayed` counts them."""

    def __init__(self) -> None:
        self.replay: bytes | None = None
        self.last: bytes | None = None
        self.replayed = 0

    def record_then_replay(self) -> None:
        if self.last is None:
            raise RuntimeError("the in-memory wire recorded nothing: the call bypassed the tap")
        self.replay, self.replayed = self.last, 0


class _TapUnary(grpc.UnaryUnaryMultiCallable):  # type: ignore[misc]
    """PostModelOutputs through the tap; a `grpc.UnaryUnaryMultiCallable`, so the SDK wraps it
    with its metadata and retry layers as it does the real one."""

    def __init__(
        self,
        tap: Tap,
        raw: Any,
        serialize: Callable[[Any], bytes] | None,
        deserialize: Callable[[bytes], Any] | None,
    ) -> None:
        self._tap, self._raw = tap, raw
        self._serialize = serialize or (lambda message: message)
        self._deserialize = deserialize or (lambda data: data)

    def __call__(self, request: Any, timeout: Any = None, metadata: Any = None, **kw: Any) -> Any:
        data = self._serialize(request)
        if self._tap.replay is None:
            self._tap.last = self._raw(data, timeout=timeout, metadata=metadata, **kw)
            raw = self._tap.last
        else:
            self._tap.replayed += 1
            raw = self._tap.replay
        return self._deserialize(raw)

    def with_call(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the benchmark's tap serves plain calls only")

    def future(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the benchmark's tap serves plain calls only")


class _TapChannel(grpc.Channel):  # type: ignore[misc]
    def __init__(self, real: Any, tap: Tap) -> None:
        self._real, self._tap = real, tap

    def unary_unary(
        self,
        method: str,
        request_serializer: Any = None,
        response_deserializer: Any = None,
        **kw: Any,
    ) -> Any:
        if method == _PREDICT_RPC:
            raw = self._real.unary_unary(method, **kw)  # bytes in, bytes out
            return _TapUnary(self._tap, raw, request_serializer, response_deserializer)
        return self._real.unary_unary(method, request_serializer, response_deserializer, **kw)

    def unary_stream(self, *args: Any, **kwargs: Any) -> Any:
        return self._real.unary_stream(*args, **kwargs)

    def stream_unary(self, *args: Any, **kwargs: Any) -> Any:
        return self._real.stream_unary(*args, **kwargs)

    def stream_stream(self, *args: Any, **kwargs: Any) -> Any:
        return self._real.stream_stream(*args, **kwargs)

    def subscribe(self, *args: Any, **kwargs: Any) -> Any:
        return self._real.subscribe(*args, **kwargs)

    def unsubscribe(self, *args: Any, **kwargs: Any) -> Any:
        return self._real.unsubscribe(*args, **kwargs)

    def close(self) -> None:
        self._real.close()


@contextmanager
def grpc_taps(tap: Tap) -> Iterator[None]:
    """While inside, every `grpc.insecure_channel` is tapped by `tap` (build the client here)."""
    real = grpc.insecure_channel

    def tapped(target: str, *args: Any, **kwargs: Any) -> Any:
        return _TapChannel(real(target, *args, **kwargs), tap)

    grpc.insecure_channel = tapped
    try:
        yield
    finally:
        grpc.insecure_channel = real


class HttpTap(httpx.BaseTransport):
    """The httpx transport of a tapped generated client: `POST .../outputs` through the tap."""

    def __init__(self, tap: Tap) -> None:
        self._tap = tap
        self._real = httpx.HTTPTransport()
        self._headers: list[tuple[bytes, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # the body the client built, as bytes (httpx sends the same)
        if not request.url.path.endswith("/outputs"):
            return self._real.handle_request(request)
        if self._tap.replay is None:
            response = self._real.handle_request(request)
            try:
                self._tap.last = response.read()
            finally:
                response.close()
            self._headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"date"]
            return self._answer(response.status_code, self._tap.last)
        self._tap.replayed += 1
        return self._answer(200, self._tap.replay)

    def _answer(self, status: int, body: bytes) -> httpx.Response:
        # A stream, not `content=`: httpx reads `content` at once, and the runtime reads the
        # raw stream (`iter_raw`) as it does off a socket.
        return httpx.Response(status, headers=self._headers, stream=httpx.ByteStream(body))

    def close(self) -> None:
        self._real.close()
