"""(b) Decoding parity: SDK-serialized outputs decode to the values the SDK's `deserialize` gives."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from clarifai.runners.utils import data_types as dt
from clarifai.runners.utils.method_signatures import deserialize, serialize
from clarifai_grpc.grpc.api import service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from codegen.runtime import types as rt
from codegen.runtime.decode import MalformedResponse, decode_value
from codegen.runtime.messages import output_value
from codegen.runtime.protoconv import from_message
from codegen.runtime.signature import Type

from .cases import params
from .sdk_helpers import assert_same, runtime_method, sdk_signature, to_dict, to_runtime


def sdk_response(annotation: Any, value: Any) -> tuple[Any, service_pb2.MultiOutputResponse]:
    sig = sdk_signature({}, returns=annotation)
    resp = service_pb2.MultiOutputResponse()
    resp.status.code = status_code_pb2.SUCCESS
    out = resp.outputs.add()
    out.status.code = status_code_pb2.SUCCESS
    serialize({"return": value}, sig.output_fields, out.data, is_output=True)
    return sig, resp


@pytest.mark.parametrize("int_enums", [True, False], ids=["int-enums", "name-enums"])
@pytest.mark.parametrize(("annotation", "value"), params())
def test_decoding_matches_sdk(annotation: Any, value: Any, int_enums: bool) -> None:
    sig, resp = sdk_response(annotation, value)
    expected = to_runtime(deserialize(resp.outputs[0].data, sig.output_fields, is_output=True))
    if isinstance(value, np.ndarray) and value.size == 0:
        expected = value  # the SDK returns None for an empty buffer; we keep the array
    actual = output_value(runtime_method(sig).output, to_dict(resp, int_enums))
    assert_same(actual, expected)


@pytest.mark.parametrize(("annotation", "value"), params())
def test_decoding_protos_matches_sdk(annotation: Any, value: Any) -> None:
    """The gRPC transport's road: the message read directly (`from_message`), no JSON text."""
    sig, resp = sdk_response(annotation, value)
    expected = to_runtime(deserialize(resp.outputs[0].data, sig.output_fields, is_output=True))
    if isinstance(value, np.ndarray) and value.size == 0:
        expected = value
    actual = output_value(runtime_method(sig).output, from_message(resp))
    assert_same(actual, expected)


def test_from_message_reads_like_message_to_dict() -> None:
    """Every kind of field as MessageToDict gives it, except int64 (an int), bytes (bytes) and
    Concepts (kept as messages, read by their decoder: floats as protobuf reads them)."""
    resp = service_pb2.MultiOutputResponse()
    resp.status.code = status_code_pb2.SUCCESS
    out = resp.outputs.add()
    out.created_at.FromSeconds(1_700_000_000)
    out.data.concepts.add(id="c", value=0.9)
    out.data.int_value = 2**40
    out.data.bytes_value = b"\x00\xff"
    out.data.metadata.update({"k": [1, "x", None, {"n": True}]})
    out.data.parts.add(id="return").data.float_value = float("nan")
    got = from_message(resp)
    ref = to_dict(resp)
    assert got["outputs"][0]["data"]["int_value"] == 2**40
    assert got["outputs"][0]["data"]["bytes_value"] == b"\x00\xff"
    assert got["outputs"][0]["data"]["concepts"] == [out.data.concepts[0]]
    assert ref["outputs"][0]["data"]["concepts"] == [{"id": "c", "value": 0.9}]
    for d in (got, ref):
        d["outputs"][0]["data"].pop("int_value")
        d["outputs"][0]["data"].pop("bytes_value")
        d["outputs"][0]["data"].pop("concepts")
    nan = got["outputs"][0]["data"]["parts"][0]["data"].pop("float_value")
    assert math.isnan(nan)
    assert ref["outputs"][0]["data"]["parts"][0]["data"].pop("float_value") == "NaN"
    assert got == ref


def test_float32_fields_read_as_each_wire_gives_them() -> None:
    """MessageToDict prints float32 fields shortest-repr, so over JSON 0.9 reads back as 0.9;
    read from the proto (gRPC) it is the float protobuf gives, 0.8999999761581421, as the SDK
    decodes it (no per-value rounding: the SDK does none)."""
    sig, resp = sdk_response(dt.Concept, dt.Concept("cat", 0.9))
    sdk_value = deserialize(resp.outputs[0].data, sig.output_fields, is_output=True).value
    assert sdk_value != 0.9
    assert output_value(runtime_method(sig).output, to_dict(resp)) == rt.Concept("cat", 0.9)
    got = output_value(runtime_method(sig).output, from_message(resp))
    assert got == rt.Concept("cat", sdk_value)


