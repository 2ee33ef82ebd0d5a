"""The parser accepts every shape the platform and SDK produce, and names the place of every error."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from codegen.errors import CodegenError
from codegen.parser import parse_model
from codegen.sources.ids import parse_ref
from codegen.sources.signature_file import read_signature_file
from codegen.spec import DataType, LiteralDefault, MethodKind, ModelRef, ServerDefault

from ..conftest import ROOT, SIGNATURES

INDEX = json.loads((ROOT / "signatures" / "index.json").read_text())
REF = ModelRef("u", "a", "m")


def load(name: str) -> Any:
    return json.loads((ROOT / "signatures" / name).read_text())


def camel(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {
            re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k): camel(v) for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [camel(v) for v in obj]
    return obj


def as_ints(obj: Any) -> Any:
    """Enum names -> numbers, as REST returns them."""
    names = {t.name: t.value for t in DataType}
    kinds = {"UNARY_UNARY": 1, "UNARY_STREAMING": 2, "STREAMING_STREAMING": 4}
    if isinstance(obj, dict):
        out = {k: as_ints(v) for k, v in obj.items()}
        if isinstance(out.get("type"), str):
            out["type"] = names[out["type"]]
        if isinstance(out.get("method_type"), str):
            out["method_type"] = kinds[out["method_type"]]
        return out
    if isinstance(obj, list):
        return [as_ints(v) for v in obj]
    return obj


def test_the_twelve_fixtures_are_bundled() -> None:
    assert len(SIGNATURES) >= 12


@pytest.mark.parametrize("path", SIGNATURES, ids=lambda p: p.stem)
def test_every_fixture_parses_with_the_sdk_method_list(path: Path) -> None:
    loaded, problems = read_signature_file(path)
    spec = loaded.spec
    entry = INDEX[path.stem]
    assert [m.name for m in spec.methods] == list(entry["sdk_method_signature"])
    assert (spec.ref.user_id, spec.ref.app_id, spec.ref.model_id) == (
        entry["model"]["user_id"],
        entry["model"]["app_id"],
        entry["model"]["id"],
    )
    assert not [p for p in problems if p.level.value == "error"]


def test_all_shapes_of_the_same_signatures_have_one_fingerprint() -> None:
    doc = load("synthetic__all-types.json")
    sigs = doc["model"]["model_version"]["method_signatures"]
    shapes = {
        "getmodel": doc,
        "getversion": {"status": {"code": 10000}, "model_version": doc["model"]["model_version"]},
        "bare list": sigs,
        "wrapped list": {"method_signatures": sigs},
        "camelCase": camel(doc),
        "enum ints": as_ints(doc),
        "_GET_SIGNATURES": {s["name"]: camel(s) for s in sigs},
    }
    prints = {name: parse_model(data, name, REF)[0].fingerprint() for name, data in shapes.items()}
    assert len(set(prints.values())) == 1, prints


def test_method_kinds_iterators_and_nested_types() -> None:
    spec, _ = parse_model(load("synthetic__all-types.json"), "f")
    by_name = {m.name: m for m in spec.methods}
    assert by_name["frames"].kind is MethodKind.SERVER_STREAM
    echo = by_name["echo_stream"]
    assert echo.kind is MethodKind.BIDI_STREAM
    assert echo.streamed_input is not None and echo.streamed_input.name == "chunks"
    grid = next(f for f in by_name["containers"].inputs if f.name == "grid")
    assert grid.type.kind is DataType.LIST and grid.type.args[0].args[0].kind is DataType.INT
    out = by_name["containers"].output
    assert [name for name, _ in out.fields] == ["label", "score", "boxes"]
    tuned = {f.name: f for f in by_name["tuned"].inputs}
    assert tuned["effort"].choices == ("low", "medium", "high")
    assert tuned["effort"].is_param
    assert tuned["top_k"].range is not None and tuned["top_k"].range.maximum == 100.0


@pytest.mark.parametrize(
    ("type_", "default", "required", "expected"),
    [
        ("STR", "low", False, LiteralDefault("low")),
        ("STR", '"low"', False, LiteralDefault("low")),  # legacy JSON-quoted (SDK < 11.5)
        ("STR", "", False, LiteralDefault("")),  # optional empty string
        ("STR", "123", False, LiteralDefault("123")),
        ("STR", "null", False, LiteralDefault(None)),
        ("INT", "512", False, LiteralDefault(512)),
        ("INT", "512.0", False, LiteralDefault(512)),
        ("FLOAT", "1", False, LiteralDefault(1.0)),
        ("FLOAT", "NaN", False, ServerDefault("NaN")),
        ("BOOL", "false", False, LiteralDefault(False)),
        ("BYTES", "b'ab'", False, LiteralDefault(b"ab")),
        ("TEXT", "Text(text='', url=None)", False, ServerDefault("Text(text='', url=None)")),
        ("IMAGE", "null", False, LiteralDefault(None)),
        ("JSON_DATA", '{"a": 1}', False, LiteralDefault({"a": 1})),
        ("INT", "", True, None),
    ],
)
def test_default_decoding(type_: str, default: str, required: bool, expected: object) -> None:
    field = {"name": "x", "type": type_, "default": default, "required": required}
    sig = {
        "name": "m",
        "method_type": 1,
        "input_fields": [field],
        "output_fields": [{"name": "return", "type": 1}],
    }
    spec, _ = parse_model([sig], "f", REF)
    got = spec.methods[0].inputs[0].default
    assert got == expected
    if isinstance(expected, LiteralDefault):
        assert type(got.value) is type(expected.value)  # type: ignore[union-attr]


def _sig(**overrides: Any) -> dict[str, Any]:
    sig: dict[str, Any] = {
        "name": "predict",
        "method_type": 1,
        "input_fields": [{"name": "x", "type": 1, "required": True}],
        "output_fields": [{"name": "return", "type": 1}],
    }
    sig.update(overrides)
    return sig


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([_sig(method_type=3)], "STREAMING_UNARY"),
        ([_sig(), _sig()], "duplicate method name 'predict'"),
        ([_sig(input_fields=[{"name": "x", "type": 99}])], "unknown type 99"),
        (
            [_sig(input_fields=[{"name": "x", "type": "LIST"}])],
            "LIST needs exactly one type argument",
        ),
        ([_sig(output_fields=[])], "exactly one output field"),
        (
            [_sig(input_fields=[{"name": "x", "type": 1, "required": "yes"}])],
            "required must be true or false",
        ),
        ({"status": {"code": 21200, "description": "Model does not exist"}}, "failure"),
        ({"model": {"id": "m", "user_id": "u", "app_id": "a"}}, "non-pythonic"),
        ([], "no method signatures"),
        ("text", "expected a JSON object"),
    ],
)
def test_bad_input_names_the_place(doc: Any, message: str) -> None:
    with pytest.raises(CodegenError) as info:
        parse_model(copy.deepcopy(doc), "file.json", REF)
    assert message in str(info.value)
    assert str(info.value).startswith("file.json")


def test_error_names_method_and_field() -> None:
    doc = [_sig(input_fields=[{"name": "good", "type": 1}, {"name": "bad", "type": "FOO"}])]
    with pytest.raises(CodegenError) as info:
        parse_model(doc, "f.json", REF)
    assert str(info.value) == "f.json > method 'predict' > field 'bad': unknown type 'FOO'"


def test_missing_ids_ask_for_ref() -> None:
    with pytest.raises(CodegenError, match="pass --ref"):
        parse_model([_sig()], "f.json")


@pytest.mark.parametrize("bad", ["../x/y", "u/a", "u/a/m/extra", "u/../m", "u/a/m@", "u/a/m@../v"])
def test_parse_ref_rejects_unsafe_ids(bad: str) -> None:
    with pytest.raises(CodegenError):
        parse_ref(bad)


def test_parse_ref() -> None:
    assert parse_ref("u/a/m@v1") == ModelRef("u", "a", "m", "v1")
