"""One row per DataType: the `Data` field that holds it, and how a value is validated and encoded
into that field and decoded from it. Adding a DataType is adding a row (and its two codecs).

LIST, TUPLE and NAMED_FIELDS are not rows: they are built from other types as nested `parts`
(see `encode.encode_value` / `decode.decode_value`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import decoders as dec
from . import encoders as enc
from .signature import Type
from .types import Audio, Concept, Frame, Region, Text, Video

__all__ = ["MESSAGE", "REPEATED", "ROWS", "SCALAR", "DataType", "repeated_row"]

Json = dict[str, Any]
SCALAR = "scalar"  # a proto3 scalar: omitted from the JSON when it is the zero value
MESSAGE = "message"  # a message field, always present once set
REPEATED = "repeated"  # one element of a repeated field (a lone value is a list of one)


@dataclass(frozen=True)
class DataType:
    """How one DataType travels in a `Data` message."""

    field: str
    accepts: Callable[[Any], bool]  # for values of undeclared type: is it one of these?
    encode: Callable[[Any, str], Any]  # a value -> the field's JSON (or an element's), validated
    decode: Callable[[Any, str], Any]  # the field's JSON (an element's; None: absent) -> a value
    shape: str = MESSAGE

    def encode_data(self, value: Any, where: str) -> Json:
        """`Data` JSON holding `value`; `where` prefixes error messages."""
        item = self.encode(value, where)
        if self.shape == SCALAR:
            return {self.field: item} if item else {}
        return {self.field: [item] if self.shape == REPEATED else item}

    def decode_data(self, data: Json, what: str) -> Any:
        """The value a `Data` JSON object holds (a lone element of a repeated field unwrapped)."""
        raw = dec.get_field(data, self.field)
        if self.shape == SCALAR:
            return self.decode(raw, what)
        if self.shape == REPEATED:
            items = dec.as_list(raw, f"{what}.{self.field}")
            values = dec.each(self.decode, items, what)
            return values[0] if len(values) == 1 else (values or None)
        return self.decode(raw, f"{what}.{self.field}")


def _isa(*types: type) -> Callable[[Any], bool]:
    """Instances of `types` (a bool only if `bool` is one of them: it is an int too)."""
    return lambda v: isinstance(v, types) and (bool in types or not isinstance(v, bool))


ROWS: dict[str, DataType] = {  # in the order an untyped reply is read (first field present)
    "STR": DataType("string_value", _isa(str), enc.string, dec.string, SCALAR),
    "INT": DataType("int_value", _isa(numbers.Integral), enc.int64, dec.int64, SCALAR),
    "FLOAT": DataType("float_value", _isa(numbers.Real), enc.double, dec.double, SCALAR),
    "BOOL": DataType("bool_value", _isa(bool), enc.boolean, dec.boolean, SCALAR),
    "BYTES": DataType("bytes_value", _isa(bytes, bytearray), enc.raw_bytes, dec.raw_bytes, SCALAR),
    "JSON_DATA": DataType("struct_value", _isa(Mapping, list, tuple), enc.json_data, dec.json_data),
    "NDARRAY": DataType("ndarray", enc.is_ndarray, enc.ndarray, dec.ndarray),
    "TEXT": DataType("text", _isa(Text), enc.text, dec.text),
    "IMAGE": DataType("image", enc.is_image, enc.image, dec.image),
    "AUDIO": DataType("audio", _isa(Audio), enc.audio, dec.audio),
    "VIDEO": DataType("video", _isa(Video), enc.video, dec.video),
    "CONCEPT": DataType("concepts", _isa(Concept), enc.concept, dec.concept, REPEATED),
    "REGION": DataType("regions", _isa(Region), enc.region, dec.region, REPEATED),
    "FRAME": DataType("frames", _isa(Frame), enc.frame, dec.frame, REPEATED),
}


def repeated_row(t: Type) -> DataType | None:
    """The row of `t` when its values are elements of a repeated field (CONCEPT, ...)."""
    row = ROWS.get(t.t)
    return row if row is not None and row.shape == REPEATED else None
