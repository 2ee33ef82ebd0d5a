"""End to end, async: the generated package's `_runtime.AsyncClient` -> HTTP (httpx.AsyncClient) or
gRPC (grpc.aio) -> the oracle servers -> real ModelClass code (the SDK's wrappers).

The runtime is driven with the generated modules' own `_METHODS` and `MODEL` (what the generated
`Async<Model>` classes pass it); when the generated modules have those classes, they are exercised
too. pytest-asyncio is not used: each test runs its coroutine with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator, Awaitable, Iterator
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
import pytest
from clarifai.runners.utils import data_types as sdk

from .conftest import oracle_package
from .oracle.models import AllTypesModel, EveryTypeModel
from .test_e2e import PNG, URL, plain, to_sdk

PACKAGE = "oracle_async_clients"
T = TypeVar("T")
TRANSPORTS = ["http", "grpc"]


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def collect(it: AsyncIterator[Any]) -> list[Any]:
    return [x async for x in it]


@pytest.fixture(scope="session")
def async_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with oracle_package(tmp_path_factory, PACKAGE) as package:
        yield package


@pytest.fixture
def rt(async_clients: ModuleType) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}._runtime")


@pytest.fixture
def at(async_clients: ModuleType) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.all_types")


@pytest.fixture
def et(async_clients: ModuleType) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.every_type")


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(transport: str, request: pytest.FixtureRequest) -> Any:
    """The oracle server (reset) of the transport under test."""
    return request.getfixturevalue("oracle_grpc" if transport == "grpc" else "oracle")


def connect(rt: ModuleType, transport: str, server: Any, **kw: Any) -> Any:
    kw.setdefault("backoff", 0.0)
    pat = kw.pop("pat", server.pat)
    return rt.AsyncClient(pat, server.base_url, transport=transport, **kw)


def test_all_types(rt: ModuleType, at: ModuleType, transport: str, server: Any) -> None:
    model = AllTypesModel()
    methods, ref = at._METHODS, at.MODEL
    scalars = dict(s="s\u00e9\"'", b=b"\x00\xffbytes", i=-(2**40), f=2.5, flag=True)

    async def main() -> None:
        async with connect(rt, transport, server) as c:
            assert await c.unary(ref, methods["scalars"], scalars) == model.scalars(**scalars)
            extra = dict(opt_s="", opt_i=0, none_s="x")
            assert await c.unary(ref, methods["scalars"], {**scalars, **extra}) == model.scalars(
                **scalars, **extra
            )

            media = dict(
                text=rt.Text("hello", url="https://x/t.txt"),
                image=rt.Image.from_bytes(PNG),
                audio=rt.Audio.from_url("https://x/a.wav"),
                video=rt.Video.from_bytes(b"\x00video"),
                concept=rt.Concept("cat", 0.5),
                region=rt.Region(box=(0.25, 0.5, 0.75, 1.0), concepts=[rt.Concept("dog", 0.25)]),
                frame=rt.Frame(image=rt.Image.from_url(URL), index=3, time=1.5, regions=[]),
                arr=np.arange(6, dtype=np.int32).reshape(2, 3),
            )
            got = await c.unary(ref, methods["media"], media)
            assert got == model.media(**{k: to_sdk(v, rt) for k, v in media.items()})

            concepts = [rt.Concept("a", 0.5), rt.Concept("b", 0.25)]
            regions = [rt.Region(box=(0.125, 0.25, 0.375, 0.5), id="x", concepts=concepts[:1])]
            args = dict(
                names=["n1", "n2"],
                grid=[[1, 2], [], [3]],
                pair=(7, "seven"),
                concepts=concepts,
                regions=regions,
                config={"k": [1, "v"]},
                stop=["\n", "END"],
            )
            got = await c.unary(ref, methods["containers"], args)
            expected = model.containers(
                **{
                    **args,
                    "concepts": to_sdk(concepts, rt),
                    "regions": to_sdk(regions, rt),
                    "config": {"k": [1.0, "v"]},
                }
            )
            assert plain(got) == plain(expected)
            assert got["boxes"][0] == regions[0]

            video = rt.Video.from_url("https://x/v.mp4")
            frames = await collect(
                c.server_stream(ref, methods["frames"], {"video": video, "every": 2})
            )
            expected_frames = list(model.frames(sdk.Video(url="https://x/v.mp4"), every=2))
            assert [plain(f) for f in frames] == [plain(f) for f in expected_frames]
            assert len(frames) == 3

            chunks = [rt.Text("a"), "b", rt.Text("c", url="https://x/c")]
            expected_echo = [
                {"text": "a!", "index": 0},
                {"text": "b!", "index": 1},
                {"text": "c!@https://x/c", "index": 2},
            ]
            if transport == "http":
                with pytest.raises(rt.StreamingNotSupportedError, match="grpc"):
                    c.bidi_stream(ref, methods["echo_stream"], {"chunks": chunks, "suffix": "!"})
                return

            async def agen() -> AsyncIterator[Any]:
                for chunk in chunks:
                    await asyncio.sleep(0)
                    yield chunk

            for source in (agen(), chunks, iter(chunks)):
                echoed = await collect(
                    c.bidi_stream(ref, methods["echo_stream"], {"chunks": source, "suffix": "!"})
                )
                assert echoed == expected_echo
            sdk_chunks = [sdk.Text("a"), sdk.Text("b"), sdk.Text("c", "https://x/c")]
            assert plain(echoed) == plain(list(model.echo_stream(iter(sdk_chunks), "!")))

    run(main())


def test_every_type_streams_and_errors(
    rt: ModuleType, et: ModuleType, transport: str, server: Any
) -> None:
    model = EveryTypeModel()
    methods, ref = et._METHODS, et.MODEL

    async def main() -> None:
        async with connect(rt, transport, server) as c:
            got = await collect(
                c.server_stream(
                    ref, methods["generate"], {"prompt": "a b c d e f", "max_tokens": 4}
                )
            )
            assert got == list(model.generate("a b c d e f", max_tokens=4))
            assert await collect(
                c.server_stream(ref, methods["count_up"], {"start": 5, "n": 3})
            ) == [5, 6, 7]

            with pytest.raises(rt.ModelError, match="kaboom: boom-arg") as info:
                await c.unary(ref, methods["fail"], {"arg": "boom-arg"})
            assert info.value.code == 10020
            values: list[str] = []
            with pytest.raises(rt.ModelError, match="kaboom: late"):
                async for v in c.server_stream(ref, methods["fail_stream"], {"arg": "late"}):
                    values.append(v)
            assert values == ["late:0", "late:1"]  # the values before the failure

            # concurrent calls share the client
            calls = [c.unary(ref, methods["predict"], {"prompt": str(i)}) for i in range(6)]
            assert await asyncio.gather(*calls) == [model.predict(str(i)) for i in range(6)]

            if transport == "grpc":
                got = await collect(
                    c.bidi_stream(
                        ref, methods["stream"], {"input_stream": ["x", "y"], "suffix": "?"}
                    )
                )
                assert got == list(model.stream(iter(["x", "y"]), suffix="?")) == ["X?", "Y?"]

            missing = rt.ModelRef("codegen", "oracle", "no-such-model")
            with pytest.raises(rt.NotFoundError) as nf:
                await c.unary(missing, methods["predict"], {"prompt": "x"})
            assert nf.value.code == 21200

        async with connect(rt, transport, server, pat="wrong-pat") as bad:
            with pytest.raises(rt.AuthError) as auth:
                await bad.unary(ref, methods["predict"], {"prompt": "x"})
            assert "wrong-pat" not in str(auth.value) and auth.value.code == 11008
            with pytest.raises(rt.AuthError):
                await collect(bad.server_stream(ref, methods["generate"], {"prompt": "x"}))
            if transport == "grpc":
                with pytest.raises(rt.AuthError):
                    await collect(bad.bidi_stream(ref, methods["stream"], {"input_stream": ["x"]}))

    run(main())


def test_transient_failures_are_retried(
    rt: ModuleType, et: ModuleType, transport: str, server: Any
) -> None:
    methods, ref = et._METHODS, et.MODEL
    if transport == "grpc":
        import grpc

        server.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE, times=2)
    else:
        server.inject(status=503, times=2)

    async def main() -> Any:
        async with connect(rt, transport, server) as c:
            return await c.unary(ref, methods["predict"], {"prompt": "r"})

    assert run(main()) == EveryTypeModel().predict("r")
    assert len(server.requests) == 3


def test_environment_configures_the_async_client(
    rt: ModuleType, et: ModuleType, oracle_grpc_env: Any
) -> None:
    async def main() -> list[str]:
        async with rt.AsyncClient() as c:
            assert c.transport == "grpc"
            return await collect(
                c.bidi_stream(
                    et.MODEL, et._METHODS["stream"], {"input_stream": ["q"], "suffix": ""}
                )
            )

    assert run(main()) == ["Q"]
    assert oracle_grpc_env.last_request["metadata"]["authorization"] == "Key test-pat"


@pytest.mark.parametrize("how", ["break", "cancel"])
def test_stopping_early_cancels_the_grpc_call(
    rt: ModuleType, et: ModuleType, oracle_grpc: Any, how: str
) -> None:
    methods, ref = et._METHODS, et.MODEL

    async def endless() -> AsyncIterator[str]:
        while True:
            yield "tick"
            await asyncio.sleep(0)

    streams = {
        "GenerateModelOutputs": lambda c: c.server_stream(
            ref, methods["count_up"], {"start": 0, "n": 5}
        ),
        "StreamModelOutputs": lambda c: c.bidi_stream(
            ref, methods["stream"], {"input_stream": endless()}
        ),
    }
    for rpc, start in streams.items():
        oracle_grpc.reset()
        oracle_grpc.inject(hold_after=1)

        async def main(start: Any = start) -> Any:
            async with connect(rt, "grpc", oracle_grpc) as c:
                it = start(c)
                if how == "break":
                    async for _ in it:
                        break
                    await it.aclose()
                else:
                    first: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

                    async def consume() -> None:
                        async for value in it:
                            first.set_result(value)

                    task = asyncio.ensure_future(consume())
                    await first
                    task.cancel()
                    with pytest.raises(asyncio.CancelledError):
                        await task
                rec = oracle_grpc.last_request
                # cancelled by the iterator, before the client (and its channel) closes
                assert await asyncio.to_thread(rec["done"].wait, 5)
                return rec

        rec = run(main())
        assert rec["rpc"] == rpc and rec["outcome"] == "cancelled"


def test_stopping_early_over_http(rt: ModuleType, et: ModuleType, oracle: Any) -> None:
    async def main() -> None:
        async with connect(rt, "http", oracle) as c:
            it = c.server_stream(et.MODEL, et._METHODS["count_up"], {"start": 0, "n": 50})
            async for value in it:
                assert value == 0
                break
            await it.aclose()
            assert await c.unary(et.MODEL, et._METHODS["predict"], {"prompt": "x"}) == (
                EveryTypeModel().predict("x")
            )

    run(main())


# ---------------------------------------------------------------------- generated Async classes


def test_generated_async_classes(
    rt: ModuleType, at: ModuleType, et: ModuleType, transport: str, server: Any
) -> None:
    if not hasattr(at, "AsyncAllTypes"):
        pytest.skip("the generated modules have no Async<Model> classes yet")
    model, every_model = AllTypesModel(), EveryTypeModel()

    async def main() -> None:
        async with connect(rt, transport, server) as c:
            all_types, every = at.AsyncAllTypes(c), et.AsyncEveryType(c)
            args = ("s", b"b", 3, 0.5, False)
            assert await all_types.scalars(*args, none_s="n") == model.scalars(*args, none_s="n")
            text = await all_types.tuned("hi", temperature=1.5, effort="high", top_k=100)
            assert text == model.tuned("hi", temperature=1.5, effort="high", top_k=100).text
            frames = await collect(all_types.frames(rt.Video.from_url("https://x/v.mp4")))
            assert len(frames) == len(list(model.frames(sdk.Video(url="https://x/v.mp4"))))
            assert await every.predict("hi", max_tokens=3) == every_model.predict(
                "hi", max_tokens=3
            )
            assert await collect(every.generate("a b c", max_tokens=2)) == list(
                every_model.generate("a b c", max_tokens=2)
            )
            with pytest.raises(rt.ArgumentError, match="top_k"):
                await every.classify("t", top_k=7)
            with pytest.raises(rt.ModelError, match="kaboom: z"):
                await every.fail("z")
            if transport == "grpc":

                async def words() -> AsyncIterator[str]:
                    yield "p"
                    yield "q"

                assert await collect(every.stream(words(), suffix=".")) == ["P.", "Q."]
                assert await collect(all_types.echo_stream(["a"], suffix="")) == [
                    {"text": "a", "index": 0}
                ]
            else:
                with pytest.raises(rt.StreamingNotSupportedError):
                    every.stream(["p"])

    run(main())
