"""What the HTTP transports share, free of I/O: URLs, headers, clocks, response parsing, errors,
and what their own connections need (options, request slots)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import httpcore

from .alarm import Alarm
from .bodies import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_BYTES, Body
from .core import Deadline, IdleClock, redact
from .deadline import Clock, expired, limit
from .decoders import MalformedResponse
from .errors import ClarifaiError, TransportError, error_from_body
from .framing import parse_json
from .h11headers import CheckedHeaders
from .httpdefaults import split_url
from .httperrors import HTTPCORE_ERRORS, kind
from .messages import ModelRef, check_response
from .protocol import RetryPolicy, model_path, parse_retry_after
from .settings import HTTP_POOL_SIZE

# Imported where used: httpx only where an httpx client is in use (see `httpdefaults`), asyncio
# only by the async transport (a sync client never needs it).
if TYPE_CHECKING:
    import asyncio

    import httpx

__all__ = [
    "HTTPCORE_ERRORS",
    "AsyncCloser",
    "AsyncSlots",
    "Closer",
    "HttpBase",
    "Slots",
    "connection_options",
    "dump_json",
    "header_map",
]

Json = dict[str, Any]
_SNIPPET = 200  # characters of a body that is not JSON shown in an error
_URL_CACHE = 256  # parsed URLs kept per transport (one per model and route)
AsyncCloser = Callable[[], Awaitable[None]]
Closer = Callable[[], None]


class HttpBase:
    """URLs, headers, clocks, response parsing and errors of the REST API."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        policy: RetryPolicy,
        timeout: float = 60.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._pat = pat
        self._base_url = base_url
        self._policy = policy
        self._timeout = timeout
        self._limit = max_response_bytes
        self._headers = {
            "Authorization": f"Key {pat}",
            "Content-Type": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,  # what `bodies.Inflater` reads
        }
        self._pool_size = HTTP_POOL_SIZE
        # The transport's own connections: the headers httpx would send (built once), parsed
        # URLs, the timeouts (the call's clock cuts them further, see `deadline`).
        self._raw_headers: list[tuple[bytes, bytes]] = []
        self._checked = CheckedHeaders()
        self._targets: dict[str, httpcore.URL] = {}
        self._urls: dict[tuple[ModelRef, str], str] = {}
        self._timeouts = dict.fromkeys(("connect", "read", "write", "pool"), timeout)
        # The connection failures of a call: httpcore's, and httpx's where an httpx client is used.
        self._failures: tuple[type[Exception], ...] = HTTPCORE_ERRORS

    def _use_headers(self, defaults: httpx.Headers) -> None:
        """Send the headers of an httpx client with `defaults` as its headers."""
        import httpx

        headers = httpx.Headers(defaults)
        headers.update(self._headers)
        self._raw_headers = [(b"Host", httpx.URL(self._base_url).netloc), *headers.raw]

    def _request_of(self, method: str, url: str, content: bytes | None) -> httpcore.Request:
        """The httpcore request httpx would build from these (URL parsed once per route)."""
        target = self._targets.get(url)
        if target is None:
            if len(self._targets) >= _URL_CACHE:
                self._targets.clear()
            scheme, host, port, path = split_url(url) or _httpx_split(url)
            target = httpcore.URL(scheme=scheme, host=host, port=port, target=path)
            self._targets[url] = target
        extensions = {"timeout": self._timeouts}
        request = httpcore.Request(method, target, content=content, extensions=extensions)
        length = None if content is None else len(content)
        request.headers = self._checked.of(self._raw_headers, length)
        return request

    # ------------------------------------------------------------------ clocks
    def _deadline(self) -> Deadline:
        """The clock of one attempt of a unary call: `timeout` from now."""
        return Deadline(self._timeout, time.monotonic)

    def _idle(self) -> IdleClock:
        """The clock of a stream: `timeout` without a message."""
        return IdleClock(self._timeout, time.monotonic)

    def _check(self, clock: Clock) -> None:
        """After each chunk read: the clock, for an httpx client without `deadline.install`."""
        if expired(clock):
            raise httpcore.ReadTimeout("the call's deadline passed")

    # ------------------------------------------------------------------ errors
    def _redact(self, err: ClarifaiError) -> ClarifaiError:
        return redact(err, self._pat)

    def _connection_error(self, exc: Exception, *, stream: bool = False) -> ClarifaiError:
        """An httpcore or httpx failure as the TransportError of the call, named as httpx names it."""
        name, timed_out, connecting, transient = kind(exc)
        if timed_out and stream and not connecting:
            message = (
                f"stream from {self._base_url}: no message for {self._timeout:g} s, "
                "call cancelled (set Client(timeout=...))"
            )
        elif timed_out:
            message = (
                f"request to {self._base_url} timed out after {self._timeout:g} s "
                f"(set Client(timeout=...)): {name}"
            )
        else:
            message = f"request to {self._base_url} failed: {name}: {exc}"
        err = TransportError(message)
        err.transient = transient
        err.reached = not connecting
        return self._redact(err)

    def _text(self, content: bytes | bytearray) -> str:
        """A body as text, the PAT replaced before any cut."""
        text = bytes(content).decode("utf-8", "replace")
        return text.replace(self._pat, "***") if self._pat else text

    def _http_error(
        self, status: int, content: bytes | bytearray, headers: Mapping[str, str]
    ) -> ClarifaiError:
        try:
            body = parse_json(content)
        except MalformedResponse:
            body = None
        err = error_from_body(body, status, self._text(content))
        err.retry_after = parse_retry_after(headers.get("retry-after"))
        return self._redact(err)

    # ------------------------------------------------------------------ responses
    def _body(self, headers: Mapping[str, str]) -> Body:
        return Body(headers, self._limit)

    def _parse(self, status: int, content: bytes | bytearray, headers: Mapping[str, str]) -> Json:
        """A unary response: the successful body, or the matching ClarifaiError raised."""
        if not 200 <= status < 300:
            raise self._http_error(status, content, headers)
        failure: ClarifaiError | None = None
        try:
            body = parse_json(content)
        except MalformedResponse as err:
            snippet = " ".join(self._text(content)[: 4 * _SNIPPET].split())[:_SNIPPET]
            failure = MalformedResponse(f"{err}: {snippet}", http_status=status)
        if failure is not None:
            raise self._redact(failure)
        try:
            return check_response(body, status)
        except ClarifaiError as err:
            err.retry_after = parse_retry_after(headers.get("retry-after"))
            raise self._redact(err) from None

    def _url(self, model: ModelRef, suffix: str) -> str:
        """The route's URL (its ids quoted once per model and route)."""
        url = self._urls.get((model, suffix))
        if url is None:
            if len(self._urls) >= _URL_CACHE:
                self._urls.clear()
            url = self._urls[model, suffix] = f"{self._base_url}{model_path(model)}{suffix}"
        return url

    @staticmethod
    def _content(body: Json) -> bytes:
        return dump_json(body)


