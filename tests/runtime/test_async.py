"""`AsyncClient`: construction, eager argument checks, the httpx transport against a local server
(tests/runtime/conftest.py) and the grpc.aio transport against the oracle gRPC server.

pytest-asyncio is not used: each test runs its coroutine with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
import httpx
import pytest

from codegen.runtime import (
    ArgumentError,
    AsyncClient,
    AuthError,
    ModelError,
    ModelRef,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamingNotSupportedError,
    TransportError,
)
from codegen.runtime.aclient import abidi_requests
from codegen.runtime.agrpc import AsyncGrpcTransport
from codegen.runtime.ahttp import AsyncHttpTransport
from tests.oracle.grpc_server import OracleGrpcServer
from tests.subprocesses import python_without_proxies

from .conftest import Reply, Server, success
from .test_grpc import COUNT_UP, EVERY, FAIL, FAIL_STREAM, PREDICT, STREAM
from .test_http import GENERATE, MODEL, NDJSON_ABC, PAT, PINNED, frame, status_reply
from .test_http import PREDICT as HTTP_PREDICT

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def collect(it: AsyncIterator[Any]) -> list[Any]:
    return [x async for x in it]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLARIFAI_PAT", "CLARIFAI_API_BASE", "CLARIFAI_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------------- construction


def test_construction_follows_the_client_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AuthError, match=r"set the CLARIFAI_PAT environment variable"):
        AsyncClient()
    with pytest.raises(AuthError) as info:
        AsyncClient("abc\ndef")
    assert "abc" not in str(info.value)
    with pytest.raises(TransportError, match="must start with http"):
        AsyncClient("p", "api.clarifai.com")
    with pytest.raises(TransportError, match="unknown transport 'carrier-pigeon'"):
        AsyncClient("p", transport="carrier-pigeon")
    with pytest.raises(ValueError, match="timeout must be > 0"):
        AsyncClient("p", timeout=0)

    async def check() -> None:
        monkeypatch.setenv("CLARIFAI_PAT", "envpat")
        async with AsyncClient() as c:
            assert (c.base_url, c.transport) == ("https://api.clarifai.com", "http")
            assert isinstance(c._transport, AsyncHttpTransport)
        monkeypatch.setenv("CLARIFAI_API_BASE", "http://127.0.0.1:9/")
        monkeypatch.setenv("CLARIFAI_TRANSPORT", " GRPC ")
        async with AsyncClient() as c:
            assert (c.base_url, c.transport) == ("http://127.0.0.1:9", "grpc")
            assert isinstance(c._transport, AsyncGrpcTransport)
            assert (c._transport.target, c._transport.secure) == ("127.0.0.1:9", False)
            assert "envpat" not in repr(c) and repr(c) == (
                "AsyncClient(base_url='http://127.0.0.1:9', transport='grpc', pat='***')"
            )
        async with AsyncClient("p", "https://example.test//", transport="http") as c:
            assert (c.base_url, c.transport) == ("https://example.test", "http")

    run(check())


def test_supplied_http_client_is_left_open() -> None:
    async def check() -> None:
        http = httpx.AsyncClient()
        await AsyncClient("p", http_client=http).aclose()
        assert not http.is_closed
        await http.aclose()

    run(check())


def test_importing_the_runtime_imports_no_network_or_asyncio_module() -> None:
    """Nor does building a client: its HTTP transport needs httpx only for a proxy (none here)."""
    script = (
        "import sys, codegen.runtime as rt\n"
        "mods = ('httpx', 'grpc', 'clarifai_grpc', 'asyncio')\n"
        "print(sorted(m for m in mods if m in sys.modules))\n"
        "rt.AsyncClient('p')\n"
        "print(sorted(m for m in mods if m in sys.modules))\n"
    )
    out = python_without_proxies("-c", script)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[]", "['asyncio']"]


# ---------------------------------------------------------------------- arguments


def test_argument_errors_are_raised_by_the_call_not_the_iteration(server: Server) -> None:
    async def check() -> None:
        async with AsyncClient(PAT, server.base_url) as c:
            with pytest.raises(ArgumentError):
                c.server_stream(MODEL, GENERATE, {"prompt": 1})  # no await, no iteration
            with pytest.raises(ArgumentError, match="suffix"):
                c.bidi_stream(EVERY, STREAM, {"input_stream": ["x"], "suffix": 1})
            with pytest.raises(ArgumentError, match="expected an iterable or an async iterable"):
                c.bidi_stream(EVERY, STREAM, {"input_stream": 5})
            with pytest.raises(ArgumentError, match="expected an iterable"):
                c.bidi_stream(EVERY, STREAM, {"input_stream": "abc"})
            with pytest.raises(ArgumentError):
                await c.unary(MODEL, HTTP_PREDICT, {"prompt": None})
            it = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
            assert server.requests == []  # lazy: sent on the first __anext__
            await it.aclose()  # type: ignore[attr-defined]

    run(check())
    assert server.requests == []


def test_bidi_over_http_says_how_to_switch() -> None:
    async def check() -> None:
        async with AsyncClient("p", transport="http") as c:
            with pytest.raises(StreamingNotSupportedError) as info:
                c.bidi_stream(EVERY, STREAM, {"input_stream": ["x"]})
            message = str(info.value)
            assert 'Client(transport="grpc")' in message and "CLARIFAI_TRANSPORT=grpc" in message
            assert "pip install clarifai-codegen[grpc]" in message

    run(check())


def test_bidi_bodies_from_async_and_plain_iterables() -> None:
    async def items() -> AsyncIterator[str]:
        yield "x"
        yield "y"

    async def bodies(source: Any) -> list[Any]:
        got = await collect(abidi_requests(MODEL, STREAM, {"input_stream": source, "suffix": "?"}))
        return [b["inputs"][0]["data"]["parts"] for b in got]

    expected = [
        [
            {"id": "input_stream", "data": {"string_value": "x"}},
            {"id": "suffix", "data": {"string_value": "?"}},
        ],
        [{"id": "input_stream", "data": {"string_value": "y"}}],
    ]
    assert run(bodies(items())) == expected
    assert run(bodies(["x", "y"])) == expected
    assert run(bodies(iter([]))) == []
    bad = abidi_requests(MODEL, STREAM, {"input_stream": ["ok", 5]})
    with pytest.raises(ArgumentError, match=r"'input_stream'\[1\]: expected str"):
        run(collect(bad))


# ---------------------------------------------------------------------- HTTP


def _http(server: Server, **kw: Any) -> AsyncClient:
    kw.setdefault("backoff", 0.001)
    return AsyncClient(PAT, server.base_url + "/", **kw)


def test_http_unary_request_shape_and_errors(server: Server) -> None:
    server.script(
        Reply(200, success({"string_value": "hello"})),
        status_reply(200, 10020, "Failure", "kaboom"),
        status_reply(401, 11008, f"Invalid API key {PAT}"),
        status_reply(404, 21200, "Model does not exist"),
    )

    async def check() -> None:
        async with _http(server) as c:
            assert await c.unary(PINNED, HTTP_PREDICT, {"prompt": "hi"}) == "hello"
            with pytest.raises(ModelError, match=r"^kaboom$"):
                await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"})
            with pytest.raises(AuthError) as auth:
                await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"})
            assert PAT not in str(auth.value) and PAT not in auth.value.description
            with pytest.raises(NotFoundError):
                await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"})

    run(check())
    req = server.requests[0]
    assert req["path"] == "/v2/users/u/apps/a/models/m/versions/v1/outputs"
    assert req["headers"]["Authorization"] == f"Key {PAT}"
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["body"]["inputs"][0]["data"] == {
        "metadata": {"_method_name": "predict"},
        "parts": [{"id": "prompt", "data": {"string_value": "hi"}}],
    }
    assert len(server.requests) == 4  # none retried


def test_http_retries_on_503_and_honours_retry_after(server: Server) -> None:
    server.script(
        status_reply(503, 21354, "Model busy"),
        Reply(503, "Service Unavailable"),
        Reply(200, success({"string_value": "finally"})),
        status_reply(429, 11005, "slow down", headers={"Retry-After": "0.2"}),
        Reply(200, success({"string_value": "ok"})),
        *[Reply(503, "unavailable")] * 3,
    )

    async def check() -> None:
        async with _http(server) as c:
            assert await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"}) == "finally"
            start = time.monotonic()
            assert await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"}) == "ok"
            assert time.monotonic() - start >= 0.2
        async with _http(server, max_retries=2) as c:
            with pytest.raises(ServerError):
                await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"})

    run(check())
    assert len(server.requests) == 8


def test_http_rate_limit_beyond_budget_gives_up(server: Server) -> None:
    server.script(status_reply(429, 11005, "slow down", headers={"Retry-After": "30"}))

    async def check() -> None:
        async with _http(server, max_backoff=1.0) as c:
            with pytest.raises(RateLimitError) as info:
                await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"})
            assert info.value.retry_after == 30.0

    run(check())


def test_http_connection_refused_is_a_transport_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def check() -> None:
        async with AsyncClient(PAT, f"http://127.0.0.1:{port}", max_retries=1, backoff=0.001) as c:
            with pytest.raises(TransportError, match="failed: ConnectError") as info:
                await c.unary(MODEL, HTTP_PREDICT, {"prompt": "hi"})
            assert info.value.transient and PAT not in str(info.value)

    run(check())


def test_http_ndjson_stream(server: Server) -> None:
    server.script(
        Reply(200, lines=NDJSON_ABC),
        Reply(503, "unavailable"),  # retried: nothing was delivered yet
        Reply(200, lines=[{"result": {"status": {"code": 21355, "description": "loading"}}}]),
        Reply(200, lines=[frame("d")]),
    )

    async def check() -> None:
        async with _http(server) as c:
            got = await collect(c.server_stream(MODEL, GENERATE, {"prompt": "x"}))
            assert got == ["a", "b", "c"]
            assert await collect(c.server_stream(MODEL, GENERATE, {"prompt": "x"})) == ["d"]

    run(check())
    assert server.requests[0]["path"] == "/v2/users/u/apps/a/models/m/outputs/generate"
    assert len(server.requests) == 4


def test_http_stream_broken_mid_way_raises_after_the_values(server: Server) -> None:
    failure = {"result": {"status": {"code": 10020, "description": "Failure", "details": "kaboom"}}}
    busy = {"result": {"status": {"code": 21354, "description": "busy"}}}
    server.script(
        Reply(200, lines=[frame("a"), frame("b"), failure, frame("never")]),
        Reply(200, lines=[frame("a"), busy]),
        Reply(200, lines=[frame("a"), '{"result": {"status"']),
    )

    async def check() -> None:
        async with _http(server) as c:
            for exc, match in [
                (ModelError, "kaboom"),
                (ServerError, "busy"),
                (TransportError, "truncated"),
            ]:
                got: list[str] = []
                with pytest.raises(exc, match=match):
                    async for item in c.server_stream(MODEL, GENERATE, {"prompt": "x"}):
                        got.append(item)
                assert got[0] == "a"

    run(check())
    assert len(server.requests) == 3  # nothing retried after a value


@pytest.mark.parametrize("how", ["aclose", "break", "cancel"])
def test_http_early_close_closes_the_response(server: Server, how: str) -> None:
    responses: list[httpx.Response] = []

    async def hook(response: httpx.Response) -> None:
        responses.append(response)

    server.script(Reply(200, lines=[frame("a"), frame("b")], endless=frame("x" * 65536)))

    async def check() -> None:
        async with (
            httpx.AsyncClient(event_hooks={"response": [hook]}) as http,
            _http(server, http_client=http) as c,
        ):
            it = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
            if how == "cancel":
                first: asyncio.Future[str] = asyncio.get_running_loop().create_future()

                async def consume() -> None:
                    async for item in it:
                        if not first.done():
                            first.set_result(item)

                task = asyncio.ensure_future(consume())
                assert await first == "a"
                assert not responses[0].is_closed
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            else:
                async for item in it:
                    assert item == "a"
                    assert not responses[0].is_closed
                    break
                if how == "aclose":
                    await it.aclose()  # type: ignore[attr-defined]
                else:  # `break` alone: closed when the generator is finalized
                    del it
                    await asyncio.sleep(0.05)
            assert responses[0].is_closed

    run(check())
    assert server.disconnected.wait(5)


def test_http_concurrent_calls(server: Server) -> None:
    server.script(*[Reply(200, success({"string_value": str(i)}), delay=0.2) for i in range(5)])

    async def check() -> list[str]:
        async with _http(server) as c:
            calls = [c.unary(MODEL, HTTP_PREDICT, {"prompt": "x"}) for _ in range(5)]
            return list(await asyncio.gather(*calls))

    start = time.monotonic()
    assert sorted(run(check())) == ["0", "1", "2", "3", "4"]
    assert time.monotonic() - start < 0.9  # concurrent, not 5 x 0.2 s


# ---------------------------------------------------------------------- gRPC (grpc.aio)


def _grpc(server: OracleGrpcServer, **kw: Any) -> AsyncClient:
    kw.setdefault("backoff", 0.0)
    return AsyncClient(kw.pop("pat", server.pat), server.base_url, transport="grpc", **kw)


def grpc_test(server: OracleGrpcServer, **kw: Any) -> Callable[..., Any]:
    """Run `fn(client)` in a fresh event loop with a gRPC client to `server`."""

    def decorate(fn: Callable[[AsyncClient], Awaitable[None]]) -> None:
        async def main() -> None:
            async with _grpc(server, **kw) as c:
                await fn(c)

        run(main())

    return decorate


def test_grpc_unary_stream_and_bidi(oracle_grpc: OracleGrpcServer) -> None:
    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        assert await c.unary(EVERY, PREDICT, {"prompt": "hi", "max_tokens": 7}) == (
            "predict:hi:7:1.0"
        )
        assert await collect(c.server_stream(EVERY, COUNT_UP, {"start": 3, "n": 4})) == [3, 4, 5, 6]

        async def items() -> AsyncIterator[str]:
            for s in ("a", "b"):
                await asyncio.sleep(0.01)
                yield s

        got = await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": items(), "suffix": "?"}))
        assert got == ["A?", "B?"]
        assert await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": ["c"]})) == ["C!"]
        oracle_grpc.clear_requests()
        assert await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": []})) == []
        assert oracle_grpc.requests == []  # an empty input sends nothing


def test_grpc_wire_format(oracle_grpc: OracleGrpcServer) -> None:
    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        await collect(
            c.bidi_stream(EVERY, STREAM, {"input_stream": iter(["a", "b"]), "suffix": "?"})
        )

    (rec,) = oracle_grpc.wait_done()
    assert rec["rpc"] == "StreamModelOutputs" and rec["outcome"] == "ok"
    assert rec["metadata"]["authorization"] == "Key test-pat"
    assert [b["inputs"][0]["data"] for b in rec["body"]] == [
        {"metadata": {"_method_name": "stream"}, "parts": [
            {"id": "input_stream", "data": {"string_value": "a"}}, {"id": "suffix", "data": {"string_value": "?"}}]},
        {"metadata": {"_method_name": "stream"}, "parts": [{"id": "input_stream", "data": {"string_value": "b"}}]},
    ]  # fmt: skip


def test_grpc_bidi_is_full_duplex(oracle_grpc: OracleGrpcServer) -> None:
    """An output can arrive before the next input exists."""
    outputs: list[str] = []

    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        async def produce() -> AsyncIterator[str]:
            yield "a"
            for _ in range(500):
                if outputs:
                    break
                await asyncio.sleep(0.01)
            yield f"after-{outputs[0]}" if outputs else "timeout"

        async for value in c.bidi_stream(EVERY, STREAM, {"input_stream": produce(), "suffix": ""}):
            outputs.append(value)

    assert outputs == ["A", "AFTER-A"]


def test_grpc_errors_are_typed(oracle_grpc: OracleGrpcServer) -> None:
    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        with pytest.raises(ModelError, match="kaboom: x") as info:
            await c.unary(EVERY, FAIL, {"arg": "x"})
        assert info.value.code == 10020
        got: list[str] = []
        with pytest.raises(ModelError, match="kaboom: late"):
            async for v in c.server_stream(EVERY, FAIL_STREAM, {"arg": "late", "after": 2}):
                got.append(v)
        assert got == ["late:0", "late:1"]
        missing = ModelRef("codegen", "oracle", "no-such-model")
        with pytest.raises(NotFoundError):
            await c.unary(missing, PREDICT, {"prompt": "x"})
        async with _grpc(oracle_grpc, pat="wrong-pat") as bad:
            with pytest.raises(AuthError) as auth:
                await bad.unary(EVERY, PREDICT, {"prompt": "x"})
            assert auth.value.code == 11008 and "wrong-pat" not in str(auth.value)
            with pytest.raises(AuthError):
                await collect(bad.bidi_stream(EVERY, STREAM, {"input_stream": ["x"]}))
        oracle_grpc.inject(
            abort_after=0, code=grpc.StatusCode.UNAUTHENTICATED, details="bad key test-pat"
        )
        with pytest.raises(AuthError) as auth:
            await c.unary(EVERY, PREDICT, {"prompt": "x"})
        assert "test-pat" not in str(auth.value) and "bad key ***" in str(auth.value)


def test_grpc_abort_mid_stream_raises_after_the_values(oracle_grpc: OracleGrpcServer) -> None:
    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        oracle_grpc.inject(abort_after=2, details="runner crashed")
        got: list[int] = []
        with pytest.raises(ServerError, match="INTERNAL: runner crashed"):
            async for v in c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 5}):
                got.append(v)
        assert got == [0, 1]
        oracle_grpc.inject(abort_after=1, details="runner crashed")
        out: list[str] = []
        with pytest.raises(ServerError, match="runner crashed"):
            async for s in c.bidi_stream(EVERY, STREAM, {"input_stream": ["a", "b", "c"]}):
                out.append(s)
        assert out == ["A!"]


def test_grpc_bidi_abort_reports_the_servers_status(oracle_grpc: OracleGrpcServer) -> None:
    """A write racing the server's end of the call must not hide the server's status behind
    grpc.aio's INTERNAL "Internal error from Core" (grpc/grpc#36066)."""

    @grpc_test(oracle_grpc, max_retries=0)
    async def _(c: AsyncClient) -> None:
        for i in range(30):
            oracle_grpc.inject(
                abort_after=i % 2, code=grpc.StatusCode.UNAVAILABLE, details="gone away"
            )
            with pytest.raises(ServerError, match="UNAVAILABLE: gone away") as info:
                await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": ["a"] * 50}))
            assert info.value.transient


