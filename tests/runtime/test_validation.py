"""(c) Client-side validation: ArgumentError before anything is sent."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from codegen.runtime import ArgumentError, ClarifaiError, signature
from codegen.runtime import types as rt
from codegen.runtime.encode import encode_args, encode_value
from codegen.runtime.signature import Type


def method(*fields: dict[str, Any]) -> signature.Method:
    raw = {"name": "predict", "kind": "unary", "inputs": list(fields), "output": {"t": "STR"}}
    return signature.load({"predict": json.dumps(raw)})["predict"]


def field(
    name: str, t: str | dict[str, Any], required: bool = False, **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "type": {"t": t} if isinstance(t, str) else t,
        "required": required,
        "iterator": False,
        **extra,
    }


M = method(
    field("prompt", "STR", required=True),
    field("max_tokens", "INT", min=1, max=4096),
    field("temperature", "FLOAT", min=0.0, max=2.0),
    field("effort", "STR", choices=["low", "high"]),
    field("n", "INT", choices=[1, 2, 3]),
    field("flag", "BOOL"),
    field("image", "IMAGE"),
    field("tags", {"t": "LIST", "args": [{"t": "STR"}]}),
    field("pair", {"t": "TUPLE", "args": [{"t": "INT"}, {"t": "STR"}]}),
    field(
        "person", {"t": "NAMED_FIELDS", "fields": [["name", {"t": "STR"}], ["age", {"t": "INT"}]]}
    ),
    field("meta", "JSON_DATA"),
    field("arr", "NDARRAY"),
    field("text", "TEXT", choices=["a", "b"]),
    field("region", "REGION"),
    field("labels", {"t": "LIST", "args": [{"t": "CONCEPT"}]}),
)


def check(args: dict[str, Any], match: str) -> ArgumentError:
    with pytest.raises(ArgumentError, match=match) as info:
        encode_args(M, {"prompt": "p", **args})
    return info.value


def test_argument_error_is_type_and_value_error() -> None:
    err = check({"zzz": 1}, "unexpected")
    assert (
        isinstance(err, ClarifaiError)
        and isinstance(err, TypeError)
        and isinstance(err, ValueError)
    )


def test_unknown_and_missing() -> None:
    check({"zzz": 1, "yyy": 2}, r"predict\(\) got unexpected argument\(s\) 'zzz', 'yyy'")
    with pytest.raises(ArgumentError, match=r"predict\(\) missing required argument 'prompt'"):
        encode_args(M, {"max_tokens": 3})
    with pytest.raises(ArgumentError, match="missing required argument 'prompt'"):
        encode_args(M, {"prompt": None})


def test_none_means_not_sent() -> None:
    parts = encode_args(M, {"prompt": "p", "max_tokens": None, "image": None})
    assert [p["id"] for p in parts] == ["prompt"]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"max_tokens": "5"}, r"argument 'max_tokens': expected int, got str"),
        ({"max_tokens": True}, r"argument 'max_tokens': expected int, got bool"),
        ({"max_tokens": 2.0}, r"expected int, got float"),
        ({"max_tokens": 2**63}, r"does not fit"),
        ({"temperature": "hot"}, r"argument 'temperature': expected float, got str"),
        ({"temperature": False}, r"expected float, got bool"),
        ({"flag": 1}, r"argument 'flag': expected bool, got int"),
        (
            {"image": "https://x/y.jpg"},
            r"expected Image or PIL.Image.Image, got str \(use Image.from_url",
        ),
        ({"image": b"png"}, r"got bytes \(use Image.from_url"),
        ({"tags": "abc"}, r"argument 'tags': expected list, got str"),
        ({"tags": ["a", 1]}, r"argument 'tags'\[1\]: expected str, got int"),
        ({"pair": (1,)}, r"argument 'pair': expected a tuple of length 2, got 1"),
        ({"pair": (1, 2)}, r"argument 'pair'\[1\]: expected str, got int"),
        ({"person": {"name": "a"}}, r"argument 'person': missing key\(s\) 'age'"),
        ({"person": {"name": "a", "age": 1, "x": 0}}, r"unexpected key\(s\) 'x'"),
        ({"person": ["a", 1]}, r"expected dict, got list"),
        ({"meta": "s"}, r"expected dict or list \(JSON\), got str"),
        ({"meta": {"a": {1, 2}}}, r"argument 'meta'\['a'\]: expected a JSON value, got set"),
        ({"meta": {1: "x"}}, r"keys must be str"),
        ({"meta": [float("nan")]}, r"cannot be sent as JSON"),
        ({"arr": np.array(["a"])}, r"expected a numeric array"),
        ({"arr": "x"}, r"expected numpy.ndarray, got str"),
        ({"text": 5}, r"expected Text or str, got int"),
        ({"region": rt.Region(box=(1, 2, 3))}, r"argument 'region'.box: expected 4 values, got 3"),
        (
            {"region": rt.Region(concepts=["cat"])},
            r"region'.concepts\[0\]: expected Concept, got str",
        ),
        ({"region": rt.Concept("c")}, r"expected Region, got Concept"),
        # a list of a repeated field (checked item by item, named by index only on error)
        ({"labels": [rt.Concept("a"), rt.Concept("b"), "c"]}, r"'labels'\[2\]: expected Concept"),
        ({"labels": [rt.Concept("a"), rt.Concept("b", "x")]}, r"'labels'\[1\].value: expected fl"),
        ({"labels": [rt.Concept("a", 1), rt.Concept("b", id=2)]}, r"'labels'\[1\].id: expected st"),
    ],
)
def test_wrong_types(args: dict[str, Any], match: str) -> None:
    err = check(args, match)
    assert str(err).startswith("predict() argument ")


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ({"max_tokens": 0}, r"argument 'max_tokens': 0 is below the minimum 1"),
        ({"max_tokens": 5000}, r"5000 is above the maximum 4096"),
        ({"temperature": 2.5}, r"2.5 is above the maximum 2"),
        ({"temperature": float("nan")}, r"below the minimum"),
        ({"effort": "medium"}, r"argument 'effort': 'medium' is not one of 'low', 'high'"),
        ({"n": 4}, r"4 is not one of 1, 2, 3"),
        ({"n": True}, r"expected int, got bool"),
        ({"text": rt.Text("c")}, r"'c' is not one of 'a', 'b'"),
    ],
)
def test_choices_and_ranges(args: dict[str, Any], match: str) -> None:
    check(args, match)


def test_valid_values_pass() -> None:
    parts = encode_args(
        M,
        {
            "prompt": "p",
            "max_tokens": np.int64(4096),
            "temperature": 1,  # an int is accepted for FLOAT
            "effort": "low",
            "n": np.int32(2),
            "text": "a",
            "pair": [1, "x"],  # a list is accepted for TUPLE
            "tags": ("a", "b"),
            "arr": [1.5, 2.5],
            "labels": [
                rt.Concept("a b", 1),
                rt.Concept("b", np.float32(0.5)),
                rt.Concept("c", 0.0, id="C"),
                rt.Concept("", -math.inf, id="d"),
            ],
        },
    )
    by_id = {p["id"]: p["data"] for p in parts}
    assert by_id["labels"] == {
        "concepts": [
            {"id": "a-b", "name": "a b", "value": 1.0},
            {"id": "b", "name": "b", "value": 0.5},
            {"id": "C", "name": "c"},
            {"id": "d", "value": "-Infinity"},
        ]
    }
    assert [type(c.get("value")) for c in by_id["labels"]["concepts"]][:2] == [float, float]
    assert by_id["max_tokens"] == {"int_value": "4096"}
    assert by_id["temperature"] == {"float_value": 1.0}
    assert by_id["arr"]["ndarray"]["dtype"] == "float64"


def test_choices_for_floats_accept_ints() -> None:
    m = method(field("t", "FLOAT", choices=[0.5, 1.0]))
    assert encode_args(m, {"t": 1}) == [{"id": "t", "data": {"float_value": 1.0}}]


def test_any_type_encodes_by_python_type() -> None:
    t = Type("ANY")
    assert encode_value(t, "s") == {"string_value": "s"}
    assert encode_value(t, True) == {"bool_value": True}
    assert encode_value(t, 3) == {"int_value": "3"}
    assert encode_value(t, 0.5) == {"float_value": 0.5}
    assert encode_value(t, b"\x01") == {"bytes_value": b"\x01"}  # base64 on the HTTP wire
    assert encode_value(t, {"a": 1}) == {"struct_value": {"a": 1}}
    assert encode_value(t, [1, "x"]) == {"struct_value": {"_list": [1, "x"]}}
    assert encode_value(t, rt.Image(url="u")) == {"image": {"url": "u"}}
    assert encode_value(t, rt.Audio(url="u")) == {"audio": {"url": "u"}}
    assert encode_value(t, rt.Concept("c")) == {
        "concepts": [{"id": "c", "name": "c", "value": 1.0}]
    }
    assert encode_value(t, [rt.Concept("c")]) == {
        "concepts": [{"id": "c", "name": "c", "value": 1.0}]
    }
    assert encode_value(t, rt.Text("t")) == {"text": {"raw": "t"}}
    assert encode_value(t, np.array([1], dtype=np.int8)) == {
        "ndarray": {"buffer": b"\x01", "dtype": "int8", "shape": [1]}
    }
    with pytest.raises(ArgumentError, match=r"expected a str, number, .* got object"):
        encode_value(t, object())


def test_non_finite_floats_use_proto_json_spelling() -> None:
    assert encode_value(Type("FLOAT"), float("nan")) == {"float_value": "NaN"}
    assert encode_value(Type("FLOAT"), float("-inf")) == {"float_value": "-Infinity"}


def test_frame_validation() -> None:
    with pytest.raises(ArgumentError, match=r"x.time: -1.0 is out of range"):
        encode_value(Type("FRAME"), rt.Frame(time=-1.0), "x")
    with pytest.raises(ArgumentError, match=r"x.index: expected int, got str"):
        encode_value(Type("FRAME"), rt.Frame(index="1"), "x")  # type: ignore[arg-type]
    assert encode_value(Type("FRAME"), rt.Frame(time=0.0015)) == {
        "frames": [{"frame_info": {"time": "2"}}]
    }
