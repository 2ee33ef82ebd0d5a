"""`datatypes.ROWS`: one row per DataType, whose encoder and decoder are inverses, and whose
`accepts` sends a value of undeclared type to the same encoding as its declared type."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from codegen.runtime import Audio, Concept, Frame, Image, Region, Text, Video
from codegen.runtime.datatypes import REPEATED, ROWS
from codegen.runtime.decode import decode_value
from codegen.runtime.encode import encode_value
from codegen.runtime.signature import TYPE_NAMES, Type

SAMPLES: dict[str, Any] = {
    "STR": "héllo",
    "INT": -7,
    "FLOAT": 2.5,
    "BOOL": True,
    "BYTES": b"\x00\xff",
    "JSON_DATA": {"a": [1.0, "x", None], "b": {"c": True}},
    "NDARRAY": np.arange(6, dtype=np.float32).reshape(2, 3),
    "TEXT": Text("words", "https://example.com/t.txt"),
    "IMAGE": Image.from_url("https://example.com/cat.png"),
    "AUDIO": Audio.from_bytes(b"RIFF"),
    "VIDEO": Video.from_url("https://example.com/v.mp4"),
    "CONCEPT": Concept("cat", 0.5, "c1"),
    "REGION": Region(box=(0.1, 0.2, 0.3, 0.4), concepts=[Concept("dog", 0.25, "d")], id="r"),
    "FRAME": Frame(image=Image.from_bytes(b"png"), time=1.5, index=3),
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return bool(a == b)


def test_every_leaf_datatype_has_one_row_and_containers_have_none() -> None:
    assert set(ROWS) == TYPE_NAMES - {"LIST", "TUPLE", "NAMED_FIELDS", "ANY"}
    assert set(SAMPLES) == set(ROWS)
    fields = [row.field for row in ROWS.values()]
    assert len(set(fields)) == len(fields)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_row_round_trips_its_sample(name: str) -> None:
    t = Type(name)
    data = encode_value(t, SAMPLES[name], "arg")
    assert list(data) == [ROWS[name].field]
    assert _same(decode_value(t, data), SAMPLES[name])


@pytest.mark.parametrize("name", sorted(ROWS))
def test_untyped_value_takes_its_rows_encoding(name: str) -> None:
    value = SAMPLES[name]
    data = encode_value(Type("ANY"), value, "arg")
    assert _same(data, encode_value(Type(name), value, "arg"))
    assert _same(decode_value(Type("ANY"), data), value)


@pytest.mark.parametrize("name", sorted(n for n, row in ROWS.items() if row.shape == REPEATED))
def test_repeated_rows_carry_lists_in_one_field(name: str) -> None:
    items = [SAMPLES[name], SAMPLES[name]]
    data = encode_value(Type("LIST", (Type(name),)), items, "arg")
    assert list(data) == [ROWS[name].field] and len(data[ROWS[name].field]) == 2
    assert decode_value(Type("LIST", (Type(name),)), data) == items
    assert decode_value(Type(name), data) == items  # two elements stay a list
