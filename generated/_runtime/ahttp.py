"""REST transport over httpx: unary calls and server streaming, with retries.

`AsyncHttpTransport` here, `HttpTransport` in http.py, derived from this file by
scripts/unasync_runtime.py. Parsing, errors, clocks and URLs are in `httpbase`; retry decisions
in `core`; body limits in `bodies` and `framing`; deadlines in `deadline`.

- `timeout` is the deadline of each attempt of a unary call (connect, send, receive together,
  however slowly the server sends) and, in a stream, the longest wait for a complete message.
- Bodies are read incrementally: at most `max_response_bytes` of a unary body or of one stream
  message, counted after decompression.
- A failure after the request may have reached the model is retried only for an idempotent call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

from .bodies import DEFAULT_MAX_RESPONSE_BYTES, Inflater
from .core import AsyncSleep, Attempts
from .deadline import Clock, bounded, install
from .errors import ClarifaiError
from .framing import FrameDecoder
from .httpbase import TRANSIENT_HTTPX as TRANSIENT_HTTPX
from .httpbase import HttpBase as HttpBase
from .messages import ModelRef, owner_id_of, unwrap_frame
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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.AsyncClient | None = None,
        sleep: AsyncSleep = asyncio.sleep,
    ) -> None:
        super().__init__(
            pat, base_url, policy=policy, timeout=timeout, max_response_bytes=max_response_bytes
        )
        self._sleep = sleep
        self._owns_client = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=timeout)
        install(self._http)  # `timeout` as a deadline (a no-op outside this transport's calls)

    async def aclose(self) -> None:
        """Close the connection pool (unless the caller supplied the httpx client)."""
        if self._owns_client:
            await self._http.aclose()

    async def unary(self, model: ModelRef, body: Json, *, idempotent: bool = False) -> Json:
        """POST .../outputs; retries transient failures; returns the successful response."""
        url = self._url(model, "/outputs")
        return await self._request("POST", url, self._content(body), idempotent)

    async def owner_id(self) -> str:
        """The PAT owner's user id: `GET /v2/users/me` (as the SDK's `get_user_info("me")`)."""
        return owner_id_of(await self._request("GET", f"{self._base_url}{USERS_ME}", None, True))

    async def _request(
        self, method: str, url: str, content: bytes | None, idempotent: bool
    ) -> Json:
        attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
        while True:
            try:
                return await self._attempt(method, url, content)
            except ClarifaiError as err:
                delay = attempts.delay(err)
            await self._sleep(delay)

    async def _attempt(self, method: str, url: str, content: bytes | None) -> Json:
        """One attempt, within its deadline; the whole body is read before it is parsed."""
        clock = self._deadline()
        request = self._http.build_request(
            method, url, content=content, headers=self._headers, timeout=self._timeout
        )
        try:
            with bounded(clock):
                response = await self._http.send(request, stream=True)
                try:
                    data = await self._read(response, clock)
                finally:
                    await response.aclose()
        except httpx.HTTPError as exc:
            failure = self._connection_error(exc)
        else:
            return self._parse(response.status_code, data, response.headers)
        raise failure

    async def _read(self, response: httpx.Response, clock: Clock) -> bytearray:
        """The body, decompressed, within the size limit and the clock."""
        body = self._body(response.headers)
        async for raw in response.aiter_raw():
            body.feed(raw)
            self._check(clock)
        return body.data

    async def server_stream(
        self, model: ModelRef, body: Json, *, idempotent: bool = False
    ) -> AsyncIterator[Json]:
        """POST .../outputs/generate; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator (or cancelling the
        task reading it) closes the response.
        """
        url = self._url(model, "/outputs/generate")
        content = self._content(body)
        attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
        while True:
            messages = self._stream_attempt(url, content, attempts)
            try:
                async for message in messages:  # noqa: RUF100, UP028 (http.py: close it in finally)
                    yield message
                return
            except ClarifaiError as err:
                delay = attempts.delay(err)
            finally:
                await _aclose(messages)
            await self._sleep(delay)

    async def _stream_attempt(
        self, url: str, content: bytes, attempts: Attempts
    ) -> AsyncIterator[Json]:
        """One attempt: the messages of one response, each within `timeout` of the last one.
        The clock is set around each read, never across a `yield`."""
        idle = self._idle()
        request = self._http.build_request(
            "POST", url, content=content, headers=self._headers, timeout=self._timeout
        )
        response: httpx.Response | None = None
        try:
            with bounded(idle):
                response = await self._http.send(request, stream=True)
            status = response.status_code
            if not 200 <= status < 300:
                with bounded(idle):
                    error_body = await self._read(response, idle)
                raise self._http_error(status, error_body, response.headers)
            inflater = Inflater(response.headers.get("content-encoding"))
            decoder = FrameDecoder(self._limit)
            chunks = response.aiter_raw()
            while True:
                with bounded(idle):
                    raw = await anext(chunks, None)
                if raw is None:
                    break
                for piece in inflater.feed(raw):
                    for frame in decoder.feed(piece):
                        idle.touch()
                        message = unwrap_frame(frame, status)
                        if attempts.deliver(message):
                            yield message
                            idle.touch()  # the time the caller held the value is not silence
                self._check(idle)
            decoder.finish()
        except httpx.HTTPError as exc:
            failure = self._connection_error(exc, stream=True)
        else:
            return
        finally:
            if response is not None:
                await response.aclose()
        raise failure


async def _aclose(stream: AsyncIterator[Any]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