def test_grpc_retries(oracle_grpc: OracleGrpcServer) -> None:
    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE, times=2)
        assert await c.unary(EVERY, PREDICT, {"prompt": "r"}) == "predict:r:512:1.0"
        assert len(oracle_grpc.requests) == 3
        oracle_grpc.reset()
        oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE)
        assert await collect(c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 3})) == [0, 1, 2]
        assert len(oracle_grpc.requests) == 2
        oracle_grpc.reset()

        oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE)
        out = c.bidi_stream(EVERY, STREAM, {"input_stream": iter(["a", "b", "c"]), "suffix": "."})
        assert await collect(out) == ["A.", "B.", "C."]
        first, second = oracle_grpc.wait_done()
        assert first["outcome"] == "aborted" and second["outcome"] == "ok"
        assert [len(b["inputs"][0]["data"]["parts"]) for b in second["body"]] == [2, 1, 1]
        oracle_grpc.reset()

        oracle_grpc.inject(abort_after=1, code=grpc.StatusCode.UNAVAILABLE)
        got: list[str] = []
        with pytest.raises(ServerError, match="UNAVAILABLE"):
            async for s in c.bidi_stream(EVERY, STREAM, {"input_stream": iter(["a", "b"])}):
                got.append(s)
        assert got == ["A!"] and len(oracle_grpc.requests) == 1  # not after a value
        oracle_grpc.reset()
        oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.RESOURCE_EXHAUSTED, times=10)
        async with _grpc(oracle_grpc, max_retries=2) as c2:
            with pytest.raises(RateLimitError):
                await c2.unary(EVERY, PREDICT, {"prompt": "r"})
        assert len(oracle_grpc.requests) == 3


