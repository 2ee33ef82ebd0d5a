"""The gRPC transport's own message classes (codegen/runtime/grpcapi.py): the committed
descriptors are what scripts/grpc_descriptors.py writes from the installed clarifai-grpc, they
keep every field of every message they hold, and messages cross between them and clarifai-grpc's
classes unchanged, both ways."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from clarifai.runners.utils.method_signatures import deserialize, serialize
from clarifai_grpc.grpc.api import service_pb2

from codegen.runtime import grpcapi, grpcapi_data
from codegen.runtime.encode import encode_args
from codegen.runtime.messages import ModelRef, output_value, request_body
from codegen.runtime.protoconv import from_message, new_message
from tests.subprocesses import load_script

from .cases import params
from .sdk_helpers import assert_same, runtime_method, sdk_signature, to_dict, to_runtime
from .test_decode_parity import sdk_response

ROOT = Path(__file__).resolve().parents[2]
API = grpcapi.api()


def _script() -> Any:
    return load_script("grpc_descriptors")


def test_committed_descriptors_are_what_the_script_writes() -> None:
    stale = "codegen/runtime/grpcapi_data.py is stale: run scripts/grpc_descriptors.py"
    assert grpcapi.serialized_files() == _script().files(), stale
    assert f"from clarifai-grpc {version('clarifai-grpc')};" in (grpcapi_data.__doc__ or "")


def _shape(desc: Any) -> list[tuple[Any, ...]]:
    return [
        (
            f.name,
            f.number,
            f.type,
            f.is_repeated,
            f.json_name,
            (f.message_type or f.enum_type or f).full_name,
        )
        for f in desc.fields
    ]


def test_every_message_keeps_every_field() -> None:
    """Nothing pruned: each message reachable from the transport's, field for field as in
    clarifai-grpc, so a field a model returns is never an unknown field here."""
    theirs = service_pb2.DESCRIPTOR.pool
    stack = [cls.DESCRIPTOR for cls in API]
    seen: set[str] = set()
    while stack:
        desc = stack.pop()
        if desc.full_name in seen:
            continue
        seen.add(desc.full_name)
        assert _shape(desc) == _shape(theirs.FindMessageTypeByName(desc.full_name)), desc.full_name
        stack.extend(f.message_type for f in desc.fields if f.message_type is not None)
        for f in desc.fields:
            if f.enum_type is not None:
                ours = [(v.name, v.number) for v in f.enum_type.values]
                other = theirs.FindEnumTypeByName(f.enum_type.full_name).values
                assert ours == [(v.name, v.number) for v in other], f.enum_type.full_name
    assert len(seen) > 100  # Data reaches most of clarifai.api


def _crosses(message: Any, other_cls: Any) -> Any:
    """`message` serialized and parsed by `other_cls`: the same bytes back, the same JSON."""
    wire = message.SerializeToString(deterministic=True)
    other = other_cls.FromString(wire)
    assert other.SerializeToString(deterministic=True) == wire
    assert to_dict(other) == to_dict(message)
    return other


@pytest.mark.parametrize(("annotation", "value"), params())
def test_requests_cross_both_ways(annotation: Any, value: Any) -> None:
    sig = sdk_signature({"x": annotation})
    parts = encode_args(runtime_method(sig), {"x": to_runtime(value)})
    body = request_body(ModelRef("u", "a", "m", "v"), "f", parts)
    ours = new_message(API.PostModelOutputsRequest, body)
    assert _crosses(ours, service_pb2.PostModelOutputsRequest) == new_message(
        service_pb2.PostModelOutputsRequest, body
    )
    theirs = service_pb2.PostModelOutputsRequest(model_id="m")
    serialize({"x": value}, sig.input_fields, theirs.inputs.add().data)
    _crosses(theirs, API.PostModelOutputsRequest)


@pytest.mark.parametrize(("annotation", "value"), params())
def test_responses_cross_both_ways_and_decode_as_the_sdk(annotation: Any, value: Any) -> None:
    sig, theirs = sdk_response(annotation, value)
    ours = _crosses(theirs, API.MultiOutputResponse)
    expected = to_runtime(deserialize(theirs.outputs[0].data, sig.output_fields, is_output=True))
    if isinstance(value, np.ndarray) and value.size == 0:
        expected = value  # as test_decode_parity: the SDK returns None for an empty buffer
    assert_same(output_value(runtime_method(sig).output, from_message(ours)), expected)
    _crosses(ours, service_pb2.MultiOutputResponse)


def test_user_lookup_crosses() -> None:
    _crosses(API.GetUserRequest(user_app_id={"user_id": "me"}), service_pb2.GetUserRequest)
    user = service_pb2.SingleUserResponse()
    user.status.code = 10000
    user.user.id = "owner"
    user.user.created_at.FromSeconds(1_700_000_000)
    _crosses(user, API.SingleUserResponse)


def test_private_pool_leaves_clarifai_grpc_alone() -> None:
    """The transport imports no clarifai-grpc and adds nothing to protobuf's default pool, so an
    application may import clarifai-grpc after (or before) it."""
    script = """
