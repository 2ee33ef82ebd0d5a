"""The REST half of `clarifai-codegen serve`: Clarifai's REST routes, served from local models.

Routes (`{u}`, `{a}`, `{m}`, `{v}` = user, app, model and version ids)::

    GET  /v2/users/{u}/apps/{a}/models/{m}                                  GetModel
    GET  /v2/users/{u}/apps/{a}/models/{m}/versions/{v}                     GetModelVersion
    GET  /v2/users/{u}/apps/{a}/models/{m}/versions                         ListModelVersions
    GET  /v2/users/me  (or /v2/users/{owner})                               GetUser: the PAT's owner
    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs           PostModelOutputs
    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs/generate  GenerateModelOutputs
    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs/stream    StreamModelOutputs (*)
    POST /v2/models/outputs/stream                                          StreamModelOutputs (*)

(*) half-duplex, as the real REST API is not known to serve bidi streams: the body is NDJSON (one
`PostModelOutputsRequest` per line) or a JSON array, read in full before the responses stream back.

Request bodies are parsed strictly into `PostModelOutputsRequest` (unknown fields are a 400) and handed
to the SDK's `predict_wrapper` / `generate_wrapper` / `stream_wrapper`, the code a Clarifai runner
calls; URL inputs are passed to the model as URLs, never downloaded. Responses are the REST JSON of the
protos (snake_case, enums as integers); a model FAILURE is HTTP 200 with the FAILURE status, as on the
real API. Streams are newline-delimited JSON, one `{"result": MultiOutputResponse}` per line (the
`stream_framing` "result"; "bare" sends the response alone, "array" one JSON array), written and
flushed as the model yields (chunked transfer encoding).

Every request becomes a record (`routes.new_record`) that the handler fills in as it goes; a `hook`
sees it first and may answer instead (the test oracle's recording and fault injection).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import urlsplit

from clarifai_grpc.grpc.api.status import status_code_pb2

from .registry import Registry, closing, method_name, status_body, to_json
from .routes import HTTPError, bad_request, new_record, parse_request, parse_requests

__all__ = ["FRAMINGS", "Exchange", "RestHook", "RestServer"]

AccessLog = Callable[[str], None]
FRAMINGS: Final = ("result", "bare", "array")
_GET_ROUTES: Final = ("get_model", "get_model_version", "list_model_versions", "get_user")


class Exchange:
    """What a hook may do with a request: answer it (`send`) or close the connection (`drop`)."""

    def __init__(self, handler: _Handler) -> None:
        self._handler = handler

    def send(self, http_status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        """`body`: bytes or str sent verbatim, anything else as JSON."""
        payload = body.encode() if isinstance(body, str) else body
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode()
        self._handler.send_bytes(http_status, payload, headers=headers)

    def drop(self) -> None:
        self._handler.close_connection = True
        try:
            self._handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


RestHook = Callable[[dict[str, Any], Exchange], bool]  # True: the hook answered


def _print_error(text: str) -> None:
    print(text, file=sys.stderr, end="")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: RestServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A connection-level failure (the client went away): not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            self.owner.on_error(traceback.format_exc())


class RestServer:
    """A threaded HTTP server on `host:port` (port 0: a free one) serving `registry`'s models.

    `hook` sees every request record first; `on_error` gets the traceback of a server bug (stderr by
    default); `strict_ids` makes a body whose ids contradict the URL a 400."""

    def __init__(
        self,
        registry: Registry,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: AccessLog | None = None,
        hook: RestHook | None = None,
        on_error: Callable[[str], None] = _print_error,
        strict_ids: bool = True,
    ) -> None:
        self.registry = registry
        self.host = host
        self.port = port
        self.access_log = access_log
        self.hook = hook
        self.on_error = on_error
        self.strict_ids = strict_ids
        self.stream_framing = "result"
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> RestServer:
        if self._httpd is not None:
            return self
        httpd = _Server((self.host, self.port), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"clarifai-codegen-serve-rest-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def url(self) -> str:
        """`http://host:port`: the value for `CLARIFAI_API_BASE`."""
        return f"http://{self.host}:{self.port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "clarifai-codegen-serve"

    def setup(self) -> None:
        super().setup()
        # Small writes must not wait for delayed ACKs (Nagle): ~40 ms per request otherwise.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # the access log is ours
        pass

    # ---------------------------------------------------------------- I/O
    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_bytes(
        self,
        http_status: int,
        payload: bytes,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(http_status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _send_json(self, http_status: int, body: Any) -> None:
        self.send_bytes(http_status, json.dumps(body).encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, record: dict[str, Any], responses: Iterator[Any]) -> None:
        """Stream `MultiOutputResponse`s in the server's framing; counts them in the record."""
        framing = self.server.owner.stream_framing
        record["responses"] = 0
        it = closing(responses)
        if framing == "array":
            try:
                items = [to_json(r) for r in it]
            finally:
                it.close()
            record["responses"] = len(items)
            self.send_bytes(200, json.dumps(items).encode())
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        try:
            while True:
                try:
                    resp = next(it)
                except StopIteration:
                    break
                except Exception as e:  # the wrappers catch model errors; this is a server bug
                    line: dict[str, Any] = {
                        "error": {"code": 13, "message": f"{type(e).__name__}: {e}"}
                    }
                else:
                    line = {"result": to_json(resp)} if framing == "result" else to_json(resp)
                self._write_chunk(json.dumps(line).encode() + b"\n")
                record["responses"] += 1
                if "error" in line:
                    break
            self._write_chunk(b"")
        finally:
            it.close()

    # ---------------------------------------------------------------- dispatch
    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        started = time.monotonic()
        owner = self.server.owner
        split = urlsplit(self.path)
        record = new_record(self.command, split.path, split.query, self.headers, self._read_body())
        try:
            if owner.hook is not None and owner.hook(record, Exchange(self)):
                return
            self._dispatch(record)
        except HTTPError as e:
            record["http_status"] = e.http_status
            record["outcome"] = str(e.body.get("status", {}).get("code", "-"))
            self._send_json(e.http_status, e.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            record["outcome"] = "client went away"
        except Exception as e:
            record["http_status"] = 500
            record["outcome"] = "internal error"
            owner.on_error(traceback.format_exc())
            self._send_json(
                500,
                status_body(
                    status_code_pb2.INTERNAL_SERVER_ISSUE,
                    "Internal server issue",
                    f"{type(e).__name__}: {e}",
                ),
            )
        if owner.access_log is not None:
            ms = (time.monotonic() - started) * 1000
            owner.access_log(
                f"{self.command} {record['path']} {record['http_status'] or 0} "
                f"{record['outcome']} {ms:.0f} ms"
            )

    def _dispatch(self, record: dict[str, Any]) -> None:
        route, path = record["route"], record["path"]
        if route is None:
            raise HTTPError(
                404,
                status_body(
                    status_code_pb2.CONN_DOES_NOT_EXIST,
                    "Resource does not exist",
                    f"no route for {self.command} {path}",
                ),
            )
        want = "GET" if route in _GET_ROUTES else "POST"
        if self.command != want:
            raise HTTPError(
                405,
                status_body(
                    status_code_pb2.CONN_METHOD_NOT_ALLOWED,
                    "Method not allowed",
                    f"{self.command} {path} (expected {want})",
                ),
            )
        registry = self.server.owner.registry
        denied = registry.auth_error(self.headers.get("Authorization"))
        if denied is not None:
            raise HTTPError(401, status_body(*denied))
        if route == "get_user":
            user = registry.user(record["user_id"])
            if user is None:
                raise HTTPError(
                    404, status_body(status_code_pb2.CONN_DOES_NOT_EXIST, "User does not exist")
                )
            self._ok(record, {**status_body(status_code_pb2.SUCCESS, "Ok"), "user": {"id": user}})
            return
        if want == "GET":
            served = self._lookup(record, record["version_id"])
            self._ok(record, served.get_body(route, record["version_id"]))
            return
        raw, body = record["raw_body"], record["body"]
        if route == "stream":
            reqs = parse_requests(raw)
            record["proto"] = reqs
            first = reqs[0]
            if record["model_id"] is None:  # /v2/models/outputs/stream: ids from the body
                record.update(
                    user_id=first.user_app_id.user_id,
                    app_id=first.user_app_id.app_id,
                    model_id=first.model_id,
                )
        else:
            if body is None:
                raise bad_request(
                    "empty request body" if not raw else "request body is not valid JSON"
                )
            first = parse_request(body)
            record["proto"] = first
        record["method_name"] = method_name(first)
        self._check_ids(record, first)
        model = self._lookup(record, record["version_id"] or first.version_id or None).model
        record["http_status"] = 200
        name = record["method_name"] or "-"
        if route == "outputs":
            resp = model.predict_wrapper(first)
            record["outcome"] = f"{name} status={resp.status.code}"
            self._send_json(200, to_json(resp))
            return
        wrapper = (
            model.generate_wrapper(first)
            if route == "generate"
            else model.stream_wrapper(iter(reqs))
        )
        self._stream(record, wrapper)
        record["outcome"] = f"{name} {record['responses']} messages"

    def _ok(self, record: dict[str, Any], body: dict[str, Any]) -> None:
        record["http_status"], record["outcome"] = 200, "ok"
        self._send_json(200, body)

    def _lookup(self, record: dict[str, Any], version_id: str | None) -> Any:
        registry = self.server.owner.registry
        u, a, m = record["user_id"], record["app_id"], record["model_id"]
        served = registry.lookup(u, a, m, version_id)
        if served is None:
            raise HTTPError(404, status_body(*registry.missing(u, a, m, version_id)))
        return served

    def _check_ids(self, record: dict[str, Any], req: Any) -> None:
        """A body whose ids contradict the URL is a 400 (a guard against misrouted requests)."""
        if not self.server.owner.strict_ids:
            return
        for name, in_body, in_path in (
            ("user_app_id.user_id", req.user_app_id.user_id, record["user_id"]),
            ("user_app_id.app_id", req.user_app_id.app_id, record["app_id"]),
            ("model_id", req.model_id, record["model_id"]),
            ("version_id", req.version_id, record["version_id"]),
        ):
            if in_body and in_path and in_body != in_path:
                raise bad_request(f"body {name}={in_body!r} does not match the URL ({in_path!r})")