def test_grpc_bidi_retry_keeps_a_slow_async_producer(oracle_grpc: OracleGrpcServer) -> None:
    """An attempt failing while the caller's async input is producing does not cancel it."""
    produced: list[str] = []

    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        async def slow() -> AsyncIterator[str]:
            for s in ("a", "b", "c"):
                if s != "a":
                    await asyncio.sleep(0.2)
                produced.append(s)
                yield s

        # the first attempt fails right away, while `slow` waits to produce "b"
        oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE)
        assert await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": slow()})) == [
            "A!",
            "B!",
            "C!",
        ]

    assert produced == ["a", "b", "c"]
    first, second = oracle_grpc.wait_done()
    assert first["outcome"] == "aborted" and len(second["body"]) == 3


def test_grpc_bidi_input_errors_reach_the_caller(oracle_grpc: OracleGrpcServer) -> None:
    @grpc_test(oracle_grpc)
    async def _(c: AsyncClient) -> None:
        with pytest.raises(ArgumentError, match=r"'input_stream'"):
            await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": iter([5])}))
        assert oracle_grpc.requests == []  # the first item is encoded before the call starts

        async def broken() -> AsyncIterator[str]:
            yield "a"
            raise KeyError("producer broke")

        with pytest.raises(KeyError, match="producer broke"):
            await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": broken()}))
        with pytest.raises(ArgumentError, match=r"'input_stream'\[1\]: expected str"):
            await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": ["ok", 5]}))

    for rec in oracle_grpc.wait_done():
        assert rec["outcome"] in ("ok", "cancelled")