def header_map(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Response headers by lower-case name (repeated ones joined with ", ", as httpx does)."""
    out: dict[str, str] = {}
    for key, value in raw:
        name, text = key.decode("latin-1").lower(), value.decode("latin-1")
        out[name] = f"{out[name]}, {text}" if name in out else text
    return out


def connection_options(http: httpx.Client | httpx.AsyncClient, base_url: str) -> Json | None:
    """`httpcore.(Async)HTTPConnection` arguments that reach `base_url` as `http` would (its TLS
    context, network backend, keep-alive expiry, socket options); None where `http` would send
    elsewhere (a proxy, a mounted transport), speaks HTTP/2, or is laid out unlike httpx 0.28."""
    import httpx

    url = httpx.URL(base_url)
    pick = getattr(http, "_transport_for_url", None)
    transport = pick(url) if callable(pick) else None
    if transport is None or transport is not getattr(http, "_transport", None):
        return None
    pool = getattr(transport, "_pool", None)
    if type(pool) not in (httpcore.ConnectionPool, httpcore.AsyncConnectionPool):
        return None
    names = ["ssl_context", "keepalive_expiry", "retries", "local_address", "uds"]
    names += ["network_backend", "socket_options", "http1", "http2"]
    options = {name: getattr(pool, f"_{name}", _MISSING) for name in names}
    if _MISSING in options.values() or options["http2"] or not options["http1"]:
        return None
    origin = httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=b"/")
    return {"origin": origin.origin, **options}


_MISSING = object()


def _httpx_split(url: str) -> tuple[bytes, bytes, int | None, bytes]:
    """`url` parsed by httpx (one `split_url` leaves to it)."""
    import httpx

    parsed = httpx.URL(url)
    return parsed.raw_scheme, parsed.raw_host, parsed.port, parsed.raw_path


_NO_SLOT = "no connection free within the call's deadline"


class Slots:
    """At most `size` requests at once; the wait for a slot ends at the call's deadline."""

    def __init__(self, size: int, timeout: float) -> None:
        self._free = threading.Semaphore(size)
        self._timeout = timeout

    def acquire(self) -> None:
        if not self._free.acquire(timeout=limit(self._timeout, httpcore.PoolTimeout)):
            raise httpcore.PoolTimeout(_NO_SLOT)

    def release(self) -> None:
        self._free.release()


class AsyncSlots:
    """`Slots` for asyncio tasks: a freed slot goes to the longest waiter. A wait is a future; one
    `Alarm` ends the waits whose deadline passed (`asyncio.wait_for` would start a task per wait,
    a timer per wait costs a heap push and pop: hundreds with a gather)."""

    def __init__(self, size: int, timeout: float) -> None:
        self._free = size
        self._waiters: deque[tuple[asyncio.Future[None], float | None]] = deque()
        self._timeout = timeout
        self._alarm: Alarm | None = None

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        import asyncio

        wait = limit(self._timeout, httpcore.PoolTimeout)
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        entry = (waiter, None if wait is None else loop.time() + wait)
        self._waiters.append(entry)
        if entry[1] is not None:
            self._alarm_of(loop).arm(entry[1])
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # handed a slot just as it was cancelled: pass it on
            else:
                with suppress(ValueError):
                    self._waiters.remove(entry)
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()[0]
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def _alarm_of(self, loop: asyncio.AbstractEventLoop) -> Alarm:
        alarm = self._alarm
        if alarm is None or alarm.loop is not loop:
            alarm = self._alarm = Alarm(loop, self._expire)
        return alarm

    def _expire(self, due: float) -> float | None:
        """The alarm rang at `due`: the waits whose deadline passed fail; the next deadline."""
        following: float | None = None
        for waiter, expiry in self._waiters:
            if expiry is None or waiter.done():
                continue
            if expiry <= due:
                waiter.set_exception(httpcore.PoolTimeout(_NO_SLOT))
            elif following is None or expiry < following:
                following = expiry
        return following


def quiet_locks(connection: object) -> None:
    """Under asyncio, give an httpcore connection's locks an `asyncio.Lock` each.

    httpcore's async locks are anyio's, whose every acquire yields to the event loop (a
    checkpoint): three loop turns per request, for locks that a connection serving one request at
    a time (`AsyncConnections`) never finds taken. An `asyncio.Lock` does not yield when free.
    Sync connections (thread locks) and trio are left as they are; so is any other layout.
    """
    for owner in (connection, getattr(connection, "_connection", None)):
        for name in ("_request_lock", "_state_lock"):
            lock: Any = getattr(owner, name, None)
            if type(lock).__name__ != "AsyncLock" or not hasattr(lock, "_backend"):
                continue
            import asyncio

            if isinstance(getattr(lock, "_anyio_lock", None), asyncio.Lock):
                continue
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return
            lock._backend, lock._anyio_lock = "asyncio", asyncio.Lock()


def dump_json(body: Json) -> bytes:
    """The request's JSON text, each `bytes` value written as base64 (proto3 JSON).

    A large blob (an image) is base64-encoded once, straight into the output: `json.dumps` writes
    a marker in its place (escaping a megabyte of base64 would cost as much as encoding it),
    spliced over afterwards. A marker is used only where it occurs exactly once in the text (a
    string of the caller's could spell one); otherwise the blobs are written as strings.
    """
    blobs: list[bytes] = []

    def marker(value: object) -> str:
        if isinstance(value, (bytes, bytearray)):
            blobs.append(bytes(value))
            return f"\x00{len(blobs) - 1}\x00"
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    text = json.dumps(body, separators=(",", ":"), default=marker)
    if not blobs:
        return text.encode()
    marks = [json.dumps(f"\x00{i}\x00")[1:-1] for i in range(len(blobs))]
    if any(text.count(mark) != 1 for mark in marks):
        return json.dumps(body, separators=(",", ":"), default=_b64_text).encode()
    out: list[bytes] = []
    rest = text
    for mark, blob in zip(marks, blobs, strict=True):
        head, rest = rest.split(mark, 1)
        out += (head.encode(), base64.b64encode(blob))
    out.append(rest.encode())
    return b"".join(out)


def _b64_text(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
