"""Method signatures exactly as the platform stores them, without protobuf.

`stored_signatures` turns any signature document the parser accepts into what
`MessageToDict(MethodSignature, preserving_proto_field_name=True)` prints for each method: proto field
names, fields in field-number order, enums by name, fields at their proto3 default omitted, `float`
fields at float32 precision, int64 as strings. The message tables mirror clarifai-grpc's
`resources.proto` and are checked against its descriptors by the tests.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from typing import Any, Final

from .errors import CodegenError, Level, Problem, join_where
from .parser import _norm, extract_signatures
from .spec import DataType

_METHOD_TYPES: Final = (
    "UNKNOWN",
    "UNARY_UNARY",
    "UNARY_STREAMING",
    "STREAMING_UNARY",
    "STREAMING_STREAMING",
)
_FIELD_TYPES: Final = {
    0: "INVALID_MODEL_TYPE_FIELD_TYPE", 1: "BOOLEAN", 2: "STRING", 3: "NUMBER",
    4: "ARRAY_OF_CONCEPTS", 5: "ARRAY_OF_CONCEPTS_WITH_THRESHOLD", 7: "RANGE", 8: "ENUM",
    9: "COLLABORATORS", 10: "JSON", 11: "ARRAY_OF_NUMBERS", 12: "WORKFLOW_EMBED_MODELS",
    13: "ARRAY_OF_STRINGS", 14: "RECURSIVE_ENUM", 15: "PYTHON_CODE", 16: "DATASET_ID",
    17: "DATASET_VERSION_ID", 18: "ARRAY_OF_MODEL_CONCEPTS", 19: "DATASET", 20: "DATASET_VERSION",
    21: "ENCRYPTED_STRING", 22: "CHECKPOINT_MODEL", 23: "ARRAY_OF_SECRETS",
}  # fmt: skip
ENUMS: Final[dict[str, dict[int, str]]] = {
    "RunnerMethodType": dict(enumerate(_METHOD_TYPES)),
    "ModelTypeFieldType": _FIELD_TYPES,
    "DataType": {t.value: t.name for t in DataType},
}

# message -> [(field, kind, repeated)], in field-number order (the order MessageToDict prints).
# kind: "string" | "bool" | "float" | "int64" | "value" (google.protobuf.Value) | "enum:E" | "msg:M"
MESSAGES: Final[dict[str, tuple[tuple[str, str, bool], ...]]] = {
    "MethodSignature": (
        ("name", "string", False),
        ("method_type", "enum:RunnerMethodType", False),
        ("description", "string", False),
        ("input_fields", "msg:ModelTypeField", True),
        ("output_fields", "msg:ModelTypeField", True),
    ),
    "ModelTypeField": (
        ("path", "string", False),
        ("field_type", "enum:ModelTypeFieldType", False),
        ("default_value", "value", False),
        ("description", "string", False),
        ("placeholder", "string", False),
        ("model_type_enum_options", "msg:ModelTypeEnumOption", True),
        ("internal_only", "bool", False),
        ("required", "bool", False),
        ("model_type_range_info", "msg:ModelTypeRangeInfo", False),
        ("name", "string", False),
        ("type", "enum:DataType", False),
        ("type_args", "msg:ModelTypeField", True),
        ("iterator", "bool", False),
        ("default", "string", False),
        ("is_param", "bool", False),
    ),
    "ModelTypeEnumOption": (
        ("id", "string", False),
        ("description", "string", False),
        ("model_type_fields", "msg:ModelTypeField", True),
        ("internal_only", "bool", False),
        ("aliases", "msg:ModelTypeEnumOptionAlias", True),
        ("recommended", "bool", False),
    ),
    "ModelTypeRangeInfo": (
        ("min", "float", False),
        ("max", "float", False),
        ("step", "float", False),
    ),
    "ModelTypeEnumOptionAlias": (
        ("id_int", "int64", False),
        ("wildcard_string", "string", False),
    ),
}
_MAX_DEPTH: Final = 64


class _Converter:
    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []

    def error(self, message: str, path: str) -> CodegenError:
        return CodegenError(message, join_where(self.where, path))

    def message(self, name: str, raw: Any, path: str, depth: int = 0) -> dict[str, Any]:
        if depth > _MAX_DEPTH:
            raise self.error(f"nested deeper than {_MAX_DEPTH} levels", path)
        if not isinstance(raw, Mapping):
            raise self.error(f"expected an object for {name}, got {type(raw).__name__}", path)
        fields = MESSAGES[name]
        known = {f for f, _, _ in fields}
        for key in raw:
            if key not in known:
                self.problems.append(
                    Problem(
                        Level.WARNING,
                        f"{name} has no field {str(key)!r}; not stored, so left out",
                        join_where(self.where, path),
                    )
                )
        out: dict[str, Any] = {}
        for field, kind, repeated in fields:
            if field not in raw or (raw[field] is None and kind != "value"):
                continue
            here = f"{path}.{field}" if path else field
            value = raw[field]
            if repeated:
                if not isinstance(value, list):
                    raise self.error(f"{field} must be a list", here)
                items = [self.scalar(kind, v, f"{here}[{i}]", depth) for i, v in enumerate(value)]
                if items:
                    out[field] = items
                continue
            converted = self.scalar(kind, value, here, depth)
            if kind.startswith("msg:") or kind == "value":
                out[field] = converted
            elif kind.startswith("enum:"):
                if converted != ENUMS[kind[5:]][0]:  # proto3: the zero value is not printed
                    out[field] = converted
            elif kind == "int64":
                if converted != "0":
                    out[field] = converted
            elif converted not in ("", False):  # also 0.0: False == 0.0
                out[field] = converted
        return out

    def scalar(self, kind: str, value: Any, path: str, depth: int) -> Any:
        if kind.startswith("msg:"):
            return self.message(kind[4:], value, path, depth + 1)
        if kind.startswith("enum:"):
            return self.enum(ENUMS[kind[5:]], value, path)
        if kind == "string":
            if not isinstance(value, str):
                raise self.error(f"expected a string, got {type(value).__name__}", path)
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # ParseDict refuses it too: the platform cannot store it
                raise self.error(
                    "unpaired surrogate: not storable as a proto string", path
                ) from None
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.error(f"expected true or false, got {value!r}", path)
            return value
        if kind == "float":
            return _float32(value, lambda m: self.error(m, path))
        if kind == "int64":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise self.error(f"expected an integer, got {value!r}", path)
            try:
                return str(int(value))
            except ValueError:
                raise self.error(f"expected an integer, got {value!r}", path) from None
        return _value(value, lambda m: self.error(m, path))

    def enum(self, names: dict[int, str], value: Any, path: str) -> str | int:
        if isinstance(value, str) and value in names.values():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return names.get(value, value)  # MessageToDict prints an unknown number as is
        raise self.error(f"unknown enum value {value!r}", path)


def _float32(value: Any, error: Any) -> float | str:
    """A proto `float` field as MessageToDict prints it (type_checkers.ToShortestFloat)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise error(f"expected a number, got {value!r}")
    if isinstance(value, str):
        special = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}
        try:
            number = special[value] if value in special else float(value)
        except ValueError:
            raise error(f"expected a number, got {value!r}") from None
    else:
        number = float(value)
    if math.isnan(number):
        return "NaN"
    try:
        f32 = struct.unpack("<f", struct.pack("<f", number))[0]
    except OverflowError:
        f32 = math.copysign(math.inf, number)
    if math.isinf(f32):
        return "Infinity" if f32 > 0 else "-Infinity"
    precision = 6
    rounded = float(f"{f32:.{precision}g}")
    while struct.unpack("<f", struct.pack("<f", rounded))[0] != f32:
        precision += 1
        rounded = float(f"{f32:.{precision}g}")
    return rounded


def _value(value: Any, error: Any, depth: int = 0) -> Any:
    """A google.protobuf.Value: JSON with every number a double."""
    if depth > _MAX_DEPTH:
        raise error(f"nested deeper than {_MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            raise error("a JSON value cannot hold a non-finite number")
        return number
    if isinstance(value, list):
        return [_value(v, error, depth + 1) for v in value]
    if isinstance(value, Mapping):
        # A Struct is a map: protobuf leaves its key order unspecified; sorted for stable output.
        return {str(k): _value(value[k], error, depth + 1) for k in sorted(value, key=str)}
    raise error(f"not a JSON value: {type(value).__name__}")


def stored_signatures(data: Any, where: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every method signature of `data` (any accepted shape) in MessageToDict form."""
    raw, _, _ = extract_signatures(data, where)
    converter = _Converter(where)
    out = [
        converter.message("MethodSignature", sig, f"method #{i}")
        for i, sig in enumerate(_norm(raw, where))
    ]
    return out, converter.problems
