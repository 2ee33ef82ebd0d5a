"""The end-to-end suite's fixtures: the oracle models' generated clients, and `api`, the models over
each transport (http | grpc) and each client (sync | async) against the oracle servers, which run
real ModelClass code through the SDK's wrappers behind `codegen.serve`."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from ..conftest import oracle_package
from .helpers import Blocking

PACKAGE = "e2e_clients"
CLASSES = {"all_types": "AllTypes", "every_type": "EveryType"}


@pytest.fixture(scope="session")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with oracle_package(tmp_path_factory, PACKAGE) as package:
        yield package


@pytest.fixture
def rt(clients: ModuleType) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}._runtime")


class Api:
    """Builds generated model classes over one transport and one client kind; `model()` objects
    are called the same way whether the client is sync or async (see `Blocking`)."""

    def __init__(self, rt: ModuleType, transport: str, mode: str, server: Any) -> None:
        self.rt, self.transport, self.mode, self.server = rt, transport, mode, server
        self.loop = asyncio.new_event_loop() if mode == "async" else None
        self._clients: list[Any] = []

    def client(self, pat: str | None = None) -> Any:
        kw: dict[str, Any] = {"transport": self.transport, "backoff": 0.0}
        pat = pat or self.server.pat
        if self.loop is None:
            client = self.rt.Client(pat, self.server.base_url, **kw)
        else:

            async def make() -> Any:
                return self.rt.AsyncClient(pat, self.server.base_url, **kw)

            client = self.loop.run_until_complete(make())
        self._clients.append(client)
        return client

    def model(self, module: str, *, pat: str | None = None, ref: Any = None) -> Any:
        name = CLASSES[module]
        if self.loop is not None:
            name = "Async" + name
        cls = getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
        kw = {"model": ref} if ref is not None else {}
        made = cls(self.client(pat), **kw)
        return made if self.loop is None else Blocking(made, self.loop)

    def close(self) -> None:
        for client in self._clients:
            if self.loop is None:
                client.close()
            else:
                self.loop.run_until_complete(client.aclose())
        if self.loop is not None:
            self.loop.close()


@pytest.fixture
def api(rt: ModuleType, transport: str, mode: str, server: Any) -> Iterator[Api]:
    made = Api(rt, transport, mode, server)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def all_types(api: Api) -> Any:
    return api.model("all_types")


@pytest.fixture
def every(api: Api) -> Any:
    return api.model("every_type")
