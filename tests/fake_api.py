"""A fake Clarifai REST API on 127.0.0.1 serving saved method signatures, with injectable faults.

Routes::

    GET /v2/users/{u}/apps/{a}/models/{m}                 GetModel: {"status", "model": {..., "model_version"}}
    GET /v2/users/{u}/apps/{a}/models/{m}/versions/{v}    GetModelVersion: {"status", "model_version"}

By default it serves every file in `signatures/` under the ids listed in `signatures/index.json` (GetModel
files on the latest route, GetModelVersion files on the version route, each derived from the other; the SDK's
camelCase `_GET_SIGNATURES` file is converted to a `model_version`).

    with FakeClarifai() as api:                     # or the `fake_api` pytest fixture
        api.base_url, api.pat                       # point RemoteSettings here
        api.add_model("u", "a", "m", body)          # any shape: GetModel, GetModelVersion, list, dict
        api.set_body("u", "a", "m", body)           # change a served model (drift tests)
        api.inject("503", times=2)                  # the next 2 requests get HTTP 503
        api.inject("429", retry_after=0.2)          # HTTP 429 with `Retry-After: 0.2`
        api.inject("stall", seconds=5)              # answer 5 s late (cut short by stop())
        api.latency = 0.05                          # every request takes 50 ms longer
        api.hits["/v2/users/u/apps/a/models/m"]     # requests per path
        api.request_times(path)                     # time.monotonic() of each request to `path`

Fault kinds: "401", "403", "404" (proper `{"status": ...}` bodies), "429" (with `Retry-After`), "500",
"502", "503", "504", "drop" (close the socket without a reply), "stall" (sleep `seconds`, then answer),
"truncate" (the normal body cut in half, with a matching Content-Length), "failure" (HTTP 200 with a
failure `status.code`, 10020 unless `code=` says otherwise), "html401" (HTTP 401 with a non-JSON body).
`times=None` makes a fault permanent; `model="u/a/m"` limits it to one model's routes.
"""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = ROOT / "signatures"
DEFAULT_PAT = "fake-pat-1234567890abcdef"
DEFAULT_VERSION = "v1"

_ROUTE = re.compile(
    r"^/v2/users/(?P<u>[^/]+)/apps/(?P<a>[^/]+)/models/(?P<m>[^/]+)(?:/versions/(?P<v>[^/]+))?/?$"
)

_FAULT_STATUS: dict[str, tuple[int, int, str]] = {
    "401": (401, 11008, "Invalid API key or Invalid API key/application pair"),
    "403": (403, 11007, "Insufficient scopes"),
    "404": (404, 21200, "Model does not exist"),
    "429": (429, 11005, "Making too many requests"),
    "500": (500, 98004, "Internal server issue"),
    "502": (502, 98004, "Bad gateway"),
    "503": (503, 98004, "Service unavailable"),
    "504": (504, 98004, "Gateway timeout"),
}
FAULT_KINDS = frozenset(_FAULT_STATUS) | {"drop", "stall", "truncate", "failure", "html401"}


def status(code: int = 10000, description: str = "Ok") -> dict[str, Any]:
    return {"code": code, "description": description, "req_id": "fake-req-0001"}


def model_version_of(body: Any, version_id: str | None = None) -> dict[str, Any] | None:
    """The `model_version` object in any signature shape (None if the body has none)."""
    if isinstance(body, list):
        return {"id": version_id or DEFAULT_VERSION, "method_signatures": copy.deepcopy(body)}
    if not isinstance(body, dict):
        raise TypeError(f"unsupported body {type(body).__name__}")
    if isinstance(body.get("model"), dict):
        mv = body["model"].get("model_version")
    elif "model_version" in body:
        mv = body["model_version"]
    elif "method_signatures" in body:
        mv = {"method_signatures": body["method_signatures"]}
    elif body and all(isinstance(v, dict) for v in body.values()):  # _GET_SIGNATURES, keyed by name
        mv = {"method_signatures": [{**v, "name": k} for k, v in body.items()]}
    else:
        mv = None
    if not isinstance(mv, dict):
        return None
    mv = copy.deepcopy(mv)
    if version_id is not None:
        mv["id"] = version_id
    mv.setdefault("id", DEFAULT_VERSION)
    return mv


@dataclass
class _Model:
    latest: dict[str, Any]  # GetModel body
    versions: dict[str, dict[str, Any]]  # version id -> GetModelVersion body


