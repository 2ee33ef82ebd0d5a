"""`datatypes.ROWS`: one row per DataType, whose encoder and decoder are inverses, and whose
`accepts` sends a value of undeclared type to the same encoding as its declared type."""

from __future__ import annotations

import base64
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.runtime import Audio, Concept, Frame, Image, Region, Text, Video, decoders
from codegen.runtime.datatypes import REPEATED, ROWS
from codegen.runtime.decode import decode_value
from codegen.runtime.decoders import MalformedResponse
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


def _outcome(check: Any, text: str) -> bytes | str:
    try:
        return bytes(check(text))
    except ValueError:  # binascii.Error included
        return "rejected"


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="QAw=-_+/ \né", max_size=12),
        st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode()),
        st.binary(max_size=12).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
    ),
    st.booleans(),
)
def test_base64_checked_alike_on_every_python(text: str, extra_pad: bool) -> None:
    """Base64 text (padded to whole quanta) is read by a2b_base64's strict mode on Python 3.11+
    and by an explicit check on 3.10: both accept and reject the same texts (only the alphabet,
    padding only at the end, at most two "=") and decode alike."""
    if sys.version_info < (3, 11):
        pytest.skip("a2b_base64's strict mode is Python 3.11+")
    padded = text + "=" * (-len(text) % 4) + "====" * extra_pad  # as raw_bytes pads it
    assert _outcome(decoders._a2b_strict, padded) == _outcome(decoders._a2b_checked_py310, padded)
    assert decoders._a2b_checked is decoders._a2b_strict


@pytest.mark.parametrize("text", ["QQ", "QQ==", "QUJD", "-_8", "QQ==QQ", "QQ===", "Q", "é", "Q Q="])
def test_bytes_decode_from_base64_or_say_it_is_not(text: str) -> None:
    try:
        expected: bytes | None = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
    except ValueError:
        expected = None
    if expected is None or text.count("=") > 2 or text == "Q":
        with pytest.raises(MalformedResponse, match="is not base64"):
            decoders.raw_bytes(text, "return.bytes_value")
    else:
        assert decoders.raw_bytes(text, "return.bytes_value") == expected
