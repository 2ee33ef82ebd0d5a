"""Async REST transport over `httpx.AsyncClient`: the twin of `http.HttpTransport`.

Same routes, body, headers, stream framings, status handling, retries and PAT redaction (shared
through `http.HttpBase`); waits between retries with `asyncio.sleep`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from .client import bidi_over_http_error
from .errors import ClarifaiError
from .http import TRANSIENT_HTTPX, HttpBase
from .messages import FrameDecoder, ModelRef, has_outputs, owner_id_of, unwrap_frame
from .protocol import USERS_ME
from .retry import RetryPolicy

__all__ = ["AsyncHttpTransport"]

Json = dict[str, Any]


class AsyncHttpTransport(HttpBase):
    """Sends request bodies to the REST API and returns successful response dicts (async)."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(pat, base_url, policy=policy)
        self._sleep = sleep
        self._owns_client = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        """Close the connection pool (unless the caller supplied the httpx client)."""
        if self._owns_client:
            await self._http.aclose()

    async def unary(self, model: ModelRef, body: Json) -> Json:
        """POST .../outputs; retries transient failures; returns the successful response."""
        content = json.dumps(body, separators=(",", ":")).encode()
        return await self._request("POST", self._url(model, "/outputs"), content)

    async def owner_id(self) -> str:
        """The PAT owner's user id: `GET /v2/users/me` (as the SDK's `get_user_info("me")`)."""
        return owner_id_of(await self._request("GET", f"{self._base_url}{USERS_ME}", None))

    async def _request(self, method: str, url: str, content: bytes | None) -> Json:
        backoff = self._policy.start()
        while True:
            try:
                try:
                    response = await self._http.request(
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
            await self._sleep(delay)

    async def server_stream(self, model: ModelRef, body: Json) -> AsyncIterator[Json]:
        """POST .../outputs/generate; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator (or cancelling the
        task reading it) closes the response.
        """
        url = self._url(model, "/outputs/generate")
        content = json.dumps(body, separators=(",", ":")).encode()
        backoff = self._policy.start()
        while True:
            delivered = False
            try:
                try:
                    async with self._http.stream(
                        "POST", url, content=content, headers=self._headers
                    ) as resp:
                        if not 200 <= resp.status_code < 300:
                            await resp.aread()
                            raise self._http_error(resp.status_code, resp.content, resp.headers)
                        decoder = FrameDecoder()
                        async for line in resp.aiter_lines():
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
            await self._sleep(delay)

    def bidi_stream(
        self, model: ModelRef, method_name: str, bodies: AsyncIterator[Json]
    ) -> AsyncIterator[Json]:
        """Not available over HTTP: raises `StreamingNotSupportedError` immediately."""
        raise bidi_over_http_error(method_name)