def test_grpc_timeouts(oracle_grpc: OracleGrpcServer) -> None:
    @grpc_test(oracle_grpc, timeout=0.2)
    async def _(c: AsyncClient) -> None:
        oracle_grpc.inject(delay=0.4)
        with pytest.raises(TransportError, match=r"timed out after 0\.2 s") as info:
            await c.unary(EVERY, PREDICT, {"prompt": "slow"})
        assert info.value.reached  # not resent: the call is not idempotent
        # slow tokens, each within the timeout, the whole stream beyond it
        oracle_grpc.inject(interval=0.07)
        got = await collect(c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 5}))
        assert got == list(range(5))
        # a slow consumer does not count as server silence
        it = c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 2})
        assert await it.__anext__() == 0
        await asyncio.sleep(0.35)
        assert await collect(it) == [1]

        # nor does a slow producer of bidi input (async or plain)
        async def slow() -> AsyncIterator[str]:
            for s in ("a", "b"):
                await asyncio.sleep(0.35)
                yield s

        assert await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": slow()})) == [
            "A!",
            "B!",
        ]
        # silence does
        oracle_grpc.inject(hold_after=1, hold_timeout=5)
        it = c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 3})
        assert await it.__anext__() == 0
        t0 = time.monotonic()
        with pytest.raises(TransportError, match=r"no message for 0\.2 s"):
            await it.__anext__()
        assert time.monotonic() - t0 < 2
        oracle_grpc.inject(hold_after=1, hold_timeout=5)
        it = c.bidi_stream(EVERY, STREAM, {"input_stream": ["a", "b"]})
        assert await it.__anext__() == "A!"
        with pytest.raises(TransportError, match=r"StreamModelOutputs .* no message for 0\.2 s"):
            await it.__anext__()

    recs = oracle_grpc.wait_done()
    assert [r["outcome"] for r in recs[-2:]] == ["cancelled", "cancelled"]


