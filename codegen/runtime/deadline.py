"""Deadlines under httpx, whatever the server drips.

httpx's timeouts bound each network operation, so a server sending a byte a second keeps a call
alive forever. Here the running call's clock (a `core.Deadline` for a unary attempt, a
`core.IdleClock` for a stream) lives in a context variable while the call does I/O (`bounded`),
and the network streams of the httpx clients the transports use (`install`) cut every connect,
read and write to the time the clock has left: the call fails at its deadline in any phase
(connect, send, headers, body). A context variable, not a thread: no watchdog per call, and
asyncio tasks and threads each see their own call; other requests on the same client (no clock
set) are untouched. Where `install` cannot reach the pools (a custom httpx transport) the
transports still check the clock after each chunk read.

The same wrappers send a request in one piece where httpcore writes it in two (its headers, then
its body): a small write is held until the next write, read or TLS start. One `send` instead of
two halves the system calls and the server's wake-ups per call. Under asyncio the async backend
connects with `aionet` (a stream over an asyncio protocol) instead of httpcore's anyio streams; a
sync TCP stream keeps its timeouts in the kernel (`sockio`).
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any, Protocol

import httpcore

from . import sockio

__all__ = ["Clock", "async_backend", "backend", "bounded", "expired", "install", "limit"]


class Clock(Protocol):
    def remaining(self) -> float | None: ...


_CLOCK: ContextVar[Clock | None] = ContextVar("clarifai_call_clock", default=None)


def bounded(clock: Clock) -> _Bounded:
    """Network I/O in this block ends when `clock` runs out. Never hold it across a `yield`."""
    return _Bounded(clock)


class _Bounded:
    """`bounded`'s block (a class: cheaper per call than a generator context manager)."""

    __slots__ = ("_clock", "_token")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __enter__(self) -> None:
        self._token = _CLOCK.set(self._clock)

    def __exit__(self, *exc: object) -> None:
        _CLOCK.reset(self._token)


def expired(clock: Clock) -> bool:
    left = clock.remaining()
    return left is not None and left <= 0


def limit(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut to what the running call's clock has left (raises `error` when none)."""
    clock = _CLOCK.get()
    left = None if clock is None else clock.remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


HOLD = 16 * 1024  # a write this small (request headers) waits for the next one
JOIN = 256 * 1024  # joined to the next write if that is at most this long (else two sends)


class _Held:
    """A held write: its bytes and timeout."""

    def __init__(self) -> None:
        self.data = b""
        self.timeout: float | None = None

    def hold(self, buffer: bytes, timeout: float | None) -> bool:
        """Keep `buffer` for later if it is small and nothing is held; True if kept."""
        if self.data or not buffer or len(buffer) > HOLD:
            return False
        self.data, self.timeout = buffer, timeout
        return True

    def take(self, buffer: bytes = b"") -> tuple[bytes, bytes]:
        """(what to send first, what to send next): the held bytes joined to `buffer` if short."""
        data, self.data = self.data, b""
        if len(buffer) <= JOIN:
            return data + buffer, b""
        return data, buffer


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._held = _Held()

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._flush()
        return self._inner.read(max_bytes, limit(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._held.hold(buffer, timeout):
            return
        first, then = self._held.take(buffer)
        for data in (first, then):
            if data:
                self._inner.write(data, limit(timeout, httpcore.WriteTimeout))

    def _flush(self) -> None:
        if self._held.data:
            timeout = self._held.timeout
            self._inner.write(self._held.take()[0], limit(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._held.take()
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._flush()
        timeout = limit(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._held = _Held()

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        await self._flush()
        return await self._inner.read(max_bytes, limit(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._held.hold(buffer, timeout):
            return
        first, then = self._held.take(buffer)
        for data in (first, then):
            if data:
                await self._inner.write(data, limit(timeout, httpcore.WriteTimeout))

    async def _flush(self) -> None:
        if self._held.data:
            timeout = self._held.timeout
            await self._inner.write(self._held.take()[0], limit(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        self._held.take()
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        await self._flush()
        timeout = limit(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


Options = Iterable[Any] | None


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Options = None,
    ) -> httpcore.NetworkStream:
        timeout = limit(timeout, httpcore.ConnectTimeout)
        inner = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(sockio.wrap(inner))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Options = None
    ) -> httpcore.NetworkStream:
        timeout = limit(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Options = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = limit(timeout, httpcore.ConnectTimeout)
        inner: httpcore.AsyncNetworkStream
        if _on_asyncio():
            from . import aionet

            inner = await aionet.connect_tcp(host, port, timeout, local_address, socket_options)
        else:
            inner = await self._inner.connect_tcp(
                host, port, timeout, local_address, socket_options
            )
        return _AsyncStream(inner)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Options = None
    ) -> httpcore.AsyncNetworkStream:
        timeout = limit(timeout, httpcore.ConnectTimeout)
        if _on_asyncio():
            from . import aionet

            return _AsyncStream(await aionet.connect_unix_socket(path, timeout, socket_options))
        return _AsyncStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _on_asyncio() -> bool:
    """True under an asyncio event loop (trio keeps httpcore's own backend). A sync client never
    imports asyncio (about 15 ms of a cold start): no loop runs where it is not imported."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def backend() -> _Backend:
    """The network backend of an httpx client's pool (httpcore's default), wrapped as `install`
    wraps it."""
    return _Backend(httpcore.SyncBackend())


def async_backend() -> _AsyncBackend:
    """`backend` for async connections (httpcore's `AutoBackend`: asyncio or trio)."""
    from httpcore._backends.auto import AutoBackend

    return _AsyncBackend(AutoBackend())


def install(http: Any) -> bool:
    """Make the connection pools of `http` (an `httpx.Client` or `httpx.AsyncClient`) honour the
    running call's clock; True if every pool could be reached.

    httpx has no public hook for a network backend: this wraps the `_network_backend` of each
    httpcore pool behind the client's transports (httpx 0.2x, httpcore 1.x). Where the layout
    differs nothing is wrapped, and the transports' per-chunk checks remain.
    """
    mounts = getattr(http, "_mounts", None) or {}
    transports = [getattr(http, "_transport", None), *mounts.values()]
    done = True
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, (_Backend, _AsyncBackend)):
            continue
        if isinstance(backend, httpcore.NetworkBackend):
            setattr(pool, "_network_backend", _Backend(backend))  # noqa: B010
        elif isinstance(backend, httpcore.AsyncNetworkBackend):
            setattr(pool, "_network_backend", _AsyncBackend(backend))  # noqa: B010
        elif transport is not None:
            done = False
    return done
