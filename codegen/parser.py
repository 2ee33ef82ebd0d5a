"""Parse method signatures, in every JSON shape the platform and the SDK produce, into the IR.

Accepted shapes: a GetModel response (`model.model_version.method_signatures`), a GetModelVersion response
(`model_version.method_signatures`), `{"method_signatures": [...]}`, a bare list, and the SDK's
`_GET_SIGNATURES` dict keyed by method name. Keys may be snake_case or camelCase, enums names or integers.
Malformed input raises `CodegenError` naming the file, method and field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from . import defaults
from .errors import CodegenError, Level, Problem, join_where, shown
from .naming import check_resource_id
from .runtime.protocol import SUCCESS
from .spec import (
    PLACEHOLDER_IDS,
    DataType,
    FieldSpec,
    MethodKind,
    MethodSpec,
    ModelRef,
    ModelSpec,
    Range,
    TypeRef,
)

_METHOD_TYPES = {
    "UNKNOWN": 0,
    "UNARY_UNARY": 1,
    "UNARY_STREAMING": 2,
    "STREAMING_UNARY": 3,
    "STREAMING_STREAMING": 4,
}
_KINDS = {1: MethodKind.UNARY, 2: MethodKind.SERVER_STREAM, 4: MethodKind.BIDI_STREAM}
_MAX_DEPTH = 16
# The whole document (what snapshots store and re-read): far deeper than 16 nested types needs, far
# below the recursion limit of everything that walks it (json's Python encoder for snapshots).
_MAX_JSON_DEPTH = 256
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


def _norm(obj: Any, where: str, depth: int = 0) -> Any:
    """Recursively convert camelCase keys to snake_case (proto JSON accepts both)."""
    if depth > _MAX_JSON_DEPTH:
        raise CodegenError(f"JSON nested deeper than {_MAX_JSON_DEPTH} levels", where)
    if isinstance(obj, Mapping):
        return {snake(str(k)): _norm(v, where, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_norm(v, where, depth + 1) for v in obj]
    return obj


class _Ctx:
    """Collects warnings; raises errors with the current location."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def error(self, message: str, *where: str) -> CodegenError:
        return CodegenError(message, join_where(self.where, *where))

    def warn(self, message: str, *where: str) -> None:
        self.problems.append(Problem(Level.WARNING, message, join_where(self.where, *where)))


def extract_signatures(data: Any, where: str) -> tuple[list[Any], dict[str, str | None], str]:
    """Find the signature list and whatever model ids the document carries."""
    if isinstance(data, list):
        return data, {}, ""
    if not isinstance(data, Mapping):
        raise CodegenError(
            f"expected a JSON object or list of method signatures, got {type(data).__name__}", where
        )
    if not data:
        raise CodegenError("no method signatures found (the document is an empty object)", where)
    doc = _norm(data, where)
    status = doc.get("status")
    if isinstance(status, Mapping) and "code" in status:
        code = status.get("code")
        if code not in (SUCCESS, str(SUCCESS), "SUCCESS"):
            desc = status.get("description", "")
            raise CodegenError(
                f"the saved response is a failure (status {shown(code)}: {shown(desc)})", where
            )
    ids: dict[str, str | None] = {}
    description = ""
    version: Any = None
    if isinstance(doc.get("model"), Mapping):  # GetModel
        model = doc["model"]
        ids = {
            "user_id": model.get("user_id"),
            "app_id": model.get("app_id"),
            "model_id": model.get("id"),
        }
        if isinstance(model.get("description"), str):
            description = model["description"]
        version = model.get("model_version")
        if not isinstance(version, Mapping):
            raise CodegenError(
                "the model has no model_version, so no method signatures (a non-pythonic model?)",
                where,
            )
    elif isinstance(doc.get("model_version"), Mapping):  # GetModelVersion: a pinned version
        version = doc["model_version"]
        if isinstance(version.get("id"), str) and version["id"]:
            ids["version_id"] = version["id"]
        for key in ("user_id", "app_id", "model_id"):
            if isinstance(version.get(key), str):
                ids[key] = version[key]
    elif "method_signatures" in doc:
        version = doc
    if version is not None:  # (GetModel answers for the latest version: nothing is pinned)
        if isinstance(version.get("id"), str) and version["id"]:
            check_resource_id(version["id"], "version_id", where)  # hostile even when unused
        sigs = version.get("method_signatures", [])
        if not isinstance(sigs, list):
            raise CodegenError("method_signatures must be a list", where)
        return sigs, ids, description
    if all(isinstance(v, Mapping) for v in data.values()):
        # The SDK's _GET_SIGNATURES object: {method name: signature}. Its keys are method names,
        # so they are taken from the raw document, not snake_cased.
        sigs = []
        for key, sig in ((str(k), _norm(v, where, 1)) for k, v in data.items()):
            if sig.get("name", key) != key:
                raise CodegenError(
                    f"signature keyed {shown(key)} is named {shown(sig.get('name'))}", where
                )
            sigs.append({**sig, "name": key})
        return sigs, ids, description
    raise CodegenError(
        "no method signatures found (expected a GetModel or GetModelVersion response, "
        "a list, or a _GET_SIGNATURES object)",
        where,
    )


