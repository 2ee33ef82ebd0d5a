"""End to end: generated clients -> HTTP -> oracle server -> real ModelClass code (SDK wrappers).

Each result is compared with what the model code returns, either literally (echo methods) or with a
direct local call of the same model method on the same inputs (converted to the SDK's data types).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from clarifai.runners.utils import data_types as sdk
from PIL import Image as PILImage

from .conftest import oracle_package
from .oracle.models import AllTypesModel, EveryTypeModel

PACKAGE = "oracle_clients"
URL = "https://samples.clarifai.com/metro-north.jpg"


def _png() -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (3, 2), "red").save(buf, "PNG")
    return buf.getvalue()


PNG = _png()


@pytest.fixture(scope="session")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with oracle_package(tmp_path_factory, PACKAGE) as package:
        yield package


@pytest.fixture
def rt(clients: ModuleType) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}._runtime")


@pytest.fixture
def all_types(clients: ModuleType, oracle_env: Any) -> Any:
    return importlib.import_module(f"{PACKAGE}.all_types").AllTypes()


@pytest.fixture
def every(clients: ModuleType, oracle_env: Any) -> Any:
    return importlib.import_module(f"{PACKAGE}.every_type").EveryType()


def to_sdk(value: Any, rt: ModuleType) -> Any:
    """Our runtime values -> the SDK's data types, for a direct local call of the model."""
    if isinstance(value, rt.Image):
        return sdk.Image(url=value.url, bytes=value.bytes)
    if isinstance(value, (rt.Audio, rt.Video)):
        cls = sdk.Audio if isinstance(value, rt.Audio) else sdk.Video
        return cls(url=value.url, bytes=value.bytes)
    if isinstance(value, rt.Text):
        return sdk.Text(value.text, value.url)
    if isinstance(value, rt.Concept):
        return sdk.Concept(value.name, value.value, value.id)
    if isinstance(value, rt.Region):
        return sdk.Region(
            box=list(value.box or []), concepts=[to_sdk(c, rt) for c in value.concepts], id=value.id
        )
    if isinstance(value, rt.Frame):
        return sdk.Frame(
            image=to_sdk(value.image, rt) if value.image else None,
            regions=[to_sdk(r, rt) for r in value.regions],
            time=value.time,
            index=value.index,
        )
    if isinstance(value, list):
        return [to_sdk(v, rt) for v in value]
    if isinstance(value, tuple):
        return tuple(to_sdk(v, rt) for v in value)
    return value


def plain(value: Any) -> Any:
    """SDK or runtime values -> comparable plain data."""
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), list(value.shape), value.tolist())
    if hasattr(value, "box") and hasattr(value, "concepts"):
        return (
            "region",
            value.id,
            [float(v) for v in (value.box or [])],
            [plain(c) for c in value.concepts],
        )
    if hasattr(value, "regions") and hasattr(value, "index"):
        return (
            "frame",
            value.index,
            float(value.time),
            plain(value.image),
            [plain(r) for r in value.regions],
        )
    if hasattr(value, "name") and hasattr(value, "value") and hasattr(value, "id"):
        return ("concept", value.id, value.name, float(np.float32(value.value)))
    if hasattr(value, "url") and hasattr(value, "bytes"):
        return ("media", value.url or None, value.bytes or b"")
    if hasattr(value, "text") and hasattr(value, "url"):
        return ("text", value.text, value.url or None)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value


