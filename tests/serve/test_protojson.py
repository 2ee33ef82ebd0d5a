"""serve's request parsing against `json_format.ParseDict`: the same message, or both refuse."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from google.protobuf.json_format import ParseDict
from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.runtime.encode import encode_args
from codegen.runtime.httpbase import dump_json
from codegen.runtime.messages import ModelRef, request_body
from codegen.runtime.protoconv import is_repeated
from codegen.serve import protojson

from ..runtime.cases import params
from ..runtime.sdk_helpers import runtime_method, sdk_signature, to_runtime

REQUEST = service_pb2.PostModelOutputsRequest


def _outcome(parse: Any, body: Any) -> bytes | str:
    try:
        return bytes(parse(body).SerializeToString(deterministic=True))
    except Exception:
        return "refused"


def assert_same(body: Any) -> bool:
    """Whether ParseDict takes `body` (and the new road does the same)."""
    expected = _outcome(lambda b: ParseDict(b, REQUEST(), ignore_unknown_fields=False), body)
    assert _outcome(lambda b: protojson.parse_dict(b, REQUEST), body) == expected
    return expected != "refused"


def _predict_body(annotation: Any, value: Any) -> Any:
    method = runtime_method(sdk_signature({"x": annotation}))
    parts = encode_args(method, {"x": to_runtime(value)})
    return json.loads(dump_json(request_body(ModelRef("u", "a", "m", "v"), "predict", parts)))


@pytest.mark.parametrize(("annotation", "value"), params())
def test_runtime_bodies_parse_the_same_on_the_fast_road(annotation: Any, value: Any) -> None:
    body = _predict_body(annotation, value)
    if assert_same(body):
        protojson._fill(REQUEST(), body, 1)  # taken by the fast road, not declined


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
_B64 = st.binary(max_size=5).flatmap(
    lambda raw: st.sampled_from(
        [
            base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode(),
            base64.b64encode(raw).decode().rstrip("="),
            base64.b64encode(raw).decode() + "\n",
            "!" + base64.b64encode(raw).decode()[1:],
        ]
    )
)
_INTS = st.integers(-(2**65), 2**65) | st.integers(-3, 3).map(lambda i: [str(i), float(i), i + 0.5])
_FLOATS = (
    st.floats()
    | st.floats(width=32)
    | st.integers(-(2**60), 2**60)
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "nan", "1.5", 1e39, -1e39, True])
)
_TEXT = st.text(max_size=4) | st.sampled_from(["\ud800", "a\udc00", "\ud83d\ude00"])


def _scalar(field: Any) -> Any:
    t = field.type
    if t == field.TYPE_STRING:
        return _TEXT
    if t == field.TYPE_BYTES:
        return _B64
    if t == field.TYPE_BOOL:
        return st.booleans()
    if t in (field.TYPE_FLOAT, field.TYPE_DOUBLE):
        return _FLOATS
    if t == field.TYPE_ENUM:
        names = [v.name for v in field.enum_type.values]
        return st.sampled_from(names) | st.integers(-2, 5) | st.just("NOT_A_NAME")
    return _INTS.flatmap(lambda v: st.sampled_from(v) if isinstance(v, list) else st.just(v))


def _value(field: Any, depth: int) -> Any:
    if field.type == field.TYPE_MESSAGE:
        sub = field.message_type
        if sub.full_name.startswith("google.protobuf.") or sub.GetOptions().map_entry:
            one = _JSON
        else:
            one = _message(sub, depth + 1)
    else:
        one = _scalar(field)
    if is_repeated(field) and not (
        field.type == field.TYPE_MESSAGE and field.message_type.GetOptions().map_entry
    ):
        return st.lists(one, max_size=2) | one
    return one


def _message(desc: Any, depth: int) -> Any:
    if depth > 4:
        return st.just({}) | _JSON
    fields = list(desc.fields)

    def pairs(chosen: list[Any]) -> Any:
        keys = [st.sampled_from([f.name, f.json_name, f.name + "_x"]) for f in chosen]
        values = [_value(f, depth) | st.none() | _JSON for f in chosen]
        return st.tuples(*(st.tuples(k, v) for k, v in zip(keys, values, strict=True))).map(dict)

    return st.lists(st.sampled_from(fields), max_size=4).flatmap(pairs)


@settings(max_examples=600, deadline=None)
@given(_message(REQUEST.DESCRIPTOR, 1))
def test_generated_bodies_parse_the_same(body: Any) -> None:
    assert_same(body)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_runtime_bodies_parse_the_same(data: Any) -> None:
    case = data.draw(st.sampled_from([c.values for c in params()]))
    body = _predict_body(*case)
    part = body["inputs"][0]["data"]
    key = data.draw(st.sampled_from(["parts", "metadata", "text", "image", "int_value"]))
    part[key] = data.draw(_JSON | _B64 | _INTS)
    assert_same(body)


def _data(data: Any) -> Any:
    return {"model_id": "m", "inputs": [{"data": data}]}


@pytest.mark.parametrize(
    "body",
    [
        {"model_id": "a", "modelId": "b"},  # one field by both names: the last one wins
        {"inputs": [{"dataset_ids": ["a"], "datasetIds": ["b"]}]},  # ... a list is replaced
        {"inputs": [{"settings": {"worker": {"user": {}, "model": {"id": "x"}}}}]},  # oneof x2
        {"inputs": [{"settings": {"worker": {"user": {"id": "u"}}}}]},
        _data({"image": {"base64": "-_8="}}),  # urlsafe base64: ParseDict takes it
        _data({"image": {"base64": "+/8="}}),
        _data({"image": {"base64": "--__aGk="}}),
        _data({"image": {"base64": "aGk"}}),  # unpadded
        _data({"image": {"base64": "aGk=\n"}}),
        _data({"image": {"base64": "a GkK"}}),
        _data({"int_value": "12"}),
        _data({"int_value": "+12"}),
        _data({"int_value": " 12"}),
        _data({"int_value": "1e3"}),
        _data({"int_value": 12.0}),
        _data({"int_value": True}),
        _data({"int_value": 2**63}),
        _data({"bool_value": 1}),
        _data({"float_value": "NaN"}),
        _data({"float_value": "nan"}),
        _data({"float_value": 1e39}),
        _data({"float_value": 2**60}),
        _data({"text": {"raw": "\ud800"}}),
        _data({"text": None}),
        _data({"concepts": [None]}),
        _data({"concepts": {"id": "c"}}),
        _data({"metadata": {"a": [1, None, {"b": "NaN"}]}}),
        _data({"metadata": "x"}),
        _data({"parts": [{"data": {"metadata": 7}}]}),
    ],
)
def test_edge_bodies_parse_the_same(body: Any) -> None:
    assert_same(body)


@settings(max_examples=400, deadline=None)
@given(_message(resources_pb2.Data.DESCRIPTOR, 2))
def test_generated_data_parses_the_same(data: Any) -> None:
    assert_same(_data(data))