def parse_model(
    data: Any, where: str, ref: ModelRef | None = None, source: str = "", *, need_ids: bool = True
) -> tuple[ModelSpec, list[Problem]]:
    """Parse one signature document. `ref` supplies ids the document lacks (or overrides them);
    without `need_ids`, ids still missing become placeholders (`ModelRef.placeholder`)."""
    ctx = _Ctx(where)
    raw_sigs, ids, description = extract_signatures(data, where)
    model_ref = _resolve_ref(ids, ref, ctx, need_ids)
    if not raw_sigs:
        who = "the model" if model_ref.placeholder else f"model {model_ref.path}"
        raise ctx.error(f"{who} has no method signatures (a non-pythonic model cannot be typed)")
    methods: list[MethodSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(_norm(raw_sigs, where)):
        method = _parse_method(raw, i, ctx)
        if method.name in seen:
            raise ctx.error(
                f"duplicate method name {shown(method.name)}", f"method {shown(method.name)}"
            )
        seen.add(method.name)
        methods.append(method)
    spec = ModelSpec(ref=model_ref, methods=tuple(methods), description=description, source=source)
    return spec, ctx.problems


def _resolve_ref(
    ids: dict[str, str | None], ref: ModelRef | None, ctx: _Ctx, need_ids: bool = True
) -> ModelRef:
    if ref is not None:
        return ModelRef(
            ref.user_id,
            ref.app_id,
            ref.model_id,
            ref.version_id or ids.get("version_id"),
            placeholder=ref.placeholder,
        )
    missing = [k for k in ("user_id", "app_id", "model_id") if not ids.get(k)]
    if missing and not need_ids:
        ids = {**ids, **{k: PLACEHOLDER_IDS[k] for k in missing}}
    elif missing:
        raise ctx.error(
            f"the file does not say which model it is (missing {', '.join(missing)}); "
            "pass --ref USER/APP/MODEL"
        )
    values = {}
    for key in ("user_id", "app_id", "model_id", "version_id"):
        value = ids.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise ctx.error(f"{key} must be a string, got {type(value).__name__}")
            values[key] = check_resource_id(value, key, ctx.where)
    return ModelRef(
        values["user_id"],
        values["app_id"],
        values["model_id"],
        values.get("version_id"),
        placeholder=bool(missing),
    )


def _enum(value: Any, names: Mapping[str, int], what: str, ctx: _Ctx, *where: str) -> int:
    if isinstance(value, bool):
        raise ctx.error(f"{what} must be a name or a number, got {shown(value)}", *where)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        number = int(value)  # (int() of 4,301 digits or more raises ValueError)
    elif isinstance(value, str) and value in names:
        return names[value]
    else:
        raise ctx.error(f"unknown {what} {shown(value)}", *where)
    if number not in names.values():
        raise ctx.error(f"unknown {what} {number}", *where)
    return number


def _text(raw: Mapping[str, Any], key: str, ctx: _Ctx, *where: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ctx.error(f"{key} must be a string, got {type(value).__name__}", *where)
    return value


def _flag(raw: Mapping[str, Any], key: str, ctx: _Ctx, *where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ctx.error(f"{key} must be true or false, got {shown(value)}", *where)
    return value


def _parse_method(raw: Any, index: int, ctx: _Ctx) -> MethodSpec:
    if not isinstance(raw, Mapping):
        raise ctx.error(f"method signature #{index} is not an object")
    name = _text(raw, "name", ctx, f"method #{index}")
    if not name:
        raise ctx.error("method has no name", f"method #{index}")
    here = f"method {shown(name)}"
    number = _enum(raw.get("method_type", 0), _METHOD_TYPES, "method_type", ctx, here)
    if number == 3:
        raise ctx.error("STREAMING_UNARY methods are not supported by Clarifai clients", here)
    if number == 0:
        raise ctx.error("method_type is missing or UNKNOWN", here)
    kind = _KINDS[number]
    inputs_raw = raw.get("input_fields", [])
    outputs_raw = raw.get("output_fields", [])
    if not isinstance(inputs_raw, list) or not isinstance(outputs_raw, list):
        raise ctx.error("input_fields and output_fields must be lists", here)
    inputs: list[FieldSpec] = []
    seen: set[str] = set()
    for i, field_raw in enumerate(inputs_raw):
        field = _parse_field(field_raw, i, ctx, here)
        if field.name in seen:
            raise ctx.error(f"duplicate argument name {shown(field.name)}", here)
        seen.add(field.name)
        inputs.append(field)
    if len(outputs_raw) != 1 or not isinstance(outputs_raw[0], Mapping):
        raise ctx.error(f"expected exactly one output field, got {len(outputs_raw)}", here)
    out_raw = outputs_raw[0]
    output = _parse_type(out_raw, ctx, 0, here, "return")
    output_iter = _flag(out_raw, "iterator", ctx, here, "return")
    streamed = [f for f in inputs if f.iterator]
    if kind is MethodKind.BIDI_STREAM and len(streamed) != 1:
        raise ctx.error(
            f"a STREAMING_STREAMING method needs exactly one iterator argument, got {len(streamed)}",
            here,
        )
    if kind is not MethodKind.BIDI_STREAM and streamed:
        raise ctx.error(
            f"argument {shown(streamed[0].name)} is an iterator but the method is not STREAMING_STREAMING",
            here,
        )
    if output_iter != (kind is not MethodKind.UNARY):
        ctx.warn(f"the return's iterator flag disagrees with method_type; using {kind.name}", here)
    return MethodSpec(
        name=name,
        kind=kind,
        description=_text(raw, "description", ctx, here),
        inputs=tuple(inputs),
        output=output,
        output_iterator=kind is not MethodKind.UNARY,
    )


def _parse_type(raw: Mapping[str, Any], ctx: _Ctx, depth: int, *where: str) -> TypeRef:
    if depth > _MAX_DEPTH:
        raise ctx.error(f"types nested deeper than {_MAX_DEPTH} levels", *where)
    names = {t.name: t.value for t in DataType}
    kind = DataType(_enum(raw.get("type", 0), names, "type", ctx, *where))
    type_args = raw.get("type_args", [])
    if not isinstance(type_args, list) or not all(isinstance(a, Mapping) for a in type_args):
        raise ctx.error("type_args must be a list of objects", *where)
    if kind is DataType.NOT_SET:
        ctx.warn("type is NOT_SET; typed as Any", *where)
    if kind is DataType.LIST:
        if len(type_args) != 1:
            raise ctx.error(f"LIST needs exactly one type argument, got {len(type_args)}", *where)
        return TypeRef(kind, args=(_parse_type(type_args[0], ctx, depth + 1, *where, "item"),))
    if kind is DataType.TUPLE:
        if not type_args:
            raise ctx.error("TUPLE needs at least one type argument", *where)
        args = tuple(
            _parse_type(a, ctx, depth + 1, *where, f"item {i}") for i, a in enumerate(type_args)
        )
        return TypeRef(kind, args=args)
    if kind is DataType.NAMED_FIELDS:
        if not type_args:
            raise ctx.error("NAMED_FIELDS needs at least one field", *where)
        fields: list[tuple[str, TypeRef]] = []
        for i, a in enumerate(type_args):
            fname = _text(a, "name", ctx, *where, f"field #{i}")
            if not fname or fname in dict(fields):
                raise ctx.error(f"NAMED_FIELDS field #{i} has an empty or duplicate name", *where)
            fields.append((fname, _parse_type(a, ctx, depth + 1, *where, repr(fname))))
        return TypeRef(kind, fields=tuple(fields))
    if type_args:
        ctx.warn(f"{kind.name} has unexpected type_args; ignored", *where)
    return TypeRef(kind)


def _parse_field(raw: Any, index: int, ctx: _Ctx, method_where: str) -> FieldSpec:
    if not isinstance(raw, Mapping):
        raise ctx.error(f"input field #{index} is not an object", method_where)
    name = _text(raw, "name", ctx, method_where, f"field #{index}")
    if not name:
        raise ctx.error(f"input field #{index} has no name", method_where)
    here = (method_where, f"field {shown(name)}")
    ftype = _parse_type(raw, ctx, 0, *here)
    required = _flag(raw, "required", ctx, *here)
    default_text = _text(raw, "default", ctx, *here)
    default, note = defaults.decode(ftype, default_text, required)
    if note:
        ctx.warn(note, *here)
    choices = _parse_choices(raw.get("model_type_enum_options", []), ftype, ctx, *here)
    return FieldSpec(
        name=name,
        type=ftype,
        required=required,
        default=default,
        is_param=_flag(raw, "is_param", ctx, *here),
        iterator=_flag(raw, "iterator", ctx, *here),
        description=_text(raw, "description", ctx, *here),
        choices=choices,
        range=_parse_range(raw.get("model_type_range_info"), ctx, *here),
    )


def _parse_choices(raw: Any, ftype: TypeRef, ctx: _Ctx, *where: str) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not all(isinstance(o, Mapping) for o in raw):
        raise ctx.error("model_type_enum_options must be a list of objects", *where)
    values: list[Any] = []
    for option in raw:
        choice_id = option.get("id", "")
        if not isinstance(choice_id, str):
            raise ctx.error(f"choice id must be a string, got {shown(choice_id)}", *where)
        value = defaults.decode_choice(ftype, choice_id)
        if value is None:
            raise ctx.error(
                f"choice {shown(choice_id)} is not a valid {ftype.kind.name} value", *where
            )
        if value in values:
            raise ctx.error(f"duplicate choice {shown(choice_id)}", *where)
        values.append(value)
    return tuple(values)


def _parse_range(raw: Any, ctx: _Ctx, *where: str) -> Range | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ctx.error("model_type_range_info must be an object", *where)
    bounds: list[float | None] = []
    for key in ("min", "max"):
        value = raw.get(key)
        if value is not None:
            try:
                value = float(value)
            except (TypeError, ValueError, OverflowError):
                raise ctx.error(f"range {key} is not a finite number", *where) from None
            if math.isnan(value):
                raise ctx.error(f"range {key} is not a number", *where)
            if math.isinf(value):  # the SDK writes "Infinity" for a huge bound: no bound
                value = None
        bounds.append(value)
    minimum, maximum = bounds
    # proto3 drops a zero bound from JSON (`{"max": 2.0}` may mean min 0.0 or no min): a missing
    # bound is not enforced, so no value the model accepts is rejected client-side.
    if minimum is None and maximum is None:
        return None
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ctx.error(f"range min {minimum} is greater than max {maximum}", *where)
    return Range(minimum, maximum)
