"""Bridges between the Clarifai SDK (the reference implementation) and the runtime under test."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from clarifai.runners.utils import data_types as dt
from clarifai.runners.utils.method_signatures import build_function_signature
from clarifai_grpc.grpc.api import resources_pb2
from google.protobuf.json_format import MessageToDict

from codegen.runtime import signature
from codegen.runtime import types as rt

DataType = resources_pb2.ModelTypeField.DataType


def type_json(field: Any) -> dict[str, Any]:
    """An SDK `ModelTypeField` as the runtime's Type JSON (what codegen embeds)."""
    name = DataType.Name(field.type)
    if name == "NAMED_FIELDS":
        return {"t": name, "fields": [[a.name, type_json(a)] for a in field.type_args]}
    out: dict[str, Any] = {"t": name}
    if field.type_args:
        out["args"] = [type_json(a) for a in field.type_args]
    return out


def sdk_signature(
    annotations: dict[str, Any], returns: Any = int, defaults: dict[str, Any] | None = None
) -> Any:
    """The SDK's MethodSignature for a function `f(**annotations) -> returns`."""
    defaults = defaults or {}
    params = ", ".join(f"{n}=_d[{n!r}]" if n in defaults else n for n in annotations)
    ns: dict[str, Any] = {"_d": defaults}
    exec(f"def f({params}): ...", ns)  # a real signature for inspect
    f = ns["f"]
    f.__annotations__ = {**annotations, "return": returns}
    return build_function_signature(f)


def runtime_method(sig: Any, kind: str = "unary") -> signature.Method:
    """The runtime's Method for an SDK MethodSignature."""
    raw = {
        "name": sig.name,
        "kind": kind,
        "inputs": [
            {"name": f.name, "type": type_json(f), "required": f.required, "iterator": f.iterator}
            for f in sig.input_fields
        ],
        "output": type_json(sig.output_fields[0]),
    }
    return signature.load({sig.name: json.dumps(raw)})[sig.name]


def to_dict(msg: Any, int_enums: bool = True) -> dict[str, Any]:
    """REST-style JSON of a proto message, round-tripped through json text."""
    d = MessageToDict(msg, preserving_proto_field_name=True, use_integers_for_enums=int_enums)
    result: dict[str, Any] = json.loads(json.dumps(d))
    return result


def to_runtime(value: Any) -> Any:
    """An SDK value (data_types objects, NamedFields, ...) as the runtime's equivalent."""
    if isinstance(value, dt.Text):
        return rt.Text(value.text, value.url)
    if isinstance(value, (dt.Image, dt.Audio, dt.Video)):
        cls = {dt.Image: rt.Image, dt.Audio: rt.Audio, dt.Video: rt.Video}[type(value)]
        return cls(url=value.url or None, bytes=value.bytes or None)
    if isinstance(value, dt.Concept):
        return rt.Concept(value.name, value.value, value.id)
    if isinstance(value, dt.Region):
        info = value.proto.region_info
        return rt.Region(
            box=tuple(value.box) if info.HasField("bounding_box") else None,  # type: ignore[arg-type]
            concepts=[to_runtime(c) for c in value.concepts],
            id=value.id,
            text=value.text,
            track_id=value.track_id,
            mask=to_runtime(value.mask) if info.HasField("mask") else None,
            point=tuple(value.point) if info.HasField("point") else None,  # type: ignore[arg-type]
        )
    if isinstance(value, dt.Frame):
        return rt.Frame(
            image=to_runtime(value.image) if value.proto.data.HasField("image") else None,
            regions=[to_runtime(r) for r in value.regions],
            time=value.time,
            index=value.index,
        )
    if isinstance(value, dt.NamedFields):
        return {k: to_runtime(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {k: to_runtime(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_runtime(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_runtime(v) for v in value)
    return value


def assert_same(actual: Any, expected: Any) -> None:
    """Equality that also works for numpy arrays nested in containers."""
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), actual
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        assert np.array_equal(actual, expected)
        return
    if isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected) and len(actual) == len(expected), (actual, expected)
        for a, e in zip(actual, expected, strict=True):
            assert_same(a, e)
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), (actual, expected)
        for k in expected:
            assert_same(actual[k], expected[k])
        return
    assert type(actual) is type(expected) or expected is None, (actual, expected)
    assert actual == expected, (actual, expected)
