"""REST transport over httpx: unary calls and server streaming, with retries.

`AsyncHttpTransport` here, `HttpTransport` in http.py, derived from this file by
scripts/unasync_runtime.py. Parsing, errors, clocks and URLs are in `httpbase`; retry decisions
in `core`; body limits in `bodies` and `framing`; deadlines in `deadline`.

- `timeout` is the deadline of each attempt of a unary call (connect, send, receive together,
  however slowly the server sends) and, in a stream, the longest wait for a complete message.
- Bodies are read incrementally: at most `max_response_bytes` of a unary body or of one stream
  message, counted after decompression.
- A failure after the request may have reached the model is retried only for an idempotent call.
- Requests go to httpcore connections of the transport's own (`AsyncConnections`), with what
  does not change between calls built once, configured as a default httpx client would be
  (`httpdefaults`, without importing httpx). Where that is not reproduced (a proxy in the
  environment, ...) an httpx client is built for its configuration, and sends itself where it
  would send elsewhere. A supplied `http_client` gets every request through its `send`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import httpcore

from .bodies import DEFAULT_MAX_RESPONSE_BYTES, Inflater
from .core import AsyncSleep, Attempts
from .deadline import Clock, async_backend, bounded, install
from .errors import ClarifaiError
from .framing import FrameDecoder
from .httpbase import (
    HTTPCORE_ERRORS,
    AsyncCloser,
    AsyncSlots,
    connection_options,
    header_map,
    quiet_locks,
)
from .httpbase import HttpBase as HttpBase
from .httpdefaults import direct
from .messages import ModelRef, owner_id_of, unwrap_frame
from .protocol import USERS_ME, RetryPolicy
from .protocol import model_path as model_path

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncHttpTransport", "HttpBase", "model_path"]

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
        self._http: httpx.AsyncClient | None = None
        own = None if http_client is not None else direct(base_url, self._headers, async_backend())
        if own is not None:
            options: Json | None = own[0]
            self._raw_headers = own[1]
        else:
            self._http = http_client if http_client is not None else _new_client(timeout)
            self._failures = _with_httpx_errors()
            install(self._http)  # `timeout` as a deadline (a no-op outside this transport's calls)
            options = connection_options(self._http, self._base_url) if self._owns_client else None
            if options is not None:
                self._use_headers(self._http.headers)
        self._pool = (
            None if options is None else AsyncConnections(options, self._pool_size, timeout)
        )

    async def aclose(self) -> None:
        """Close the connection pool (unless the caller supplied the httpx client)."""
        if self._pool is not None:
            await self._pool.aclose()
        if self._owns_client and self._http is not None:
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
        try:
            with bounded(clock):
                response = await self._open(method, url, content)
                try:
                    data = await self._read(response, clock)
                finally:
                    await response.aclose()
        except self._failures as exc:
            failure = self._connection_error(exc)
        else:
            return self._parse(response.status, data, response.headers)
        raise failure

    async def _open(self, method: str, url: str, content: bytes | None) -> AsyncResponse:
        """Send a request; its response, the body not read yet."""
        if self._pool is not None:
            return await self._pool.send(self._request_of(method, url, content))
        assert self._http is not None  # no connections of its own: an httpx client in use
        request = self._http.build_request(
            method, url, content=content, headers=self._headers, timeout=self._timeout
        )
        sent = await self._http.send(request, stream=True)
        return AsyncResponse(sent.status_code, sent.headers, sent.aiter_raw(), sent.aclose)

    async def _read(self, response: AsyncResponse, clock: Clock) -> bytearray:
        """The body, decompressed, within the size limit and the clock."""
        body = self._body(response.headers)
        async for raw in response.chunks:
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
        response: AsyncResponse | None = None
        try:
            with bounded(idle):
                response = await self._open("POST", url, content)
            status = response.status
            if not 200 <= status < 300:
                with bounded(idle):
                    error_body = await self._read(response, idle)
                raise self._http_error(status, error_body, response.headers)
            inflater = Inflater(response.headers.get("content-encoding"))
            decoder = FrameDecoder(self._limit)
            chunks = response.chunks
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
        except self._failures as exc:
            failure = self._connection_error(exc, stream=True)
        else:
            return
        finally:
            if response is not None:
                await response.aclose()
        raise failure


class AsyncResponse:
    """A response being read: status, headers, raw body chunks; `aclose` ends it."""

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        chunks: AsyncIterator[bytes],
        aclose: AsyncCloser,
    ) -> None:
        self.status, self.headers, self.chunks, self.aclose = status, headers, chunks, aclose


class AsyncConnections:
    """HTTP/1.1 connections to one origin (httpcore's), each serving one request at a time.

    A request takes the idle connection used last (one that expired or that the server closed is
    dropped) or opens one, and gives it back when its response is closed; at most `size` requests
    at once, the others wait. Nothing is shared between requests in flight: httpcore's pool
    walks every request and connection on each request and may close a connection it has just
    handed to another thread (httpcore #1035, #1110).
    """

    def __init__(self, options: Json, size: int, timeout: float) -> None:
        self._options = options
        self._idle: list[httpcore.AsyncHTTPConnection] = []
        self._slots = AsyncSlots(size, timeout)
        self._closed = False

    async def send(self, request: httpcore.Request) -> AsyncResponse:
        await self._slots.acquire()
        try:
            connection = await self._take()
            # Once connected, straight to its HTTP/1.1 connection: the wrapper's origin check
            # and lock guard only the connect, and each connection serves one request at a time.
            fresh = connection._connection is None
            handler = connection._connection or connection
            try:
                response = await handler.handle_async_request(request)
            except BaseException:
                await self._give(connection, fresh)
                raise
        except BaseException:
            self._slots.release()
            raise

        async def aclose() -> None:
            try:
                await response.aclose()
                await self._give(connection, fresh)
            finally:
                self._slots.release()

        return AsyncResponse(
            response.status, header_map(response.headers), response.aiter_stream(), aclose
        )

    async def _take(self) -> httpcore.AsyncHTTPConnection:
        while self._idle:
            try:
                connection = self._idle.pop()
            except IndexError:  # another thread took the last one
                break
            if not connection.has_expired():
                return connection
            await connection.aclose()
        connection = httpcore.AsyncHTTPConnection(**self._options)
        quiet_locks(connection)
        return connection

    async def _give(self, connection: httpcore.AsyncHTTPConnection, fresh: bool) -> None:
        if connection.is_idle() and not connection.is_closed() and not self._closed:
            if fresh:  # its HTTP/1.1 connection exists after the first request
                quiet_locks(connection)
            self._idle.append(connection)
        else:
            await connection.aclose()

    async def aclose(self) -> None:
        """Close the idle connections; those in use close when their responses do."""
        self._closed = True
        while self._idle:
            await self._idle.pop().aclose()


def _new_client(timeout: float) -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(timeout=timeout)


def _with_httpx_errors() -> tuple[type[Exception], ...]:
    import httpx

    return (*HTTPCORE_ERRORS, httpx.HTTPError)


async def _aclose(stream: AsyncIterator[Any]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
