"""The gRPC half of `clarifai-codegen serve`: the `clarifai.api.V2` service, served from local models.

    PostModelOutputs      (unary)          -> model.predict_wrapper(request)
    GenerateModelOutputs  (server stream)  -> model.generate_wrapper(request)
    StreamModelOutputs    (bidi)           -> model.stream_wrapper(requests)
    GetModel / GetModelVersion             -> the model and its method signatures

Calls are routed on `request.user_app_id` + `model_id` (any `version_id`). The SDK's wrappers are
called directly, as in the REST server (URL inputs are not downloaded). Auth and routing failures are
answered in-band, as the real API does: a response whose `status.code` is 11009 (no `authorization`
metadata), 11008 (a wrong PAT) or 21200 (unknown model); a stream gets that single message. Other V2
RPCs answer UNIMPLEMENTED.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any, Final

import grpc  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv
from clarifai_grpc.grpc.api import service_pb2, service_pb2_grpc
from clarifai_grpc.grpc.api.status import status_code_pb2

from .registry import Registry, ServedModel, closing, method_name, status_response

__all__ = ["MAX_MESSAGE_LENGTH", "GrpcServer"]

AccessLog = Callable[[str], None]
MAX_MESSAGE_LENGTH: Final = 1024**3  # as the SDK's clients: images and arrays travel inline


class _Servicer(service_pb2_grpc.V2Servicer):  # type: ignore[misc]  # generated code, no stubs
    def __init__(self, registry: Registry, access_log: AccessLog | None) -> None:
        self.registry = registry
        self.access_log = access_log

    def _route(
        self,
        context: grpc.ServicerContext,
        user_id: str,
        app_id: str,
        model_id: str,
    ) -> tuple[ServedModel | None, tuple[int, str, str] | None]:
        """The model, or (code, description, details) rejecting the call."""
        metadata = {k.lower(): v for k, v in context.invocation_metadata()}
        auth = metadata.get("authorization")
        denied = self.registry.auth_error(auth if isinstance(auth, str) else None)
        if denied is not None:
            return None, (*denied, "")
        served = self.registry.lookup(user_id, app_id, model_id)
        if served is None:
            return None, (
                status_code_pb2.MODEL_DOES_NOT_EXIST,
                "Model does not exist",
                f"no model {user_id}/{app_id}/{model_id} is served here",
            )
        return served, None

    def _log(self, rpc: str, request: Any, outcome: str) -> None:
        if self.access_log is not None and request is not None:
            ids = f"{request.user_app_id.user_id}/{request.user_app_id.app_id}/{request.model_id}"
            self.access_log(f"gRPC {rpc} {ids} {method_name(request) or '-'} {outcome}")

    def PostModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> service_pb2.MultiOutputResponse:
        served, rejection = self._route(
            context, request.user_app_id.user_id, request.user_app_id.app_id, request.model_id
        )
        if served is None:
            assert rejection is not None
            resp = status_response(*rejection)
        else:
            resp = served.model.predict_wrapper(request)
        self._log("PostModelOutputs", request, f"status={resp.status.code}")
        return resp

    def GenerateModelOutputs(
        self, request: service_pb2.PostModelOutputsRequest, context: grpc.ServicerContext
    ) -> Iterator[service_pb2.MultiOutputResponse]:
        served, rejection = self._route(
            context, request.user_app_id.user_id, request.user_app_id.app_id, request.model_id
        )
        if served is None:
            assert rejection is not None
            self._log("GenerateModelOutputs", request, f"status={rejection[0]}")
            yield status_response(*rejection)
            return
        sent = 0
        for resp in closing(served.model.generate_wrapper(request)):
            yield resp
            sent += 1
        self._log("GenerateModelOutputs", request, f"{sent} messages")

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
            return
        served, rejection = self._route(
            context, first.user_app_id.user_id, first.user_app_id.app_id, first.model_id
        )
        if served is None:
            assert rejection is not None
            self._log("StreamModelOutputs", first, f"status={rejection[0]}")
            yield status_response(*rejection)
            return
        sent = 0
        for resp in closing(served.model.stream_wrapper(_chain(first, request_iterator))):
            yield resp
            sent += 1
        self._log("StreamModelOutputs", first, f"{sent} messages")

    def GetModel(
        self, request: service_pb2.GetModelRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleModelResponse:
        return self._get_model(request, context)

    def GetModelVersion(
        self, request: service_pb2.GetModelVersionRequest, context: grpc.ServicerContext
    ) -> service_pb2.SingleModelVersionResponse:
        resp = service_pb2.SingleModelVersionResponse()
        model = self._get_model(request, context)
        resp.status.CopyFrom(model.status)
        if model.HasField("model"):
            resp.model_version.CopyFrom(model.model.model_version)
        return resp

    def _get_model(self, request: Any, context: grpc.ServicerContext) -> Any:
        resp = service_pb2.SingleModelResponse()
        served, rejection = self._route(
            context, request.user_app_id.user_id, request.user_app_id.app_id, request.model_id
        )
        if served is None:
            assert rejection is not None
            resp.status.code, resp.status.description, resp.status.details = rejection
            return resp
        resp.status.code = status_code_pb2.SUCCESS
        resp.status.description = "Ok"
        resp.model.CopyFrom(served.model_proto(request.version_id or None))
        return resp


def _chain(
    first: service_pb2.PostModelOutputsRequest,
    rest: Iterator[service_pb2.PostModelOutputsRequest],
) -> Iterator[service_pb2.PostModelOutputsRequest]:
    yield first
    yield from rest


class GrpcServer:
    """A `grpc.server` on `host:port` (port 0: a free one), plaintext, serving `registry`'s models."""

    def __init__(
        self,
        registry: Registry,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_workers: int = 16,
        access_log: AccessLog | None = None,
    ) -> None:
        self.registry = registry
        self.host = host
        self.port = port
        self.max_workers = max_workers
        self.access_log = access_log
        self._server: Any = None

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
        service_pb2_grpc.add_V2Servicer_to_server(_Servicer(self.registry, self.access_log), server)
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
    def url(self) -> str:
        """`http://host:port`: the `CLARIFAI_API_BASE` for `CLARIFAI_TRANSPORT=grpc` (plaintext)."""
        return f"http://{self.host}:{self.port}"

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"
