"""What the sync and async gRPC transports share, free of I/O: the lazily imported modules, the
target, the `clarifai.api.V2` methods used, request / response conversions and error mapping.

A failed RPC maps to the exception class of its status code by `protocol.grpc_category`, the
mapping grpc-gateway's JSON errors use too (see `rpc_error`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from . import grpcapi, protocol
from .bodies import DEFAULT_MAX_RESPONSE_BYTES, too_large
from .core import redact
from .decoders import MalformedResponse
from .errors import AuthError, ClarifaiError, TransportError, class_for_grpc
from .messages import check_response
from .optional import import_optional
from .protocol import RetryPolicy
from .protoconv import ConversionError, from_message, new_message

__all__ = [
    "INSTALL_HINT",
    "MAX_MESSAGE_LENGTH",
    "REPLAY_LIMIT",
    "GrpcBase",
    "Stub",
    "grpc_target",
    "rpc_error",
]

Json = dict[str, Any]
INSTALL_HINT = "pip install clarifai-codegen[grpc]"
MAX_MESSAGE_LENGTH = 1024**3  # requests, as Clarifai's SDK: large images and arrays travel inline
REPLAY_LIMIT = 64 * 1024 * 1024  # bytes of bidi requests kept for a retry
_SERVICE = "/clarifai.api.V2"


def _load(module: str) -> Any:
    """`module` (of grpcio or protobuf), or an ImportError naming the extra that brings both."""
    return import_optional(
        module, "the gRPC transport", package="clarifai-grpc", install="clarifai-codegen[grpc]"
    )


def grpc_target(base_url: str) -> tuple[str, bool]:
    """The gRPC target and whether it uses TLS, from an API base URL (as Clarifai's SDK does).

    `http://host[:port]` -> plaintext to `host:port` (port 80 by default);
    `https://host[:port]` -> TLS to `host:port` (port 443 by default). A path is ignored.
    """
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TransportError(f"base_url must start with http:// or https://, got {base_url!r}")
    try:
        port = parts.port
    except ValueError:
        raise TransportError(f"base_url has an invalid port: {base_url!r}") from None
    host = parts.hostname
    if not host:
        raise TransportError(f"base_url has no host: {base_url!r}")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    secure = scheme == "https"
    return f"{host}:{port or (443 if secure else 80)}", secure


def _call_attr(exc: Any, name: str) -> Any:
    method = getattr(exc, name, None)
    if not callable(method):
        return None
    try:
        return method()
    except Exception:
        return None


# What grpc says when a response passes `grpc.max_receive_message_length` (RESOURCE_EXHAUSTED).
_TOO_LARGE = "Received message larger than max"


def rpc_error(
    exc: Any, what: str, timeout: float | None = None, limit: int | None = None
) -> ClarifaiError:
    """The exception for a failed RPC (`grpc.RpcError`); `what` names the call.

    The class follows `protocol.grpc_category` (UNAUTHENTICATED -> AuthError, NOT_FOUND ->
    NotFoundError, RESOURCE_EXHAUSTED -> RateLimitError, UNAVAILABLE / INTERNAL -> ServerError,
    ...; TransportError for the codes without a category); RESOURCE_EXHAUSTED and UNAVAILABLE
    are transient, DEADLINE_EXCEEDED and INTERNAL too but `reached` (retried only when
    idempotent). DEADLINE_EXCEEDED of a call with a `timeout` says it timed out; a response over
    `limit` (the channel's max receive length) is a `ResponseTooLargeError`.
    """
    code = _call_attr(exc, "code")
    name = str(getattr(code, "name", None) or "UNKNOWN")
    value = getattr(code, "value", None)
    number = value[0] if isinstance(value, tuple) and value and isinstance(value[0], int) else None
    details = str(_call_attr(exc, "details") or "").strip()
    if name == "RESOURCE_EXHAUSTED" and limit is not None and _TOO_LARGE in details:
        return too_large(limit, f"{what}: the response")
    message = f"{what} failed: gRPC {name}" + (f": {details}" if details else "")
    cls = class_for_grpc(number) or TransportError
    if name == "DEADLINE_EXCEEDED" and timeout is not None:
        message = f"{what} timed out after {timeout:g} s (set Client(timeout=...)): gRPC {name}"
    elif cls is AuthError:
        message += "; check the PAT (CLARIFAI_PAT or Client(pat=...))"
    err = cls(message, description=details)
    err.transient = number in protocol.TRANSIENT_GRPC | protocol.REACHED_GRPC
    err.reached = number in protocol.REACHED_GRPC
    return err


class Stub:
    """The `clarifai.api.V2` methods used here, as `service_pb2_grpc.V2Stub` defines them, with
    the message classes of `api`.

    Not `V2Stub` itself: it builds ~270 callables and reads its response deserializer from a
    module global that `ClarifaiChannel.get_*_channel()` sets (None until one is called).
    """

    def __init__(self, channel: Any, api: grpcapi.Api) -> None:
        kw = {
            "request_serializer": api.PostModelOutputsRequest.SerializeToString,
            "response_deserializer": api.MultiOutputResponse.FromString,
        }
        self.PostModelOutputs = channel.unary_unary(f"{_SERVICE}/PostModelOutputs", **kw)
        self.GenerateModelOutputs = channel.unary_stream(f"{_SERVICE}/GenerateModelOutputs", **kw)
        self.StreamModelOutputs = channel.stream_stream(f"{_SERVICE}/StreamModelOutputs", **kw)
        self.GetUser = channel.unary_unary(
            f"{_SERVICE}/GetUser",
            request_serializer=api.GetUserRequest.SerializeToString,
            response_deserializer=api.SingleUserResponse.FromString,
        )


class GrpcBase:
    """What the sync and async gRPC transports share: the lazily imported modules, the target,
    the channel options, request / response conversions and error messages."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._grpc = _load("grpc")
        _load("google.protobuf.message")
        self._api = grpcapi.api()
        self.target, self.secure = grpc_target(base_url)
        self._pat = pat
        self._timeout = timeout
        self._policy = policy
        self._limit = max_response_bytes
        self._metadata = (("authorization", f"Key {pat}"),)
        self._closed = False

    def _open_channel(self, grpc: Any, *extra: tuple[str, Any]) -> Any:
        """A channel to the target from `grpc` (the `grpc` or the `grpc.aio` module), with
        the `extra` options."""
        options = [
            ("grpc.max_receive_message_length", self._limit),
            ("grpc.max_send_message_length", MAX_MESSAGE_LENGTH),
            *extra,
        ]
        if self.secure:
            creds = self._grpc.ssl_channel_credentials()
            return grpc.secure_channel(self.target, creds, options=options)
        return grpc.insecure_channel(self.target, options=options)

    def _check_open(self) -> None:
        if self._closed:
            raise TransportError("the Client is closed")

    # ------------------------------------------------------------------ conversions
    def _request(self, body: Json) -> Any:
        try:
            return new_message(self._api.PostModelOutputsRequest, body)
        except ConversionError as exc:  # a bug, not a user error
            raise TransportError(f"cannot build the gRPC request: {exc}") from None

    def _user_request(self) -> Any:
        """GetUser for the PAT's owner, as the SDK's `User.get_user_info(user_id="me")`."""
        return self._api.GetUserRequest(user_app_id={"user_id": "me"})

    def _response(self, message: Any) -> Json:
        try:
            body = from_message(message)
        except RecursionError:
            raise MalformedResponse("malformed response: too deeply nested") from None
        return check_response(body, None)

    def _rpc_error(self, exc: Any, rpc: str, timeout: float | None = None) -> ClarifaiError:
        what = f"{rpc} to {self.target}"
        return redact(rpc_error(exc, what, timeout, self._limit), self._pat)

    def _idle_error(self, rpc: str) -> ClarifaiError:
        """A stream silent for `timeout`: it may have reached the model (see `rpc_error`)."""
        err = TransportError(
            f"{rpc} to {self.target}: no message for {self._timeout:g} s, call cancelled "
            "(set Client(timeout=...))"
        )
        err.transient = err.reached = True
        return err
