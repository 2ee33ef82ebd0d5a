"""The gRPC half of `clarifai-codegen serve`: the `clarifai.api.V2` service, served from local models.

    PostModelOutputs      (unary)          -> model.predict_wrapper(request)
    GenerateModelOutputs  (server stream)  -> model.generate_wrapper(request)
    StreamModelOutputs    (bidi)           -> model.stream_wrapper(requests)
    GetModel / GetModelVersion             -> the model and its method signatures
    GetUser                                -> the PAT's owner for user_id "me"

Calls are routed on `user_app_id` + `model_id`; models run in the SDK's wrappers, as over REST. Auth
and routing failures are answered in-band, as the real API does: `status.code` 11009 (no
`authorization` metadata), 11008 (a wrong PAT) or 21200 (unknown model); a stream gets that single
message. Other V2 RPCs answer UNIMPLEMENTED.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any, Final

import grpc  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv
from clarifai_grpc.grpc.api import service_pb2, service_pb2_grpc

from .registry import (
    RESPONSES,
    Listener,
    Registry,
    Served,
    closing,
    method_name,
    status_response,
    to_json,
)

__all__ = ["MAX_MESSAGE_LENGTH", "GrpcHook", "GrpcServer", "new_call"]

AccessLog = Callable[[str], None]
MAX_MESSAGE_LENGTH: Final = 1024**3  # as the SDK's clients: images and arrays travel inline


Record = dict[str, Any]
Wrap = Callable[[Iterator[Any]], Iterator[Any]]
GrpcHook = Callable[[Record, Any], "Wrap | None"]  # (call record, context): wraps the responses
_ROUTES: Final = {
    "PostModelOutputs": "outputs",
    "GenerateModelOutputs": "generate",
    "StreamModelOutputs": "stream",
    "GetUser": "get_user",
    "GetModel": "get_model",
    "GetModelVersion": "get_model_version",
}


def new_call(rpc: str, context: grpc.ServicerContext, request: Any, bodies: bool) -> Record:
    """A call as a dict, as `routes.new_record` is a REST request. `outcome` is None while it runs,
    then "ok" or "cancelled" (unless a hook said otherwise); `done` is set when it has terminated;
    for a stream, `proto` and `body` (the requests as JSON; None without `bodies`) grow as
    requests arrive."""
    stream = rpc == "StreamModelOutputs"
    has_ids = request is not None and hasattr(request, "model_id")
    record: Record = {
        "time": time.time(),
        "rpc": rpc,
        "route": _ROUTES.get(rpc),
        "metadata": {k.lower(): v for k, v in context.invocation_metadata()},
        "proto": [] if stream else request,
        "body": ([] if stream else to_json(request)) if bodies else None,
        "user_id": request.user_app_id.user_id if request is not None else None,
        "app_id": request.user_app_id.app_id if request is not None else None,
        "model_id": request.model_id if has_ids else None,
        "version_id": (request.version_id or None) if has_ids else None,
        "method_name": method_name(request) if hasattr(request, "inputs") else None,
        "fault": False,
        "responses": 0,
        "completed": False,
        "outcome": None,
        "done": threading.Event(),
    }

    def on_done() -> None:
        if record["outcome"] is None:
            record["outcome"] = "ok" if record["completed"] else "cancelled"
        record["done"].set()

    if not context.add_callback(on_done):
        on_done()
    return record


class _Servicer(service_pb2_grpc.V2Servicer):  # type: ignore[misc]  # generated code, no stubs
    def __init__(
        self, registry: Registry, access_log: AccessLog | None, hook: GrpcHook | None
    ) -> None:
        self.registry = registry
        self.access_log = access_log
        self.hook = hook

    def _new(self, rpc: str, context: grpc.ServicerContext, request: Any) -> Record:
        return new_call(rpc, context, request, bodies=self.hook is not None)

    def _call(
        self,
        record: Record,
        context: grpc.ServicerContext,
        run: Callable[[Served | None], Iterator[Any]],
    ) -> Iterator[Any]:
        """Check auth, route the call (a model call: by `user_app_id` + `model_id`), run it, log
        it; the hook's wrapper (if any) goes around the responses, the record counts them."""
        wrap = self.hook(record, context) if self.hook is not None else None

        def responses() -> Iterator[Any]:
            auth = record["metadata"].get("authorization")
            routed = self.registry.route(
                auth if isinstance(auth, str) else None,
                *(record[k] for k in ("user_id", "app_id", "model_id", "version_id")),
                model=record["model_id"] is not None,
            )
            rejected = isinstance(routed, tuple)
            if isinstance(routed, tuple):
                message = RESPONSES.get(record["route"], service_pb2.MultiOutputResponse)
                it = iter([status_response(*routed, message=message)])
            else:
                it = run(routed)
            sent, last = 0, None
            for last in closing(it):
                yield last
                sent += 1
            stream = record["rpc"] in ("GenerateModelOutputs", "StreamModelOutputs")
            code = last.status.code if last is not None else 0
            self._log(record, f"{sent} messages" if stream and not rejected else f"status={code}")

        out = responses() if wrap is None else wrap(responses())
        try:
            for resp in out:
                yield resp
                record["responses"] += 1
            record["completed"] = True
        finally:
            getattr(out, "close", lambda: None)()

    def _log(self, record: Record, outcome: str) -> None:
        if self.access_log is not None:
            ids = "/".join(filter(None, (record[k] for k in ("user_id", "app_id", "model_id"))))
            words = ("gRPC", record["rpc"], ids, record["method_name"], outcome)
            self.access_log(" ".join(filter(None, words)))

    def PostModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiOutputResponse:
        run = lambda served: iter([served.model.predict_wrapper(request)])  # noqa: E731
        return _drain(self._call(self._new("PostModelOutputs", context, request), context, run))

    def GenerateModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        run = lambda served: served.model.generate_wrapper(request)  # noqa: E731
        return self._call(self._new("GenerateModelOutputs", context, request), context, run)

    def StreamModelOutputs(
        self,
        request_iterator: Iterator[service_pb2.PostModelOutputsRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        try:
            first = next(request_iterator, None)
        except grpc.RpcError:  # cancelled before the first request arrived
            return
        record = self._new("StreamModelOutputs", context, first)
        if first is None:  # the client sent nothing
            if self.hook is not None:
                wrap = self.hook(record, context)
                yield from wrap(iter(())) if wrap is not None else ()
            record["completed"] = True
            return

        def requests() -> Iterator[Any]:
            for request in itertools.chain([first], request_iterator):
                record["proto"].append(request)
                if record["body"] is not None:
                    record["body"].append(to_json(request))
                yield request

        run = lambda served: served.model.stream_wrapper(requests())  # noqa: E731
        yield from self._call(record, context, run)

    def GetUser(
        self, request: service_pb2.GetUserRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleUserResponse:
        run = lambda _: iter([self.registry.user(request.user_app_id.user_id)])  # noqa: E731
        return _drain(self._call(self._new("GetUser", context, request), context, run))

    def GetModel(self, request: Any, context: grpc.ServicerContext) -> Any:
        """GetModel and GetModelVersion (the rpc is named by the request's type)."""
        rpc = type(request).__name__.removesuffix("Request")
        version_id = request.version_id or None
        run = lambda served: iter([served.response(_ROUTES[rpc], version_id)])  # noqa: E731
        return _drain(self._call(self._new(rpc, context, request), context, run))

    GetModelVersion = GetModel


def _drain(responses: Iterator[Any]) -> Any:
    """The one response of a unary call, running the iterator to its end (the hook's bookkeeping)."""
    out = list(responses)
    return out[0]


class GrpcServer(Listener):
    """A `grpc.server` on `host:port` (port 0: a free one), plaintext, serving `registry`'s models."""

    def __init__(
        self,
        registry: Registry,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: AccessLog | None = None,
        hook: GrpcHook | None = None,
    ) -> None:
        super().__init__(registry, host, port)
        self.hook = hook
        self.access_log = access_log

    def start(self) -> GrpcServer:
        if self._server is not None:
            return self
        server = grpc.server(
            futures.ThreadPoolExecutor(
                max_workers=16, thread_name_prefix="clarifai-codegen-serve-grpc"
            ),
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_LENGTH),
                ("grpc.max_send_message_length", MAX_MESSAGE_LENGTH),
                ("grpc.so_reuseport", 0),
            ],
        )
        service_pb2_grpc.add_V2Servicer_to_server(
            _Servicer(self.registry, self.access_log, self.hook), server
        )
        try:
            port = server.add_insecure_port(f"{self.host}:{self.port}")
        except RuntimeError as exc:
            raise OSError(f"cannot listen on {self.host}:{self.port} ({exc})") from None
        if port == 0:  # older grpcio signals a failed bind with 0
            raise OSError(f"cannot listen on {self.host}:{self.port} (address in use?)")
        self.port = port
        server.start()
        self._server = server
        return self

    def stop(self, grace: float | None = None) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stop(grace).wait(5)
