"""(a) Encoding parity: what the runtime sends equals the SDK's `serialize` output, over both
transports: the HTTP transport's JSON text, and the gRPC transport's message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from clarifai.runners.utils import data_types as dt
from clarifai.runners.utils.method_signatures import serialize
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from google.protobuf.json_format import ParseDict
from PIL import Image as PILImage

from codegen.runtime.encode import encode_args
from codegen.runtime.httpbase import dump_json
from codegen.runtime.messages import ModelRef, request_body
from codegen.runtime.protoconv import new_message, to_message

from .cases import PNG, params
from .sdk_helpers import runtime_method, sdk_signature, to_dict, to_runtime


def _parse_strict(data: dict[str, Any]) -> resources_pb2.Data:
    return ParseDict(data, resources_pb2.Data(), ignore_unknown_fields=False)


def wire_json(body: dict[str, Any]) -> Any:
    """The JSON the HTTP transport sends for `body` (bytes values become base64 there)."""
    return json.loads(dump_json(body))


@pytest.mark.parametrize(("annotation", "value"), params())
def test_encoding_matches_sdk(annotation: Any, value: Any) -> None:
    sig = sdk_signature({"x": annotation})
    method = runtime_method(sig)
    expected = serialize({"x": value}, sig.input_fields)
    ours = {"parts": encode_args(method, {"x": to_runtime(value)})}
    assert wire_json(ours) == to_dict(expected)
    assert _parse_strict(wire_json(ours)) == expected  # valid proto JSON, same message
    assert to_message(ours, resources_pb2.Data()) == expected  # what gRPC sends
    assert new_message(resources_pb2.Data, ours) == expected  # its constructor road


def test_pil_image_encodes_like_sdk() -> None:
    pil = PILImage.new("RGB", (3, 1), "blue")
    sig = sdk_signature({"img": dt.Image})
    expected = serialize({"img": pil}, sig.input_fields)
    ours = {"parts": encode_args(runtime_method(sig), {"img": pil})}
    assert wire_json(ours) == to_dict(expected)
    assert to_message(ours, resources_pb2.Data()) == expected


def test_text_accepts_str_and_mapping() -> None:
    sig = sdk_signature({"t": dt.Text})
    method = runtime_method(sig)
    for value in ("plain", {"text": "plain", "url": "https://u"}):
        expected = serialize({"t": value}, sig.input_fields)
        assert {"parts": encode_args(method, {"t": value})} == to_dict(expected)


def test_multi_argument_request_matches_sdk_envelope() -> None:
    """The docs-like predict of protocol §4.3: argument order, omitted arguments, envelope."""
    annotations = {
        "prompt": str,
        "image": dt.Image,
        "images": list[dt.Image],
        "chat_history": list[dict],
        "max_tokens": int,
        "temperature": float,
        "reasoning_effort": str,
    }
    defaults = {"max_tokens": 512, "temperature": 1.0, "reasoning_effort": "low"}
    sig = sdk_signature(annotations, returns=str, defaults=defaults)
    method = runtime_method(sig)
    sdk_args = {
        "prompt": "hi",
        "image": dt.Image(url="https://samples.clarifai.com/metro-north.jpg"),
        "images": [dt.Image(bytes=PNG), dt.Image(url="https://x/y.jpg")],
        "chat_history": [{"role": "user", "content": "hello"}],
        "max_tokens": 100,
        "temperature": 0.2,
    }
    req = service_pb2.PostModelOutputsRequest(model_id="m", version_id="v")
    req.user_app_id.user_id, req.user_app_id.app_id = "u", "a"
    inp = req.inputs.add()
    serialize(sdk_args, sig.input_fields, inp.data)
    inp.data.metadata["_method_name"] = "f"

    ours_args = {k: to_runtime(v) for k, v in sdk_args.items()} | {"reasoning_effort": None}
    body = request_body(ModelRef("u", "a", "m", "v"), "f", encode_args(method, ours_args))
    assert wire_json(body) == to_dict(req)
    strict = ParseDict(
        wire_json(body), service_pb2.PostModelOutputsRequest(), ignore_unknown_fields=False
    )
    assert strict == req
    assert to_message(body, service_pb2.PostModelOutputsRequest()) == req
    assert new_message(service_pb2.PostModelOutputsRequest, body) == req


@pytest.mark.parametrize(
    "body",
    [
        {"image": {"base64": "aGVsbG8="}},  # base64 text: the constructor wants bytes
        {"image": {"base64": bytearray(b"hello")}},
        {"stringValue": "x"},  # a JSON name
        {"concepts": [{"id": "c", "value": "NaN"}]},  # a float spelled as text
        {"int_value": "12"},  # int64 as text
        {"parts": [{"data": {"metadata": {"a": [1, None]}}, "id": "p"}]},
    ],
)
def test_new_message_equals_to_message(body: dict[str, Any]) -> None:
    """What the constructor refuses goes the converting road: the same message either way."""
    assert new_message(resources_pb2.Data, body) == to_message(body, resources_pb2.Data())


def test_envelope_without_version() -> None:
    body = request_body(ModelRef("u", "a", "m"), "predict", [])
    assert body == {
        "user_app_id": {"user_id": "u", "app_id": "a"},
        "model_id": "m",
        "inputs": [{"data": {"metadata": {"_method_name": "predict"}}}],
    }
    ParseDict(body, service_pb2.PostModelOutputsRequest(), ignore_unknown_fields=False)