@pytest.mark.parametrize("how", ["aclose", "cancel", "gc"])
def test_grpc_stopping_early_cancels_the_call(oracle_grpc: OracleGrpcServer, how: str) -> None:
    async def endless() -> AsyncIterator[str]:
        while True:
            yield "tick"
            await asyncio.sleep(0)

    calls: dict[str, Callable[[AsyncClient], AsyncIterator[Any]]] = {
        "server": lambda c: c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 5}),
        "bidi": lambda c: c.bidi_stream(EVERY, STREAM, {"input_stream": endless()}),
    }
    for kind, call in calls.items():
        oracle_grpc.reset()
        oracle_grpc.inject(hold_after=1)

        @grpc_test(oracle_grpc)
        async def _(c: AsyncClient, call: Any = call) -> None:
            it = call(c)
            if how == "cancel":
                first: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

                async def consume() -> None:
                    async for item in it:
                        if not first.done():
                            first.set_result(item)

                task = asyncio.ensure_future(consume())
                await first
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            else:
                async for _ in it:
                    break  # the usual `async for x in model.generate(...): break`
                if how == "aclose":
                    await it.aclose()  # type: ignore[attr-defined]
                else:
                    del it
                    await asyncio.sleep(0.05)
            rec = oracle_grpc.last_request
            assert await asyncio.to_thread(rec["done"].wait, 5)  # before the client closes

        (rec,) = oracle_grpc.wait_done()
        assert rec["outcome"] == "cancelled", kind


