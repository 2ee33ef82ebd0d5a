"""What the HTTP transports share, free of I/O: URLs, headers, response parsing, errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from .core import redact
from .errors import ClarifaiError, TransportError, error_from_body
from .messages import ModelRef, check_response
from .protocol import RetryPolicy, model_path, parse_retry_after

__all__ = ["TRANSIENT_HTTPX", "HttpBase"]

Json = dict[str, Any]
# Connection-level failures worth another attempt, here and in the signature puller. A proxy's own
# failure (it could not reach the API) is a gateway error like HTTP 502.
TRANSIENT_HTTPX = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)


class HttpBase:
    """URLs, headers, response parsing and errors of the REST API."""

    def __init__(self, pat: str, base_url: str, *, policy: RetryPolicy) -> None:
        self._pat = pat
        self._base_url = base_url
        self._policy = policy
        self._headers = {"Authorization": f"Key {pat}", "Content-Type": "application/json"}

    def _redact(self, err: ClarifaiError) -> ClarifaiError:
        return redact(err, self._pat)

    def _connection_error(self, exc: httpx.HTTPError, transient: bool) -> ClarifaiError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        err = TransportError(f"request to {self._base_url} {kind}: {type(exc).__name__}: {exc}")
        err.transient = transient and isinstance(exc, TRANSIENT_HTTPX)
        return self._redact(err)

    def _http_error(self, status: int, content: bytes, headers: Mapping[str, str]) -> ClarifaiError:
        text = content.decode("utf-8", "replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        err = error_from_body(body, status, text)
        err.retry_after = parse_retry_after(headers.get("retry-after"))
        return self._redact(err)

    def _parse(self, response: httpx.Response) -> Json:
        status = response.status_code
        if not 200 <= status < 300:
            raise self._http_error(status, response.content, response.headers)
        try:
            body = json.loads(response.content)
        except ValueError:
            snippet = response.content[:200].decode("utf-8", "replace")
            raise self._redact(
                TransportError(f"malformed response (not JSON): {snippet}", http_status=status)
            ) from None
        try:
            return check_response(body, status)
        except ClarifaiError as err:
            err.retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise self._redact(err) from None

    def _url(self, model: ModelRef, suffix: str) -> str:
        return f"{self._base_url}{model_path(model)}{suffix}"

    @staticmethod
    def _content(body: Json) -> bytes:
        return json.dumps(body, separators=(",", ":")).encode()
