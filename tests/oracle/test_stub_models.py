"""Stub models rebuilt from the 12 bundled signature fixtures: signature round-trip and serving."""

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from clarifai.runners.utils import data_types
from clarifai.runners.utils.data_utils import Param
from clarifai.runners.utils.method_signatures import build_function_signature
from clarifai_grpc.grpc.api import resources_pb2
from google.protobuf.json_format import MessageToDict, ParseDict

from .sdk_client import SdkRestClient
from .server import OracleServer
from .stub_models import (
    fixture_models,
    load_method_signatures,
    normalize_signature,
    sample_value,
    stub_method,
    stub_model,
)

ROOT = Path(__file__).resolve().parents[2]
SIGNATURES_DIR = ROOT / "signatures"
INDEX = json.loads((SIGNATURES_DIR / "index.json").read_text())
STEMS = sorted(INDEX)
DT = resources_pb2.ModelTypeField.DataType


def as_dict(sig: resources_pb2.MethodSignature) -> dict[str, Any]:
    out: dict[str, Any] = MessageToDict(sig, preserving_proto_field_name=True)
    return out


def roundtrip(sig: resources_pb2.MethodSignature) -> dict[str, Any]:
    return as_dict(build_function_signature(stub_method(sig)))


# --------------------------------------------------------------------------------------------------
# loading and signature round-trip


def test_index_lists_all_twelve_fixtures() -> None:
    files = sorted(p.stem for p in SIGNATURES_DIR.glob("*.json") if p.name != "index.json")
    assert files == STEMS
    assert len(STEMS) == 12


@pytest.mark.parametrize("stem", STEMS)
def test_signatures_round_trip(stem: str) -> None:
    sigs = load_method_signatures(SIGNATURES_DIR / f"{stem}.json")
    assert [s.name for s in sigs] == list(INDEX[stem]["sdk_method_signature"])
    model = stub_model(sigs)
    infos = model._get_method_infos()
    for sig in sigs:
        expected = as_dict(sig)
        # None of the bundled fixtures needs a documented normalization.
        assert normalize_signature(expected) == expected, sig.name
        method = getattr(model, sig.name)
        assert as_dict(build_function_signature(method)) == normalize_signature(expected)
        assert as_dict(infos[sig.name].signature) == expected
        assert method.__doc__ == sig.description


def test_loader_accepts_all_shapes() -> None:
    shapes = {INDEX[s]["shape"] for s in STEMS}
    assert {"getmodel_names", "getmodel_ints", "getversion_names", "getversion_ints"} <= shapes
    assert "get_signatures_camel" in shapes
    # camelCase + names and snake_case + ints parse to the same protos
    one = {
        "name": "s",
        "methodType": "STREAMING_STREAMING",
        "inputFields": [{"required": True, "name": "x", "type": "STR", "iterator": True}],
        "outputFields": [{"name": "return", "type": "STR", "iterator": True}],
    }
    two = {
        "name": "s",
        "method_type": 4,
        "input_fields": [{"required": True, "name": "x", "type": 1, "iterator": True}],
        "output_fields": [{"name": "return", "type": 1, "iterator": True}],
    }
    a = ParseDict(one, resources_pb2.MethodSignature())
    b = ParseDict(two, resources_pb2.MethodSignature())
    assert a == b


def test_python_defaults_and_annotations() -> None:
    sigs = {s.name: s for s in load_method_signatures(SIGNATURES_DIR / "synthetic__all-types.json")}
    model = stub_model(list(sigs.values()))
    p = inspect.signature(model.scalars).parameters
    assert p["s"].default is inspect.Parameter.empty and p["s"].annotation is str
    assert p["opt_s"].default == "" and p["opt_i"].default == 0 and p["opt_b"].default is False
    assert p["none_s"].default is None
    p = inspect.signature(model.containers).parameters
    assert p["config"].default == {"a": 1} and p["stop"].default == ["\n"]
    ret = inspect.signature(model.containers).return_annotation
    assert isinstance(ret, data_types.NamedFields) and list(ret.keys()) == [
        "label",
        "score",
        "boxes",
    ]
    p = inspect.signature(model.tuned).parameters
    effort = p["effort"].default
    assert isinstance(effort, Param) and effort.choices == ["low", "medium", "high"]
    assert isinstance(p["top_k"].default, Param) and p["top_k"].default.max_value == 100.0
    assert (
        inspect.signature(model.echo_stream).parameters["chunks"].annotation
        == Iterator[data_types.Text]
    )
    flux = stub_model(load_method_signatures(SIGNATURES_DIR / "text-to-image__flux-schnell.json"))
    seed = inspect.signature(flux.predict).parameters["seed"].default
    assert isinstance(seed, Param) and seed.default is None


