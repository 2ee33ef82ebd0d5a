"""Generated clients, sync and async, over HTTP and gRPC, against `clarifai-codegen serve` hosting a
model directory (the oracle's EveryTypeModel): unary, server streaming and bidirectional streaming
return exactly what the model code yields."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.serve import ServeHandle, serve

from ..conftest import oracle_package
from ..oracle.models import EveryTypeModel
from .test_serve import _every_type_dir

PACKAGE = "serve_clients"


@pytest.fixture(scope="module")
def handle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeHandle]:
    every = _every_type_dir(tmp_path_factory.mktemp("serve_models"))
    with serve([every], port=0, grpc_port=0, quiet=True) as running:
        yield running


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with oracle_package(tmp_path_factory, PACKAGE):
        yield importlib.import_module(f"{PACKAGE}.every_type")


def _base(handle: ServeHandle, transport: str) -> str:
    url = handle.grpc_url if transport == "grpc" else handle.rest_url
    assert url is not None
    return url


@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_sync_client_against_serve(module: ModuleType, handle: ServeHandle, transport: str) -> None:
    rt = importlib.import_module(f"{PACKAGE}._runtime")
    model = EveryTypeModel()
    with rt.Client(pat="local", base_url=_base(handle, transport), transport=transport) as client:
        every = module.EveryType(client)
        assert every.predict("hi", max_tokens=3) == model.predict("hi", max_tokens=3)
        assert list(every.generate("a b c d", max_tokens=3)) == list(
            model.generate("a b c d", max_tokens=3)
        )
        if transport == "grpc":
            assert list(every.stream(["x", "y"], suffix="?")) == list(
                model.stream(iter(["x", "y"]), suffix="?")
            )
        else:
            with pytest.raises(rt.StreamingNotSupportedError):
                list(every.stream(["x"]))


@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_async_client_against_serve(
    module: ModuleType, handle: ServeHandle, transport: str
) -> None:
    rt = importlib.import_module(f"{PACKAGE}._runtime")
    model = EveryTypeModel()

    async def run() -> list[Any]:
        async with rt.AsyncClient(
            pat="local", base_url=_base(handle, transport), transport=transport
        ) as client:
            every = module.AsyncEveryType(client)
            out: list[Any] = [await every.predict("hi", max_tokens=2)]
            out.append([x async for x in every.generate("a b c", max_tokens=2)])
            if transport == "grpc":

                async def chunks() -> Any:
                    for item in ("u", "v"):
                        yield item

                out.append([x async for x in every.stream(chunks(), suffix="#")])
            return out

    got = asyncio.run(run())
    assert got[0] == model.predict("hi", max_tokens=2)
    assert got[1] == list(model.generate("a b c", max_tokens=2))
    if transport == "grpc":
        assert got[2] == list(model.stream(iter(["u", "v"]), suffix="#"))


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_batches_against_serve(
    module: ModuleType, handle: ServeHandle, transport: str, mode: str
) -> None:
    """serve hands a many-input request to the SDK's predict_wrapper, which runs every input: one
    value per input, in order, and one raising input fails its whole request."""
    rt = importlib.import_module(f"{PACKAGE}._runtime")
    model = EveryTypeModel()
    items = [{"prompt": f"p{i}", "max_tokens": i} for i in range(150)]
    bad = [{"x": i} for i in range(150)]
    bad[140] = {"x": -4}

    async def run_async() -> tuple[Any, Any]:
        base = _base(handle, transport)
        async with rt.AsyncClient(pat="local", base_url=base, transport=transport) as client:
            every = module.AsyncEveryType(client)
            with pytest.raises(rt.BatchError) as info:
                await every.isqrt_batch(bad)
            return await every.predict_batch(items), info.value

    if mode == "sync":
        with rt.Client(pat="local", base_url=_base(handle, transport), transport=transport) as c:
            every = module.EveryType(c)
            got = every.predict_batch(items)
            with pytest.raises(rt.BatchError) as info:
                every.isqrt_batch(bad)
            err = info.value
    else:
        got, err = asyncio.run(run_async())
    assert got == [model.predict(**item) for item in items]
    assert err.failed == list(range(128, 150))
    assert err.results[:128] == [model.isqrt(i) for i in range(128)]
    assert "no square root of -4" in str(err)


@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_deployment_without_its_user_id_asks_serve_who_owns_the_pat(
    module: ModuleType, tmp_path: Path, transport: str
) -> None:
    """A deployment with no deployment user id: the client looks the owner up (users/me, GetUser)
    and puts it in the runner selector; serve answers with the served model's user."""
    rt = importlib.import_module(f"{PACKAGE}._runtime")
    lines: list[str] = []
    with serve([_every_type_dir(tmp_path)], grpc_port=0, quiet=True, access_log=lines.append) as h:
        with rt.Client(pat="local", base_url=_base(h, transport), transport=transport) as client:
            every = module.EveryType(client, deployment_id="local-deployment")
            assert every.predict("hi", max_tokens=3) == EveryTypeModel().predict("hi", max_tokens=3)
    asked = "GET /v2/users/me 200" if transport == "http" else "gRPC GetUser me status=10000"
    assert any(line.startswith(asked) for line in lines), lines
