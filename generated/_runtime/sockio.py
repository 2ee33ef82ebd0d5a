"""httpcore's sync network stream with the timeout in the kernel (Linux, plain TCP).

httpcore's sync stream gives its socket a Python timeout, which CPython implements as a `poll`
before each `recv` / `send`: two system calls, and the GIL released and taken back twice. With
threads sharing a client every hand-back may wait for another thread. Here the socket is in
blocking mode with `SO_RCVTIMEO` / `SO_SNDTIMEO` set to the operation's timeout: one system call
per read or write, the GIL released once. Elsewhere (TLS, other systems) httpcore's stream
is used as it is.
"""

from __future__ import annotations

import socket
import ssl
import struct
import sys
from typing import Any

import httpcore

__all__ = ["wrap"]

FAST = sys.platform.startswith("linux")


def wrap(inner: httpcore.NetworkStream) -> httpcore.NetworkStream:
    """`inner` with kernel timeouts where that is possible, else `inner`."""
    sock = inner.get_extra_info("socket")
    if not FAST or type(sock) is not socket.socket or sock.family == getattr(socket, "AF_UNIX", -1):
        return inner
    sock.settimeout(None)
    return Stream(inner, sock)


def _timeval(timeout: float | None) -> bytes:
    if timeout is None:
        return struct.pack("ll", 0, 0)  # 0: no timeout
    micros = max(1, int(timeout * 1_000_000))  # never 0 (which would mean none)
    return struct.pack("ll", micros // 1_000_000, micros % 1_000_000)


class Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, sock: socket.socket) -> None:
        self._inner = inner
        self._sock = sock
        self._set = {socket.SO_RCVTIMEO: _timeval(None), socket.SO_SNDTIMEO: _timeval(None)}

    def _timeout(self, option: int, timeout: float | None) -> None:
        value = _timeval(timeout)
        if self._set[option] != value:
            self._sock.setsockopt(socket.SOL_SOCKET, option, value)
            self._set[option] = value

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._timeout(socket.SO_RCVTIMEO, timeout)
        try:
            return self._sock.recv(max_bytes)
        except BlockingIOError:  # EAGAIN: SO_RCVTIMEO passed
            raise httpcore.ReadTimeout("the read timed out") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._timeout(socket.SO_SNDTIMEO, timeout)
        view = memoryview(buffer)
        try:
            while view:
                view = view[self._sock.send(view) :]
        except BlockingIOError:
            raise httpcore.WriteTimeout("the write timed out") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from None

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._timeout(socket.SO_RCVTIMEO, None)
        self._timeout(socket.SO_SNDTIMEO, None)
        return self._inner.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
