"""A local Clarifai REST API on 127.0.0.1 that runs real ``ModelClass`` models (the test oracle).

A ``codegen.serve.rest.RestServer`` (routes, strict parsing; see ``base.py``) whose hook records
requests, applies injected faults and can answer ``outputs/generate`` in the other framings the
runtime reads (``stream_framing``).

    with OracleServer({("u", "a", "m"): MyModel()}, pat="test-pat") as srv:
        httpx.post(f"{srv.base_url}/v2/users/u/apps/a/models/m/outputs", ...)
        srv.requests                      # every request, as `codegen.serve.routes.new_record`s
        srv.inject(status=503, times=2)   # the next 2 requests get HTTP 503
        srv.inject(delay=1.5)             # the next request is answered 1.5 s late
        srv.inject(drop=True)             # the next request's connection is closed, no reply
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from threading import Event
from typing import Any

from clarifai_grpc.grpc.api.status import status_code_pb2

from codegen.serve.recorder import Record, Rule
from codegen.serve.registry import status_body, to_json
from codegen.serve.rest import Handler, RestServer
from codegen.serve.routes import ROUTES, parse_request

from .base import DEFAULT_OWNER, DEFAULT_PAT, FAULT_STATUS, OracleBase

__all__ = ["DEFAULT_OWNER", "DEFAULT_PAT", "Fault", "OracleServer", "answer"]


@dataclass
class Fault(Rule):
    """See :meth:`OracleServer.inject`."""

    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0
    drop: bool = False

    def named(self, name: str, record: Record) -> bool:
        return name == record["route"] if name in ROUTES else name in record["path"]


class OracleServer(OracleBase, RestServer):
    """Threaded local Clarifai REST server running real ``ModelClass`` models (arguments: see
    ``OracleBase``)."""

    # outputs/generate's framing: "result" (serve's: ``{"result": resp}`` per line), "bare" (one
    # response per line) or "array" (one JSON array). The real API's is unverified.
    stream_framing = "result"

    def url(self, user_id: str, app_id: str, model_id: str, version_id: str | None = None) -> str:
        """``base_url`` + ``path(...)``."""
        return self.base_url + self.path(user_id, app_id, model_id, version_id)

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.pat}"}

    def predict_requests(self) -> list[Record]:
        """Recorded POSTs to ``/outputs``, ``/outputs/generate`` and ``/outputs/stream``."""
        return [r for r in self.requests if r["route"] in ("outputs", "generate", "stream")]

    def reset(self) -> None:
        """Forget requests and pending faults; restore the default stream framing."""
        super().reset()
        self.stream_framing = "result"
        self.errors.clear()

    def inject(self, status: int | None = None, body: Any = None, **options: Any) -> Fault:
        """Queue a fault (a :class:`Fault`: ``options`` are its fields) for the next ``times``
        requests that ``match``.

        - ``delay``: sleep this many seconds before answering (alone: then answer normally).
        - ``status``: answer with this HTTP status, running nothing. ``body``: a dict (JSON),
          ``str``/``bytes`` (verbatim), a function of the record giving one, or None (a ``{"status": ...}`` body with a matching Clarifai
          code: 429 -> 11005, 503 -> 21354, 5xx -> 98004, ...); ``headers`` are added.
        - ``drop``: close the connection without any response.
        - ``match``: a route name (``ROUTES``), else a path substring, or a predicate over the record.

        Auth is not checked for faulted requests."""
        fault: Fault = self._queue(Fault(status=status, body=body, **options))
        return fault

    def hook(self, record: Record, exchange: Handler) -> bool:
        """Record the request; apply a matching fault, or answer ``outputs/generate`` in the
        ``stream_framing`` if it is not serve's (no auth or id checks: it only feeds the runtime's
        parser). True if it answered."""
        if answer(self._record(record), record, exchange, self._stopping):
            return True
        if self.stream_framing == "result" or record["route"] != "generate":
            return False
        model = self.models[record["user_id"], record["app_id"], record["model_id"]]
        items = [to_json(r) for r in model.generate_wrapper(parse_request(record["body"]))]
        record.update(http_status=200, responses=len(items))
        if self.stream_framing == "array":
            exchange.send(200, items)
        else:
            lines = "".join(json.dumps(item) + "\n" for item in items)
            exchange.send(200, lines, content_type="application/x-ndjson")
        return True


def answer(fault: Fault | None, record: Record, exchange: Handler, stopping: Event) -> bool:
    """Apply `fault` to a request (a delay is cut short by `stopping`); True if it answered."""
    if fault is None:
        return False
    if fault.drop or (fault.delay and stopping.wait(fault.delay)):
        record["http_status"] = 0
        exchange.drop()
        return True
    if fault.status is None:
        return False
    record["http_status"] = fault.status
    body = fault.body(record) if callable(fault.body) else fault.body
    if body is None:
        default = (status_code_pb2.INTERNAL_UNCATEGORIZED, "Uncategorized")
        body = status_body(*FAULT_STATUS.get(fault.status, default))
    exchange.send(fault.status, body, fault.headers, fault.content_type)
    return True
