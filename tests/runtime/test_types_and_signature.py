"""The data types and `signature.load`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image as PILImage

from codegen.runtime import Audio, Concept, Frame, Image, Region, Text, Video, signature


def test_media_constructors() -> None:
    assert Image.from_url("https://x") == Image(url="https://x")
    assert Image.from_bytes(bytearray(b"ab")) == Image(bytes=b"ab")
    assert Audio.from_url("u") == Audio(url="u") != Video(url="u")
    with pytest.raises(TypeError, match=r"Image.from_url\(\) expects a str"):
        Image.from_url(b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Video.from_bytes\(\) expects bytes"):
        Video.from_bytes("x")  # type: ignore[arg-type]
    assert Image() == Image(None, None)  # empty is allowed
    assert repr(Image(url="u", bytes=b"12345")) == "Image(url='u', bytes=<5 bytes>)"
    assert hash(Image(url="u")) == hash(Image(url="u"))


def test_from_file(tmp_path: Path) -> None:
    p = tmp_path / "a.bin"
    p.write_bytes(b"data")
    assert Audio.from_file(p) == Audio(bytes=b"data")
    assert Image.from_file(str(p)).bytes == b"data"


def test_pil_round_trip() -> None:
    img = Image.from_pil(PILImage.new("RGB", (3, 2), "green"))
    assert img.bytes is not None and img.bytes.startswith(b"\x89PNG")
    pil = img.to_pil()
    assert pil.size == (3, 2) and pil.getpixel((0, 0)) == (0, 128, 0)
    jpeg = Image.from_pil(PILImage.new("RGB", (1, 1)), format="JPEG")
    assert PILImage.open(io.BytesIO(jpeg.bytes or b"")).format == "JPEG"
    with pytest.raises(ValueError, match="no bytes"):
        Image(url="u").to_pil()
    with pytest.raises(TypeError, match="expects a PIL image"):
        Image.from_pil(b"x")


def test_to_pil_without_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError, match=r"Image.to_pil\(\) needs pillow: pip install pillow"):
        Image(bytes=b"x").to_pil()


def test_text_equality() -> None:
    assert Text("a") == "a" and "a" == Text("a")
    assert Text("a", url="u") == "a"
    assert Text("a", url="u") != Text("a")
    assert Text("a") != 1
    assert str(Text("hi")) == "hi"
    assert len({Text("a"), Text("a")}) == 1


def test_concept_ids() -> None:
    assert Concept("a b!").id == "a-b"
    assert Concept("x", 0.5, id="y") == Concept(name="x", value=0.5, id="y")
    assert Concept("Hot Dog").id == "Hot-Dog"
    assert Concept("x", id="").id == "x"


def test_region_and_frame_defaults() -> None:
    r = Region()
    assert (r.box, r.concepts, r.id, r.text, r.track_id, r.mask, r.point) == (
        None,
        [],
        "",
        "",
        "",
        None,
        None,
    )
    assert Region().concepts is not Region().concepts
    f = Frame()
    assert (f.image, f.regions, f.time, f.index) == (None, [], 0.0, 0)


def test_signature_load() -> None:
    raw = {
        "name": "predict",
        "kind": "bidi_stream",
        "inputs": [
            {"name": "chunks", "type": {"t": "TEXT"}, "required": True, "iterator": True},
            {"name": "k", "type": {"t": "INT"}, "required": False, "iterator": False,
             "choices": [1, 2], "min": 1, "max": 2.5, "default": 1},
            {"name": "nf", "type": {"t": "NAMED_FIELDS", "fields": [["a b", {"t": "LIST", "args": [{"t": "ANY"}]}]]},
             "required": False, "iterator": False},
        ],
        "output": {"t": "TUPLE", "args": [{"t": "STR"}, {"t": "FLOAT"}]},
    }  # fmt: skip
    m = signature.load({"predict": json.dumps(raw)})["predict"]
    assert (
        m.kind == "bidi_stream"
        and m.streamed_input is not None
        and m.streamed_input.name == "chunks"
    )
    k = m.field("k")
    assert k is not None and k.choices == (1, 2) and k.minimum == 1.0 and k.maximum == 2.5
    nf = m.field("nf")
    assert nf is not None and nf.type.fields[0][0] == "a b"
    assert nf.type.fields[0][1] == signature.Type("LIST", (signature.Type("ANY"),))
    assert m.output == signature.Type("TUPLE", (signature.Type("STR"), signature.Type("FLOAT")))


@pytest.mark.parametrize(
    "raw",
    [
        {"kind": "unary", "inputs": [], "output": {"t": "STR"}},
        {"name": "m", "kind": "weird", "inputs": [], "output": {"t": "STR"}},
        {"name": "m", "kind": "unary", "inputs": [], "output": {"t": "NOPE"}},
        {"name": "m", "kind": "unary", "inputs": [], "output": {"t": "LIST"}},
        {
            "name": "m",
            "kind": "unary",
            "inputs": [{"name": "x", "type": {"t": "INT"}, "min": "0"}],
            "output": {"t": "STR"},
        },
    ],
)
def test_signature_load_rejects_garbage(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="invalid signature JSON"):
        signature.load({"m": json.dumps(raw)})