# --------------------------------------------------------------------------------------------------
# irreproducible parts: exactly the documented normalizations


def _sig(d: dict[str, Any]) -> resources_pb2.MethodSignature:
    return ParseDict(d, resources_pb2.MethodSignature())


def _method(inputs: list[dict[str, Any]], output: dict[str, Any] | None = None, **kw: Any) -> Any:
    return {
        "name": "m",
        "method_type": "UNARY_UNARY",
        "input_fields": inputs,
        "output_fields": [output or {"name": "return", "type": "STR"}],
        **kw,
    }


REPRODUCIBLE = {
    "non_json_text_default": _method(
        [{"name": "t", "type": "TEXT", "default": "Text(text='', url=None)"}]
    ),
    "empty_range": _method(
        [
            {
                "name": "x",
                "type": "FLOAT",
                "default": "0.5",
                "is_param": True,
                "model_type_range_info": {},
            }
        ]
    ),
    "legacy_quoted_str": _method([{"name": "e", "type": "STR", "default": '"low"'}]),
    "str_123": _method([{"name": "e", "type": "STR", "default": "123"}]),
    "non_canonical_float": _method([{"name": "x", "type": "FLOAT", "default": "1e3"}]),
    "empty_default_non_str": _method([{"name": "x", "type": "INT"}]),
    "required_after_optional": _method(
        [
            {"name": "a", "type": "INT", "default": "1"},
            {"required": True, "name": "b", "type": "STR"},
        ]
    ),
    "description_no_param": _method(
        [{"name": "a", "type": "INT", "default": "1", "description": "d", "is_param": False}]
    ),
    "tuple_named_fields": _method(
        [
            {
                "required": True,
                "name": "p",
                "type": "TUPLE",
                "type_args": [
                    {"name": "p_item", "type": "INT"},
                    {
                        "name": "p_item",
                        "type": "NAMED_FIELDS",
                        "type_args": [
                            {"name": "a", "type": "IMAGE"},
                            {"name": "b", "type": "NDARRAY"},
                        ],
                    },
                ],
            }
        ],
        {"name": "return", "type": "NAMED_FIELDS", "type_args": []},
    ),
}


@pytest.mark.parametrize("case", sorted(REPRODUCIBLE))
def test_edge_cases_round_trip_exactly(case: str) -> None:
    sig = _sig(REPRODUCIBLE[case])
    assert roundtrip(sig) == as_dict(sig)


def test_non_json_default_is_rebuilt_as_object() -> None:
    fn = stub_method(_sig(REPRODUCIBLE["non_json_text_default"]))
    default = inspect.signature(fn).parameters["t"].default
    assert isinstance(default, data_types.Text) and default.text == ""


IRREPRODUCIBLE = {
    "unclean_description": _method([], description="  Doc.\n    indented\n"),
    "two_outputs_renamed": {
        **_method([]),
        "output_fields": [{"name": "out", "type": "INT"}, {"name": "extra", "type": "STR"}],
    },
    "metadata_on_outputs_and_type_args": _method(
        [
            {
                "required": True,
                "name": "xs",
                "type": "LIST",
                "type_args": [{"name": "elem", "type": "INT", "required": True, "default": "1"}],
            }
        ],
        {"name": "return", "type": "INT", "required": True, "default": "3", "description": "d"},
    ),
    "required_with_default": _method(
        [
            {
                "required": True,
                "name": "x",
                "type": "INT",
                "default": "3",
                "is_param": True,
                "description": "d",
            }
        ]
    ),
    "enum_option_extras_and_ui_fields": _method(
        [
            {
                "name": "e",
                "type": "STR",
                "default": "a",
                "is_param": True,
                "placeholder": "p",
                "field_type": "ENUM",
                "model_type_enum_options": [{"id": "a", "description": "A"}, {"id": "b"}],
            }
        ]
    ),
    "method_type_from_iterators": {
        **_method([{"required": True, "name": "x", "type": "STR", "iterator": True}]),
        "method_type": "UNARY_UNARY",
    },
}


@pytest.mark.parametrize("case", sorted(IRREPRODUCIBLE))
def test_irreproducible_parts_are_normalized(case: str) -> None:
    sig = _sig(IRREPRODUCIBLE[case])
    expected = as_dict(sig)
    got = roundtrip(sig)
    assert got != expected
    assert got == normalize_signature(expected)


