"""End to end, for every (http | grpc) x (sync | async): generated clients -> the oracle servers ->
real ModelClass code. Each result is compared with what the model code returns, either literally
(echo methods) or with a direct local call of the same model method on the same inputs."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from clarifai.runners.utils import data_types as sdk

from ..oracle.models import AllTypesModel, EveryTypeModel
from .conftest import Api
from .helpers import ECHOES, PNG, URL, plain, to_sdk


def test_all_types_every_method_matches_the_model(
    all_types: Any, rt: ModuleType, transport: str
) -> None:
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
    lists = (["n1", "n2"], [[1, 2], [], [3]], (7, "seven"))
    got = all_types.containers(
        *lists, concepts, regions, config={"k": [1, "v"]}, stop=["\n", "END"]
    )
    expected = model.containers(
        *lists,
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

    chunks = [rt.Text("a"), "b", rt.Text("c", url="https://x/c")]
    if transport == "http":  # bidi streams need gRPC, and the error says so
        with pytest.raises(rt.StreamingNotSupportedError, match="grpc"):
            list(all_types.echo_stream(chunks, suffix="!"))
        return
    sdk_chunks = [sdk.Text("a"), sdk.Text("b"), sdk.Text("c", "https://x/c")]
    expected_echo = list(model.echo_stream(iter(sdk_chunks), "!"))
    for source in (chunks, iter(chunks)):
        echoed = list(all_types.echo_stream(source, suffix="!"))
        assert plain(echoed) == plain(expected_echo)
        assert echoed == [
            {"text": "a!", "index": 0},
            {"text": "b!", "index": 1},
            {"text": "c!@https://x/c", "index": 2},
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
        echo = getattr(every, f"echo_{cls.__name__.lower()}")
        assert echo(cls.from_url("https://x/m")) == cls.from_url("https://x/m")
        assert echo(cls.from_bytes(PNG)) == cls.from_bytes(PNG)
    concept = rt.Concept("red fox", 0.5)
    assert every.echo_concept(concept) == concept and concept.id == "red-fox"
    region = rt.Region(
        box=(0.25, 0.5, 0.75, 1.0), concepts=[concept], id="r", text="label", track_id="t1"
    )
    assert every.echo_region(region) == region
    frame = rt.Frame(image=rt.Image.from_bytes(PNG), regions=[region], time=2.5, index=4)
    assert every.echo_frame(frame) == frame
    images = [rt.Image.from_url("u1"), rt.Image.from_bytes(PNG)]
    assert every.echo_images(images) == images
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
    assert list(every.count_up(5, n=3)) == list(model.count_up(5, n=3)) == [5, 6, 7]
    assert list(every.count_up(5, n=0)) == []


def test_omitted_arguments_get_the_models_defaults(every: Any) -> None:
    assert every.defaults("a") == EveryTypeModel().defaults("a")
    assert every.defaults("a", b="b", c=0, d=0.5, e=False, f=["x"], g={"k": "v"}) == {
        "a": "a",
        "b": "b",
        "c": 0,
        "d": 0.5,
        "e": False,
        "f": ["x"],
        "g": {"k": "v"},
    }


def test_errors_are_typed(every: Any, rt: ModuleType, api: Api) -> None:
    with pytest.raises(rt.ModelError, match="kaboom: boom-arg") as info:
        every.fail("boom-arg")
    assert info.value.code == 10020
    values: list[str] = []
    with pytest.raises(rt.ModelError, match="kaboom: late"):
        values.extend(every.fail_stream("late", after=2))
    assert values == ["late:0", "late:1"]  # the values before the failure

    bad_pat = api.model("every_type", pat="wrong-pat")
    with pytest.raises(rt.AuthError) as auth:
        bad_pat.predict("x")
    assert "wrong-pat" not in str(auth.value) and auth.value.code == 11008
    with pytest.raises(rt.AuthError):
        list(bad_pat.generate("x"))
    if api.transport == "grpc":
        with pytest.raises(rt.AuthError):
            list(bad_pat.stream(["x"]))

    missing = api.model("every_type", ref=rt.ModelRef("codegen", "oracle", "no-such-model"))
    with pytest.raises(rt.NotFoundError) as nf:
        missing.predict("x")
    assert nf.value.code == 21200
    with pytest.raises(rt.NotFoundError):
        list(missing.count_up(1))


def test_client_side_validation(every: Any, rt: ModuleType, server: Any) -> None:
    before = len(server.requests)
    with pytest.raises(rt.ArgumentError, match="top_k"):
        every.classify("t", top_k=7)
    with pytest.raises(rt.ArgumentError, match="threshold"):
        every.classify("t", threshold=1.5)
    with pytest.raises(rt.ArgumentError):
        every.echo_int("not an int")
    assert len(server.requests) == before, "invalid calls must not reach the server"


def test_bidirectional_streaming(every: Any, rt: ModuleType, api: Api, server: Any) -> None:
    if api.transport == "http":
        with pytest.raises(rt.StreamingNotSupportedError, match="grpc"):
            list(every.stream(["p"]))
        assert server.requests == []
        return
    model = EveryTypeModel()
    got = list(every.stream(iter(["x", "y", "z"]), suffix="?"))
    assert got == list(model.stream(iter(["x", "y", "z"]), suffix="?")) == ["X?", "Y?", "Z?"]
    (rec,) = server.requests
    assert len(rec["proto"]) == 3 and rec["method_name"] == "stream"

    images = [rt.Image.from_url(URL), rt.Image.from_bytes(PNG)]
    regions = list(every.stream_regions(images, n=2))
    expected = list(model.stream_regions(iter([sdk.Image(url=URL), sdk.Image(bytes=PNG)]), n=2))
    assert plain(regions) == plain(expected)
    assert len(regions) == 2 and all(len(r) == 2 for r in regions)

    server.clear_requests()
    assert list(every.stream([])) == [] and list(every.stream(iter(()))) == []
    assert server.requests == []  # nothing was sent


def test_transient_failures_are_retried(every: Any, api: Api, server: Any) -> None:
    if api.transport == "grpc":
        import grpc

        server.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE, times=2)
    else:
        server.inject(status=503, times=2)
    assert every.predict("r") == EveryTypeModel().predict("r")
    assert len(server.requests) == 3


def test_stopping_early_ends_the_call(every: Any, api: Api, server: Any) -> None:
    """Leaving a stream early cancels the gRPC call (the server sees it); over HTTP the client
    stays usable."""
    if api.transport == "http":
        for value in every.count_up(0, n=50):
            assert value == 0
            break
        assert every.predict("x") == EveryTypeModel().predict("x")
        return
    server.inject(hold_after=1)
    for value in every.count_up(0, n=5):
        assert value == 0
        break
    (rec,) = server.wait_done()
    assert rec["rpc"] == "GenerateModelOutputs" and rec["outcome"] == "cancelled"

    server.reset()
    server.inject(hold_after=1)

    def endless() -> Iterator[str]:
        while True:
            yield "tick"

    for word in every.stream(endless()):
        assert word == "TICK!"
        break
    (rec,) = server.wait_done()
    assert rec["rpc"] == "StreamModelOutputs" and rec["outcome"] == "cancelled"
