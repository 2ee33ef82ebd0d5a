"""An OpenAPI 3.1 document equivalent to a set of models' method signatures (one POST operation per
method, its arguments as the JSON request body, its return value as the response), so that
openapi-python-client can generate a client for the same API surface as clarifai-codegen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codegen.naming import module_name
from codegen.spec import DataType, MethodSpec, ModelSpec, TypeRef

_MEDIA = {"type": "object", "properties": {"url": {"type": "string"}, "base64": {"type": "string"}}}
COMPONENTS: dict[str, Any] = {
    "Image": _MEDIA,
    "Audio": _MEDIA,
    "Video": _MEDIA,
    "Text": {"type": "object", "properties": {"raw": {"type": "string"}}},
    "Concept": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "value": {"type": "number"},
        },
    },
    "Region": {
        "type": "object",
        "properties": {
            "box": {"type": "array", "items": {"type": "number"}},
            "concepts": {"type": "array", "items": {"$ref": "#/components/schemas/Concept"}},
        },
    },
    "Frame": {
        "type": "object",
        "properties": {
            "time": {"type": "number"},
            "image": {"$ref": "#/components/schemas/Image"},
        },
    },
}
_SCALARS: dict[DataType, dict[str, Any]] = {
    DataType.STR: {"type": "string"},
    DataType.BYTES: {"type": "string", "format": "binary"},
    DataType.INT: {"type": "integer"},
    DataType.FLOAT: {"type": "number"},
    DataType.BOOL: {"type": "boolean"},
    DataType.NDARRAY: {"type": "array", "items": {"type": "number"}},
    DataType.JSON_DATA: {"type": "object", "additionalProperties": True},
    DataType.NOT_SET: {"type": "object", "additionalProperties": True},
}
_REFS = {
    DataType.TEXT: "Text",
    DataType.IMAGE: "Image",
    DataType.CONCEPT: "Concept",
    DataType.REGION: "Region",
    DataType.FRAME: "Frame",
    DataType.AUDIO: "Audio",
    DataType.VIDEO: "Video",
}


def schema(t: TypeRef) -> dict[str, Any]:
    if t.kind in _SCALARS:
        return dict(_SCALARS[t.kind])
    if t.kind in _REFS:
        return {"$ref": f"#/components/schemas/{_REFS[t.kind]}"}
    if t.kind in (DataType.LIST, DataType.TUPLE):
        return {"type": "array", "items": schema(t.args[0]) if t.args else {}}
    return {  # NAMED_FIELDS: an inline object, a model class of its own
        "type": "object",
        "properties": {name: schema(sub) for name, sub in t.fields},
    }


def operation(module: str, method: MethodSpec) -> dict[str, Any]:
    body = {
        "type": "object",
        "properties": {f.name: schema(f.type) for f in method.inputs},
        "required": [f.name for f in method.inputs if f.required],
    }
    return {
        "operationId": f"{module}_{method.name}",
        "tags": [module],
        "description": method.description or method.name,
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {
            "200": {
                "description": "the method's return value",
                "content": {"application/json": {"schema": schema(method.output)}},
            }
        },
    }


def openapi_document(specs: Sequence[ModelSpec]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for spec in specs:
        module = str(module_name(spec.ref.model_id))
        for method in spec.methods:
            path = f"/v2/users/{spec.ref.user_id}/apps/{spec.ref.app_id}/models/{spec.ref.model_id}/{method.name}"
            paths[path] = {"post": operation(module, method)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "models", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": COMPONENTS},
    }
