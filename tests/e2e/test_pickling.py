"""Generated model objects and clients pickle (settings and runner selection; never a PAT taken
from the environment), so they can be shipped to `multiprocessing` (spawn) workers, which open
their own connections and make real calls against the oracle servers."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from ..oracle.grpc_server import OracleGrpcServer
from ..oracle.server import OracleServer
from .conftest import PACKAGE
from .pickle_worker import echo

SECRET = "env-only-pat-5c1d9e"  # the oracles' PAT, only ever in the environment (unless passed)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[OracleServer, OracleGrpcServer]]:
    with OracleServer(pat=SECRET) as rest, OracleGrpcServer(pat=SECRET) as grpc:
        yield rest, grpc


@pytest.fixture
def env(
    servers: tuple[OracleServer, OracleGrpcServer], monkeypatch: pytest.MonkeyPatch
) -> tuple[OracleServer, OracleGrpcServer]:
    for server in servers:
        server.reset()
    monkeypatch.setenv("CLARIFAI_PAT", SECRET)
    monkeypatch.setenv("CLARIFAI_API_BASE", servers[0].base_url)
    for var in ("TRANSPORT", "DEPLOYMENT_ID", "DEPLOYMENT_USER_ID", "COMPUTE_CLUSTER_ID"):
        monkeypatch.delenv(f"CLARIFAI_{var}", raising=False)
    monkeypatch.delenv("CLARIFAI_NODEPOOL_ID", raising=False)
    return servers


def mod(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def objects(servers: tuple[OracleServer, OracleGrpcServer]) -> list[Any]:
    """A client and a model object of each kind, over each transport, bound to a runner."""
    rt, every = mod("_runtime"), mod("every_type")
    rest, grpc = servers
    out: list[Any] = [rt.Client()]  # no runner selection
    for base, transport in ((rest.base_url, "http"), (grpc.base_url, "grpc")):
        client = rt.Client(base_url=base, transport=transport, deployment_id="dep")
        aclient = rt.AsyncClient(base_url=base, transport=transport, deployment_id="dep")
        out += [
            client,
            aclient,
            every.EveryType(client, deployment_user_id="org"),
            every.AsyncEveryType(aclient, compute_cluster_id="cc", nodepool_id="np"),
        ]
    return out


def test_pickles_hold_no_pat_from_the_environment(
    clients: ModuleType, env: tuple[OracleServer, OracleGrpcServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = mod("_runtime")
    originals = objects(env)
    blobs = [pickle.dumps(obj) for obj in originals]
    for blob in blobs:
        assert SECRET.encode() not in blob
    monkeypatch.delenv("CLARIFAI_PAT")  # a copy takes the PAT from its own environment
    for blob in blobs:
        with pytest.raises(rt.AuthError, match="CLARIFAI_PAT"):
            pickle.loads(blob)
    monkeypatch.setenv("CLARIFAI_PAT", SECRET)
    monkeypatch.setenv("CLARIFAI_DEPLOYMENT_ID", "not-this")  # a copy keeps its selection
    monkeypatch.setenv("CLARIFAI_API_BASE", "http://127.0.0.1:9")  # and its settings
    for original, copy in zip(originals, map(pickle.loads, blobs), strict=True):
        assert type(copy) is type(original)
        if hasattr(original, "_runner"):  # a model object: same client settings and runner
            assert copy._runner == original._runner and copy._model == original._model
            original = original._client
            copy = copy._client
        assert copy.runner == original.runner
        assert (copy.base_url, copy.transport) == (original.base_url, original.transport)
        assert copy._transport is not original._transport


def test_an_explicit_pat_is_pickled(
    clients: ModuleType, env: tuple[OracleServer, OracleGrpcServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = pickle.dumps(mod("every_type").EveryType(mod("_runtime").Client(pat=SECRET)))
    assert SECRET.encode() in blob
    monkeypatch.delenv("CLARIFAI_PAT")
    with pickle.loads(blob)._client as client:
        assert mod("every_type").EveryType(client).echo_int(5) == 5


def test_model_objects_call_from_spawned_workers(
    clients: ModuleType, env: tuple[OracleServer, OracleGrpcServer]
) -> None:
    models = [obj for obj in objects(env) if hasattr(obj, "_runner")]
    tasks = [(model, i) for i in range(3) for model in models]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(echo, tasks)
    assert [r[0] for r in results] == [i for _, i in tasks]
    assert {r[1] for r in results} - {os.getpid()}  # really other processes
    assert {r[2] for r in results} == {"set"}
    rest, grpc = env
    for server, (sync_model, async_model) in ((rest, models[:2]), (grpc, models[2:])):
        posts = [r for r in server.requests if r["route"] == "outputs"]
        assert len(posts) == 6
        selectors = sorted(str(r["proto"].runner_selector) for r in posts)
        assert selectors == sorted(3 * [str(_selector(sync_model)), str(_selector(async_model))])
        lookups = [r for r in server.requests if r["route"] == "get_user"]
        assert len(lookups) == 3  # the nodepool has no user: one lookup per unpickled copy


def _selector(model: Any) -> Any:
    from clarifai_grpc.grpc.api import resources_pb2
    from google.protobuf.json_format import ParseDict

    owner = "oracle-owner"
    return ParseDict(model._runner.to_json(owner), resources_pb2.RunnerSelector())
