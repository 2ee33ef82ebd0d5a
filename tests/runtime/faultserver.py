"""A raw HTTP/1.1 server on 127.0.0.1 for fault tests: it reads one request per connection, then
a scripted behaviour writes whatever bytes it likes, as slowly as it likes (drips, bodies of any
size generated chunk by chunk, gzip bombs, endless lines). Nothing big is ever built in memory."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "FaultServer",
    "Request",
    "drip_body",
    "drip_headers",
    "endless_line",
    "gzip_bomb",
    "huge_body",
    "lines",
    "reply",
    "silent_stream",
]

MiB = 1024 * 1024
Request = dict[str, Any]
Behaviour = Callable[[socket.socket, Request], None]
GIVE_UP = 30.0  # seconds a drip goes on when the client never hangs up


class FaultServer:
    """Serves each request with the next scripted behaviour (the last one repeats)."""

    def __init__(self, *behaviours: Behaviour) -> None:
        self.behaviours = list(behaviours)
        self.requests: list[Request] = []
        self.hung_up = threading.Event()  # the client closed a connection mid-response
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.tcp.daemon_threads = True
        self.thread = threading.Thread(target=self.tcp.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.tcp.server_address[:2]
        return f"http://{host}:{port}"

    def next(self, request: Request) -> Behaviour:
        with self._lock:
            self.requests.append(request)
            return self.behaviours.pop(0) if len(self.behaviours) > 1 else self.behaviours[0]

    def settled(self, quiet: float = 0.15, limit: float = 5.0) -> int:
        """How many requests arrived, once none has for `quiet` seconds (a loaded machine may
        run the server's threads late)."""
        deadline = time.monotonic() + limit
        seen = -1
        while seen != len(self.requests) and time.monotonic() < deadline:
            seen = len(self.requests)
            time.sleep(quiet)
        return seen

    def stop(self) -> None:
        self.tcp.shutdown()
        self.tcp.server_close()

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(socketserver.BaseRequestHandler):
    server_ref: FaultServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        request = _read_request(sock)
        if request is None:
            return
        behaviour = self.server_ref.next(request)
        try:
            behaviour(sock, request)
        except OSError:  # BrokenPipe, ConnectionReset: the client went away
            self.server_ref.hung_up.set()


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:])}
    size = int(headers.get("content-length") or 0)
    while len(body) < size:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return {"line": lines[0], "headers": headers, "body": json.loads(body or b"null")}


def _head(status: int = 200, **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def reply(body: Any, status: int = 200, **headers: str) -> Behaviour:
    """A complete response (`body`: bytes, str, or JSON)."""
    data = (
        body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body))
    )
    raw = data.encode() if isinstance(data, str) else data

    def behave(sock: socket.socket, request: Request) -> None:
        sock.sendall(_head(status, Content_Length=str(len(raw)), **headers) + raw)

    return behave


def _drip(sock: socket.socket, byte: bytes, interval: float) -> None:
    deadline = time.monotonic() + GIVE_UP
    while time.monotonic() < deadline:
        sock.sendall(byte)
        time.sleep(interval)


def drip_headers(interval: float = 1.0) -> Behaviour:
    """A status line, then one byte of an endless header every `interval` seconds."""

    def behave(sock: socket.socket, request: Request) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
        _drip(sock, b"a", interval)

    return behave


def drip_body(interval: float = 1.0, **headers: str) -> Behaviour:
    """Headers of a 1 MB body, then one byte of it every `interval` seconds."""

    def behave(sock: socket.socket, request: Request) -> None:
        sock.sendall(_head(200, Content_Length=str(10**6), **headers) + b'{"a": "')
        _drip(sock, b"a", interval)

    return behave


def silent_stream(first: bytes = b"", interval: float = 0.5) -> Behaviour:
    """A streamed body that sends `first`, then one space (no message) every `interval` s."""

    def behave(sock: socket.socket, request: Request) -> None:
        sock.sendall(_head(200, Connection="close") + first)
        _drip(sock, b" ", interval)

    return behave


def _chunks(total: int, piece: bytes) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        chunk = piece[: total - sent]
        sent += len(chunk)
        yield chunk


def huge_body(size: int, *, content_length: bool = True, prefix: bytes = b'{"a": "') -> Behaviour:
    """A body of `size` bytes (a JSON string that never ends), generated 1 MiB at a time."""

    def behave(sock: socket.socket, request: Request) -> None:
        headers = {"Content_Length": str(size)} if content_length else {"Connection": "close"}
        sock.sendall(_head(200, **headers) + prefix)
        for chunk in _chunks(size - len(prefix), b"a" * MiB):
            sock.sendall(chunk)

    return behave


def endless_line(size: int) -> Behaviour:
    """A stream whose first message never ends: `size` bytes without a newline or a `}`."""
    return huge_body(size, content_length=False, prefix=b'{"result": {"a": "')


def gzip_bomb(size: int, *, prefix: bytes = b'{"a": "') -> Behaviour:
    """A gzip-encoded body that inflates to `size` bytes, compressed 1 MiB at a time."""

    def behave(sock: socket.socket, request: Request) -> None:
        sock.sendall(_head(200, Content_Encoding="gzip", Connection="close"))
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)
        sock.sendall(gz.compress(prefix))
        for chunk in _chunks(size - len(prefix), b"a" * MiB):
            sock.sendall(gz.compress(chunk) + gz.flush(zlib.Z_SYNC_FLUSH))
        sock.sendall(gz.flush())

    return behave


def lines(*messages: Any) -> Behaviour:
    """A streamed body of NDJSON `messages` (dicts as JSON, bytes as is)."""

    def behave(sock: socket.socket, request: Request) -> None:
        sock.sendall(_head(200, Connection="close"))
        for message in messages:
            data = message if isinstance(message, bytes) else json.dumps(message).encode()
            sock.sendall(data + b"\n")

    return behave
