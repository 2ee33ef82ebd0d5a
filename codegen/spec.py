"""The intermediate representation (IR): what a model's method signatures mean, independent of JSON shape.

Every string in the IR is still third-party text. Identifiers for generated code are derived from it in
`naming`, literals go through `repr()`; nothing here is ever pasted into code as is.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .runtime.messages import ModelRef as WireModelRef
from .runtime.protocol import model_page_url


class DataType(enum.IntEnum):
    """`clarifai.api.ModelTypeField.DataType`, numbered as in resources.proto."""

    NOT_SET = 0
    STR = 1
    BYTES = 2
    INT = 3
    FLOAT = 4
    BOOL = 5
    NDARRAY = 6
    JSON_DATA = 7
    TEXT = 8
    IMAGE = 9
    CONCEPT = 10
    REGION = 11
    FRAME = 12
    AUDIO = 13
    VIDEO = 14
    NAMED_FIELDS = 15
    TUPLE = 16
    LIST = 17


class MethodKind(enum.Enum):
    """How a method is called: `RunnerMethodType` minus the kinds the platform does not serve."""

    UNARY = "unary"  # UNARY_UNARY: PostModelOutputs
    SERVER_STREAM = "server_stream"  # UNARY_STREAMING: GenerateModelOutputs
    BIDI_STREAM = "bidi_stream"  # STREAMING_STREAMING: StreamModelOutputs


@dataclass(frozen=True)
class TypeRef:
    """A (possibly nested) data type. `args` for LIST/TUPLE, `fields` for NAMED_FIELDS."""

    kind: DataType
    args: tuple[TypeRef, ...] = ()
    fields: tuple[tuple[str, TypeRef], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": "ANY" if self.kind is DataType.NOT_SET else self.kind.name}
        if self.args:
            out["args"] = [a.to_json() for a in self.args]
        if self.fields:
            out["fields"] = [[name, t.to_json()] for name, t in self.fields]
        return out


@dataclass(frozen=True)
class LiteralDefault:
    """A default that is a validated Python literal (str, int, float, bool, bytes, None, list, dict)."""

    value: Any


@dataclass(frozen=True)
class ServerDefault:
    """A default that is not a literal (e.g. `Text(text='', url=None)`): the model applies it; we document it."""

    text: str


Default = LiteralDefault | ServerDefault


@dataclass(frozen=True)
class Range:
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class FieldSpec:
    """One method argument. `name` is the wire name; `default` is None when the argument is required."""

    name: str
    type: TypeRef
    required: bool
    default: Default | None
    is_param: bool = False
    iterator: bool = False
    description: str = ""
    choices: tuple[Any, ...] = ()
    range: Range | None = None

    @property
    def optional_none(self) -> bool:
        """True when the Python parameter is `T | None = None` (the server fills the value)."""
        d = self.default
        if d is None:
            return False
        if isinstance(d, ServerDefault):
            return True
        return d.value is None or isinstance(d.value, (list, dict))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type.to_json(),
            "required": self.required,
            "iterator": self.iterator,
        }
        if self.choices:
            out["choices"] = list(self.choices)
        if self.range is not None:
            if self.range.minimum is not None:
                out["min"] = self.range.minimum
            if self.range.maximum is not None:
                out["max"] = self.range.maximum
        if isinstance(self.default, LiteralDefault) and isinstance(
            self.default.value, (str, int, float, bool)
        ):
            out["default"] = self.default.value
        return out


@dataclass(frozen=True)
class MethodSpec:
    name: str
    kind: MethodKind
    description: str
    inputs: tuple[FieldSpec, ...]
    output: TypeRef
    output_iterator: bool = False

    @property
    def streamed_input(self) -> FieldSpec | None:
        return next((f for f in self.inputs if f.iterator), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "inputs": [f.to_json() for f in self.inputs],
            "output": self.output.to_json(),
        }


# Stand-ins for ids nobody gave (`methods`, `signature` and `example` need none); never generated.
PLACEHOLDER_IDS = {"user_id": "YOUR_USER_ID", "app_id": "YOUR_APP_ID", "model_id": "YOUR_MODEL_ID"}


@dataclass(frozen=True)
class ModelRef(WireModelRef):
    """Where a model lives on Clarifai (the runtime's `ModelRef`, which generated modules print, plus
    what the generator needs). Ids are validated by the parser (see `naming.check_resource_id`)."""

    placeholder: bool = False  # some ids are stand-ins the user must replace (see sources.ids)

    @property
    def path(self) -> str:
        return f"{self.user_id}/{self.app_id}/{self.model_id}"

    @property
    def url(self) -> str:
        """The model's page on clarifai.com (with the version when pinned)."""
        return model_page_url(self)


@dataclass(frozen=True)
class ModelSpec:
    ref: ModelRef
    methods: tuple[MethodSpec, ...]
    description: str = ""
    source: str = ""

    def fingerprint(self) -> str:
        """sha256 of the normalized signatures: the same for every JSON shape of the same signatures."""
        text = canonical_json(self.signatures_json())
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def signatures_json(self) -> list[dict[str, Any]]:
        return [_full_method_json(m) for m in self.methods]


def _full_method_json(m: MethodSpec) -> dict[str, Any]:
    out = m.to_json()
    out["description"] = m.description
    for f_json, f in zip(out["inputs"], m.inputs, strict=True):
        f_json["is_param"] = f.is_param
        f_json["description"] = f.description
        if isinstance(f.default, LiteralDefault):
            f_json["default"] = _jsonable(f.default.value)
        elif isinstance(f.default, ServerDefault):
            f_json["server_default"] = f.default.text
    return out


def _jsonable(value: Any) -> Any:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
