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
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any, Final

import grpc  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv
from clarifai_grpc.grpc.api import service_pb2, service_pb2_grpc

from ..runtime.grpcbase import MAX_MESSAGE_LENGTH  # as the SDK's clients
from .registry import (
    RESPONSES,
    Listener,
    Registry,
    base_record,
    closing,
    method_name,
    status_response,
    to_json,
)

__all__ = ["GrpcServer", "Wrap", "new_call"]

AccessLog = Callable[[str], None]


Record = dict[str, Any]
Wrap = Callable[[Iterator[Any]], Iterator[Any]]  # what a hook may put around the responses
_ROUTES: Final = {
    "PostModelOutputs": "outputs",
    "GenerateModelOutputs": "generate",
    "StreamModelOutputs": "stream",
    "GetUser": "get_user",
    "GetModel": "get_model",
    "GetModelVersion": "get_model_version",
}


def new_call(rpc: str, context: grpc.ServicerContext, request: Any) -> Record:
    """A call's record (`registry.base_record`): the ids the request has (GetUser: no model); for a
    stream, `proto` grows as requests arrive (and `body`, their JSON, if a hook made it a list)."""
    ids = getattr(request, "user_app_id", None)  # request: None for an empty stream
    return base_record(
        rpc=rpc,
        route=_ROUTES.get(rpc),
        metadata={k.lower(): v for k, v in context.invocation_metadata()},
        proto=[] if rpc == "StreamModelOutputs" else request,
        body=None,
        user_id=getattr(ids, "user_id", None),
        app_id=getattr(ids, "app_id", None),
        model_id=getattr(request, "model_id", None),
        version_id=getattr(request, "version_id", None) or None,
        method_name=method_name(request) if hasattr(request, "inputs") else None,
    )


class _Servicer(service_pb2_grpc.V2Servicer):  # type: ignore[misc]  # generated code, no stubs
    def __init__(self, owner: GrpcServer) -> None:
        self.owner = owner

    def _call(
        self, record: Record, context: grpc.ServicerContext, requests: Iterator[Any]
    ) -> Iterator[Any]:
        """Check auth, route the call (a model call: by `user_app_id` + `model_id`), run it, log it
        (one access-log line); the hook's wrapper (if any) goes around the responses."""
        wrap = self.owner.hook(record, context)

        def responses() -> Iterator[Any]:
            auth = record["metadata"].get("authorization")
            route = record["route"]
            routed = self.owner.registry.route(
                auth if isinstance(auth, str) else None,
                *(record[k] for k in ("user_id", "app_id", "model_id", "version_id")),
                model=record["model_id"] is not None,
            )
            if isinstance(routed, tuple):
                message = RESPONSES.get(route, service_pb2.MultiOutputResponse)
                it = iter([status_response(*routed, message=message)])
            elif routed is None:  # GetUser: a call to no model
                it = iter([self.owner.registry.user(record["user_id"])])
            elif route in RESPONSES:
                it = iter([routed.response(route, record["version_id"])])
            else:
                it = routed.run(route, requests)
            sent, last = 0, None
            for last in closing(it):
                yield last
                sent += 1
            if self.owner.access_log is not None:
                ids = "/".join(filter(None, (record[k] for k in ("user_id", "app_id", "model_id"))))
                stream = route in ("generate", "stream") and not isinstance(routed, tuple)
                code = last.status.code if last is not None else 0
                outcome = f"{sent} messages" if stream else f"status={code}"
                words = ("gRPC", record["rpc"], ids, record["method_name"], outcome)
                self.owner.access_log(" ".join(filter(None, words)))

        yield from closing(responses() if wrap is None else wrap(responses()))

    def _unary(self, request: Any, context: grpc.ServicerContext) -> Any:
        """PostModelOutputs, GetUser, GetModel and GetModelVersion (named by the request's type)."""
        rpc = type(request).__name__.removesuffix("Request")
        [resp] = self._call(new_call(rpc, context, request), context, iter([request]))
        return resp

    PostModelOutputs = GetUser = GetModel = GetModelVersion = _unary

    def GenerateModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        record = new_call("GenerateModelOutputs", context, request)
        return self._call(record, context, iter([request]))

    def StreamModelOutputs(
        self,
        request_iterator: Iterator[service_pb2.PostModelOutputsRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        try:
            first = next(request_iterator, None)
        except grpc.RpcError:  # cancelled before the first request arrived
            return
        record = new_call("StreamModelOutputs", context, first)
        if first is None:  # the client sent nothing
            wrap = self.owner.hook(record, context)
            yield from wrap(iter(())) if wrap is not None else ()
            return

        def requests() -> Iterator[Any]:
            for request in itertools.chain([first], request_iterator):
                record["proto"].append(request)
                if record["body"] is not None:
                    record["body"].append(to_json(request))
                yield request

        yield from self._call(record, context, requests())


class GrpcServer(Listener):
    """A `grpc.server` on `host:port` (port 0: a free one), plaintext, serving `registry`'s models.

    `hook` (a seam for the test doubles) sees each call's record before it runs."""

    def __init__(
        self,
        registry: Registry,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: AccessLog | None = None,
    ) -> None:
        super().__init__(registry, host, port)
        self.access_log = access_log

    def hook(self, record: Record, context: grpc.ServicerContext) -> Wrap | None:
        """What to put around the call's responses (None: nothing)."""
        return None

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
        service_pb2_grpc.add_V2Servicer_to_server(_Servicer(self), server)
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
