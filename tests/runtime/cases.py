"""Values of every DataType (and nested combinations), as SDK values. Shared by the parity tests."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from clarifai.runners.utils import data_types as dt
from PIL import Image as PILImage


def _png() -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (2, 2), "red").save(buf, "PNG")
    return buf.getvalue()


PNG = _png()
Person = dt.NamedFields(name=str, age=int, scores=list[float])
Annotated = dt.NamedFields(caption=str, image=dt.Image, concepts=list[dt.Concept])


def region(**kw: Any) -> dt.Region:
    kw.setdefault("id", "r1")
    return dt.Region(**kw)


# (id, annotation, SDK value). Concept values and coordinates are exact in float32.
CASES: list[tuple[str, Any, Any]] = [
    ("str", str, "hi"),
    ("str-empty", str, ""),
    ("str-unicode", str, "héllo ✓"),
    ("bytes", bytes, b"\x00\x01\xff"),
    ("bytes-empty", bytes, b""),
    ("int", int, 7),
    ("int-zero", int, 0),
    ("int-negative", int, -5),
    ("int-big", int, 2**62 + 1),
    ("float", float, 0.25),
    ("float-from-int", float, 3),
    ("float-zero", float, 0.0),
    ("float-inf", float, float("inf")),
    ("bool-true", bool, True),
    ("bool-false", bool, False),
    ("ndarray-int32", np.ndarray, np.array([[1, 2], [3, 4]], dtype=np.int32)),
    ("ndarray-float64", np.ndarray, np.array([0.5, -1.25, 3.0])),
    ("ndarray-0d", np.ndarray, np.array(3.5, dtype=np.float32)),
    ("ndarray-uint8", np.ndarray, np.arange(6, dtype=np.uint8).reshape(1, 2, 3)),
    ("dict", dict, {"n": None, "k": [1.0, 2.0], "s": "x", "b": True, "o": {"a": 1.5}}),
    ("dict-empty", dict, {}),
    ("list", list, [1.0, "x", None, {"a": [True]}]),
    ("list-empty", list, []),
    ("dict-str-float", dict[str, float], {"cat": 0.5}),
    ("text", dt.Text, dt.Text("hey")),
    ("text-url", dt.Text, dt.Text("hey", url="https://x/t.txt")),
    ("text-empty", dt.Text, dt.Text("")),
    ("image-url", dt.Image, dt.Image(url="https://samples.clarifai.com/metro-north.jpg")),
    ("image-bytes", dt.Image, dt.Image(bytes=PNG)),
    ("image-both", dt.Image, dt.Image(url="https://x/y.jpg", bytes=b"abc")),
    ("image-empty", dt.Image, dt.Image()),
    ("audio-url", dt.Audio, dt.Audio(url="https://x/a.wav")),
    ("audio-bytes", dt.Audio, dt.Audio(bytes=b"RIFF....")),
    ("video-url", dt.Video, dt.Video(url="https://x/v.mp4")),
    ("video-bytes", dt.Video, dt.Video(bytes=b"\x00\x00\x00\x18ftyp")),
    ("concept", dt.Concept, dt.Concept("cat", 0.75)),
    ("concept-slug", dt.Concept, dt.Concept("a b!", 0.5)),
    ("concept-id-zero", dt.Concept, dt.Concept("x", 0.0, id="custom")),
    (
        "region-box",
        dt.Region,
        region(box=[0.125, 0.25, 0.5, 0.75], concepts=[dt.Concept("cat", 0.5)]),
    ),
    (
        "region-full",
        dt.Region,
        region(
            box=[0.0, 0.0, 0.5, 0.5],
            track_id="t1",
            text="hello",
            point=(0.25, 0.5, 0.0),
            mask=dt.Image(bytes=PNG),
            concepts=[dt.Concept("a", 0.25), dt.Concept("b", 1.0)],
        ),
    ),
    ("region-empty", dt.Region, region()),
    (
        "frame",
        dt.Frame,
        dt.Frame(
            image=dt.Image(url="https://x/f.jpg"),
            index=3,
            time=1.5,
            regions=[region(box=[0.0, 0.25, 0.5, 0.75])],
        ),
    ),
    ("frame-time-only", dt.Frame, dt.Frame(time=0.25)),
    ("frame-empty", dt.Frame, dt.Frame()),
    ("list-concept", list[dt.Concept], [dt.Concept("cat", 0.5), dt.Concept("dog", 0.25)]),
    ("list-concept-one", list[dt.Concept], [dt.Concept("cat", 0.5)]),
    ("list-concept-empty", list[dt.Concept], []),
    ("list-region", list[dt.Region], [region(box=[0.0, 0.0, 1.0, 1.0]), region(id="r2", text="t")]),
    ("list-frame", list[dt.Frame], [dt.Frame(index=1), dt.Frame(index=2, time=0.5)]),
    ("list-int", list[int], [1, 0, 2]),
    ("list-str-empty", list[str], []),
    ("list-list-str", list[list[str]], [["a"], ["b", "c"], []]),
    (
        "list-list-concept",
        list[list[dt.Concept]],
        [[dt.Concept("a", 0.5)], [dt.Concept("b"), dt.Concept("c")]],
    ),
    ("list-image", list[dt.Image], [dt.Image(bytes=PNG), dt.Image(url="https://x/y.jpg")]),
    ("list-dict", list[dict], [{"role": "user", "content": "hello"}, {}]),
    ("list-text", list[dt.Text], [dt.Text("a"), dt.Text("b", url="https://u")]),
    ("list-ndarray", list[np.ndarray], [np.array([1, 2]), np.zeros((2, 2), dtype=np.float32)]),
    ("tuple", tuple[int, str], (1, "x")),
    ("tuple-zeros", tuple[int, str, float], (0, "", 0.0)),
    (
        "tuple-nested",
        tuple[int, list[str], dt.Image],
        (2, ["p", "q"], dt.Image(url="https://x/z.png")),
    ),
    (
        "tuple-concept",
        tuple[dt.Concept, list[dt.Concept]],
        (dt.Concept("a", 0.5), [dt.Concept("b"), dt.Concept("c")]),
    ),
    ("named", Person, {"name": "Ann", "age": 30, "scores": [0.5, 1.0]}),
    ("named-sdk-instance", Person, dt.NamedFields(name="Bob", age=0, scores=[])),
    (
        "named-annotated",
        Annotated,
        {
            "caption": "c",
            "image": dt.Image(url="https://x/i.png"),
            "concepts": [dt.Concept("a", 0.5)],
        },
    ),
    (
        "list-named",
        list[Person],
        [{"name": "A", "age": 1, "scores": [0.5]}, {"name": "B", "age": 2, "scores": []}],
    ),
]


def params() -> list[Any]:
    return [pytest.param(ann, value, id=case_id) for case_id, ann, value in CASES]
