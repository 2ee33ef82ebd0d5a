"""Exceptions raised by the runtime, and the mapping from API statuses to them."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from . import protocol
from .protocol import SUCCESS as SUCCESS  # re-exported: messages.py and others import it

_SHOWN = 60  # the longest string an error message repeats (see `shown`)

__all__ = [
    "ArgumentError",
    "AuthError",
    "BatchError",
    "ClarifaiError",
    "ModelError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "StreamingNotSupportedError",
    "TransportError",
    "class_for_grpc",
    "error_from_body",
    "error_from_status",
    "indexed",
    "shown",
    "status_code",
]


class ClarifaiError(Exception):
    """Base class of every runtime error. The PAT never appears in a message."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        description: str = "",
        http_status: int | None = None,
        details: str = "",
        req_id: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.description = description
        self.http_status = http_status
        self.details = details
        self.req_id = req_id
        self.retry_after: float | None = None  # seconds, from a Retry-After header
        self.transient = False  # a connection-level failure that may be retried
        self.reached = False  # ... after the request may have reached the model (see protocol)


class ArgumentError(ClarifaiError, TypeError, ValueError):
    """Invalid arguments, detected before anything is sent.

    Subclasses both `TypeError` (what the SDK raises) and `ValueError` (out-of-range or
    not-allowed values), so either `except` clause catches it.
    """


class TransportError(ClarifaiError):
    """Connection failures, timeouts, malformed responses, unsupported transports."""


class ResponseTooLargeError(TransportError):
    """A response body, stream message or decompressed body passed `Client(max_response_bytes=)`."""


class StreamingNotSupportedError(TransportError):
    """The selected transport cannot serve this kind of call (bidi streaming over HTTP)."""


class AuthError(ClarifaiError):
    """Missing, invalid or unknown PAT (codes 11001/11002/11008/11009, HTTP 401)."""


class PermissionDeniedError(ClarifaiError):
    """The PAT lacks scopes or access to the model (codes 11007/21201, HTTP 403)."""


class NotFoundError(ClarifaiError):
    """The user, app, model, version or runner does not exist (HTTP 404)."""


class ModelError(ClarifaiError):
    """The model (or the platform on its behalf) reported a failure; message = details."""


class RateLimitError(ClarifaiError):
    """Throttled or over a usage limit (codes 11003-11006, HTTP 429). Retried."""


class ServerError(ClarifaiError):
    """Transient platform failure: model deploying/loading/busy, HTTP 5xx. Retried."""


class BatchError(ClarifaiError):
    """Part of a batch failed; the results of the rest are kept.

    `results` has one entry per item, in input order (None where the item failed); `failed`
    lists the indices of the failed items; `failures` pairs each failed request (or output)
    with the indices it carried and its error, in item order; `error` is the first of them
    (also the exception's `__cause__`), whose `code` and `http_status` this error repeats.
    """

    def __init__(
        self,
        message: str,
        *,
        results: list[Any],
        failures: list[tuple[tuple[int, ...], ClarifaiError]],
    ) -> None:
        first = failures[0][1]
        super().__init__(message, code=first.code, http_status=first.http_status)
        self.results = results
        self.failures = failures
        self.failed = sorted(i for indices, _ in failures for i in indices)
        self.error = first


_CLASSES: dict[str, type[ClarifaiError]] = {
    protocol.AUTH: AuthError,
    protocol.PERMISSION: PermissionDeniedError,
    protocol.NOT_FOUND: NotFoundError,
    protocol.RATE_LIMIT: RateLimitError,
    protocol.SERVER: ServerError,
    protocol.MODEL: ModelError,
}


def shown(value: Any) -> str:
    """`value` for an error message: its repr when short, else its type and size. Never a cut
    of it: a secret in it is then whole, so the PAT redaction cannot miss half of it."""
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int) and value.bit_length() <= 64:
        return repr(value)
    if isinstance(value, str) and len(value) <= _SHOWN:
        return repr(value)
    if isinstance(value, (str, list, dict)):
        unit = "characters" if isinstance(value, str) else "items"
        return f"a {type(value).__name__} of {len(value)} {unit}"
    return f"a value of type {type(value).__name__}"


def _text(value: Any) -> str:
    """A server's text field (a str, or anything a hostile server put there) as a str."""
    if isinstance(value, str):
        return value
    return "" if value is None or value == "" else shown(value)