def test_grpc_aclose_cancels_running_calls(oracle_grpc: OracleGrpcServer) -> None:
    async def check() -> None:
        c = _grpc(oracle_grpc)
        oracle_grpc.inject(hold_after=1)
        it = c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 5})
        assert await it.__anext__() == 0
        await c.aclose()
        with pytest.raises(TransportError, match="CANCELLED"):
            await it.__anext__()
        with pytest.raises(TransportError, match="the Client is closed"):
            await c.unary(EVERY, PREDICT, {"prompt": "x"})
        with pytest.raises(TransportError, match="the Client is closed"):
            await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": ["x"]}))

    run(check())
    rec = oracle_grpc.last_request
    assert rec["done"].wait(5) and rec["outcome"] == "cancelled"


def test_grpc_aclose_cancels_a_running_unary_call(oracle_grpc: OracleGrpcServer) -> None:
    """The awaiting task gets the client's error, not a bare CancelledError."""

    async def check() -> None:
        c = _grpc(oracle_grpc)
        oracle_grpc.inject(hold_after=0)
        call = asyncio.ensure_future(c.unary(EVERY, PREDICT, {"prompt": "x"}))
        for _ in range(500):
            if oracle_grpc.requests or call.done():
                break
            await asyncio.sleep(0.01)
        await c.aclose()
        with pytest.raises(TransportError, match="CANCELLED"):
            await call

    run(check())
    rec = oracle_grpc.last_request
    assert rec["done"].wait(5) and rec["outcome"] == "cancelled"


