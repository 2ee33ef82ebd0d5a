"""Exceptions raised by the runtime, and the mapping from API statuses to them."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "ArgumentError",
    "AuthError",
    "BatchError",
    "ClarifaiError",
    "ModelError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamingNotSupportedError",
    "TransportError",
    "error_from_body",
    "error_from_status",
    "status_code",
]

SUCCESS = 10000
MIXED_STATUS = 10010  # some outputs of a multi-input request failed (each has its own status)

# Codes with a dedicated exception class; everything else with a failure status is a ModelError.
AUTH_CODES = frozenset({11001, 11002, 11008, 11009})
PERMISSION_CODES = frozenset({11007, 21201})
NOT_FOUND_CODES = frozenset({11101, 21200, 25600})
RATE_LIMIT_CODES = frozenset({11003, 11004, 11005, 11006})
SERVER_CODES = frozenset({10030, 21351, 21354, 21355, 25604})
MODEL_CODES = frozenset({10020, 21313, 25608})  # ModelError whatever the HTTP status

# `status.code` may arrive as an enum name (MessageToDict without use_integers_for_enums).
_CODE_NAMES = {
    "SUCCESS": 10000,
    "MIXED_STATUS": 10010,
    "FAILURE": 10020,
    "TRY_AGAIN": 10030,
    "NOT_IMPLEMENTED": 10040,
    "CONN_ACCOUNT_ISSUES": 11000,
    "CONN_TOKEN_INVALID": 11001,
    "CONN_CREDENTIALS_INVALID": 11002,
    "CONN_EXCEED_HOURLY_LIMIT": 11003,
    "CONN_EXCEED_MONTHLY_LIMIT": 11004,
    "CONN_THROTTLED": 11005,
    "CONN_EXCEEDS_LIMITS": 11006,
    "CONN_INSUFFICIENT_SCOPES": 11007,
    "CONN_KEY_INVALID": 11008,
    "CONN_KEY_NOT_FOUND": 11009,
    "CONN_BAD_REQUEST_FORMAT": 11100,
    "CONN_DOES_NOT_EXIST": 11101,
    "CONN_INVALID_REQUEST": 11102,
    "MODEL_DOES_NOT_EXIST": 21200,
    "MODEL_PERMISSION_DENIED": 21201,
    "MODEL_INVALID_ARGUMENT": 21202,
    "MODEL_PREDICTION_FAILED": 21313,
    "MODEL_DEPLOYING": 21351,
    "MODEL_NOT_DEPLOYED": 21353,
    "MODEL_BUSY_PLEASE_RETRY": 21354,
    "MODEL_LOADING": 21355,
    "RUNNER_DOES_NOT_EXIST": 25600,
    "RUNNER_NEEDS_RETRY": 25604,
    "RUNNER_PROCESSING_FAILED": 25608,
    "BAD_REQUEST": 90400,
    "SERVER_ERROR": 90500,
    "INTERNAL_SERVER_ISSUE": 98004,
    "INTERNAL_UNCATEGORIZED": 99009,
}

# google.rpc.Code values, as grpc-gateway writes them in `{"error": {"code": ...}}`.
_GRPC_CODE_CLASSES: dict[int, type[ClarifaiError]] = {}


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


class ArgumentError(ClarifaiError, TypeError, ValueError):
    """Invalid arguments, detected before anything is sent.

    Subclasses both `TypeError` (what the SDK raises) and `ValueError` (out-of-range or
    not-allowed values), so either `except` clause catches it.
    """


class TransportError(ClarifaiError):
    """Connection failures, timeouts, malformed responses, unsupported transports."""


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


_GRPC_CODE_CLASSES.update(
    {
        5: NotFoundError,
        7: PermissionDeniedError,
        8: RateLimitError,
        13: ServerError,
        14: ServerError,
        16: AuthError,
    }
)


def status_code(raw: Any) -> int | None:
    """A `status.code` (int, numeric string or enum name) as an int; None when unreadable."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        if raw.isdigit():
            return int(raw)
        if raw in _CODE_NAMES:
            return _CODE_NAMES[raw]
        try:  # every name, when the optional protobuf package is installed
            pb2 = importlib.import_module("clarifai_grpc.grpc.api.status.status_code_pb2")
            return int(pb2.StatusCode.Value(raw))
        except Exception:
            return None
    return None


def _class_for_http(http_status: int | None) -> type[ClarifaiError] | None:
    if http_status == 401:
        return AuthError
    if http_status == 403:
        return PermissionDeniedError
    if http_status == 404:
        return NotFoundError
    if http_status == 429:
        return RateLimitError
    if http_status is not None and http_status >= 500:
        return ServerError
    return None


def _class_for_code(code: int | None, http_status: int | None) -> type[ClarifaiError]:
    if code in AUTH_CODES:
        return AuthError
    if code in PERMISSION_CODES:
        return PermissionDeniedError
    if code in NOT_FOUND_CODES:
        return NotFoundError
    if code in RATE_LIMIT_CODES:
        return RateLimitError
    if code in SERVER_CODES:
        return ServerError
    if code in MODEL_CODES:
        return ModelError
    return _class_for_http(http_status) or ModelError


def error_from_status(status: Any, http_status: int | None = None) -> ClarifaiError:
    """The exception for a failed Clarifai `status` object (a JSON dict)."""
    st = status if isinstance(status, dict) else {}
    code = status_code(st.get("code"))
    description = str(st.get("description") or "")
    details = str(st.get("details") or "")
    req_id = str(st.get("req_id") or st.get("reqId") or "")
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
    message = str(err.get("message") or err.get("error") or "request failed")
    hint = err.get("http_code") or err.get("http_status")
    if isinstance(hint, int) and not isinstance(hint, bool):
        http_status = http_status if http_status and http_status >= 400 else hint
    if code is not None and code >= 10000:
        return error_from_status({"code": code, "description": message}, http_status)
    cls = _GRPC_CODE_CLASSES.get(code or -1) or _class_for_http(http_status) or ModelError
    suffix = f" (gRPC code {code})" if code else ""
    return cls(message + suffix, description=message, http_status=http_status)
