"""pytest plugin exposing the oracle server.

The top-level ``tests/conftest.py`` loads it with::

    pytest_plugins = ["tests.oracle.fixtures"]

Fixtures:
    oracle_server  session-scoped, started once: ``OracleServer()`` serving ``oracle_models()``
                   (``clarifai-codegen/fixtures/all-types`` and ``codegen/oracle/every-type``)
                   with PAT ``"test-pat"``.
    oracle         function-scoped: the same server, ``reset()`` before and after the test
                   (requests log, pending faults and stream framing cleared).
    oracle_env     function-scoped: ``oracle`` plus ``CLARIFAI_PAT`` / ``CLARIFAI_API_BASE``
                   set in the environment (monkeypatch) to point at it.
    oracle_grpc_server  session-scoped: ``OracleGrpcServer()``, the same models over gRPC
                   (``tests.oracle.grpc_server``), PAT ``"test-pat"``.
    oracle_grpc    function-scoped: the same server, ``reset()`` before and after the test.
    oracle_grpc_env  function-scoped: ``oracle_grpc`` plus ``CLARIFAI_TRANSPORT=grpc``,
                   ``CLARIFAI_PAT`` and ``CLARIFAI_API_BASE`` (its ``base_url``) set.
    transport, mode  parametrized: "http" | "grpc", "sync" | "async" (a test may parametrize
                   either itself to narrow it).
    server         the oracle server (reset) of ``transport``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from .server import OracleServer

if TYPE_CHECKING:  # grpc is imported only by the tests that use the gRPC server
    from .grpc_server import OracleGrpcServer

__all__ = [
    "mode",
    "oracle",
    "oracle_env",
    "oracle_grpc",
    "oracle_grpc_env",
    "oracle_grpc_server",
    "oracle_server",
    "server",
    "transport",
]


@pytest.fixture(scope="session")
def oracle_server() -> Iterator[OracleServer]:
    with OracleServer() as server:
        yield server


@pytest.fixture
def oracle(oracle_server: OracleServer) -> Iterator[OracleServer]:
    oracle_server.reset()
    yield oracle_server
    oracle_server.reset()


@pytest.fixture
def oracle_env(oracle: OracleServer, monkeypatch: pytest.MonkeyPatch) -> OracleServer:
    monkeypatch.setenv("CLARIFAI_PAT", oracle.pat)
    monkeypatch.setenv("CLARIFAI_API_BASE", oracle.base_url)
    return oracle


@pytest.fixture(scope="session")
def oracle_grpc_server() -> Iterator[OracleGrpcServer]:
    from .grpc_server import OracleGrpcServer

    with OracleGrpcServer() as server:
        yield server


@pytest.fixture
def oracle_grpc(oracle_grpc_server: OracleGrpcServer) -> Iterator[OracleGrpcServer]:
    oracle_grpc_server.reset()
    yield oracle_grpc_server
    oracle_grpc_server.reset()


@pytest.fixture
def oracle_grpc_env(
    oracle_grpc: OracleGrpcServer, monkeypatch: pytest.MonkeyPatch
) -> OracleGrpcServer:
    monkeypatch.setenv("CLARIFAI_TRANSPORT", "grpc")
    monkeypatch.setenv("CLARIFAI_PAT", oracle_grpc.pat)
    monkeypatch.setenv("CLARIFAI_API_BASE", oracle_grpc.base_url)
    return oracle_grpc


@pytest.fixture(params=["http", "grpc"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(transport: str, request: pytest.FixtureRequest) -> Any:
    """The oracle server (reset) of the transport under test."""
    return request.getfixturevalue("oracle_grpc" if transport == "grpc" else "oracle")