def test_all_types_every_method_matches_the_model(all_types: Any, rt: ModuleType) -> None:
    model = AllTypesModel()
    args = ("s\u00e9\"'", b"\x00\xffbytes", -(2**40), 2.5, True)
    assert all_types.scalars(*args) == model.scalars(*args)
    assert all_types.scalars(*args, opt_s="", opt_i=0, opt_b=False, none_s="x") == model.scalars(
        *args, opt_s="", opt_i=0, opt_b=False, none_s="x"
    )

    media = dict(
        text=rt.Text("hello", url="https://x/t.txt"),
        image=rt.Image.from_bytes(PNG),
        audio=rt.Audio.from_url("https://x/a.wav"),
        video=rt.Video.from_bytes(b"\x00video"),
        concept=rt.Concept("cat", 0.5),
        region=rt.Region(box=(0.25, 0.5, 0.75, 1.0), concepts=[rt.Concept("dog", 0.25)], id="r1"),
        frame=rt.Frame(
            image=rt.Image.from_url(URL),
            index=3,
            time=1.5,
            regions=[rt.Region(box=(0, 0, 0.5, 0.5), id="r2")],
        ),
        arr=np.arange(6, dtype=np.int32).reshape(2, 3),
    )
    got = all_types.media(**media)
    assert got == model.media(**{k: to_sdk(v, rt) for k, v in media.items()})
    assert got["image"]["size"] == [3, 2]

    concepts = [rt.Concept("a", 0.5), rt.Concept("b", 0.25)]
    regions = [rt.Region(box=(0.125, 0.25, 0.375, 0.5), id="x", concepts=[rt.Concept("c", 0.5)])]
    got = all_types.containers(
        ["n1", "n2"],
        [[1, 2], [], [3]],
        (7, "seven"),
        concepts,
        regions,
        config={"k": [1, "v"]},
        stop=["\n", "END"],
    )
    expected = model.containers(
        ["n1", "n2"],
        [[1, 2], [], [3]],
        (7, "seven"),
        to_sdk(concepts, rt),
        to_sdk(regions, rt),
        config={"k": [1.0, "v"]},
        stop=["\n", "END"],
    )
    assert plain(got) == plain(expected)
    assert got["boxes"][0] == regions[0]

    got_default = all_types.containers([], [], (0, ""), [], [])
    assert plain(got_default) == plain(model.containers([], [], (0, ""), [], []))

    text = all_types.tuned("hi", temperature=1.5, effort="high", top_k=100)
    assert isinstance(text, rt.Text)
    assert text == model.tuned("hi", temperature=1.5, effort="high", top_k=100).text

    frames = list(all_types.frames(rt.Video.from_url("https://x/v.mp4"), every=2))
    expected_frames = list(model.frames(sdk.Video(url="https://x/v.mp4"), every=2))
    assert [plain(f) for f in frames] == [plain(f) for f in expected_frames]
    assert len(frames) == 3


def test_bidirectional_over_http_says_how_to_switch(all_types: Any, rt: ModuleType) -> None:
    with pytest.raises(rt.StreamingNotSupportedError, match="grpc"):
        list(all_types.echo_stream(["a", "b"]))


ECHOES = [
    ("echo_str", "h\u00e9llo \"'\\ \n"),
    ("echo_str", ""),
    ("echo_bytes", b"\x00\x01\xff"),
    ("echo_int", 2**62),
    ("echo_int", 0),
    ("echo_int", -5),
    ("echo_float", 0.1),
    ("echo_float", -0.0),
    ("echo_bool", True),
    ("echo_bool", False),
    ("echo_dict", {"a": "b", "nested": {"list": ["x", True, None]}}),
    ("echo_list", ["a", {"b": "c"}, None]),
    ("echo_json_list", [{"role": "user"}, {}]),
    ("echo_str_list", ["a", "", "c"]),
    ("echo_grid", [[1, 2], [], [3]]),
    ("echo_tuple", (1, "one", 0.5)),
    ("echo_named", {"name": "Ada", "age": 36, "scores": [0.5, 1.0]}),
]


@pytest.mark.parametrize(
    ("method", "value"), ECHOES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(ECHOES)]
)
def test_every_type_round_trips(every: Any, method: str, value: Any) -> None:
    got = getattr(every, method)(value)
    assert got == value
    assert type(got) is type(value)


def test_media_and_structured_types_round_trip(every: Any, rt: ModuleType) -> None:
    text = rt.Text("t", url="https://x/t")
    assert every.echo_text(text) == text
    assert every.echo_text("plain") == rt.Text("plain")
    for cls in (rt.Image, rt.Audio, rt.Video):
        assert getattr(every, f"echo_{cls.__name__.lower()}")(
            cls.from_url("https://x/m")
        ) == cls.from_url("https://x/m")
        assert getattr(every, f"echo_{cls.__name__.lower()}")(
            cls.from_bytes(PNG)
        ) == cls.from_bytes(PNG)
    concept = rt.Concept("red fox", 0.5)
    assert every.echo_concept(concept) == concept and concept.id == "red-fox"
    region = rt.Region(
        box=(0.25, 0.5, 0.75, 1.0), concepts=[concept], id="r", text="label", track_id="t1"
    )
    assert every.echo_region(region) == region
    frame = rt.Frame(image=rt.Image.from_bytes(PNG), regions=[region], time=2.5, index=4)
    assert every.echo_frame(frame) == frame
    assert every.echo_images([rt.Image.from_url("u1"), rt.Image.from_bytes(PNG)]) == [
        rt.Image.from_url("u1"),
        rt.Image.from_bytes(PNG),
    ]
    assert every.echo_concepts([concept, rt.Concept("b", 0.25)]) == [concept, rt.Concept("b", 0.25)]
    assert every.echo_concepts([concept]) == [concept]
    assert every.echo_regions([region]) == [region]
    assert every.echo_frames([frame, frame]) == [frame, frame]
    arr = np.array([[1.5, -2.0]], dtype=np.float64)
    out = every.echo_ndarray(arr)
    assert out.dtype == arr.dtype and np.array_equal(out, arr)
    assert np.array_equal(
        every.scale(np.arange(4, dtype=np.int16), factor=3.0), np.arange(4, dtype=np.int16) * 3.0
    )


