"""A local Clarifai REST API on 127.0.0.1 that runs real ``ModelClass`` models (the test oracle).

Routes (``{u}``, ``{a}``, ``{m}``, ``{v}`` = user, app, model and version ids)::

    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs           predict_wrapper
    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs/generate  generate_wrapper, NDJSON
    POST /v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]/outputs/stream    stream_wrapper  (*)
    POST /v2/models/outputs/stream                                          stream_wrapper  (*)
    GET  /v2/users/{u}/apps/{a}/models/{m}                                  GetModel
    GET  /v2/users/{u}/apps/{a}/models/{m}/versions/{v}                     GetModelVersion
    GET  /v2/users/{u}/apps/{a}/models/{m}/versions                         ListModelVersions
    GET  /v2/users/me  (or /v2/users/{owner_id})                             GetUser: the PAT's owner

(*) Bidi streaming is not something the real REST API is known to serve; here it is half-duplex:
the request body is NDJSON (one ``PostModelOutputsRequest`` per line, or a JSON array), read in
full before the responses are streamed back as NDJSON.

Request bodies are parsed strictly (``ParseDict(..., ignore_unknown_fields=False)``) and the
wrappers are called directly (never ``ModelServicer``, which downloads URL inputs). Responses are
``MessageToDict(resp, preserving_proto_field_name=True, use_integers_for_enums=True)``; a model
FAILURE is still HTTP 200, as on the real API.

Usage::

    with OracleServer({("u", "a", "m"): MyModel()}, pat="test-pat") as srv:
        httpx.post(f"{srv.base_url}/v2/users/u/apps/a/models/m/outputs", ...)
        srv.requests          # every request, as dicts (see ``OracleServer.requests``)
        srv.user_lookups      # how many GET /v2/users/me were answered
        srv.inject(status=503, times=2)   # the next 2 requests get HTTP 503
        srv.inject(delay=1.5)             # the next request is answered 1.5 s late
        srv.inject(drop=True)             # the next request's connection is closed, no reply
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

# model_class reads RAISE_EXCEPTIONS at import time; exceptions must become FAILURE statuses.
os.environ.pop("RAISE_EXCEPTIONS", None)

from clarifai.runners.models import model_class as _model_class
from clarifai.runners.models.model_class import ModelClass
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2
from google.protobuf.json_format import MessageToDict, ParseDict

ModelKey = tuple[str, str, str]

__all__ = [
    "DEFAULT_OWNER",
    "DEFAULT_PAT",
    "ROUTES",
    "Fault",
    "ModelKey",
    "OracleServer",
    "status_body",
    "to_json",
]

DEFAULT_PAT = "test-pat"
DEFAULT_OWNER = "oracle-owner"  # the user id of DEFAULT_PAT's owner (GET /v2/users/me)

_MODEL_PATH = re.compile(
    r"^/v2/users/(?P<u>[^/]+)/apps/(?P<a>[^/]+)/models/(?P<m>[^/]+)"
    r"(?:/versions/(?P<v>[^/]+))?"
    r"(?P<tail>/outputs(?:/generate|/stream)?|/versions)?/?$"
)
_GLOBAL_STREAM_PATH = "/v2/models/outputs/stream"
_USER_PATH = re.compile(r"^/v2/users/(?P<u>[^/]+)/?$")
ROUTES = frozenset(
    [
        "outputs",
        "generate",
        "stream",
        "get_model",
        "get_model_version",
        "list_model_versions",
        "get_user",
    ]
)
_GET_ROUTES = ("get_model", "get_model_version", "list_model_versions", "get_user")

# Default error bodies for injected HTTP statuses.
_FAULT_STATUS_CODES: dict[int, tuple[int, str]] = {
    400: (status_code_pb2.CONN_INVALID_REQUEST, "Invalid request"),
    401: (status_code_pb2.CONN_KEY_INVALID, "Invalid API key or Invalid API key/application pair"),
    403: (status_code_pb2.CONN_INSUFFICIENT_SCOPES, "Insufficient scopes"),
    404: (status_code_pb2.MODEL_DOES_NOT_EXIST, "Model does not exist"),
    429: (status_code_pb2.CONN_THROTTLED, "Making too many requests"),
    500: (status_code_pb2.INTERNAL_SERVER_ISSUE, "Internal server issue"),
    502: (status_code_pb2.INTERNAL_SERVER_ISSUE, "Internal server issue"),
    503: (status_code_pb2.MODEL_BUSY_PLEASE_RETRY, "Model is busy, please retry"),
    504: (status_code_pb2.INTERNAL_SERVER_ISSUE, "Internal server issue"),
}


def status_body(code: int, description: str, details: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"code": code, "description": description}
    if details:
        status["details"] = details
    return {"status": status}


def to_json(msg: Any) -> dict[str, Any]:
    """The REST JSON shape of a proto message: snake_case, enums as ints, bytes as base64."""
    out: dict[str, Any] = MessageToDict(
        msg, preserving_proto_field_name=True, use_integers_for_enums=True
    )
    return out


@dataclass
class Fault:
    """A fault applied to the next ``times`` matching requests (see :meth:`OracleServer.inject`)."""

    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    times: int = 1
    match: str | Callable[[dict[str, Any]], bool] | None = None
    hits: int = 0

    def matches(self, record: dict[str, Any]) -> bool:
        if self.match is None:
            return True
        if callable(self.match):
            return bool(self.match(record))
        if self.match in ROUTES:
            return self.match == record.get("route")
        return self.match in record["path"]


class _HTTPError(Exception):
    def __init__(self, http_status: int, body: dict[str, Any]) -> None:
        super().__init__(http_status, body)
        self.http_status = http_status
        self.body = body


class _QuietModelErrors(logging.Filter):
    """Drops the SDK's ``logger.exception("Error in predict")`` tracebacks (FAILURE is expected)."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not msg.startswith(("Error in predict", "Error in generate", "Error in stream"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    oracle: OracleServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # No stderr output; keep the traceback for debugging.
        self.oracle.errors.append(traceback.format_exc())


