"""REST transport over httpx: unary calls and server streaming, with retries.

`AsyncHttpTransport` here, `HttpTransport` in http.py, derived from this file by
scripts/unasync_runtime.py. Parsing, errors and URLs are in `httpbase`; retry decisions and
stream bookkeeping in `core`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

from .core import AsyncSleep, Attempts
from .errors import ClarifaiError
from .httpbase import TRANSIENT_HTTPX as TRANSIENT_HTTPX
from .httpbase import HttpBase as HttpBase
from .messages import FrameDecoder, ModelRef, owner_id_of, unwrap_frame
from .protocol import USERS_ME, RetryPolicy
from .protocol import model_path as model_path

__all__ = ["TRANSIENT_HTTPX", "AsyncHttpTransport", "HttpBase", "model_path"]

Json = dict[str, Any]


class AsyncHttpTransport(HttpBase):
    """Sends request bodies to the REST API and returns successful response dicts."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        http_client: httpx.AsyncClient | None = None,
        sleep: AsyncSleep = asyncio.sleep,
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
        return await self._request("POST", self._url(model, "/outputs"), self._content(body))

    async def owner_id(self) -> str:
        """The PAT owner's user id: `GET /v2/users/me` (as the SDK's `get_user_info("me")`)."""
        return owner_id_of(await self._request("GET", f"{self._base_url}{USERS_ME}", None))

    async def _request(self, method: str, url: str, content: bytes | None) -> Json:
        attempts = Attempts(self._policy, self._pat)
        while True:
            try:
                try:
                    response = await self._http.request(
                        method, url, content=content, headers=self._headers
                    )
                except httpx.HTTPError as exc:
                    raise self._connection_error(exc, transient=True) from exc
                return self._parse(response)
            except ClarifaiError as err:
                delay = attempts.delay(err)
            await self._sleep(delay)

    async def server_stream(self, model: ModelRef, body: Json) -> AsyncIterator[Json]:
        """POST .../outputs/generate; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator (or cancelling the
        task reading it) closes the response.
        """
        url = self._url(model, "/outputs/generate")
        content = self._content(body)
        attempts = Attempts(self._policy, self._pat)
        while True:
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
                                if attempts.deliver(message):
                                    yield message
                        decoder.finish()
                        return
                except httpx.HTTPError as exc:
                    raise self._connection_error(exc, not attempts.delivered) from exc
            except ClarifaiError as err:
                delay = attempts.delay(err)
            await self._sleep(delay)