def test_unsupported_signatures_raise() -> None:
    with pytest.raises(ValueError):
        stub_method(_sig({**_method([]), "method_type": "STREAMING_UNARY"}))
    with pytest.raises(ValueError):
        stub_method(_sig(_method([{"required": True, "name": "x", "type": "NOT_SET"}])))


# --------------------------------------------------------------------------------------------------
# serving all twelve stubs over HTTP

_CLASSES = {
    DT.STR: str,
    DT.BYTES: bytes,
    DT.INT: int,
    DT.FLOAT: float,
    DT.BOOL: bool,
    DT.NDARRAY: np.ndarray,
    DT.JSON_DATA: dict,
    DT.TEXT: data_types.Text,
    DT.IMAGE: data_types.Image,
    DT.AUDIO: data_types.Audio,
    DT.VIDEO: data_types.Video,
    DT.CONCEPT: data_types.Concept,
    DT.REGION: data_types.Region,
    DT.FRAME: data_types.Frame,
}


def check_value(value: Any, field: resources_pb2.ModelTypeField) -> None:
    """``value`` is a decoded ``field`` with the stub's sample contents."""
    t = field.type
    if t in _CLASSES:
        assert isinstance(value, _CLASSES[t]), (field.name, type(value), value)
        if t in (DT.INT, DT.FLOAT, DT.BOOL, DT.BYTES, DT.JSON_DATA, DT.TEXT):
            assert value == sample_value(field), (field.name, value)
        if t == DT.STR:
            assert value.startswith("sample "), (field.name, value)
    elif t == DT.LIST:
        assert isinstance(value, list) and len(value) == 1, (field.name, value)
        check_value(value[0], field.type_args[0])
    elif t == DT.TUPLE:
        assert isinstance(value, tuple) and len(value) == len(field.type_args), (field.name, value)
        for v, a in zip(value, field.type_args, strict=True):
            check_value(v, a)
    elif t == DT.NAMED_FIELDS:
        assert isinstance(value, data_types.NamedFields), (field.name, value)
        assert list(value.keys()) == [a.name for a in field.type_args]
        for a in field.type_args:
            check_value(value[a.name], a)
    else:
        raise AssertionError(f"unexpected type {t}")


def required_args(sig: resources_pb2.MethodSignature) -> dict[str, Any]:
    return {
        f.name: sample_value(f, sig.name) for f in sig.input_fields if f.required and not f.iterator
    }


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[OracleServer, httpx.Client]]:
    models, versions = fixture_models(SIGNATURES_DIR)
    with OracleServer(models=models, versions=versions) as server, httpx.Client(timeout=30) as http:
        yield server, http


def test_fixture_models_ids_and_versions() -> None:
    models, versions = fixture_models(SIGNATURES_DIR)
    assert len(models) == 12
    assert set(models) == {
        (e["model"]["user_id"], e["model"]["app_id"], e["model"]["id"]) for e in INDEX.values()
    }
    # every file except the _GET_SIGNATURES dict carries a version id
    nsfw = INDEX["image-classifier__nsfw-image-classifier"]["model"]
    assert set(models) - set(versions) == {(nsfw["user_id"], nsfw["app_id"], nsfw["id"])}
    hello = ("runners-examples", "main", "hello-world")
    assert versions[hello] == "afa27b44d43b02a9fea41d13cedc2e40"


CALLS = [
    (stem, sig.name)
    for stem in STEMS
    for sig in load_method_signatures(SIGNATURES_DIR / f"{stem}.json")
]


@pytest.mark.parametrize(("stem", "method"), CALLS, ids=[f"{s}.{m}" for s, m in CALLS])
def test_call_over_http(served: tuple[OracleServer, httpx.Client], stem: str, method: str) -> None:
    server, http = served
    m = INDEX[stem]["model"]
    key = (m["user_id"], m["app_id"], m["id"])
    with SdkRestClient(server, key, version_id=server.versions[key], http=http) as sdk:
        sig = sdk.signatures[method]
        out = sig.output_fields[0]
        args = required_args(sig)
        if sig.method_type == resources_pb2.UNARY_UNARY:
            check_value(sdk.predict(method, **args), out)
        elif sig.method_type == resources_pb2.UNARY_STREAMING:
            values = list(sdk.generate(method, **args))
            assert len(values) == 2
            for v in values:
                check_value(v, out)
        else:
            stream_field = next(f for f in sig.input_fields if f.iterator)
            items = [sample_value(stream_field, method)] * 3
            values = list(sdk.stream(method, items, **args))
            assert len(values) == 3
            for v in values:
                check_value(v, out)
