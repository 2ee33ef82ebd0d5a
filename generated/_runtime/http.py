"""REST transport over httpx: unary calls, server streaming, retries."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from .errors import ClarifaiError, StreamingNotSupportedError, TransportError, error_from_body
from .messages import (
    FrameDecoder,
    ModelRef,
    check_response,
    has_outputs,
    owner_id_of,
    unwrap_frame,
)
from .protocol import USERS_ME, model_path
from .retry import RetryPolicy, parse_retry_after

__all__ = ["HttpBase", "HttpTransport", "model_path"]

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
    """What the sync and async HTTP transports share: URLs, headers, response parsing, errors."""

    def __init__(self, pat: str, base_url: str, *, policy: RetryPolicy) -> None:
        self._pat = pat
        self._base_url = base_url
        self._policy = policy
        self._headers = {"Authorization": f"Key {pat}", "Content-Type": "application/json"}

    def _redact(self, err: ClarifaiError) -> ClarifaiError:
        """Make sure the PAT appears nowhere in the exception."""

        def clean(text: str) -> str:
            return text.replace(self._pat, "***") if self._pat and text else text

        err.args = tuple(clean(a) if isinstance(a, str) else a for a in err.args)
        err.description = clean(err.description)
        err.details = clean(err.details)
        return err

    def _connection_error(self, exc: httpx.HTTPError, transient: bool) -> ClarifaiError:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        err = TransportError(f"request to {self._base_url} {kind}: {type(exc).__name__}: {exc}")
        err.transient = transient
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


class HttpTransport(HttpBase):
    """Sends request bodies to the REST API and returns successful response dicts."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(pat, base_url, policy=policy)
        self._sleep = sleep
        self._owns_client = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout)

    def close(self) -> None:
        """Close the connection pool (unless the caller supplied the httpx client)."""
        if self._owns_client:
            self._http.close()

    def unary(self, model: ModelRef, body: Json) -> Json:
        """POST .../outputs; retries transient failures; returns the successful response."""
        content = json.dumps(body, separators=(",", ":")).encode()
        return self._request("POST", self._url(model, "/outputs"), content)

    def owner_id(self) -> str:
        """The PAT owner's user id: `GET /v2/users/me` (as the SDK's `get_user_info("me")`)."""
        return owner_id_of(self._request("GET", f"{self._base_url}{USERS_ME}", None))

    def _request(self, method: str, url: str, content: bytes | None) -> Json:
        backoff = self._policy.start()
        while True:
            try:
                try:
                    response = self._http.request(
                        method, url, content=content, headers=self._headers
                    )
                except TRANSIENT_HTTPX as exc:
                    raise self._connection_error(exc, transient=True) from exc
                except httpx.HTTPError as exc:
                    raise self._connection_error(exc, transient=False) from exc
                return self._parse(response)
            except ClarifaiError as err:
                self._redact(err)
                delay = backoff.next_delay(err)
                if delay is None:
                    raise
            self._sleep(delay)

    def server_stream(self, model: ModelRef, body: Json) -> Iterator[Json]:
        """POST .../outputs/generate; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator closes the response.
        """
        url = self._url(model, "/outputs/generate")
        content = json.dumps(body, separators=(",", ":")).encode()
        backoff = self._policy.start()
        while True:
            delivered = False
            try:
                try:
                    with self._http.stream(
                        "POST", url, content=content, headers=self._headers
                    ) as resp:
                        if not 200 <= resp.status_code < 300:
                            resp.read()
                            raise self._http_error(resp.status_code, resp.content, resp.headers)
                        decoder = FrameDecoder()
                        for line in resp.iter_lines():
                            for frame in decoder.feed(line + "\n"):
                                message = unwrap_frame(frame, resp.status_code)
                                if has_outputs(message):
                                    delivered = True
                                    yield message
                        decoder.finish()
                        return
                except TRANSIENT_HTTPX as exc:
                    raise self._connection_error(exc, transient=not delivered) from exc
                except httpx.HTTPError as exc:
                    raise self._connection_error(exc, transient=False) from exc
            except ClarifaiError as err:
                self._redact(err)
                delay = None if delivered else backoff.next_delay(err)
                if delay is None:
                    raise
            self._sleep(delay)

    def bidi_stream(
        self, model: ModelRef, method_name: str, bodies: Iterator[Json]
    ) -> Iterator[Json]:
        """Not available over HTTP: raises `StreamingNotSupportedError` immediately."""
        raise StreamingNotSupportedError(
            f"{method_name}() streams its input, which the HTTP transport cannot do; "
            'use Client(transport="grpc") or set CLARIFAI_TRANSPORT=grpc'
        )
