"""One row per DataType: everything the generator knows about a data type.

A new DataType is one row here (the runtime has its own table for the wire). LIST, TUPLE and
NAMED_FIELDS are built from their parts, so their rows hold only what is not structural.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import shown
from .literals import literal_eval, py_literal
from .runtime import encoders
from .runtime.errors import ArgumentError
from .spec import DataType, Default, LiteralDefault, ServerDefault

SAMPLE_TEXT = "What is the future of AI?"
SAMPLE_IMAGE_URL = "https://samples.clarifai.com/metro-north.jpg"
SAMPLE_AUDIO_URL = "https://samples.clarifai.com/english_audio_sample.mp3"
SAMPLE_VIDEO_URL = "https://samples.clarifai.com/beer.mp4"
_CONCEPT = "Concept('cat', 0.5)"
_IMAGE = f"Image.from_url({py_literal(SAMPLE_IMAGE_URL)})"
_ARRAY = "numpy.arange(6, dtype=numpy.float32).reshape(2, 3)"


def json_value(text: str) -> Any:
    """`json.loads` of third-party text, or None when it is not JSON (or too deep to decode)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _str_default(text: str) -> tuple[Default, str]:
    """SDK >= 11.5 stores STR defaults raw (`low`), older ones JSON-quoted (`"low"`)."""
    legacy = json_value(text) if text.startswith('"') else None
    if isinstance(legacy, str):
        return LiteralDefault(legacy), ""
    return LiteralDefault(text), ""


def _bytes_default(text: str) -> tuple[Default, str]:
    if not text:  # not required, no default recorded: the model fills it in
        return ServerDefault(""), ""
    try:
        raw = literal_eval(text)
    except ValueError:
        raw = None
    if isinstance(raw, bytes):
        return LiteralDefault(raw), ""
    return ServerDefault(text), f"BYTES default {shown(text)} is not a bytes literal"


def _is_int(v: Any) -> bool:
    """An integer (JSON `1.0` and `1e3` included) that the wire's int64 can carry."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    try:
        encoders.int64(v, "default")  # the runtime's own check: bool, non-integers, > int64
    except ArgumentError:
        return False
    return True


def _is_float(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # an int too large for a double
        return False


def _is(cls: type) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, cls)


def _bool_choice(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.lower())


@dataclass(frozen=True)
class TypeRow:
    kind: DataType
    # The annotation of a value of this type ("" for LIST / TUPLE / NAMED_FIELDS: built from parts);
    # `accepts` is what a caller may pass instead, when wider. Imports follow from the names in them.
    annotation: str = ""
    accepts: str = ""
    runtime: bool = False  # `annotation` is a class the runtime exports
    # Example argument: Python source, or a number clamped into the field's range.
    sample: str | int | float = ""
    # Which JSON-decoded values are literal defaults (None: none are; LIST / TUPLE: by their items).
    literal: Callable[[Any], bool] | None = None
    coerce: Callable[[Any], Any] = lambda v: v  # a decoded scalar as a value of this type
    decode: Callable[[str], tuple[Default, str]] | None = None  # its own `default` string format
    choice: Callable[[str], Any] | None = None  # a choice id (a string) as a candidate value
    enum: bool = False  # choices become `Literal[...]`
    drift: str = ""  # its name in drift reports (default: the DataType's name)
    builtin: str = ""  # the builtin class the SDK maps to it (local analysis)
    sdk_class: str = ""  # the `clarifai.runners.utils.data_types` class the SDK maps to it

    @property
    def describe(self) -> str:
        return self.drift or self.kind.name


def _plain(kind: DataType, sample: str | float, **rule: Any) -> TypeRow:
    """A builtin type: its annotation is the builtin the SDK maps to it."""
    name = kind.name.lower()
    return TypeRow(kind, name, sample=sample, builtin=name, **rule)


def _runtime(kind: DataType, name: str, sample: str, **rule: Any) -> TypeRow:
    """A class the runtime exports, named like the SDK's data_types class unless told."""
    rule.setdefault("sdk_class", name)
    return TypeRow(kind, name, runtime=True, sample=sample, **rule)


_TEXT = py_literal(SAMPLE_TEXT)
_ROWS = (
    TypeRow(DataType.NOT_SET, "Any", sample=_TEXT, drift="Any"),
    _plain(DataType.STR, _TEXT, literal=_is(str), decode=_str_default, choice=str, enum=True),
    _plain(DataType.BYTES, py_literal(b"hello"), decode=_bytes_default),
    _plain(DataType.INT, 1, literal=_is_int, coerce=int, choice=json_value, enum=True),
    _plain(DataType.FLOAT, 0.5, literal=_is_float, coerce=float, choice=json_value),
    _plain(DataType.BOOL, "True", literal=_is(bool), choice=_bool_choice, enum=True),
    TypeRow(DataType.NDARRAY, "npt.NDArray[Any]", sample=_ARRAY),
    _runtime(
        DataType.JSON_DATA,
        "JsonValue",
        py_literal({"role": "user", "content": SAMPLE_TEXT}),
        literal=lambda v: True,
        sdk_class="JSON",
    ),
    _runtime(DataType.TEXT, "Text", f"Text({_TEXT})", accepts="Text | str"),
    _runtime(DataType.IMAGE, "Image", _IMAGE),
    _runtime(DataType.CONCEPT, "Concept", _CONCEPT),
    _runtime(DataType.REGION, "Region", f"Region(box=(0.1, 0.2, 0.5, 0.6), concepts=[{_CONCEPT}])"),
    _runtime(DataType.FRAME, "Frame", f"Frame(image={_IMAGE}, index=1, time=0.5)"),
    _runtime(DataType.AUDIO, "Audio", f"Audio.from_url({py_literal(SAMPLE_AUDIO_URL)})"),
    _runtime(DataType.VIDEO, "Video", f"Video.from_url({py_literal(SAMPLE_VIDEO_URL)})"),
    TypeRow(DataType.NAMED_FIELDS),
    TypeRow(DataType.TUPLE),
    TypeRow(DataType.LIST),
)
TYPES: Mapping[DataType, TypeRow] = {row.kind: row for row in _ROWS}
assert set(TYPES) == set(DataType), "every DataType needs a row"

# Runtime classes that annotations name (reserved in every generated module, used or not).
RUNTIME_NAMES = frozenset(row.annotation for row in _ROWS if row.runtime)
# Builtins the SDK maps to a DataType, and the data_types classes, by DataType name (local analysis).
BUILTIN_KINDS = {row.builtin: row.kind.name for row in _ROWS if row.builtin}
SDK_CLASS_KINDS = {row.sdk_class: row.kind.name for row in _ROWS if row.sdk_class}
