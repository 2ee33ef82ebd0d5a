"""End to end, what one transport or one client kind does on its own: the HTTP wire format, gRPC
aborts and cancellation, the environment choosing the transport, concurrent async calls."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from ..oracle.models import EveryTypeModel
from .conftest import PACKAGE, Api


def test_wire_format_matches_the_protocol(clients: ModuleType, oracle_env: Any) -> None:
    every = importlib.import_module(f"{PACKAGE}.every_type").EveryType()  # from the environment
    every.predict("hi", max_tokens=7)
    request = oracle_env.requests[-1]
    assert request["headers"]["authorization"] == "Key test-pat"
    assert request["path"] == "/v2/users/codegen/apps/oracle/models/every-type/outputs"  # latest
    data = request["body"]["inputs"][0]["data"]
    assert data["metadata"] == {"_method_name": "predict"}
    assert {"id": "prompt", "data": {"string_value": "hi"}} in data["parts"]
    assert {"id": "max_tokens", "data": {"int_value": "7"}} in data["parts"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_environment_selects_grpc(rt: ModuleType, oracle_grpc_env: Any, mode: str) -> None:
    module = importlib.import_module(f"{PACKAGE}.every_type")
    if mode == "sync":
        with rt.Client() as client:
            assert client.transport == "grpc"
            assert list(module.EveryType(client).stream(["q"], suffix="")) == ["Q"]
    else:

        async def main() -> list[str]:
            async with rt.AsyncClient() as client:
                assert client.transport == "grpc"
                return [w async for w in module.AsyncEveryType(client).stream(["q"], suffix="")]

        assert asyncio.run(main()) == ["Q"]
    assert oracle_grpc_env.last_request["metadata"]["authorization"] == "Key test-pat"


@pytest.mark.parametrize("transport", ["grpc"])
def test_server_abort_mid_stream(every: Any, rt: ModuleType, server: Any) -> None:
    server.inject(abort_after=2, details="runner crashed")
    got: list[int] = []
    with pytest.raises(rt.ServerError, match="INTERNAL: runner crashed"):
        got.extend(every.count_up(0, n=5))
    assert got == [0, 1]

    server.inject(abort_after=1, details="runner crashed")
    out: list[str] = []
    with pytest.raises(rt.ServerError, match="runner crashed"):
        out.extend(every.stream(iter(["a", "b", "c"])))
    assert out == ["A!"]


@pytest.mark.parametrize(("transport", "mode"), [("grpc", "async")])
def test_cancelling_the_task_cancels_the_grpc_call(api: Api, server: Any) -> None:
    every = api.model("every_type").target  # the AsyncEveryType itself
    loop = api.loop
    assert loop is not None

    async def endless() -> AsyncIterator[str]:
        while True:
            yield "tick"
            await asyncio.sleep(0)

    for rpc, start in (
        ("GenerateModelOutputs", lambda: every.count_up(0, n=5)),
        ("StreamModelOutputs", lambda: every.stream(endless())),
    ):
        server.reset()
        server.inject(hold_after=1)

        async def main(start: Any = start) -> Any:
            first: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

            async def consume() -> None:
                async for value in start():
                    first.set_result(value)

            task = asyncio.ensure_future(consume())
            await first
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            rec = server.last_request
            # cancelled by the iterator, before the client (and its channel) closes
            assert await asyncio.to_thread(rec["done"].wait, 5)
            return rec

        rec = loop.run_until_complete(main())
        assert rec["rpc"] == rpc and rec["outcome"] == "cancelled"


@pytest.mark.parametrize("mode", ["async"])
def test_concurrent_async_calls_share_the_client(api: Api) -> None:
    every = api.model("every_type").target
    loop = api.loop
    assert loop is not None

    async def main() -> list[str]:
        return list(await asyncio.gather(*(every.predict(str(i)) for i in range(6))))

    model = EveryTypeModel()
    assert loop.run_until_complete(main()) == [model.predict(str(i)) for i in range(6)]
