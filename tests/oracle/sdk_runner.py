"""The requests Clarifai's SDK sends for a model bound to a runner, built without the network.

As the SDK's own tests do: `Model.load_info` is patched out and every stub the SDK creates
(`clarifai.client.base.create_stub`, used by `Model` and by the `User` it asks for the PAT's
owner) is a fake that answers successfully and keeps each request it is given. The calls go
through the SDK's `ModelClient` (`_predict_by_proto`, `_generate_by_proto`, `_stream_by_proto`),
which copy the request template that carries `runner_selector`.

    reqs = sdk_requests("stream", deployment_id="d")   # [GetUserRequest, PostModelOutputsRequest...]
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from clarifai.client.model import Model
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from .server import DEFAULT_OWNER, DEFAULT_PAT

__all__ = ["KINDS", "sdk_requests"]

#: method kind -> the SDK's call for it
KINDS = ("unary", "server_stream", "bidi_stream")


def _ok(cls: Any) -> Any:
    response = cls()
    response.status.code = status_code_pb2.SUCCESS
    return response


class _FakeStub:
    def __init__(self, owner_id: str) -> None:
        self.owner_id = owner_id
        self.requests: list[Any] = []

    def GetDeployment(self, request: Any, metadata: Any = None) -> Any:
        return _ok(service_pb2.SingleDeploymentResponse)

    def GetNodepool(self, request: Any, metadata: Any = None) -> Any:
        return _ok(service_pb2.SingleNodepoolResponse)

    def GetUser(self, request: Any, metadata: Any = None) -> Any:
        self.requests.append(request)
        response = _ok(service_pb2.SingleUserResponse)
        response.user.id = self.owner_id
        return response

    def PostModelOutputs(self, request: Any, metadata: Any = None) -> Any:
        self.requests.append(request)
        return _ok(service_pb2.MultiOutputResponse)

    def GenerateModelOutputs(self, request: Any, metadata: Any = None) -> Any:
        self.requests.append(request)
        return iter([_ok(service_pb2.MultiOutputResponse)])

    def StreamModelOutputs(self, requests: Any, metadata: Any = None) -> Any:
        self.requests.extend(requests)
        return iter([_ok(service_pb2.MultiOutputResponse)])


def sdk_requests(
    kind: str,
    *,
    url: str = "https://clarifai.com/codegen/oracle/models/every-type",
    owner_id: str = DEFAULT_OWNER,
    n_inputs: int = 2,
    **runner: str | None,
) -> list[Any]:
    """Every request the SDK sends for `Model(url, **runner)` and one call of `kind` (a bidi
    call streams `n_inputs` inputs), in order: a `GetUserRequest` first when it looks up the
    PAT's owner, then the `PostModelOutputsRequest`s."""
    stub = _FakeStub(owner_id)
    with (
        mock.patch("clarifai.client.base.create_stub", return_value=stub),
        mock.patch.object(Model, "load_info"),
    ):
        model = Model(url, pat=DEFAULT_PAT, base_url="https://api.clarifai.com", **runner)
        client = model.client
        if kind == "unary":
            client._predict_by_proto([resources_pb2.Input()], "m")
        elif kind == "server_stream":
            list(client._generate_by_proto([resources_pb2.Input()], "m"))
        else:
            list(client._stream_by_proto(iter([resources_pb2.Input()] * n_inputs), "m"))
    return stub.requests
