"""A scriptable HTTP server on 127.0.0.1 for the transport tests, and the raw fault server's fixture."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .faultserver import FaultServer


@dataclass
class Reply:
    """One scripted response. `lines` (if set) are streamed one by one, `delay` s apart."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    lines: list[Any] | None = None
    delay: float = 0.0
    endless: Any = None  # a frame repeated until the client goes away


def success(value_data: dict[str, Any] | None = None, **status: Any) -> dict[str, Any]:
    """A MultiOutputResponse whose return part holds `value_data`."""
    out: dict[str, Any] = {"status": {"code": 10000, "description": "Ok", **status}}
    if value_data is not None:
        out["outputs"] = [
            {"status": {"code": 10000}, "data": {"parts": [{"id": "return", "data": value_data}]}}
        ]
    return out


class Server:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.pop(0)
        return Reply(500, "no reply scripted")

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _encode(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    server_ref: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        srv = self.server_ref
        srv.requests.append(
            {
                "path": self.path,
                "peer": self.client_address,  # one per connection
                "headers": dict(self.headers.items()),
                "body": json.loads(raw or b"null"),
            }
        )
        reply = srv.next_reply()
        if reply.delay and reply.lines is None:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.lines is None and reply.endless is None:
            data = _encode(reply.body)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        # streamed: no Content-Length, the connection is closed at the end
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        self.close_connection = True
        try:
            for line in reply.lines or []:
                self.wfile.write(_encode(line) + b"\n")
                self.wfile.flush()
                time.sleep(reply.delay)
            if reply.endless is not None:
                chunk = _encode(reply.endless) + b"\n"
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):
            srv.disconnected.set()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture
def faults() -> Iterator[Callable[..., FaultServer]]:
    """`faults(*behaviours)` starts a `FaultServer`; every one started is stopped at the end."""
    servers: list[FaultServer] = []

    def start(*behaviours: Any) -> FaultServer:
        servers.append(FaultServer(*behaviours))
        return servers[-1]

    yield start
    for srv in servers:
        srv.stop()