def test_computing_methods(every: Any, rt: ModuleType) -> None:
    model = EveryTypeModel()
    assert every.predict("hi", max_tokens=3) == model.predict("hi", max_tokens=3)
    assert list(every.generate("a b c d e f", max_tokens=4)) == list(
        model.generate("a b c d e f", max_tokens=4)
    )
    assert every.image_info(rt.Image.from_bytes(PNG)) == model.image_info(sdk.Image(bytes=PNG))
    made = every.make_image(width=5, height=3, color="blue")
    assert made.to_pil().size == (5, 3)
    assert plain(every.classify("some text", threshold=0.5, top_k=3, mode="accurate")) == plain(
        model.classify("some text", threshold=0.5, top_k=3, mode="accurate")
    )
    assert plain(every.detect(rt.Image.from_url(URL), n=3)) == plain(
        model.detect(sdk.Image(url=URL), n=3)
    )
    annotated = every.annotate(rt.Image.from_bytes(PNG), caption="c")
    assert annotated["caption"] == "C" and annotated["image"] == rt.Image.from_bytes(PNG)
    assert list(every.count_up(5, n=3)) == [5, 6, 7]


def test_omitted_arguments_get_the_models_defaults(every: Any) -> None:
    got = every.defaults("a")
    assert got == EveryTypeModel().defaults("a")
    assert every.defaults("a", b="b", c=0, d=0.5, e=False, f=["x"], g={"k": "v"}) == {
        "a": "a",
        "b": "b",
        "c": 0,
        "d": 0.5,
        "e": False,
        "f": ["x"],
        "g": {"k": "v"},
    }


def test_errors_are_typed(every: Any, rt: ModuleType, oracle_env: Any, clients: ModuleType) -> None:
    with pytest.raises(rt.ModelError, match="kaboom: boom-arg") as info:
        every.fail("boom-arg")
    assert info.value.code == 10020
    stream = every.fail_stream("late", after=2)
    assert next(stream) and next(stream)
    with pytest.raises(rt.ModelError, match="kaboom: late"):
        next(stream)

    module = importlib.import_module(f"{PACKAGE}.every_type")
    bad_pat = module.EveryType(rt.Client(pat="wrong-pat"))
    with pytest.raises(rt.AuthError) as auth:
        bad_pat.predict("x")
    assert "wrong-pat" not in str(auth.value) and auth.value.code == 11008

    missing = module.EveryType(model=rt.ModelRef("codegen", "oracle", "no-such-model"))
    with pytest.raises(rt.NotFoundError) as nf:
        missing.predict("x")
    assert nf.value.code == 21200


def test_client_side_validation(every: Any, rt: ModuleType, oracle_env: Any) -> None:
    before = len(oracle_env.requests)
    with pytest.raises(rt.ArgumentError, match="top_k"):
        every.classify("t", top_k=7)
    with pytest.raises(rt.ArgumentError, match="threshold"):
        every.classify("t", threshold=1.5)
    with pytest.raises(rt.ArgumentError):
        every.echo_int("not an int")
    assert len(oracle_env.requests) == before, "invalid calls must not reach the server"


def test_wire_format_matches_the_protocol(every: Any, oracle_env: Any) -> None:
    every.predict("hi", max_tokens=7)
    request = oracle_env.requests[-1]
    assert request["headers"]["authorization"] == "Key test-pat"
    assert request["path"] == "/v2/users/codegen/apps/oracle/models/every-type/outputs"  # latest
    data = request["body"]["inputs"][0]["data"]
    assert data["metadata"] == {"_method_name": "predict"}
    assert {"id": "prompt", "data": {"string_value": "hi"}} in data["parts"]
    assert {"id": "max_tokens", "data": {"int_value": "7"}} in data["parts"]
