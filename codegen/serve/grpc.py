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
from typing import Any, Final, Protocol

import grpc  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv
from clarifai_grpc.grpc.api import service_pb2, service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2

from .registry import Listener, Registry, ServedModel, closing, method_name, status_response

__all__ = ["MAX_MESSAGE_LENGTH", "GrpcHook", "GrpcServer", "GrpcWatch"]

AccessLog = Callable[[str], None]
MAX_MESSAGE_LENGTH: Final = 1024**3  # as the SDK's clients: images and arrays travel inline


class GrpcWatch(Protocol):
    """What a hook returns for one call: wrappers over its requests and its responses."""

    def requests(self, it: Iterator[Any]) -> Iterator[Any]: ...

    def responses(self, it: Iterator[Any]) -> Iterator[Any]: ...


GrpcHook = Callable[[str, Any, Any], GrpcWatch]  # (rpc name, context, first request)


class _Servicer(service_pb2_grpc.V2Servicer):  # type: ignore[misc]  # generated code, no stubs
    def __init__(
        self, registry: Registry, access_log: AccessLog | None, hook: GrpcHook | None
    ) -> None:
        self.registry = registry
        self.access_log = access_log
        self.hook = hook

    def _denied(self, context: grpc.ServicerContext) -> tuple[int, str] | None:
        auth = {k.lower(): v for k, v in context.invocation_metadata()}.get("authorization")
        return self.registry.auth_error(auth if isinstance(auth, str) else None)

    def _route(self, context: grpc.ServicerContext, request: Any) -> Any:
        """The served model, or the in-band (code, description, details) rejecting the call."""
        denied = self._denied(context)
        if denied is not None:
            return (*denied, "")
        u, a, m = request.user_app_id.user_id, request.user_app_id.app_id, request.model_id
        served = self.registry.lookup(u, a, m, request.version_id or None)
        return served if served is not None else self.registry.missing(u, a, m, request.version_id)

    def _call(
        self,
        rpc: str,
        context: grpc.ServicerContext,
        request: Any,
        run: Callable[[ServedModel], Iterator[Any]],
        rejected: Callable[[tuple[int, str, str]], Any] = lambda r: status_response(*r),
        watch: GrpcWatch | None = None,
    ) -> Iterator[Any]:
        """Route the call, run it, log it; the hook's watch (if any) wraps the responses."""
        if watch is None and self.hook is not None:
            watch = self.hook(rpc, context, request)

        def responses() -> Iterator[Any]:
            routed = self._route(context, request)
            if isinstance(routed, tuple):
                self._log(rpc, request, f"status={routed[0]}")
                yield rejected(routed)
                return
            sent = 0
            for resp in closing(run(routed)):
                yield resp
                sent += 1
            self._log(rpc, request, f"{sent} messages")

        return responses() if watch is None else watch.responses(responses())

    def _log(self, rpc: str, request: Any, outcome: str) -> None:
        if self.access_log is not None:
            ids = f"{request.user_app_id.user_id}/{request.user_app_id.app_id}/{request.model_id}"
            self.access_log(f"gRPC {rpc} {ids} {method_name(request) or '-'} {outcome}")

    def PostModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiOutputResponse:
        run = lambda served: iter([served.model.predict_wrapper(request)])  # noqa: E731
        return _drain(self._call("PostModelOutputs", context, request, run))

    def GenerateModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        run = lambda served: served.model.generate_wrapper(request)  # noqa: E731
        return self._call("GenerateModelOutputs", context, request, run)

    def StreamModelOutputs(
        self,
        request_iterator: Iterator[service_pb2.PostModelOutputsRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        try:
            first = next(request_iterator, None)
        except grpc.RpcError:  # cancelled before the first request arrived
            return
        if first is None:  # the client sent nothing
            if self.hook is not None:
                yield from self.hook("StreamModelOutputs", context, None).responses(iter(()))
            return
        watch = self.hook("StreamModelOutputs", context, first) if self.hook else None
        requests: Iterator[Any] = itertools.chain([first], request_iterator)
        if watch is not None:
            requests = watch.requests(requests)
        run = lambda served: served.model.stream_wrapper(requests)  # noqa: E731
        yield from self._call("StreamModelOutputs", context, first, run, watch=watch)

    def GetUser(
        self, request: service_pb2.GetUserRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleUserResponse:
        watch = self.hook("GetUser", context, request) if self.hook is not None else None
        denied = self._denied(context)
        user = self.registry.user(request.user_app_id.user_id)
        if denied is None and user is None:
            denied = status_code_pb2.CONN_DOES_NOT_EXIST, "User does not exist"
        resp = status_response(*(denied or (status_code_pb2.SUCCESS, "Ok")), message=_USER)
        if denied is None:
            resp.user.id = user
        if self.access_log is not None:
            who = request.user_app_id.user_id
            self.access_log(f"gRPC GetUser {who} status={resp.status.code}")
        return resp if watch is None else _drain(watch.responses(iter([resp])))

    def GetModel(
        self, request: service_pb2.GetModelRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleModelResponse:
        return self._get_model("GetModel", context, request, _MODEL)

    def GetModelVersion(
        self, request: service_pb2.GetModelVersionRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleModelVersionResponse:
        return self._get_model("GetModelVersion", context, request, _VERSION)

    def _get_model(self, rpc: str, context: grpc.ServicerContext, request: Any, cls: Any) -> Any:
        def run(served: ServedModel) -> Iterator[Any]:
            resp = status_response(status_code_pb2.SUCCESS, "Ok", message=cls)
            model = served.model_proto(request.version_id or None)
            if cls is _MODEL:
                resp.model.CopyFrom(model)
            else:
                resp.model_version.CopyFrom(model.model_version)
            yield resp

        rejected = lambda r: status_response(*r, message=cls)  # noqa: E731
        return _drain(self._call(rpc, context, request, run, rejected))


_USER = service_pb2.SingleUserResponse
_MODEL = service_pb2.SingleModelResponse
_VERSION = service_pb2.SingleModelVersionResponse


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
        max_workers: int = 16,
        access_log: AccessLog | None = None,
        hook: GrpcHook | None = None,
    ) -> None:
        super().__init__(registry, host, port)
        self.hook = hook
        self.max_workers = max_workers
        self.access_log = access_log

    def start(self) -> GrpcServer:
        if self._server is not None:
            return self
        server = grpc.server(
            futures.ThreadPoolExecutor(
                max_workers=self.max_workers, thread_name_prefix="clarifai-codegen-serve-grpc"
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

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"