def status_code(raw: Any) -> int | None:
    """A `status.code` (int, numeric string or enum name) as an int; None when unreadable."""
    code = protocol.status_code(raw)
    if code is None and isinstance(raw, str) and raw.strip():
        try:  # every name, when the optional protobuf package is installed
            pb2 = importlib.import_module("clarifai_grpc.grpc.api.status.status_code_pb2")
            return int(pb2.StatusCode.Value(raw.strip().upper()))
        except Exception:
            return None
    return code


def _class_for(category: str | None) -> type[ClarifaiError] | None:
    return _CLASSES[category] if category is not None else None


def class_for_grpc(grpc_code: int | None) -> type[ClarifaiError] | None:
    """The exception class of a google.rpc.Code (None for the codes without a category)."""
    return _class_for(protocol.grpc_category(grpc_code))


def _class_for_http(http_status: int | None) -> type[ClarifaiError] | None:
    return _class_for(protocol.category(None, http_status))


def _class_for_code(code: int | None, http_status: int | None) -> type[ClarifaiError]:
    return _class_for(protocol.category(code, http_status)) or ModelError


def error_from_status(status: Any, http_status: int | None = None) -> ClarifaiError:
    """The exception for a failed Clarifai `status` object (a JSON dict)."""
    st = status if isinstance(status, dict) else {}
    code = status_code(st.get("code"))
    description = _text(st.get("description"))
    details = _text(st.get("details"))
    req_id = _text(st.get("req_id") or st.get("reqId"))
    cls = _class_for_code(code, http_status)
    if cls is ModelError:
        message = details or description or f"model call failed with status code {code}"
    else:
        message = description or details or "request failed"
        if details and description and details != description:
            message = f"{description}: {details}"
        message += f" (status code {code})" if code is not None else ""
        if cls is AuthError:
            message += "; check the PAT (CLARIFAI_PAT or Client(pat=...))"
        if req_id:
            message += f" [req_id {req_id}]"
    return cls(
        message,
        code=code,
        description=description,
        http_status=http_status,
        details=details,
        req_id=req_id,
    )


def error_from_body(body: Any, http_status: int | None, text: str = "") -> ClarifaiError:
    """The exception for an unsuccessful HTTP response or stream frame.

    `body` is the parsed JSON (None when the body was not JSON); `text` is the raw body
    for the message. Decided on the Clarifai status code; the HTTP status is a hint.
    """
    if isinstance(body, dict):
        if isinstance(body.get("status"), dict):
            status = body["status"]
            if status_code(status.get("code")) not in (None, SUCCESS):
                return error_from_status(status, http_status)
        err: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else body
        if "message" in err or "code" in err:
            return _error_from_rpc_status(err, http_status)
    cls = _class_for_http(http_status)
    snippet = " ".join(text.split())[:200]
    if cls is None:
        what = f"unexpected HTTP {http_status} response" if http_status else "malformed response"
        return TransportError(f"{what}: {snippet}" if snippet else what, http_status=http_status)
    message = f"HTTP {http_status}" + (f": {snippet}" if snippet else "")
    if cls is AuthError:
        message += "; check the PAT (CLARIFAI_PAT or Client(pat=...))"
    return cls(message, http_status=http_status, description=snippet)


def _error_from_rpc_status(err: dict[str, Any], http_status: int | None) -> ClarifaiError:
    """grpc-gateway's `{"code": <grpc or clarifai code>, "message": ...}`."""
    code = status_code(err.get("code"))
    message = _text(err.get("message") or err.get("error")) or "request failed"
    hint = err.get("http_code") or err.get("http_status")
    if isinstance(hint, int) and not isinstance(hint, bool):
        http_status = http_status if http_status and http_status >= 400 else hint
    if code is not None and code >= 10000:
        return error_from_status({"code": code, "description": message}, http_status)
    cls = class_for_grpc(code) or _class_for_http(http_status) or ModelError
    suffix = f" (gRPC code {code})" if code else ""
    return cls(message + suffix, description=message, http_status=http_status)


def indexed(
    fn: Callable[[Any, str], Any], items: list[Any], where: str, error: type[Exception]
) -> list[Any]:
    """`fn(item, where)` for each of `items`; when one raises `error`, again with each item's
    index in its name (`where[i]`). The encoders and decoders are pure, so the indexed names are
    built only to report a failure."""
    try:
        return [fn(v, where) for v in items]
    except error:
        return [fn(v, f"{where}[{i}]") for i, v in enumerate(items)]
