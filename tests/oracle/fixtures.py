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
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import OracleServer

__all__ = ["oracle", "oracle_env", "oracle_server"]


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
