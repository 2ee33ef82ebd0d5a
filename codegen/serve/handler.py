"""The REST request handler of `codegen.serve.rest`: route, check, run the model, answer."""

from __future__ import annotations

import json
import socket
import time
import traceback
from collections.abc import Generator, Iterator, Mapping
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from clarifai_grpc.grpc.api.status.status_code_pb2 import (
    CONN_DOES_NOT_EXIST,
    CONN_METHOD_NOT_ALLOWED,
    INTERNAL_SERVER_ISSUE,
    MODEL_DOES_NOT_EXIST,
    SUCCESS,
)

from .head import parse_head
from .registry import RESPONSES, method_name, status_body, to_json
from .routes import HTTPError, bad_request, fail, new_record, parse_request, parse_requests

if TYPE_CHECKING:
    from .rest import RestServer

__all__ = ["Handler", "shut"]

JOIN = 256 * 1024  # a body up to this long goes out in one write with its headers


def shut(sock: socket.socket) -> None:
    """Close both directions of a connection (a thread blocked reading it wakes up)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Handler(BaseHTTPRequestHandler):
    """One connection's requests; a hook may answer one itself (`send`) or close it (`drop`)."""

    protocol_version = "HTTP/1.1"
    server: Any  # rest._Server
    server_version = "clarifai-codegen-serve"
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's: the response head being built
    raw_requestline: bytes  # BaseHTTPRequestHandler's: the request line as read
    _date: tuple[int, str] = (0, "")  # the Date header of the current second

    @property
    def owner(self) -> RestServer:
        owner: RestServer = self.server.owner
        return owner

    def setup(self) -> None:
        super().setup()
        self.owner.opened(self.connection)
        # Small writes must not wait for delayed ACKs (Nagle): ~40 ms per request otherwise.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.owner.closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # the access log is ours
        pass

    def parse_request(self) -> bool:
        head = parse_head(self.raw_requestline, self.rfile)
        if head is None:
            return super().parse_request()
        self.command, self.path, self.requestline, self.headers, self.close_connection = head
        self.request_version = "HTTP/1.1"
        return True

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, formatted once a second (`email.utils.formatdate` costs ~5 us)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        now = int(time.time())
        second, text = Handler._date
        if second != now:
            text = super().date_time_string(now)
            Handler._date = (now, text)
        return text

    # ---------------------------------------------------------------- I/O
    def _read_body(self) -> bytes:
        """Content-Length bytes, or the chunks of a chunked body (httpx sends an iterator so)."""
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.rfile.read(max(0, int(self.headers.get("Content-Length") or 0)))
        chunks = []
        while size := int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # the trailer section
            pass
        return b"".join(chunks)

    def send(
        self,
        http_status: int,
        body: Any,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        """`body`: bytes or str sent verbatim, anything else as JSON."""
        payload = body.encode() if isinstance(body, str) else body
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode()
        self.send_response(http_status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        # One write: headers and body in one segment (one send, and the client reads the whole
        # response in one receive instead of waking again for the body).
        if len(payload) <= JOIN:
            self.wfile.write(head + payload)
        else:
            self.wfile.write(head)
            self.wfile.write(payload)
        self.wfile.flush()

    def drop(self) -> None:
        self.close_connection = True
        shut(self.connection)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, record: dict[str, Any], responses: Iterator[Any]) -> None:
        """Stream `MultiOutputResponse`s as chunked NDJSON, `{"result": ...}` per line; counts them."""
        record["responses"] = 0
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        frames = _frames(responses)
        try:
            for frame in frames:
                self._write_chunk(json.dumps(frame).encode() + b"\n")
                record["responses"] += 1
            self._write_chunk(b"")
        finally:
            frames.close()

    # ---------------------------------------------------------------- dispatch
    def _handle(self) -> None:
        started = time.monotonic()
        owner = self.owner
        split = urlsplit(self.path)
        record = new_record(self.command, split.path, split.query, self.headers, self._read_body())
        try:
            if not owner.hook(record, self):
                self._dispatch(record)
        except HTTPError as e:
            record["http_status"] = e.http_status
            record["outcome"] = str(e.body.get("status", {}).get("code", "-"))
            self.send(e.http_status, e.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            record["outcome"] = "client went away"
        except Exception as e:
            record["http_status"] = 500
            record["outcome"] = "internal error"
            owner.on_error(traceback.format_exc())
            details = f"{type(e).__name__}: {e}"
            self.send(500, status_body(INTERNAL_SERVER_ISSUE, "Internal server issue", details))
        if owner.access_log is not None:
            ms = (time.monotonic() - started) * 1000
            owner.access_log(
                f"{self.command} {record['path']} {record['http_status'] or 0} "
                f"{record['outcome']} {ms:.0f} ms"
            )

    # every method is routed (a wrong one is a 405 with a Clarifai status body)
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _dispatch(self, record: dict[str, Any]) -> None:
        route, path = record["route"], record["path"]
        if route is None:
            details = f"no route for {self.command} {path}"
            raise fail(404, CONN_DOES_NOT_EXIST, "Resource does not exist", details)
        want = "GET" if route in RESPONSES else "POST"
        if self.command != want:
            details = f"{self.command} {path} (expected {want})"
            raise fail(405, CONN_METHOD_NOT_ALLOWED, "Method not allowed", details)
        self._route(record, None, model=False)
        if route == "get_user":
            resp = self.owner.registry.user(record["user_id"])
            if resp.status.code != SUCCESS:
                raise HTTPError(404, to_json(resp))
            self._ok(record, to_json(resp))
            return
        if want == "GET":
            served = self._route(record, record["version_id"])
            self._ok(record, to_json(served.response(route, record["version_id"])))
            return
        raw, body = record["raw_body"], record["body"]
        if route != "stream":
            if body is None:
                raise bad_request(
                    "empty request body" if not raw else "request body is not valid JSON"
                )
            reqs = [parse_request(body)]
        else:
            reqs = parse_requests(raw)
        first = reqs[0]
        record["proto"] = reqs if route == "stream" else first
        if record["model_id"] is None:  # /v2/models/outputs/stream: ids from the body
            record.update(
                user_id=first.user_app_id.user_id,
                app_id=first.user_app_id.app_id,
                model_id=first.model_id,
            )
        record["method_name"] = method_name(first)
        self._check_ids(record, first)
        served = self._route(record, record["version_id"] or first.version_id or None)
        record["http_status"] = 200
        name = record["method_name"] or "-"
        responses = served.run(route, iter(reqs))
        if route == "outputs":
            [resp] = responses
            record["outcome"] = f"{name} status={resp.status.code}"
            self.send(200, to_json(resp))
            return
        self._stream(record, responses)
        record["outcome"] = f"{name} {record['responses']} messages"

    def _ok(self, record: dict[str, Any], body: dict[str, Any]) -> None:
        record["http_status"], record["outcome"] = 200, "ok"
        self.send(200, body)

    def _route(self, record: dict[str, Any], version_id: str | None, model: bool = True) -> Any:
        """`Registry.route` of the request: a rejection is a 401 (auth) or a 404 (no such model)."""
        ids = (record["user_id"], record["app_id"], record["model_id"], version_id)
        routed = self.owner.registry.route(self.headers.get("Authorization"), *ids, model=model)
        if isinstance(routed, tuple):
            http_status = 404 if routed[0] == MODEL_DOES_NOT_EXIST else 401
            raise HTTPError(http_status, status_body(*routed))
        return routed

    def _check_ids(self, record: dict[str, Any], req: Any) -> None:
        """A body whose ids contradict the URL is a 400 (a guard against misrouted requests)."""
        for name, in_body, in_path in (
            ("user_app_id.user_id", req.user_app_id.user_id, record["user_id"]),
            ("user_app_id.app_id", req.user_app_id.app_id, record["app_id"]),
            ("model_id", req.model_id, record["model_id"]),
            ("version_id", req.version_id, record["version_id"]),
        ):
            if in_body and in_path and in_body != in_path:
                raise bad_request(f"body {name}={in_body!r} does not match the URL ({in_path!r})")


def _frames(responses: Iterator[Any]) -> Generator[dict[str, Any], None, None]:
    """`{"result": response}` per response; a server bug ends the stream with `{"error": ...}`.
    Closing it closes `responses` (the model's generator runs its `finally`)."""
    try:
        for resp in responses:
            yield {"result": to_json(resp)}
    except Exception as e:  # the wrappers catch model errors
        yield {"error": {"code": 13, "message": f"{type(e).__name__}: {e}"}}
    finally:
        getattr(responses, "close", lambda: None)()
