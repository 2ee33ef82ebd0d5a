"""What a GetModel reply or a transport failure means to the puller: the signature document, a
permanent failure, or a transient one worth another attempt (one-line reasons, never the PAT)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ...runtime.httpxerrors import TRANSIENT_HTTPX
from ...runtime.protocol import (
    AUTH,
    CODE_NAMES,
    NOT_FOUND,
    PERMISSION,
    SUCCESS,
    category,
    is_transient,
    parse_retry_after,
    status_code,
)
from ...spec import ModelRef
from ..ids import ref_text

__all__ = [
    "MAX_BODY_BYTES",
    "Permanent",
    "Transient",
    "classify",
    "read_body",
    "signatures_of",
    "transport_reason",
    "version_of",
]

MAX_BODY_BYTES = 32 * 1024 * 1024


class Transient(Exception):
    """A failure worth another attempt; `retry_after` is the server's `Retry-After`, if any."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Permanent(Exception):
    """A failure another attempt would repeat."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _get(obj: Any, *keys: str) -> Any:
    """obj[key] for the first key present (snake_case or camelCase), if obj is a dict."""
    if isinstance(obj, dict):
        for key in keys:
            if key in obj:
                return obj[key]
    return None


def version_of(body: dict[str, Any]) -> Any:
    """The `model_version` of a GetModel or GetModelVersion body (None when absent)."""
    model = _get(body, "model")
    if isinstance(model, dict):
        return _get(model, "model_version", "modelVersion")
    return _get(body, "model_version", "modelVersion")


def signatures_of(body: dict[str, Any]) -> Any:
    """The `method_signatures` of a GetModel or GetModelVersion body (None when absent)."""
    return _get(version_of(body), "method_signatures", "methodSignatures")


def _status(doc: Any) -> tuple[int | None, str]:
    """The body's status code (None when absent or unreadable) and description."""
    status = _get(doc, "status")
    if not isinstance(status, dict):
        return None, ""
    code = status_code(status.get("code"))
    desc = status.get("description")
    details = status.get("details")
    text = desc if isinstance(desc, str) else ""
    if isinstance(details, str) and details and details != text:
        text = f"{text}; {details}" if text else details
    return code, text


def _describe(http: int, code: int | None, desc: str) -> str:
    """`HTTP 503, status 11005 CONN_THROTTLED: description` (description shortened to one line)."""
    text = f"HTTP {http}"
    if code is not None:
        name = CODE_NAMES.get(code)
        text += f", status {code}" + (f" {name}" if name else "")
    desc = " ".join(desc.split())
    if desc:
        text += f": {desc[:300]}" + ("..." if len(desc) > 300 else "")
    return text


def read_body(response: httpx.Response) -> bytes:
    """The whole body, or Permanent past MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Permanent(f"response larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def classify(ref: ModelRef, http: int, content: bytes, headers: httpx.Headers) -> dict[str, Any]:
    """The signature document of a response, or raise Transient / Permanent."""
    try:
        doc: Any = json.loads(content)
        json_error = ""
    except json.JSONDecodeError as exc:
        doc = None
        json_error = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    except (ValueError, RecursionError) as exc:  # not UTF-8, an integer of 4,301+ digits, ...
        doc = None
        json_error = f"unreadable JSON ({type(exc).__name__})"
    code, desc = _status(doc)
    what = _describe(http, code, desc)
    model = ref_text(ref)

    if code == SUCCESS and 200 <= http < 300:
        if not isinstance(doc, dict):
            raise Permanent(f"malformed response: expected a JSON object ({what})")
        version = version_of(doc)
        sigs = signatures_of(doc)
        if not isinstance(version, dict) or not sigs:
            raise Permanent(
                f"model {model} has no method signatures: it is not a pythonic model "
                "and cannot be typed"
            )
        if not isinstance(sigs, list):
            raise Permanent(f"malformed response: method_signatures is not a list ({what})")
        return doc

    kind = category(code, http)
    if kind == AUTH:
        raise Permanent(f"the Clarifai PAT was rejected ({what}); check CLARIFAI_PAT or --pat")
    if kind == PERMISSION:
        raise Permanent(f"permission denied: the PAT may not read model {model} ({what})")
    if kind == NOT_FOUND:
        thing = f"model {ref.path} version {ref.version_id}" if ref.version_id else f"model {model}"
        raise Permanent(f"{thing} not found ({what})")
    if is_transient(code, http, idempotent=True):  # a GET: safe to repeat, even after a 500
        raise Transient(what, parse_retry_after(headers.get("retry-after")))
    if 200 <= http < 300:
        if doc is None:
            raise Permanent(f"malformed response: {json_error} (HTTP {http}, {len(content)} bytes)")
        if code is None:
            raise Permanent(f"malformed response: no status code in the reply ({what})")
        raise Permanent(f"the API answered with a failure status ({what})")
    if 300 <= http < 400:
        location = headers.get("location", "")
        raise Permanent(f"unexpected redirect ({what})" + (f" to {location}" if location else ""))
    raise Permanent(f"request failed ({what})")


def transport_reason(exc: httpx.TransportError, timeout: float) -> tuple[str, bool]:
    """A one-line reason for a transport failure, and whether it is worth retrying (the runtime's
    `TRANSIENT_HTTPX`)."""
    timeouts = {
        httpx.ConnectTimeout: "connect timeout: no connection",
        httpx.ReadTimeout: "read timeout: no response",
        httpx.WriteTimeout: "write timeout: request not sent",
        httpx.PoolTimeout: "pool timeout: no free connection",
    }
    transient = isinstance(exc, TRANSIENT_HTTPX)
    for kind, text in timeouts.items():
        if isinstance(exc, kind):
            return f"{text} within {timeout:.3g} s", transient
    detail = str(exc) or type(exc).__name__
    prefixes = (
        (httpx.ConnectError, "cannot connect"),
        ((httpx.ReadError, httpx.WriteError, httpx.CloseError), "connection error"),
        (httpx.RemoteProtocolError, "connection dropped"),
        (httpx.ProxyError, "proxy error"),
        (httpx.TimeoutException, f"timeout after {timeout:.3g} s"),
    )
    for kinds, prefix in prefixes:
        if isinstance(exc, kinds):
            return f"{prefix}: {detail}", transient
    return f"{type(exc).__name__}: {detail}", transient