class OracleServer:
    """Threaded local Clarifai REST server running real ``ModelClass`` models.

    Args:
        models: ``{(user_id, app_id, model_id): ModelClass instance}``; ``load_model()`` is called
            on each. ``None`` serves ``tests.oracle.models.oracle_models()`` (with their versions).
        pat: the only accepted PAT (``Authorization: Key <pat>``).
        versions: ``{(user_id, app_id, model_id): version_id}``; a model without an entry gets
            the model class's ``VERSION_ID`` if it has one, else a stable md5-derived id.
            ``/versions/{v}`` with any other id is a 404.
        strict_ids: reject (400) a body whose ``user_app_id`` / ``model_id`` / ``version_id``
            contradict the URL path.
        quiet: silence the SDK's per-failure ``Error in predict`` tracebacks while running.
        owner_id: the PAT owner's user id, answered by ``GET /v2/users/me``.
    """

    def __init__(
        self,
        models: Mapping[ModelKey, ModelClass] | None = None,
        pat: str = DEFAULT_PAT,
        versions: Mapping[ModelKey, str] | None = None,
        *,
        owner_id: str = DEFAULT_OWNER,
        host: str = "127.0.0.1",
        port: int = 0,
        strict_ids: bool = True,
        quiet: bool = True,
    ) -> None:
        from .models import default_version_id

        if models is None:
            from .models import oracle_models, oracle_versions

            models = oracle_models()
            versions = {**oracle_versions(), **(versions or {})}
        self.models: dict[ModelKey, ModelClass] = dict(models)
        self.versions: dict[ModelKey, str] = {}
        for key, model in self.models.items():
            model.load_model()
            self.versions[key] = (
                (versions or {}).get(key)
                or getattr(model, "VERSION_ID", None)
                or default_version_id(key)
            )
        self.pat = pat
        self.owner_id = owner_id
        self.host = host
        self.port = port
        self.strict_ids = strict_ids
        self.quiet = quiet
        #: NDJSON framing of streamed responses: "result" -> {"result": resp} per line (grpc-gateway),
        #: "bare" -> resp per line, "array" -> one JSON array (not incremental).
        self.stream_framing = "result"
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._requests: list[dict[str, Any]] = []
        self._faults: list[Fault] = []
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._log_filter = _QuietModelErrors()

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> OracleServer:
        if self._httpd is not None:
            return self
        # Exceptions in model methods must become FAILURE statuses, whatever the environment said.
        _model_class._RAISE_EXCEPTIONS = False
        if self.quiet:
            logging.getLogger("clarifai").addFilter(self._log_filter)
        httpd = _Server((self.host, self.port), _Handler)
        httpd.oracle = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
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
        logging.getLogger("clarifai").removeFilter(self._log_filter)

    def __enter__(self) -> OracleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("OracleServer is not running")
        return f"http://{self.host}:{self.port}"

    def url(self, user_id: str, app_id: str, model_id: str, version_id: str | None = None) -> str:
        """``{base_url}/v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]``."""
        u = f"{self.base_url}/v2/users/{user_id}/apps/{app_id}/models/{model_id}"
        return f"{u}/versions/{version_id}" if version_id else u

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.pat}"}

    # ---------------------------------------------------------------- recording
    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot of every request received, oldest first.

        Each is a dict with keys: ``seq``, ``time``, ``method`` (HTTP), ``path``, ``query``,
        ``headers`` (lower-case names), ``raw_body`` (bytes), ``body`` (decoded JSON or None),
        ``route`` ("outputs" | "generate" | "stream" | "get_model" | "get_model_version" |
        "list_model_versions" | "get_user" | None), ``user_id`` / ``app_id`` / ``model_id`` / ``version_id``
        (from the path), ``proto`` (the parsed ``PostModelOutputsRequest``, or a list of them for
        "stream"), ``method_name`` (``inputs[0].data.metadata._method_name``), ``fault`` (True if
        an injected fault answered it), ``http_status`` and ``responses`` (streamed lines sent).
        """
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> dict[str, Any]:
        with self._lock:
            if not self._requests:
                raise LookupError("no request recorded")
            return self._requests[-1]

    @property
    def user_lookups(self) -> int:
        """How many ``GET /v2/users/{me|owner}`` requests were received."""
        return sum(1 for r in self.requests if r["route"] == "get_user")

    def predict_requests(self) -> list[dict[str, Any]]:
        """Recorded POSTs to ``/outputs``, ``/outputs/generate`` and ``/outputs/stream``."""
        return [r for r in self.requests if r["route"] in ("outputs", "generate", "stream")]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        """Forget requests and pending faults; restore the default stream framing."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
        self.stream_framing = "result"
        self.errors.clear()

    # ---------------------------------------------------------------- faults
    def inject(
        self,
        status: int | None = None,
        body: Any = None,
        *,
        times: int = 1,
        delay: float = 0.0,
        drop: bool = False,
        headers: Mapping[str, str] | None = None,
        match: str | Callable[[dict[str, Any]], bool] | None = None,
    ) -> Fault:
        """Queue a fault for the next ``times`` requests (that ``match``, if given).

        - ``delay``: sleep this many seconds before answering (alone: then answer normally).
        - ``status``: answer with this HTTP status instead of running anything. ``body`` is a dict
          (sent as JSON), ``str``/``bytes`` (sent verbatim, e.g. to test bad JSON) or ``None``
          (a ``{"status": {...}}`` body with a matching Clarifai code: 429 -> 11005,
          503 -> 21354, 5xx -> 98004, ...). ``headers`` are added (e.g. ``Retry-After``).
        - ``drop``: close the connection without any response (a transport error).
        - ``match``: a route name (one of ``ROUTES``: "outputs", "generate", "stream",
          "get_model", ...), else a path substring, or a predicate over the request record.

        Faults are consumed in FIFO order; each applies to one request at a time. Auth is not
        checked for faulted requests. Returns the :class:`Fault` (``.hits`` counts uses).
        """
        fault = Fault(
            status=status,
            body=body,
            headers=dict(headers or {}),
            delay=delay,
            drop=drop,
            times=times,
            match=match,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.times - f.hits for f in self._faults)

    def _take_fault(self, record: dict[str, Any]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(record):
                    fault.hits += 1
                    if fault.hits >= fault.times:
                        self._faults.remove(fault)
                    return fault
        return None

    def _record(self, record: dict[str, Any]) -> None:
        with self._lock:
            record["seq"] = len(self._requests)
            self._requests.append(record)

    # ---------------------------------------------------------------- lookups
    def _lookup(
        self, user_id: str, app_id: str, model_id: str, version_id: str | None
    ) -> ModelClass:
        key = (user_id, app_id, model_id)
        model = self.models.get(key)
        if model is None or (version_id and version_id != self.versions[key]):
            raise _HTTPError(
                404, status_body(status_code_pb2.MODEL_DOES_NOT_EXIST, "Model does not exist")
            )
        return model

    def _model_proto(self, key: ModelKey) -> resources_pb2.Model:
        from .models import get_model_response

        u, a, m = key
        return get_model_response(self.models[key], u, a, m, self.versions[key]).model


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
        return ParseDict(body, service_pb2.PostModelOutputsRequest(), ignore_unknown_fields=False)
    except Exception as e:  # json_format.ParseError and friends
        raise _HTTPError(
            400, status_body(status_code_pb2.CONN_INVALID_REQUEST, "Invalid request", str(e))
        ) from e


def _method_name(req: service_pb2.PostModelOutputsRequest) -> str | None:
    if req.inputs and "_method_name" in req.inputs[0].data.metadata:
        return str(req.inputs[0].data.metadata["_method_name"])
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Small header/body writes must not wait for delayed ACKs (Nagle): ~40 ms per request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # silence per-request logging
        pass

    @property
    def oracle(self) -> OracleServer:
        return self.server.oracle

    # ---------------------------------------------------------------- I/O helpers
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

    def _send_bytes(
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

    def _send_json(
        self, http_status: int, body: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        self._send_bytes(http_status, json.dumps(body).encode(), headers=headers)

    def _stream(self, record: dict[str, Any], responses: Iterable[Any]) -> None:
        """Stream ``MultiOutputResponse`` protos as NDJSON with chunked transfer encoding."""
        framing = self.oracle.stream_framing
        if framing == "array":
            items: list[Any] = []
            try:
                items = [to_json(r) for r in responses]
            finally:
                record["responses"] = len(items)
            self._send_bytes(200, json.dumps(items).encode(), "application/json")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        record["responses"] = 0
        it = iter(responses)
        try:
            while True:
                try:
                    resp = next(it)
                except StopIteration:
                    break
                except Exception as e:  # the wrappers catch model errors; this is a server bug
                    line = {"error": {"code": 13, "message": f"{type(e).__name__}: {e}"}}
                else:
                    line = {"result": to_json(resp)} if framing == "result" else to_json(resp)
                self._write_chunk(json.dumps(line).encode() + b"\n")
                record["responses"] += 1
                if "error" in line:
                    break
            self._write_chunk(b"")
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

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
        split = urlsplit(self.path)
        raw = self._read_body()
        record: dict[str, Any] = {
            "time": time.time(),
            "method": self.command,
            "path": split.path,
            "query": split.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "raw_body": raw,
            "body": None,
            "route": None,
            "user_id": None,
            "app_id": None,
            "model_id": None,
            "version_id": None,
            "proto": None,
            "method_name": None,
            "fault": False,
            "http_status": None,
            "responses": None,
        }
        if raw:
            try:
                record["body"] = json.loads(raw)
            except ValueError:
                record["body"] = None
        m = _MODEL_PATH.match(split.path)
        if m:
            record.update(
                user_id=unquote(m["u"]),
                app_id=unquote(m["a"]),
                model_id=unquote(m["m"]),
                version_id=unquote(m["v"]) if m["v"] else None,
            )
            tail = m["tail"]
            record["route"] = {
                None: "get_model_version" if m["v"] else "get_model",
                "/versions": "list_model_versions",
                "/outputs": "outputs",
                "/outputs/generate": "generate",
                "/outputs/stream": "stream",
            }.get(tail)
            if tail == "/versions" and m["v"]:
                record["route"] = None
        elif split.path.rstrip("/") == _GLOBAL_STREAM_PATH:
            record["route"] = "stream"
        elif u := _USER_PATH.match(split.path):
            record.update(route="get_user", user_id=unquote(u["u"]))
        self.oracle._record(record)

        try:
            fault = self.oracle._take_fault(record)
            if fault is not None:
                record["fault"] = True
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.drop:
                    record["http_status"] = 0
                    self._drop()
                    return
                if fault.status is not None:
                    record["http_status"] = fault.status
                    self._send_fault(fault)
                    return
            self._dispatch(record, raw)
        except _HTTPError as e:
            record["http_status"] = e.http_status
            self._send_json(e.http_status, e.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:
            record["http_status"] = 500
            self.oracle.errors.append(traceback.format_exc())
            self._send_json(
                500,
                status_body(
                    status_code_pb2.INTERNAL_SERVER_ISSUE, "Internal server issue", repr(e)
                ),
            )

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send_fault(self, fault: Fault) -> None:
        status = fault.status or 500
        body = fault.body
        if body is None:
            code, desc = _FAULT_STATUS_CODES.get(
                status, (status_code_pb2.INTERNAL_UNCATEGORIZED, "Uncategorized")
            )
            body = status_body(code, desc)
        if isinstance(body, str):
            body = body.encode()
        if isinstance(body, bytes):
            self._send_bytes(status, body, headers=fault.headers)
        else:
            self._send_json(status, body, headers=fault.headers)

    def _check_auth(self) -> None:
        header = self.headers.get("Authorization")
        if header is None:
            raise _HTTPError(
                401, status_body(status_code_pb2.CONN_KEY_NOT_FOUND, "API key not found")
            )
        if header != f"Key {self.oracle.pat}":
            raise _HTTPError(
                401,
                status_body(
                    status_code_pb2.CONN_KEY_INVALID,
                    "Invalid API key or Invalid API key/application pair",
                ),
            )

    def _dispatch(self, record: dict[str, Any], raw: bytes) -> None:
        route = record["route"]
        if route is None:
            raise _HTTPError(
                404,
                status_body(
                    status_code_pb2.CONN_DOES_NOT_EXIST,
                    "Resource does not exist",
                    f"no route for {self.command} {record['path']}",
                ),
            )
        want = "GET" if route in _GET_ROUTES else "POST"
        if self.command != want:
            raise _HTTPError(
                405,
                status_body(
                    status_code_pb2.CONN_METHOD_NOT_ALLOWED,
                    "Method not allowed",
                    f"{self.command} {record['path']} (expected {want})",
                ),
            )
        self._check_auth()
        oracle = self.oracle

        if route == "get_user":
            self._get_user(record)
            return
        if want == "GET":
            key = (record["user_id"], record["app_id"], record["model_id"])
            oracle._lookup(*key, record["version_id"])
            model = oracle._model_proto(key)
            ok = status_body(status_code_pb2.SUCCESS, "Ok")
            if route == "get_model":
                body = {**ok, "model": to_json(model)}
            elif route == "get_model_version":
                body = {**ok, "model_version": to_json(model.model_version)}
            else:
                body = {**ok, "model_versions": [to_json(model.model_version)]}
            record["http_status"] = 200
            self._send_json(200, body)
            return

        if route == "stream":
            self._dispatch_stream(record, raw)
            return

        body = record["body"]
        if body is None:
            detail = "empty request body" if not raw else "request body is not valid JSON"
            raise _HTTPError(
                400, status_body(status_code_pb2.CONN_INVALID_REQUEST, "Invalid request", detail)
            )
        req = _parse_request(body)
        record["proto"] = req
        record["method_name"] = _method_name(req)
        model = self._resolve(record, req)
        if route == "outputs":
            resp = model.predict_wrapper(req)
            record["http_status"] = 200
            self._send_json(200, to_json(resp))
        else:
            record["http_status"] = 200
            self._stream(record, model.generate_wrapper(req))

    def _get_user(self, record: dict[str, Any]) -> None:
        """GetUser: "me" (or the owner's own id) is the PAT's owner; anyone else is unknown."""
        owner = self.oracle.owner_id
        if record["user_id"] not in ("me", owner):
            raise _HTTPError(
                404, status_body(status_code_pb2.CONN_DOES_NOT_EXIST, "User does not exist")
            )
        record["http_status"] = 200
        self._send_json(200, {**status_body(status_code_pb2.SUCCESS, "Ok"), "user": {"id": owner}})

    def _resolve(
        self, record: dict[str, Any], req: service_pb2.PostModelOutputsRequest
    ) -> ModelClass:
        """Check the body's ids against the path (if ``strict_ids``) and find the model."""
        u, a, m, v = record["user_id"], record["app_id"], record["model_id"], record["version_id"]
        if self.oracle.strict_ids:
            for name, in_body, in_path in (
                ("user_app_id.user_id", req.user_app_id.user_id, u),
                ("user_app_id.app_id", req.user_app_id.app_id, a),
                ("model_id", req.model_id, m),
                ("version_id", req.version_id, v),
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
        return self.oracle._lookup(u, a, m, v or req.version_id or None)

    def _dispatch_stream(self, record: dict[str, Any], raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").strip()
        try:
            if text.startswith("["):
                items = json.loads(text)
            else:
                items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as e:
            raise _HTTPError(
                400,
                status_body(status_code_pb2.CONN_INVALID_REQUEST, "Invalid request", str(e)),
            ) from e
        if not items:
            raise _HTTPError(
                400,
                status_body(
                    status_code_pb2.CONN_INVALID_REQUEST, "Invalid request", "no requests in body"
                ),
            )
        reqs = [_parse_request(item) for item in items]
        record["proto"] = reqs
        record["method_name"] = _method_name(reqs[0])
        first = reqs[0]
        if record["model_id"] is None:  # /v2/models/outputs/stream: ids come from the body
            record.update(
                user_id=first.user_app_id.user_id,
                app_id=first.user_app_id.app_id,
                model_id=first.model_id,
            )
        model = self._resolve(record, first)
        record["http_status"] = 200
        self._stream(record, model.stream_wrapper(_iter(reqs)))


def _iter(reqs: list[service_pb2.PostModelOutputsRequest]) -> Iterator[Any]:
    yield from reqs
