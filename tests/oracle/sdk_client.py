"""A tiny REST client for the oracle built only from the SDK's own (de)serializers.

It is the reference our generated clients are compared with: ``serialize`` builds the request
``Data`` exactly as ``clarifai.client.ModelClient`` does, ``deserialize`` decodes outputs exactly
as the SDK does. Transport is plain httpx.

    sdk = SdkRestClient(oracle, ("codegen", "oracle", "every-type"))
    sdk.predict("echo_int", x=3)                     # -> 3
    list(sdk.generate("count_up", start=1, n=2))     # -> [1, 2]
    list(sdk.stream("stream", ["a", "b"], suffix="?"))  # bidi over the oracle's NDJSON route
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
from clarifai.runners.utils.method_signatures import deserialize, serialize
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2
from google.protobuf.json_format import MessageToDict, ParseDict

from .server import OracleServer

__all__ = ["ModelFailure", "SdkRestClient", "request_body"]


class ModelFailure(Exception):
    def __init__(self, status: dict[str, Any]) -> None:
        super().__init__(status.get("details") or status.get("description") or str(status))
        self.status = status


def request_body(
    signature: resources_pb2.MethodSignature,
    kwargs: dict[str, Any],
    *,
    user_id: str,
    app_id: str,
    model_id: str,
    version_id: str | None = None,
    only_stream_arg: bool = False,
) -> dict[str, Any]:
    """A ``PostModelOutputsRequest`` JSON body for one call, as the SDK would build it."""
    req = service_pb2.PostModelOutputsRequest(model_id=model_id, version_id=version_id or "")
    req.user_app_id.user_id, req.user_app_id.app_id = user_id, app_id
    inp = req.inputs.add()
    fields = signature.input_fields
    if only_stream_arg:
        fields = [f for f in fields if f.iterator]
    serialize(kwargs, fields, inp.data)
    inp.data.metadata["_method_name"] = signature.name
    out: dict[str, Any] = MessageToDict(req, preserving_proto_field_name=True)
    return out


class SdkRestClient:
    def __init__(
        self,
        server: OracleServer,
        key: tuple[str, str, str],
        *,
        version_id: str | None = None,
        timeout: float = 30.0,
        http: httpx.Client | None = None,
    ) -> None:
        self.server = server
        self.user_id, self.app_id, self.model_id = key
        self.version_id = version_id
        self.signatures = {
            name: info.signature
            for name, info in server.models[key]._get_method_infos().items()
            if info.signature is not None
        }
        self.headers = server.auth_headers
        self._owns_http = http is None
        self.http = http if http is not None else httpx.Client(timeout=timeout)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> SdkRestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self.server.url(self.user_id, self.app_id, self.model_id, self.version_id)

    def body(self, method: str, **kwargs: Any) -> dict[str, Any]:
        return request_body(
            self.signatures[method],
            kwargs,
            user_id=self.user_id,
            app_id=self.app_id,
            model_id=self.model_id,
            version_id=self.version_id,
        )

    def decode(self, method: str, response: dict[str, Any], index: int = 0) -> Any:
        """Decode ``outputs[index]`` of a ``MultiOutputResponse`` body; raise on failure."""
        status = response.get("status", {})
        if status.get("code") != status_code_pb2.SUCCESS:
            raise ModelFailure(status)
        proto = ParseDict(response, service_pb2.MultiOutputResponse())
        return deserialize(
            proto.outputs[index].data, self.signatures[method].output_fields, is_output=True
        )

    def predict_raw(self, method: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(
            f"{self.url}/outputs", json=self.body(method, **kwargs), headers=self.headers
        )

    def predict(self, method: str, **kwargs: Any) -> Any:
        r = self.predict_raw(method, **kwargs)
        r.raise_for_status()
        return self.decode(method, r.json())

    def generate_lines(self, method: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """The raw NDJSON objects of ``/outputs/generate``."""
        with self.http.stream(
            "POST",
            f"{self.url}/outputs/generate",
            json=self.body(method, **kwargs),
            headers=self.headers,
        ) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if line.strip():
                    yield json.loads(line)

    def generate(self, method: str, **kwargs: Any) -> Iterator[Any]:
        for obj in self.generate_lines(method, **kwargs):
            yield self.decode(method, obj.get("result", obj))

    def stream_body(self, method: str, items: Iterable[Any], **kwargs: Any) -> str:
        sig = self.signatures[method]
        stream_arg = next(f.name for f in sig.input_fields if f.iterator)
        lines = []
        for i, item in enumerate(items):
            args = {**kwargs, stream_arg: item} if i == 0 else {stream_arg: item}
            body = request_body(
                sig,
                args,
                user_id=self.user_id,
                app_id=self.app_id,
                model_id=self.model_id,
                version_id=self.version_id,
                only_stream_arg=i > 0,
            )
            lines.append(json.dumps(body))
        return "\n".join(lines) + "\n"

    def stream(self, method: str, items: Iterable[Any], **kwargs: Any) -> Iterator[Any]:
        """Bidi over the oracle's half-duplex NDJSON route ``/outputs/stream``."""
        content = self.stream_body(method, items, **kwargs)
        with self.http.stream(
            "POST",
            f"{self.url}/outputs/stream",
            content=content.encode(),
            headers={**self.headers, "Content-Type": "application/x-ndjson"},
        ) as r:
            r.raise_for_status()
            for line in r.iter_lines():
                if line.strip():
                    obj = json.loads(line)
                    yield self.decode(method, obj.get("result", obj))
