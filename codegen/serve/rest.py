"""The REST half of `clarifai-codegen serve`: Clarifai's REST routes, served from local models.

Routes (`{u}`, `{a}`, `{m}`, `{v}` = user, app, model and version ids)::

    GET  /v2/users/{u}/apps/{a}/models/{m}                                  GetModel
    GET  /v2/users/{u}/apps/{a}/models/{m}/versions/{v}                     GetModelVersion
    GET  /v2/users/{u}/apps/{a}/models/{m}/versions                         ListModelVersions
    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs           PostModelOutputs
    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs/generate  GenerateModelOutputs

Request bodies are parsed strictly into `PostModelOutputsRequest` (unknown fields are a 400) and handed
to the SDK's `predict_wrapper` / `generate_wrapper`, the code a Clarifai runner calls; URL inputs are
passed to the model as URLs, never downloaded. Responses are the REST JSON of the protos (snake_case,
enums as integers); a model FAILURE is HTTP 200 with the FAILURE status, as on the real API.
`outputs/generate` streams newline-delimited JSON, one `{"result": MultiOutputResponse}` per line,
written and flushed as the model yields (chunked transfer encoding).
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from clarifai_grpc.grpc.api import service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2
from google.protobuf.json_format import ParseDict

from .registry import Registry, ServedModel, closing, method_name, to_json

__all__ = ["RestServer", "status_body"]

AccessLog = Callable[[str], None]

_MODEL_PATH: Final = re.compile(
    r"^/v2/users/(?P<u>[^/]+)/apps/(?P<a>[^/]+)/models/(?P<m>[^/]+)"
    r"(?:/versions/(?P<v>[^/]+))?"
    r"(?P<tail>/outputs(?:/generate)?|/versions)?/?$"
)
_GET_ROUTES: Final = ("get_model", "get_model_version", "list_model_versions")


def status_body(code: int, description: str, details: str = "") -> dict[str, Any]:
    status: dict[str, Any] = {"code": code, "description": description}
    if details:
        status["details"] = details
    return {"status": status}


class _HTTPError(Exception):
    def __init__(self, http_status: int, body: dict[str, Any]) -> None:
        super().__init__(http_status, body)
        self.http_status = http_status
        self.body = body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    registry: Registry
    access_log: AccessLog | None

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A connection-level failure (the client went away): not worth a traceback on stderr.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class RestServer:
    """A threaded HTTP server on `host:port` (port 0: a free one) serving `registry`'s models."""

    def __init__(
        self,
        registry: Registry,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: AccessLog | None = None,
    ) -> None:
        self.registry = registry
        self.host = host
        self.port = port
        self.access_log = access_log
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> RestServer:
        if self._httpd is not None:
            return self
        httpd = _Server((self.host, self.port), _Handler)
        httpd.registry = self.registry
        httpd.access_log = self.access_log
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
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
    def url(self) -> str:
        """`http://host:port`: the value for `CLARIFAI_API_BASE`."""
        return f"http://{self.host}:{self.port}"