import sys
from google.protobuf import descriptor_pool
from codegen.runtime.grpc import GrpcTransport
from codegen.runtime.protocol import RetryPolicy
GrpcTransport("p", "http://127.0.0.1:9", timeout=1.0, policy=RetryPolicy()).close()
print("clarifai_grpc" in sys.modules)
try:
    descriptor_pool.Default().FindMessageTypeByName("clarifai.api.Data")
    print("in the default pool")
except KeyError:
    print("not in the default pool")
from clarifai_grpc.grpc.api import service_pb2
print(service_pb2.MultiOutputResponse.DESCRIPTOR.file.pool is descriptor_pool.Default())
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == ["False", "not in the default pool", "True"]


def test_repeated_fields_are_known_on_protobuf_5_and_7() -> None:
    """clarifai-grpc allows protobuf 5.29, whose descriptors have `label` but no `is_repeated`;
    protobuf 7's have `is_repeated` and no `label`."""
    from types import SimpleNamespace

    from codegen.runtime.protoconv import is_repeated

    assert is_repeated(SimpleNamespace(label=3)) and not is_repeated(SimpleNamespace(label=1))
    assert is_repeated(SimpleNamespace(is_repeated=True))
    assert not is_repeated(SimpleNamespace(is_repeated=False, label=3))


def test_reading_a_response_loads_no_more_protobuf_than_it_needs() -> None:
    """`from_message` tells a map field by its value, not by its entry's `GetOptions()`, which
    imports protobuf's descriptor_pb2 (0.4 MB of a cold process); on upb the classes are built
    without `descriptor_pool` / `message_factory` and the pure-Python layer they load (1 MB;
    a Struct in a response still loads it, through `json_format`)."""
    script = """
import sys
from codegen.runtime import grpcapi
from codegen.runtime.protoconv import from_message
api = grpcapi.api()
response = api.MultiOutputResponse(status={"code": 10000})
output = response.outputs.add()
output.data.text.raw = "hi"
output.data.image.hosted_image_info["k"].width = 3
body = from_message(api.MultiOutputResponse.FromString(response.SerializeToString()))
print(body["outputs"][0]["data"])
print([m for m in ("descriptor_pb2", "descriptor_pool", "message_factory")
       if "google.protobuf." + m in sys.modules])
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == [
        "{'image': {'hosted_image_info': {'k': {'width': 3}}}, 'text': {'raw': 'hi'}}",
        "[]",
    ]


def test_pure_python_protobuf_builds_the_same_messages() -> None:
    """Under PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python the classes come from
    `message_factory`; they write the bytes the upb ones do."""
    script = """
from codegen.runtime import grpcapi
from google.protobuf.internal import api_implementation
api = grpcapi.api()
request = api.PostModelOutputsRequest(model_id="m", inputs=[{"data": {"text": {"raw": "hi"}}}])
request.inputs[0].data.metadata.update({"a": [1, "x"]})
print(api_implementation.Type(), request.SerializeToString(deterministic=True).hex())
"""
    env = {**os.environ, "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "python"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    request = API.PostModelOutputsRequest(model_id="m", inputs=[{"data": {"text": {"raw": "hi"}}}])
    request.inputs[0].data.metadata.update({"a": [1, "x"]})
    assert out.stdout.split() == ["python", request.SerializeToString(deterministic=True).hex()]


def test_a_moved_upb_api_falls_back_to_the_public_road(monkeypatch: pytest.MonkeyPatch) -> None:
    """`_build_upb` uses protobuf's private `google._upb._message`: where a release renames it,
    the classes come from `message_factory` and write the same bytes."""

    def moved() -> grpcapi.Api:
        raise AttributeError("module 'google._upb._message' has no attribute 'MessageMeta'")

    monkeypatch.setattr(grpcapi, "_build_upb", moved)
    api = grpcapi._build()
    request = api.PostModelOutputsRequest(model_id="m", inputs=[{"data": {"text": {"raw": "hi"}}}])
    same = API.PostModelOutputsRequest(model_id="m", inputs=[{"data": {"text": {"raw": "hi"}}}])
    assert type(request) is not type(same)
    assert request.SerializeToString(deterministic=True) == same.SerializeToString(
        deterministic=True
    )


def test_concept_messages_decode_as_item_by_item() -> None:
    """The gRPC fast road for a list of Concept messages gives what `concept` gives item by
    item; a list that is not all messages goes item by item."""
    from codegen.runtime import decoders

    data = API.MultiOutputResponse().outputs.add().data
    for i in range(3):
        data.concepts.add(id=f"id-{i}", name=f"c {i}", value=i / 4)
    items = list(data.concepts)
    by_item = [decoders.concept(c, "x") for c in items]
    assert decoders._concepts(items, "x") == by_item
    mixed = [*items, {"id": "d", "name": "dict", "value": 0.5}]
    assert decoders._concepts(mixed, "x") == [*by_item, decoders.concept(mixed[-1], "x")]
