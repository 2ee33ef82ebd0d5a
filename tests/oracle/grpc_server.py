"""A local Clarifai gRPC API (the ``clarifai.api.V2`` service) on 127.0.0.1 running real models.

The gRPC twin of :mod:`tests.oracle.server`: the same models, PAT and versions, but served over a
real ``grpc.server`` with a ``service_pb2_grpc.V2Servicer`` implementing

    PostModelOutputs      (unary)          -> model.predict_wrapper(request)
    GenerateModelOutputs  (server stream)  -> model.generate_wrapper(request)
    StreamModelOutputs    (bidi)           -> model.stream_wrapper(requests)
    GetUser               (unary)          -> the PAT's owner for user_id "me" (counted)

routed on ``request.user_app_id`` + ``model_id`` (+ ``version_id`` when set). The wrappers are
called directly, never through ``ModelServicer`` (which downloads URL inputs).

Auth and routing failures are answered in-band, as the real API does: a ``MultiOutputResponse``
whose ``status.code`` is 11009 (no ``authorization`` metadata), 11008 (a wrong PAT) or 21200
(unknown model or version); a stream gets that single message.

Usage::

    with OracleGrpcServer(pat="test-pat") as srv:       # serves oracle_models()
        Client(transport="grpc", base_url=srv.base_url, pat="test-pat")
        srv.requests                        # every call, as dicts (see ``requests``)
        srv.user_lookups                    # how many GetUser calls were answered
        srv.inject(abort_after=2)           # the next call is aborted (INTERNAL) after 2 messages
        srv.inject(hold_after=1)            # ... sends 1 message, then waits for the client to cancel
        srv.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE, times=2)  # fail 2 calls at once
        srv.inject(delay=1.0)               # answer 1 s late; ``interval=`` between stream messages
        rec = srv.last_request
        rec["done"].wait(5); rec["outcome"]  # "ok" | "cancelled" | "aborted" | "held"
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc

# model_class reads RAISE_EXCEPTIONS at import time; exceptions must become FAILURE statuses.
os.environ.pop("RAISE_EXCEPTIONS", None)

from clarifai.runners.models import model_class as _model_class
from clarifai.runners.models.model_class import ModelClass
from clarifai_grpc.grpc.api import service_pb2, service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2
from google.protobuf.json_format import MessageToDict

from .server import DEFAULT_OWNER, DEFAULT_PAT, ModelKey, _QuietModelErrors

__all__ = ["RPCS", "GrpcFault", "OracleGrpcServer"]

RPCS = {
    "PostModelOutputs": "outputs",
    "GenerateModelOutputs": "generate",
    "StreamModelOutputs": "stream",
    "GetUser": "get_user",
}


@dataclass
class GrpcFault:
    """A fault applied to the next ``times`` matching calls (see :meth:`OracleGrpcServer.inject`)."""

    abort_after: int | None = None
    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    details: str = "injected fault"
    hold_after: int | None = None
    hold_timeout: float = 10.0
    delay: float = 0.0
    interval: float = 0.0
    times: int = 1
    match: str | Callable[[dict[str, Any]], bool] | None = None
    hits: int = 0

    def matches(self, record: dict[str, Any]) -> bool:
        if self.match is None:
            return True
        if callable(self.match):
            return bool(self.match(record))
        return self.match in (record["rpc"], record["route"], record["method_name"])


def _status_response(code: int, description: str) -> service_pb2.MultiOutputResponse:
    resp = service_pb2.MultiOutputResponse()
    resp.status.code = code
    resp.status.description = description
    return resp


def _method_name(req: service_pb2.PostModelOutputsRequest) -> str | None:
    if req.inputs and "_method_name" in req.inputs[0].data.metadata:
        return str(req.inputs[0].data.metadata["_method_name"])
    return None


def _json(msg: Any) -> dict[str, Any]:
    out: dict[str, Any] = MessageToDict(msg, preserving_proto_field_name=True)
    return out


class _Servicer(service_pb2_grpc.V2Servicer):  # type: ignore[misc]
    def __init__(self, oracle: OracleGrpcServer) -> None:
        self.oracle = oracle

    def PostModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiOutputResponse:
        record, fault = self.oracle._begin("PostModelOutputs", context, request)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.abort_after == 0:
                record["outcome"] = "aborted"
                context.abort(fault.code, fault.details)
        model, rejection = self.oracle._route(context, request)
        if model is None:
            resp = rejection
        else:
            resp = model.predict_wrapper(request)
        record["responses"] = 1
        record["completed"] = True
        return resp

    def GenerateModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        record, fault = self.oracle._begin("GenerateModelOutputs", context, request)
        model, rejection = self.oracle._route(context, request)
        if model is None:
            responses: Iterator[Any] = iter([rejection])
        else:
            responses = model.generate_wrapper(request)
        yield from self.oracle._serve(record, fault, context, responses)

    def GetUser(
        self, request: service_pb2.GetUserRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleUserResponse:
        return self.oracle._get_user(request, context)

    def StreamModelOutputs(
        self,
        request_iterator: Iterator[service_pb2.PostModelOutputsRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        try:
            first = next(request_iterator, None)
        except grpc.RpcError:  # cancelled before the first request arrived
            return
        record, fault = self.oracle._begin("StreamModelOutputs", context, first)
        if first is None:  # the client sent nothing
            record["completed"] = True
            return
        model, rejection = self.oracle._route(context, first)
        if model is None:
            responses: Iterator[Any] = iter([rejection])
        else:
            responses = model.stream_wrapper(self.oracle._recorded(record, first, request_iterator))
        yield from self.oracle._serve(record, fault, context, responses)


class OracleGrpcServer:
    """Threaded local Clarifai gRPC server running real ``ModelClass`` models.

    Args:
        models: ``{(user_id, app_id, model_id): ModelClass instance}``; ``load_model()`` is called
            on each. ``None`` serves ``tests.oracle.models.oracle_models()`` (with their versions).
        pat: the only accepted PAT (metadata ``authorization: Key <pat>``).
        versions: ``{(user_id, app_id, model_id): version_id}``, as for ``OracleServer``; a request
            with another ``version_id`` gets status 21200.
        quiet: silence the SDK's per-failure ``Error in predict`` tracebacks while running.
        owner_id: the PAT owner's user id, answered by GetUser for user_id "me".
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
        max_workers: int = 16,
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
        self.max_workers = max_workers
        self.quiet = quiet
        self._lock = threading.Lock()
        self._requests: list[dict[str, Any]] = []
        self._faults: list[GrpcFault] = []
        self._server: Any = None
        self._log_filter = _QuietModelErrors()

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> OracleGrpcServer:
        if self._server is not None:
            return self
        _model_class._RAISE_EXCEPTIONS = False
        if self.quiet:
            logging.getLogger("clarifai").addFilter(self._log_filter)
        # The API's message limit, not grpc's 4 MiB default: a batch of 128 inputs can be large.
        limits = [
            ("grpc.max_receive_message_length", 1024**3),
            ("grpc.max_send_message_length", 1024**3),
        ]
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.max_workers), options=limits
        )
        service_pb2_grpc.add_V2Servicer_to_server(_Servicer(self), server)
        self.port = server.add_insecure_port(f"{self.host}:{self.port}")
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stop(grace=None).wait(5)
        logging.getLogger("clarifai").removeFilter(self._log_filter)

    def __enter__(self) -> OracleGrpcServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: what ``Client(transport="grpc", base_url=...)`` takes."""
        if self._server is None:
            raise RuntimeError("OracleGrpcServer is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Key {self.pat}"),)

    # ---------------------------------------------------------------- recording
    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot of every call received, oldest first.

        Each is a dict with keys: ``seq``, ``time``, ``rpc`` ("PostModelOutputs" |
        "GenerateModelOutputs" | "StreamModelOutputs"), ``route`` ("outputs" | "generate" |
        "stream", as in ``OracleServer``), ``metadata`` (dict, lower-case keys), ``proto`` (the
        ``PostModelOutputsRequest``; for "stream" a list that grows as requests arrive), ``body``
        (the same as JSON dicts), ``user_id`` / ``app_id`` / ``model_id`` / ``version_id``,
        ``method_name``, ``fault`` (True if an injected fault applied), ``responses`` (messages
        sent), ``outcome`` (None while running, then "ok", "cancelled" (by the client or the
        channel), "aborted" (by an injected fault) or "held" (a ``hold_after`` fault that
        was never cancelled)) and ``done`` (a ``threading.Event`` set
        when the call terminated).
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
        """How many GetUser calls were received."""
        return sum(1 for r in self.requests if r["rpc"] == "GetUser")

    def wait_done(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until every call recorded so far has terminated; returns ``requests``.

        (A client can see a call's end before the server has run its termination callback.)
        """
        deadline = time.monotonic() + timeout
        records = self.requests
        for record in records:
            if not record["done"].wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"call #{record['seq']} ({record['rpc']}) still running")
        return records

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        """Forget requests and pending faults."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()

    # ---------------------------------------------------------------- faults
    def inject(
        self,
        *,
        abort_after: int | None = None,
        code: grpc.StatusCode = grpc.StatusCode.INTERNAL,
        details: str = "injected fault",
        hold_after: int | None = None,
        hold_timeout: float = 10.0,
        delay: float = 0.0,
        interval: float = 0.0,
        times: int = 1,
        match: str | Callable[[dict[str, Any]], bool] | None = None,
    ) -> GrpcFault:
        """Queue a fault for the next ``times`` calls (that ``match``, if given).

        - ``abort_after=N``: ``context.abort(code, details)`` after N response messages (0: before
          running the model; also for unary calls).
        - ``hold_after=N``: after N messages, send nothing more and wait (up to ``hold_timeout``
          seconds) for the client to cancel; the record's ``outcome`` then says "cancelled".
        - ``delay``: sleep before the first message; ``interval``: sleep between messages.
        - ``match``: an RPC name, a route ("outputs" / "generate" / "stream"), a
          ``_method_name``, or a predicate over the request record.

        Faults are consumed in FIFO order. Returns the :class:`GrpcFault` (``.hits`` counts uses).
        """
        fault = GrpcFault(
            abort_after=abort_after,
            code=code,
            details=details,
            hold_after=hold_after,
            hold_timeout=hold_timeout,
            delay=delay,
            interval=interval,
            times=times,
            match=match,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # ---------------------------------------------------------------- internals
    def _begin(
        self,
        rpc: str,
        context: grpc.ServicerContext,
        request: service_pb2.PostModelOutputsRequest | None,
    ) -> tuple[dict[str, Any], GrpcFault | None]:
        """Record a call, watch for its termination, and take a matching fault."""
        stream = rpc == "StreamModelOutputs"
        record: dict[str, Any] = {
            "time": time.time(),
            "rpc": rpc,
            "route": RPCS[rpc],
            "metadata": {k.lower(): v for k, v in context.invocation_metadata()},
            "proto": [] if stream else request,
            "body": [] if stream else _json(request),
            "user_id": request.user_app_id.user_id if request is not None else None,
            "app_id": request.user_app_id.app_id if request is not None else None,
            "model_id": request.model_id if request is not None else None,
            "version_id": (request.version_id or None) if request is not None else None,
            "method_name": _method_name(request) if request is not None else None,
            "fault": False,
            "responses": 0,
            "completed": False,
            "outcome": None,
            "done": threading.Event(),
        }
        if stream and request is not None:
            record["proto"].append(request)
            record["body"].append(_json(request))

        def on_done() -> None:
            if record["outcome"] is None:
                record["outcome"] = "ok" if record["completed"] else "cancelled"
            record["done"].set()

        if not context.add_callback(on_done):
            on_done()
        fault = None
        with self._lock:
            record["seq"] = len(self._requests)
            self._requests.append(record)
            for f in self._faults:
                if f.matches(record):
                    f.hits += 1
                    if f.hits >= f.times:
                        self._faults.remove(f)
                    fault = f
                    break
        record["fault"] = fault is not None
        return record, fault

    def _get_user(
        self, request: service_pb2.GetUserRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleUserResponse:
        """Record a GetUser call; "me" (or the owner's id) is the PAT's owner, in-band errors
        (as for the model RPCs) otherwise."""
        done = threading.Event()
        done.set()
        record: dict[str, Any] = {
            "time": time.time(),
            "rpc": "GetUser",
            "route": "get_user",
            "metadata": {k.lower(): v for k, v in context.invocation_metadata()},
            "proto": request,
            "body": _json(request),
            "user_id": request.user_app_id.user_id,
            "app_id": request.user_app_id.app_id,
            "model_id": None,
            "version_id": None,
            "method_name": None,
            "fault": False,
            "responses": 1,
            "completed": True,
            "outcome": "ok",
            "done": done,
        }
        with self._lock:
            record["seq"] = len(self._requests)
            self._requests.append(record)
        resp = service_pb2.SingleUserResponse()
        auth = record["metadata"].get("authorization")
        if auth != f"Key {self.pat}":
            code = (
                status_code_pb2.CONN_KEY_NOT_FOUND
                if auth is None
                else status_code_pb2.CONN_KEY_INVALID
            )
            resp.status.code, resp.status.description = code, "API key not found or invalid"
        elif request.user_app_id.user_id not in ("me", self.owner_id):
            resp.status.code = status_code_pb2.CONN_DOES_NOT_EXIST
            resp.status.description = "User does not exist"
        else:
            resp.status.code, resp.status.description = status_code_pb2.SUCCESS, "Ok"
            resp.user.id = self.owner_id
        return resp

    def _route(
        self, context: grpc.ServicerContext, request: service_pb2.PostModelOutputsRequest
    ) -> tuple[ModelClass | None, service_pb2.MultiOutputResponse | None]:
        """The model, or the in-band status response rejecting the call."""
        auth = dict(context.invocation_metadata()).get("authorization")
        if auth is None:
            return None, _status_response(status_code_pb2.CONN_KEY_NOT_FOUND, "API key not found")
        if auth != f"Key {self.pat}":
            return None, _status_response(
                status_code_pb2.CONN_KEY_INVALID,
                "Invalid API key or Invalid API key/application pair",
            )
        key = (request.user_app_id.user_id, request.user_app_id.app_id, request.model_id)
        model = self.models.get(key)
        if model is None or (request.version_id and request.version_id != self.versions[key]):
            return None, _status_response(
                status_code_pb2.MODEL_DOES_NOT_EXIST, "Model does not exist"
            )
        return model, None

    def _recorded(
        self,
        record: dict[str, Any],
        first: service_pb2.PostModelOutputsRequest,
        rest: Iterator[service_pb2.PostModelOutputsRequest],
    ) -> Iterator[service_pb2.PostModelOutputsRequest]:
        yield first
        for request in rest:
            with self._lock:
                record["proto"].append(request)
                record["body"].append(_json(request))
            yield request

    def _serve(
        self,
        record: dict[str, Any],
        fault: GrpcFault | None,
        context: grpc.ServicerContext,
        responses: Iterator[Any],
    ) -> Iterator[Any]:
        """Stream ``responses``, applying ``fault``; mark the record completed at the end."""
        try:
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            sent = 0
            for resp in _with_sentinel(responses):
                if fault is not None:
                    if fault.abort_after is not None and sent >= fault.abort_after:
                        record["outcome"] = "aborted"
                        context.abort(fault.code, fault.details)
                    if fault.hold_after is not None and sent >= fault.hold_after:
                        if not record["done"].wait(fault.hold_timeout):
                            record["outcome"] = "held"  # the client never cancelled
                        return
                    if fault.interval and sent:
                        time.sleep(fault.interval)
                if resp is _END:
                    break
                yield resp
                sent += 1
                record["responses"] = sent
            record["completed"] = True
        finally:
            close = getattr(responses, "close", None)
            if close is not None:
                close()


_END = object()


def _with_sentinel(responses: Iterator[Any]) -> Iterator[Any]:
    """``responses`` then ``_END``, so faults "after N" also apply when exactly N were sent."""
    yield from responses
    yield _END