@dataclass
class _Fault:
    kind: str
    remaining: int | None
    model: str | None
    retry_after: float | str | None = None
    seconds: float = 5.0
    code: int | None = None
    description: str | None = None
    served: int = field(default=0)

    def matches(self, key: str) -> bool:
        return self.remaining != 0 and (self.model is None or self.model == key)


def default_models() -> dict[str, tuple[str, str, str, Any]]:
    """{file stem: (user, app, model, body)} for every saved signature file."""
    index = json.loads((SIGNATURES / "index.json").read_text(encoding="utf-8"))
    out = {}
    for stem, entry in sorted(index.items()):
        ids = entry["model"]
        body = json.loads((SIGNATURES / f"{stem}.json").read_text(encoding="utf-8"))
        out[stem] = (ids["user_id"], ids["app_id"], ids["id"], body)
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    fake: FakeClarifai

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer (stall, timeout) is expected here


class FakeClarifai:
    """See the module docstring."""

    def __init__(
        self, pat: str = DEFAULT_PAT, *, defaults: bool = True, latency: float = 0.0
    ) -> None:
        self.pat = pat
        self.latency = latency
        self._lock = threading.Lock()
        self._models: dict[str, _Model] = {}
        self._faults: list[_Fault] = []
        self._hits: Counter[str] = Counter()
        self._times: list[tuple[float, str]] = []
        self._in_flight = 0
        #: the most requests handled at once; the headers of the last request
        self.max_in_flight = 0
        self.last_headers: dict[str, str] = {}
        self._stopping = threading.Event()
        self._handlers: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        if defaults:
            for user, app, model, body in default_models().values():
                self.add_model(user, app, model, body)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeClarifai:
        if self._httpd is None:
            self._stopping.clear()
            httpd = _Server(("127.0.0.1", 0), _Handler)
            httpd.fake = self
            self._httpd = httpd
            self.port = httpd.server_address[1]
            self._thread = threading.Thread(
                target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: stalls are cut short, open connections closed, handler threads joined."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            sockets, handlers = list(self._sockets), list(self._handlers)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in handlers:
            thread.join(timeout=2)
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> FakeClarifai:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def live_handlers(self) -> int:
        with self._lock:
            return sum(t.is_alive() for t in self._handlers)

    # ------------------------------------------------------------------ models
    @staticmethod
    def path(user: str, app: str, model: str, version_id: str | None = None) -> str:
        path = f"/v2/users/{user}/apps/{app}/models/{model}"
        return path + (f"/versions/{version_id}" if version_id else "")

    def add_model(
        self, user: str, app: str, model: str, body: Any, version_id: str | None = None
    ) -> str:
        """Serve `body` (any signature shape) as the latest version of u/a/m; returns the version id.

        A GetModel body is served as is on the latest route; a GetModelVersion body as is on the version
        route; the other route gets a body derived from it. A body without a model_version (a
        non-pythonic model) is served as is on the latest route only.
        """
        mv = model_version_of(body, version_id)
        if isinstance(body, dict) and isinstance(body.get("model"), dict):
            latest = copy.deepcopy(body)
            if mv is not None:
                latest["model"]["model_version"] = mv
        else:
            latest = {
                "status": status(),
                "model": {"id": model, "user_id": user, "app_id": app},
            }
            if mv is not None:
                latest["model"]["model_version"] = mv
        versions: dict[str, dict[str, Any]] = {}
        if mv is not None:
            if isinstance(body, dict) and "model_version" in body and "model" not in body:
                served = copy.deepcopy(body)
                served["model_version"] = mv
            else:
                served = {"status": status(), "model_version": mv}
            versions[mv["id"]] = served
        key = f"{user}/{app}/{model}"
        with self._lock:
            old = self._models.get(key)
            if old is not None:
                versions = {**old.versions, **versions}
            self._models[key] = _Model(latest, versions)
        return str(mv["id"]) if mv is not None else ""

    def set_body(
        self, user: str, app: str, model: str, body: Any, version_id: str | None = None
    ) -> str:
        """Change what an existing model serves (e.g. drifted signatures)."""
        with self._lock:
            if f"{user}/{app}/{model}" not in self._models:
                raise KeyError(f"no model {user}/{app}/{model}")
        return self.add_model(user, app, model, body, version_id)

    def remove_model(self, user: str, app: str, model: str) -> None:
        with self._lock:
            self._models.pop(f"{user}/{app}/{model}", None)

    def models(self) -> list[str]:
        with self._lock:
            return sorted(self._models)

    # ------------------------------------------------------------------ faults and counters
    def inject(
        self,
        kind: str,
        times: int | None = 1,
        *,
        model: str | None = None,
        retry_after: float | str | None = None,
        seconds: float = 5.0,
        code: int | None = None,
        description: str | None = None,
    ) -> None:
        """Queue a fault for the next `times` matching requests (None: every request)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        if kind == "429" and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.append(_Fault(kind, times, model, retry_after, seconds, code, description))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def hits(self) -> Counter[str]:
        """Requests per path (a snapshot)."""
        with self._lock:
            return Counter(self._hits)

    def total_hits(self) -> int:
        with self._lock:
            return sum(self._hits.values())

    def request_times(self, path: str | None = None) -> list[float]:
        with self._lock:
            return [t for t, p in self._times if path is None or p == path]

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._hits.clear()
            self._times.clear()
            self.max_in_flight = 0
        self.latency = 0.0

    # ------------------------------------------------------------------ used by the handler
    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._hits[path] += 1
            self._times.append((time.monotonic(), path))
            self.last_headers = headers
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _take_fault(self, key: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(key):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    fault.served += 1
                    return fault
        return None

    def _lookup(self, key: str) -> _Model | None:
        with self._lock:
            return self._models.get(key)

    def _register(self, sock: socket.socket) -> None:
        with self._lock:
            self._handlers.add(threading.current_thread())
            self._sockets.add(sock)

    def _unregister(self, sock: socket.socket) -> None:
        with self._lock:
            self._handlers.discard(threading.current_thread())
            self._sockets.discard(sock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stalls
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._register(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._unregister(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        fake = self.server.fake
        fake._record(urlsplit(self.path).path, dict(self.headers.items()))
        try:
            self._get(fake)
        finally:
            fake._done()

    def _get(self, fake: FakeClarifai) -> None:
        path = urlsplit(self.path).path
        if fake.latency > 0 and fake._stopping.wait(fake.latency):
            return self._drop()
        match = _ROUTE.match(path)
        key = f"{match['u']}/{match['a']}/{match['m']}" if match else ""
        fault = fake._take_fault(key)
        if fault is not None and self._fault(fault):
            return None
        auth = self.headers.get("Authorization", "")
        if auth != f"Key {fake.pat}":
            desc = (
                "API key not found"
                if not auth
                else "Invalid API key or Invalid API key/application pair"
            )
            return self._json(401, {"status": status(11009 if not auth else 11008, desc)})
        if match is None:
            return self._json(404, {"status": status(11101, "Resource does not exist")})
        model = fake._lookup(key)
        if model is None:
            return self._json(404, {"status": status(21200, "Model does not exist")})
        version = match["v"]
        if version is None:
            body = model.latest
        elif version in model.versions:
            body = model.versions[version]
        else:
            return self._json(404, {"status": status(21200, "Model version does not exist")})
        if fault is not None and fault.kind == "truncate":
            raw = json.dumps(body).encode()
            return self._send(200, raw[: len(raw) // 2])
        return self._json(200, body)

    def do_POST(self) -> None:
        self._json(405, {"status": status(11103, "Method not allowed")})

    # ------------------------------------------------------------------ helpers
    def _fault(self, fault: _Fault) -> bool:
        """Serve a fault; False when the normal answer should still follow (stall, truncate)."""
        kind = fault.kind
        if kind in _FAULT_STATUS:
            http, code, desc = _FAULT_STATUS[kind]
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            self._json(
                http, {"status": status(fault.code or code, fault.description or desc)}, headers
            )
            return True
        if kind == "html401":
            self._send(401, b"<html><body>401 Unauthorized</body></html>", "text/html")
            return True
        if kind == "failure":
            body = {"status": status(fault.code or 10020, fault.description or "Failure")}
            self._json(200, body)
            return True
        if kind == "drop":
            self._drop()
            return True
        if kind == "stall":
            if self.server.fake._stopping.wait(fault.seconds):
                self._drop()
                return True
            return False
        return False  # truncate: handled after the lookup

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _json(self, http: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send(http, json.dumps(body).encode(), "application/json", headers)

    def _send(
        self,
        http: int,
        raw: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(http)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except OSError:
            self.close_connection = True


@pytest.fixture(name="fake_api")
def fake_api_fixture() -> Iterator[FakeClarifai]:
    """`fake_api`: a running FakeClarifai serving the saved signatures (function scoped).

    Use it with `from .fake_api import fake_api_fixture  # noqa: F401` in a test module (the fixture is
    named `fake_api`; importing it under another name keeps ruff's F811 quiet), or list
    `"tests.fake_api"` in `pytest_plugins` in tests/conftest.py.
    """
    with FakeClarifai() as api:
        yield api
