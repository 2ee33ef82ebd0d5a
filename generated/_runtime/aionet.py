"""httpcore's async network interface straight over an asyncio protocol (no anyio).

A socket wrapper, not an HTTP client: httpcore's connections read and write through it. anyio's
streams cost a cancel scope and a timer per read and a checkpoint per write; here a read that
finds bytes buffered returns them at once, and a write is the transport's (one `send` when the
socket takes it). Timeouts are httpcore's (`ReadTimeout`, `WriteTimeout`, `ConnectTimeout`);
OS errors become `ReadError` / `WriteError` / `ConnectError`. Used under asyncio only (trio keeps
httpcore's own backend).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

from .alarm import Alarm

__all__ = ["connect_tcp", "connect_unix_socket"]

HIGH = 256 * 1024  # bytes buffered unread before the socket stops being read
Options = Iterable[Any] | None


class _Protocol(asyncio.Protocol):
    """Received bytes, EOF and errors of one connection, and the task waiting for them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[bool] | None = None
        self.write_paused = False
        self.read_paused = False
        self.expiry: float | None = None  # loop time the waiter gives up at
        self.alarm = Alarm(loop, self._expire)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH and not self.read_paused and self.transport is not None:
            self.read_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        if exc is not None:
            self.error = exc
        self.write_paused = False
        self.alarm.cancel()
        self._wake()

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    async def wait(self, timeout: float | None) -> bool:
        """Until the next event (bytes, EOF, error, writable); False if `timeout` passed first."""
        waiter = self.waiter = self.loop.create_future()
        if timeout is not None:
            self.expiry = self.loop.time() + timeout
            self.alarm.arm(self.expiry)
        try:
            woken: bool = await waiter
            return woken
        finally:
            self.waiter = self.expiry = None

    def _expire(self, due: float) -> float | None:
        """The alarm rang at `due`: the waiter gives up if its time has come."""
        waiter, expiry = self.waiter, self.expiry
        if waiter is None or expiry is None or waiter.done():
            return None
        if expiry > due:
            return expiry
        waiter.set_result(False)
        return None


class Stream(httpcore.AsyncNetworkStream):
    """One connection's byte stream."""

    def __init__(self, protocol: _Protocol, transport: asyncio.Transport) -> None:
        self._protocol = protocol
        self._transport = transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        while not protocol.buffer:
            if protocol.error is not None:
                raise httpcore.ReadError(str(protocol.error)) from None
            if protocol.eof:
                return b""
            if not await protocol.wait(timeout):
                raise httpcore.ReadTimeout("the read timed out")
        buffer = protocol.buffer
        data = bytes(buffer[:max_bytes])
        del buffer[:max_bytes]
        if protocol.read_paused and len(buffer) <= HIGH // 4:
            protocol.read_paused = False
            self._transport.resume_reading()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        protocol = self._protocol
        if not buffer:
            return
        if protocol.error is not None or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        while protocol.write_paused:
            if not await protocol.wait(timeout):
                raise httpcore.WriteTimeout("the write timed out")
            if protocol.error is not None:
                raise httpcore.WriteError(str(protocol.error)) from None

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = self._protocol.loop
        handshake = loop.start_tls(
            self._transport, self._protocol, ssl_context, server_hostname=server_hostname
        )
        try:
            transport = await asyncio.wait_for(handshake, timeout)
        except asyncio.TimeoutError:
            self._transport.abort()
            raise httpcore.ConnectTimeout("the TLS handshake timed out") from None
        except (OSError, ssl.SSLError) as exc:
            self._transport.abort()
            raise httpcore.ConnectError(str(exc)) from None
        assert isinstance(transport, asyncio.Transport)
        self._protocol.transport = transport
        return Stream(self._protocol, transport)

    def get_extra_info(self, info: str) -> Any:
        transport = self._transport
        if info == "is_readable":  # httpcore: an idle connection the server closed has expired
            protocol = self._protocol
            return bool(protocol.buffer) or protocol.eof or transport.is_closing()
        names = {"client_addr": "sockname", "server_addr": "peername"}
        if info in ("ssl_object", "socket", "client_addr", "server_addr"):
            return transport.get_extra_info(names.get(info, info))
        return None


async def connect_tcp(
    host: str,
    port: int,
    timeout: float | None = None,
    local_address: str | None = None,
    socket_options: Options = None,
) -> Stream:
    loop = asyncio.get_running_loop()
    local = None if local_address is None else (local_address, 0)
    connect = loop.create_connection(lambda: _Protocol(loop), host, port, local_addr=local)
    stream = await _connected(connect, timeout)
    sock = stream.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return stream


async def connect_unix_socket(
    path: str, timeout: float | None = None, socket_options: Options = None
) -> Stream:
    loop = asyncio.get_running_loop()
    connect = loop.create_unix_connection(lambda: _Protocol(loop), path)
    stream = await _connected(connect, timeout)
    sock = stream.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return stream


async def _connected(connect: Any, timeout: float | None) -> Stream:
    try:
        transport, protocol = await asyncio.wait_for(connect, timeout)
    except asyncio.TimeoutError:
        raise httpcore.ConnectTimeout("the connection timed out") from None
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from None
    return Stream(protocol, transport)