def test_concepts_decode_any_number_and_name_the_bad_item() -> None:
    t = Type("LIST", (Type("CONCEPT"),))
    data = {"concepts": [{"name": "a", "value": 1}, {"id": "B", "value": "0.5"}, {"name": "c"}]}
    assert decode_value(t, data) == [
        rt.Concept("a", 1.0),
        rt.Concept("", 0.5, "B"),
        rt.Concept("c", 0.0),
    ]
    assert [type(c.value) for c in decode_value(t, data)] == [float, float, float]
    data["concepts"].append({"name": 5})
    with pytest.raises(MalformedResponse, match=r"return\[3\]\.name is not a string"):
        decode_value(t, data, "return")


def test_json_numbers_become_floats() -> None:
    data = {"struct_value": {"n": 1, "l": [2, True, None], "_x": "s"}}
    assert decode_value(Type("JSON_DATA"), data) == {"n": 1.0, "l": [2.0, True, None], "_x": "s"}
    assert type(decode_value(Type("JSON_DATA"), data)["n"]) is float


def test_special_floats_and_camel_case() -> None:
    assert math.isnan(decode_value(Type("FLOAT"), {"float_value": "NaN"}))
    assert decode_value(Type("FLOAT"), {"floatValue": "-Infinity"}) == -math.inf
    assert decode_value(Type("INT"), {"intValue": 12}) == 12
    assert decode_value(Type("INT"), {"int_value": "-12"}) == -12
    assert decode_value(Type("STR"), {"stringValue": "s"}) == "s"


@pytest.mark.parametrize(
    ("t", "expected"),
    [("STR", ""), ("BYTES", b""), ("INT", 0), ("FLOAT", 0.0), ("BOOL", False), ("JSON_DATA", None),
     ("TEXT", None), ("IMAGE", None), ("CONCEPT", None), ("NDARRAY", None)],
)  # fmt: skip
def test_missing_values_decode_as_zero(t: str, expected: Any) -> None:
    assert decode_value(Type(t), {}) == expected


def test_inlined_output_without_return_part() -> None:
    """Legacy models put the value directly on outputs[0].data (protocol §4.8)."""
    body = {
        "status": {"code": 10000},
        "outputs": [{"data": {"text": {"raw": "x"}, "string_value": "x"}}],
    }
    assert output_value(Type("STR"), body) == "x"
    assert output_value(Type("TEXT"), body) == rt.Text("x")


def test_single_concept_field_with_several_values_is_a_list() -> None:
    data = {"concepts": [{"name": "a", "value": 0.5}, {"name": "b", "id": "B"}]}
    assert decode_value(Type("CONCEPT"), data) == [rt.Concept("a", 0.5), rt.Concept("b", 0.0, "B")]


@pytest.mark.parametrize(
    ("t", "data"),
    [
        (Type("INT"), {"int_value": "x"}),
        (Type("STR"), {"string_value": 5}),
        (Type("BYTES"), {"bytes_value": "!!"}),
        (Type("TUPLE", (Type("INT"), Type("STR"))), {"parts": [{"data": {}}]}),
        (Type("NAMED_FIELDS", fields=(("a", Type("INT")),)), {"parts": [{"id": "b", "data": {}}]}),
        (Type("LIST", (Type("STR"),)), {"parts": {"id": "x"}}),
        (Type("NDARRAY"), {"ndarray": {"buffer": "AAAA", "shape": [5], "dtype": "int32"}}),
    ],
)
def test_malformed_data_raises(t: Type, data: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponse, match="malformed response"):
        decode_value(t, data)


def test_any_type_best_effort() -> None:
    assert decode_value(Type("ANY"), {"string_value": "s"}) == "s"
    assert decode_value(Type("ANY"), {"int_value": "3"}) == 3
    assert decode_value(Type("ANY"), {"struct_value": {"_list": [1]}}) == [1.0]
    assert decode_value(Type("ANY"), {"image": {"url": "u"}}) == rt.Image(url="u")
    assert decode_value(Type("ANY"), {"parts": [{"id": "a", "data": {"bool_value": True}}]}) == {
        "a": True
    }
    assert decode_value(Type("ANY"), {"parts": [{"data": {"float_value": 0.5}}]}) == [0.5]
    assert decode_value(Type("ANY"), {}) is None