def test_grpc_cancelling_a_unary_call_cancels_the_rpc(oracle_grpc: OracleGrpcServer) -> None:
    async def check() -> None:
        c = _grpc(oracle_grpc)
        oracle_grpc.inject(hold_after=0)
        call = asyncio.ensure_future(c.unary(EVERY, PREDICT, {"prompt": "x"}))
        for _ in range(500):
            if oracle_grpc.requests or call.done():
                break
            await asyncio.sleep(0.01)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        await c.aclose()

    run(check())
    rec = oracle_grpc.last_request
    assert rec["done"].wait(5) and rec["outcome"] == "cancelled"


def test_grpc_concurrent_calls_and_several_event_loops(oracle_grpc: OracleGrpcServer) -> None:
    c = _grpc(oracle_grpc)  # made outside any event loop: the channel opens on first use

    async def work(i: int) -> tuple[str, list[str]]:
        return (
            await c.unary(EVERY, PREDICT, {"prompt": str(i)}),
            await collect(c.bidi_stream(EVERY, STREAM, {"input_stream": [str(i)] * 3})),
        )

    async def main() -> list[tuple[str, list[str]]]:
        return list(await asyncio.gather(*(work(i) for i in range(8))))

    expected = [(f"predict:{i}:512:1.0", [f"{i}!"] * 3) for i in range(8)]
    assert run(main()) == expected
    assert run(main()) == expected  # a second loop gets its own channel

    async def close() -> None:
        await c.aclose()

    run(close())


def test_grpc_missing_says_what_to_install() -> None:
    script = """
import sys
for name in ("grpc", "clarifai_grpc", "google.protobuf"):
    sys.modules[name] = None
from codegen.runtime import AsyncClient
AsyncClient("p", transport="http")
try:
    AsyncClient("p", transport="grpc")
except ImportError as e:
    print(e)
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "the gRPC transport needs clarifai-grpc: pip install clarifai-codegen[grpc]"
    )