def _parse_request(body: Any) -> service_pb2.PostModelOutputsRequest:
    if not isinstance(body, dict):
        raise _HTTPError(
            400,
            status_body(
                status_code_pb2.CONN_INVALID_REQUEST,
                "Invalid request",
                f"request body must be a JSON object, got {type(body).__name__}",
            ),
        )
    try:
        req: service_pb2.PostModelOutputsRequest = ParseDict(
            body, service_pb2.PostModelOutputsRequest(), ignore_unknown_fields=False
        )
    except Exception as e:  # json_format.ParseError and friends
        raise _HTTPError(
            400, status_body(status_code_pb2.CONN_INVALID_REQUEST, "Invalid request", str(e))
        ) from e
    return req


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

    def _send_json(
        self, http_status: int, body: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        payload = json.dumps(body).encode()
        self.send_response(http_status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, responses: Iterator[Any]) -> int:
        """Stream `MultiOutputResponse`s as NDJSON (`{"result": ...}` per line); returns the count."""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        sent = 0
        it = closing(responses)
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
                    line = {"result": to_json(resp)}
                self._write_chunk(json.dumps(line).encode() + b"\n")
                sent += 1
                if "error" in line:
                    break
            self._write_chunk(b"")
        finally:
            it.close()
        return sent

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
        path = urlsplit(self.path).path
        raw = self._read_body()
        outcome = "-"
        http_status = 0
        try:
            http_status, outcome = self._dispatch(path, raw)
        except _HTTPError as e:
            http_status = e.http_status
            outcome = str(e.body.get("status", {}).get("code", "-"))
            self._send_json(e.http_status, e.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            outcome = "client went away"
        except Exception as e:
            http_status = 500
            outcome = "internal error"
            traceback.print_exc(file=sys.stderr)
            self._send_json(
                500,
                status_body(
                    status_code_pb2.INTERNAL_SERVER_ISSUE,
                    "Internal server issue",
                    f"{type(e).__name__}: {e}",
                ),
            )
        log = self.server.access_log
        if log is not None:
            ms = (time.monotonic() - started) * 1000
            log(f"{self.command} {path} {http_status} {outcome} {ms:.0f} ms")

    def _dispatch(self, path: str, raw: bytes) -> tuple[int, str]:
        m = _MODEL_PATH.match(path)
        route = None
        if m is not None:
            route = {
                None: "get_model_version" if m["v"] else "get_model",
                "/versions": None if m["v"] else "list_model_versions",
                "/outputs": "outputs",
                "/outputs/generate": "generate",
            }.get(m["tail"])
        if m is None or route is None:
            raise _HTTPError(
                404,
                status_body(
                    status_code_pb2.CONN_DOES_NOT_EXIST,
                    "Resource does not exist",
                    f"no route for {self.command} {path}",
                ),
            )
        want = "GET" if route in _GET_ROUTES else "POST"
        if self.command != want:
            raise _HTTPError(
                405,
                status_body(
                    status_code_pb2.CONN_METHOD_NOT_ALLOWED,
                    "Method not allowed",
                    f"{self.command} {path} (expected {want})",
                ),
            )
        registry = self.server.registry
        denied = registry.auth_error(self.headers.get("Authorization"))
        if denied is not None:
            raise _HTTPError(401, status_body(*denied))
        u, a, mid = unquote(m["u"]), unquote(m["a"]), unquote(m["m"])
        v = unquote(m["v"]) if m["v"] else None
        served = registry.lookup(u, a, mid)
        if served is None:
            raise _HTTPError(
                404,
                status_body(
                    status_code_pb2.MODEL_DOES_NOT_EXIST,
                    "Model does not exist",
                    f"no model {u}/{a}/{mid} is served here (serving: "
                    + ", ".join(sorted(s.ref.path for s in registry.models.values()))
                    + ")",
                ),
            )

        if want == "GET":
            model = served.model_proto(v)
            ok = status_body(status_code_pb2.SUCCESS, "Ok")
            if route == "get_model":
                body = {**ok, "model": to_json(model)}
            elif route == "get_model_version":
                body = {**ok, "model_version": to_json(model.model_version)}
            else:
                body = {**ok, "model_versions": [to_json(model.model_version)]}
            self._send_json(200, body)
            return 200, "ok"

        if not raw:
            raise _HTTPError(
                400,
                status_body(
                    status_code_pb2.CONN_INVALID_REQUEST, "Invalid request", "empty request body"
                ),
            )
        try:
            body_json = json.loads(raw)
        except ValueError:
            raise _HTTPError(
                400,
                status_body(
                    status_code_pb2.CONN_INVALID_REQUEST,
                    "Invalid request",
                    "request body is not valid JSON",
                ),
            ) from None
        req = _parse_request(body_json)
        _check_ids(req, served, v)
        name = method_name(req) or "-"
        if route == "outputs":
            resp = served.model.predict_wrapper(req)
            self._send_json(200, to_json(resp))
            return 200, f"{name} status={resp.status.code}"
        sent = self._stream(served.model.generate_wrapper(req))
        return 200, f"{name} {sent} messages"


def _check_ids(
    req: service_pb2.PostModelOutputsRequest, served: ServedModel, version_id: str | None
) -> None:
    """A body whose ids contradict the URL is a 400 (as a guard against misrouted requests)."""
    ref = served.ref
    for name, in_body, in_path in (
        ("user_app_id.user_id", req.user_app_id.user_id, ref.user_id),
        ("user_app_id.app_id", req.user_app_id.app_id, ref.app_id),
        ("model_id", req.model_id, ref.model_id),
        ("version_id", req.version_id, version_id),
    ):
        if in_body and in_path and in_body != in_path:
            raise _HTTPError(
                400,
                status_body(
                    status_code_pb2.CONN_INVALID_REQUEST,
                    "Invalid request",
                    f"body {name}={in_body!r} does not match the URL ({in_path!r})",
                ),
            )
