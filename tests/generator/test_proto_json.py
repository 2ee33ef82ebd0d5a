"""`signature --json` / `codegen.proto_json`: our MessageToDict, without protobuf, against protobuf."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from codegen.errors import CodegenError
from codegen.parser import extract_signatures
from codegen.proto_json import ENUMS, MESSAGES, stored_signatures

from ..conftest import MODELS, SIGNATURES
from ..hostile_corpus import HOSTILE_OK

resources = pytest.importorskip("clarifai_grpc.grpc.api.resources_pb2")
json_format = pytest.importorskip("google.protobuf.json_format")

_KINDS = {8: "bool", 9: "string", 2: "float", 3: "int64"}  # FieldDescriptor.TYPE_*


def _kind(field: Any) -> str:
    if field.message_type is not None:
        name = field.message_type.name
        return "value" if field.message_type.full_name == "google.protobuf.Value" else f"msg:{name}"
    if field.enum_type is not None:
        return f"enum:{field.enum_type.name}"
    return _KINDS[field.type]


def test_message_tables_match_the_descriptors() -> None:
    for name, fields in MESSAGES.items():
        descriptor = getattr(resources, name).DESCRIPTOR
        ordered = sorted(descriptor.fields, key=lambda f: f.number)
        assert [(f.name, _kind(f), f.is_repeated) for f in ordered] == list(fields), name
    enums = {
        "RunnerMethodType": resources.RunnerMethodType.DESCRIPTOR,
        "ModelTypeFieldType": resources.ModelTypeField.ModelTypeFieldType.DESCRIPTOR,
        "DataType": resources.ModelTypeField.DataType.DESCRIPTOR,
    }
    for name, descriptor in enums.items():
        assert {v.number: v.name for v in descriptor.values} == ENUMS[name], name


def protobuf_form(data: Any, where: str) -> list[dict[str, Any]]:
    """The reference: each signature through ParseDict and MessageToDict."""
    sigs, _, _ = extract_signatures(data, where)
    out = []
    for sig in sigs:
        message = json_format.ParseDict(
            copy.deepcopy(sig), resources.MethodSignature(), ignore_unknown_fields=True
        )
        out.append(json_format.MessageToDict(message, preserving_proto_field_name=True))
    return out


def _key_order(value: Any) -> Any:
    """Every object's keys in order, except inside a Struct (`default_value`), whose order
    protobuf leaves unspecified."""
    if isinstance(value, dict):
        return [(k, None if k == "default_value" else _key_order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_key_order(v) for v in value]
    return None


def _same(ours: Any, reference: Any) -> None:
    # Same values, and messages' fields in the same order (MessageToDict: field-number order).
    assert ours == reference
    assert _key_order(ours) == _key_order(reference)


UNSTORABLE = "descriptions-lone-surrogates.json"  # protobuf strings must be valid UTF-8


@pytest.mark.parametrize("path", SIGNATURES + HOSTILE_OK, ids=lambda p: p.name)
def test_bundled_and_hostile_files_equal_protobuf(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    if path.name == UNSTORABLE:
        with pytest.raises(json_format.ParseError, match="surrogate"):
            protobuf_form(data, str(path))
        with pytest.raises(CodegenError, match="unpaired surrogate"):
            stored_signatures(data, str(path))
        return
    ours, _ = stored_signatures(data, str(path))
    _same(ours, protobuf_form(data, str(path)))


def test_model_directories_are_already_in_stored_form() -> None:
    from codegen.sources.local import model_dir_signatures

    for config in sorted(MODELS.rglob("config.yaml")):
        if config.parent.name == "indentation_error":
            continue
        sigs, _, _ = model_dir_signatures(config.parent, need_ids=False)
        ours, problems = stored_signatures(sigs, str(config.parent))
        assert ours == sigs and not problems, config.parent
        _same(ours, protobuf_form(sigs, str(config.parent)))


EDGE = [
    {
        "name": "edge",
        "methodType": 2,
        "description": "",
        "inputFields": [
            {
                "name": "x",
                "type": 4,
                "required": False,
                "isParam": True,
                "default": "0.1",
                "modelTypeRangeInfo": {"min": 0.1, "max": "Infinity", "step": 0.7},
                "modelTypeEnumOptions": [
                    {"id": "a", "aliases": [{"idInt": "7"}, {"idInt": 0, "wildcardString": ""}]},
                    {"id": "b", "recommended": False, "internalOnly": True},
                ],
                "defaultValue": {"n": 3, "list": [1, 2.5, True, None, "s"]},
                "fieldType": 0,
                "typeArgs": [],
            },
            {"name": "empty_range", "type": "INT", "modelTypeRangeInfo": {}, "iterator": False},
            {"name": "unknown_type", "type": 99, "path": ""},
            {"name": "null_default", "type": "STR", "defaultValue": None},
        ],
        "outputFields": [{"name": "return", "type": "NOT_SET"}],
    }
]


def test_edge_cases_equal_protobuf() -> None:
    ours, problems = stored_signatures(EDGE, "edge.json")
    _same(ours, protobuf_form(EDGE, "edge.json"))
    assert not problems


def test_unknown_fields_are_left_out_with_a_warning() -> None:
    data = [{"name": "m", "method_type": "UNARY_UNARY", "colour": "red", "output_fields": []}]
    ours, problems = stored_signatures(data, "x.json")
    assert ours == [{"name": "m", "method_type": "UNARY_UNARY"}]
    assert [str(p) for p in problems] == [
        "warning: x.json > method #0: MethodSignature has no field 'colour'; not stored, so left out"
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"name": 5}, "expected a string"),
        ({"name": "x", "required": "yes"}, "expected true or false"),
        ({"name": "x", "type": "FOO"}, "unknown enum value 'FOO'"),
        ({"name": "x", "model_type_range_info": {"min": "lots"}}, "expected a number"),
        ({"name": "x", "type_args": {}}, "type_args must be a list"),
    ],
)
def test_malformed_fields_are_one_line_errors(field: dict[str, Any], message: str) -> None:
    data = [{"name": "m", "method_type": 1, "input_fields": [field]}]
    with pytest.raises(CodegenError) as info:
        stored_signatures(data, "bad.json")
    assert str(info.value).startswith("bad.json > method #0.input_fields[0]")
    assert message in str(info.value)
