"""End to end over gRPC: generated clients -> `Client(transport="grpc")` -> the oracle gRPC server
(tests/oracle/grpc_server.py) -> real ModelClass code (the SDK's wrappers).

The twin of tests/test_e2e.py (whose helpers it reuses), plus what only gRPC can do: bidirectional
streaming, and cancellation observed on the server.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from clarifai.runners.utils import data_types as sdk

from .conftest import oracle_package
from .oracle.grpc_server import OracleGrpcServer
from .oracle.models import AllTypesModel, EveryTypeModel
from .test_e2e import ECHOES, PNG, URL, plain, to_sdk

PACKAGE = "oracle_grpc_clients"


@pytest.fixture(scope="session")
def grpc_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with oracle_package(tmp_path_factory, PACKAGE) as package:
        yield package


@pytest.fixture
def rt(grpc_clients: ModuleType) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}._runtime")


@pytest.fixture
def client(rt: ModuleType, oracle_grpc: OracleGrpcServer) -> Iterator[Any]:
    with rt.Client(transport="grpc", base_url=oracle_grpc.base_url, pat=oracle_grpc.pat) as c:
        yield c


@pytest.fixture
def all_types(grpc_clients: ModuleType, client: Any) -> Any:
    return importlib.import_module(f"{PACKAGE}.all_types").AllTypes(client)


@pytest.fixture
def every(grpc_clients: ModuleType, client: Any) -> Any:
    return importlib.import_module(f"{PACKAGE}.every_type").EveryType(client)


def test_all_types_every_method_matches_the_model(all_types: Any, rt: ModuleType) -> None:
    model = AllTypesModel()
    args = ("s\u00e9\"'", b"\x00\xffbytes", -(2**40), 2.5, True)
    assert all_types.scalars(*args) == model.scalars(*args)
    assert all_types.scalars(*args, opt_s="", opt_i=0, none_s="x") == model.scalars(
        *args, opt_s="", opt_i=0, none_s="x"
    )

    media = dict(
        text=rt.Text("hello", url="https://x/t.txt"),
        image=rt.Image.from_bytes(PNG),
        audio=rt.Audio.from_url("https://x/a.wav"),
        video=rt.Video.from_bytes(b"\x00video"),
        concept=rt.Concept("cat", 0.5),
        region=rt.Region(box=(0.25, 0.5, 0.75, 1.0), concepts=[rt.Concept("dog", 0.25)], id="r1"),
        frame=rt.Frame(image=rt.Image.from_url(URL), index=3, time=1.5, regions=[]),
        arr=np.arange(6, dtype=np.int32).reshape(2, 3),
    )
    got = all_types.media(**media)
    assert got == model.media(**{k: to_sdk(v, rt) for k, v in media.items()})

    concepts = [rt.Concept("a", 0.5), rt.Concept("b", 0.25)]
    regions = [rt.Region(box=(0.125, 0.25, 0.375, 0.5), id="x", concepts=[rt.Concept("c", 0.5)])]
    got = all_types.containers(
        ["n"], [[1, 2], []], (7, "seven"), concepts, regions, config={"k": 1}
    )
    expected = model.containers(
        ["n"],
        [[1, 2], []],
        (7, "seven"),
        to_sdk(concepts, rt),
        to_sdk(regions, rt),
        config={"k": 1.0},
    )
    assert plain(got) == plain(expected)

    text = all_types.tuned("hi", temperature=1.5, effort="high", top_k=100)
    assert text == model.tuned("hi", temperature=1.5, effort="high", top_k=100).text

    frames = list(all_types.frames(rt.Video.from_url("https://x/v.mp4"), every=2))
    expected_frames = list(model.frames(sdk.Video(url="https://x/v.mp4"), every=2))
    assert [plain(f) for f in frames] == [plain(f) for f in expected_frames] and len(frames) == 3

    chunks = [rt.Text("a"), "b", rt.Text("c", url="https://x/c")]
    echoed = list(all_types.echo_stream(iter(chunks), suffix="!"))
    expected_echo = list(
        model.echo_stream(iter([sdk.Text("a"), sdk.Text("b"), sdk.Text("c", "https://x/c")]), "!")
    )
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
    assert got == value and type(got) is type(value)


def test_media_and_computing_methods(every: Any, rt: ModuleType) -> None:
    model = EveryTypeModel()
    region = rt.Region(box=(0.25, 0.5, 0.75, 1.0), concepts=[rt.Concept("fox", 0.5)], id="r")
    frame = rt.Frame(image=rt.Image.from_bytes(PNG), regions=[region], time=2.5, index=4)
    assert every.echo_image(rt.Image.from_bytes(PNG)) == rt.Image.from_bytes(PNG)
    assert every.echo_frames([frame, frame]) == [frame, frame]
    arr = np.array([[1.5, -2.0]], dtype=np.float64)
    out = every.echo_ndarray(arr)
    assert out.dtype == arr.dtype and np.array_equal(out, arr)
    assert every.predict("hi", max_tokens=3) == model.predict("hi", max_tokens=3)
    assert every.image_info(rt.Image.from_bytes(PNG)) == model.image_info(sdk.Image(bytes=PNG))
    assert every.defaults("a") == model.defaults("a")


def test_server_streaming(every: Any) -> None:
    model = EveryTypeModel()
    assert list(every.generate("a b c d e f", max_tokens=4)) == list(
        model.generate("a b c d e f", max_tokens=4)
    )
    assert list(every.count_up(5, n=3)) == list(model.count_up(5, n=3)) == [5, 6, 7]
    assert list(every.count_up(5, n=0)) == []


def test_bidirectional_streaming(every: Any, rt: ModuleType, oracle_grpc: OracleGrpcServer) -> None:
    model = EveryTypeModel()
    got = list(every.stream(iter(["x", "y", "z"]), suffix="?"))
    assert got == list(model.stream(iter(["x", "y", "z"]), suffix="?")) == ["X?", "Y?", "Z?"]
    (rec,) = oracle_grpc.requests
    assert len(rec["proto"]) == 3 and rec["method_name"] == "stream"

    images = [rt.Image.from_url(URL), rt.Image.from_bytes(PNG)]
    regions = list(every.stream_regions(images, n=2))
    expected = list(model.stream_regions(iter([sdk.Image(url=URL), sdk.Image(bytes=PNG)]), n=2))
    assert plain(regions) == plain(expected)
    assert len(regions) == 2 and all(len(r) == 2 for r in regions)

    oracle_grpc.clear_requests()
    assert list(every.stream([])) == [] and list(every.stream(iter(()))) == []
    assert oracle_grpc.requests == []  # nothing was sent


def test_errors_are_typed(
    every: Any, rt: ModuleType, grpc_clients: ModuleType, oracle_grpc: OracleGrpcServer
) -> None:
    with pytest.raises(rt.ModelError, match="kaboom: boom-arg") as info:
        every.fail("boom-arg")
    assert info.value.code == 10020
    stream = every.fail_stream("late", after=2)
    assert next(stream) == "late:0" and next(stream) == "late:1"
    with pytest.raises(rt.ModelError, match="kaboom: late"):
        next(stream)

    module = importlib.import_module(f"{PACKAGE}.every_type")
    with rt.Client(transport="grpc", base_url=oracle_grpc.base_url, pat="wrong-pat") as bad:
        with pytest.raises(rt.AuthError) as auth:
            module.EveryType(bad).predict("x")
        assert "wrong-pat" not in str(auth.value) and auth.value.code == 11008
        with pytest.raises(rt.AuthError):
            list(module.EveryType(bad).stream(["x"]))

    missing = module.EveryType(
        every._client, model=rt.ModelRef("codegen", "oracle", "no-such-model")
    )
    with pytest.raises(rt.NotFoundError) as nf:
        missing.predict("x")
    assert nf.value.code == 21200
    with pytest.raises(rt.NotFoundError):
        list(missing.count_up(1))


def test_server_abort_mid_stream(every: Any, rt: ModuleType, oracle_grpc: OracleGrpcServer) -> None:
    oracle_grpc.inject(abort_after=2, details="runner crashed")
    got: list[int] = []
    with pytest.raises(rt.ServerError, match="INTERNAL: runner crashed"):
        got.extend(every.count_up(0, n=5))
    assert got == [0, 1]

    oracle_grpc.inject(abort_after=1, details="runner crashed")
    out: list[str] = []
    with pytest.raises(rt.ServerError, match="runner crashed"):
        out.extend(every.stream(iter(["a", "b", "c"])))
    assert out == ["A!"]


def test_stopping_early_cancels_the_call(every: Any, oracle_grpc: OracleGrpcServer) -> None:
    oracle_grpc.inject(hold_after=1)
    for value in every.count_up(0, n=5):
        assert value == 0
        break
    (rec,) = oracle_grpc.wait_done()
    assert rec["rpc"] == "GenerateModelOutputs" and rec["outcome"] == "cancelled"

    oracle_grpc.reset()
    oracle_grpc.inject(hold_after=1)

    def endless() -> Iterator[str]:
        while True:
            yield "tick"

    for value in every.stream(endless()):
        assert value == "TICK!"
        break
    (rec,) = oracle_grpc.wait_done()
    assert rec["rpc"] == "StreamModelOutputs" and rec["outcome"] == "cancelled"


def test_environment_selects_grpc(
    grpc_clients: ModuleType, oracle_grpc_env: OracleGrpcServer
) -> None:
    every = importlib.import_module(f"{PACKAGE}.every_type").EveryType()
    assert every._client.transport == "grpc"
    assert list(every.stream(["q"], suffix="")) == ["Q"]
    assert oracle_grpc_env.last_request["metadata"]["authorization"] == "Key test-pat"
    every._client.close()
