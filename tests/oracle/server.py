"""A local Clarifai REST API on 127.0.0.1 that runs real ``ModelClass`` models (the test oracle).

The routes, strict parsing and stream framings are ``codegen.serve.rest``'s (see
``tests/oracle/base.py`` for what stays independent of the code under test); this module records
requests and injects faults through the server's hook.

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

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clarifai_grpc.grpc.api.status import status_code_pb2

from codegen.serve.registry import status_body, to_json
from codegen.serve.rest import Exchange, RestServer
from codegen.serve.routes import ROUTES

from .base import DEFAULT_OWNER, DEFAULT_PAT, ModelKey, OracleBase

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


class OracleServer(OracleBase):
    """Threaded local Clarifai REST server running real ``ModelClass`` models (arguments: see
    ``OracleBase``; ``strict_ids=False`` accepts a body whose ids contradict the URL path)."""

    def _make_server(self, host: str, port: int, strict_ids: bool = True) -> RestServer:
        self.errors: list[str] = []
        return RestServer(
            self.registry,
            host,
            port,
            hook=self._hook,
            on_error=self.errors.append,
            strict_ids=strict_ids,
        )

    @property
    def stream_framing(self) -> str:
        """Streamed responses: "result" -> ``{"result": resp}`` per line (grpc-gateway), "bare" ->
        resp per line, "array" -> one JSON array (not incremental)."""
        return self._server.stream_framing

    @stream_framing.setter
    def stream_framing(self, value: str) -> None:
        self._server.stream_framing = value

    def url(self, user_id: str, app_id: str, model_id: str, version_id: str | None = None) -> str:
        """``{base_url}/v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]``."""
        u = f"{self.base_url}/v2/users/{user_id}/apps/{app_id}/models/{model_id}"
        return f"{u}/versions/{version_id}" if version_id else u

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.pat}"}

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
        return super().requests

    def predict_requests(self) -> list[dict[str, Any]]:
        """Recorded POSTs to ``/outputs``, ``/outputs/generate`` and ``/outputs/stream``."""
        return [r for r in self.requests if r["route"] in ("outputs", "generate", "stream")]

    def reset(self) -> None:
        """Forget requests and pending faults; restore the default stream framing."""
        super().reset()
        self.stream_framing = "result"
        self.errors.clear()

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
        fault = Fault(status, body, dict(headers or {}), delay, drop, times, match)
        queued: Fault = self._queue(fault)
        return queued

    def _hook(self, record: dict[str, Any], exchange: Exchange) -> bool:
        """Record the request; apply a matching fault. True if the fault answered it."""
        fault: Fault | None = self._record(record)
        if fault is None:
            return False
        if fault.delay:
            time.sleep(fault.delay)
        if fault.drop:
            record["http_status"] = 0
            exchange.drop()
            return True
        if fault.status is None:
            return False
        record["http_status"] = fault.status
        body = fault.body
        if body is None:
            default = (status_code_pb2.INTERNAL_UNCATEGORIZED, "Uncategorized")
            body = status_body(*_FAULT_STATUS_CODES.get(fault.status, default))
        exchange.send(fault.status, body, fault.headers)
        return True
