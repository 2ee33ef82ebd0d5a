"""Runner selection end to end: generated clients (HTTP and gRPC, sync and async) -> the oracle
servers, compared with the requests Clarifai's SDK builds for the same `Model(...)` keywords
(tests/oracle/sdk_runner.py, no network)."""

from __future__ import annotations

import asyncio
import importlib
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest
from clarifai_grpc.grpc.api import service_pb2

from ..oracle.sdk_runner import KINDS, sdk_requests
from ..oracle.server import DEFAULT_PAT
from .conftest import PACKAGE

ENV_VARS = (
    "CLARIFAI_DEPLOYMENT_ID",
    "CLARIFAI_DEPLOYMENT_USER_ID",
    "CLARIFAI_COMPUTE_CLUSTER_ID",
    "CLARIFAI_NODEPOOL_ID",
)
RUNNERS: dict[str, dict[str, str]] = {
    "deployment+user": {"deployment_id": "dep-1", "deployment_user_id": "org-7"},
    "deployment": {"deployment_id": "dep-1"},
    "nodepool+user": {
        "compute_cluster_id": "cc-2",
        "nodepool_id": "np-3",
        "deployment_user_id": "u",
    },
    "nodepool": {"compute_cluster_id": "cc-2", "nodepool_id": "np-3"},
}
INVALID: dict[str, dict[str, str]] = {
    "deployment+cluster": {"deployment_id": "d", "compute_cluster_id": "c", "nodepool_id": "n"},
    "deployment+nodepool": {"deployment_id": "d", "nodepool_id": "n"},
    "cluster only": {"compute_cluster_id": "c"},
    "nodepool only": {"nodepool_id": "n", "deployment_user_id": "u"},
}
# (transport, kind): bidirectional streaming exists over gRPC only
CALLS = [(t, k) for t in ("http", "grpc") for k in KINDS if (t, k) != ("http", "bidi_stream")]


@pytest.fixture(autouse=True)
def no_runner_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)


def module(clients: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def server_for(request: pytest.FixtureRequest, transport: str) -> Any:
    return request.getfixturevalue("oracle" if transport == "http" else "oracle_grpc")


def make_client(clients: ModuleType, server: Any, transport: str, is_async: bool, **kw: Any) -> Any:
    rt = module(clients, "_runtime")
    cls = rt.AsyncClient if is_async else rt.Client
    return cls(DEFAULT_PAT, server.base_url, transport=transport, **kw)


def call(model: Any, kind: str) -> None:
    """One call of `kind` on an `EveryType` (the bidi call streams two inputs)."""
    if kind == "unary":
        assert model.echo_int(3) == 3
    elif kind == "server_stream":
        assert list(model.count_up(1, n=2)) == [1, 2]
    else:
        assert list(model.stream(["a", "b"], suffix="")) == ["A", "B"]


async def acall(model: Any, kind: str) -> None:
    if kind == "unary":
        assert await model.echo_int(3) == 3
    elif kind == "server_stream":
        assert [v async for v in model.count_up(1, n=2)] == [1, 2]
    else:
        assert [v async for v in model.stream(["a", "b"], suffix="")] == ["A", "B"]


def run(clients: ModuleType, client: Any, kind: str, **bind: str) -> None:
    """Call through `EveryType(client, **bind)` (or its async twin), then close the client."""
    if not hasattr(client, "aclose"):
        with client:
            call(module(clients, "every_type").EveryType(client, **bind), kind)
        return

    async def main() -> None:
        async with client:
            await acall(module(clients, "every_type").AsyncEveryType(client, **bind), kind)

    asyncio.run(main())


def sent(server: Any) -> list[Any]:
    """Every `PostModelOutputsRequest` the server received, in order (a bidi call's each)."""
    out: list[Any] = []
    for record in server.requests:
        if record["route"] in ("outputs", "generate", "stream"):
            proto = record["proto"]
            out.extend(proto if isinstance(proto, list) else [proto])
    return out


def user_lookups(server: Any) -> list[Any]:
    """The owner lookups the server received: the gRPC `GetUserRequest`s, or over REST the
    SDK-equivalent request for each `GET /v2/users/me`."""
    out = []
    for record in server.requests:
        if record["route"] == "get_user":
            if "rpc" in record:
                out.append(record["proto"])
            else:
                assert record["method"] == "GET" and record["path"] == "/v2/users/me"
                out.append(service_pb2.GetUserRequest(user_app_id={"user_id": "me"}))
    return out


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("transport", "kind"), CALLS)
def test_runner_selector_is_the_sdks(
    clients: ModuleType,
    request: pytest.FixtureRequest,
    transport: str,
    kind: str,
    is_async: bool,
    runner: str,
) -> None:
    server = server_for(request, transport)
    expected = sdk_requests(kind, **RUNNERS[runner])
    sdk_posts = [r for r in expected if isinstance(r, service_pb2.PostModelOutputsRequest)]
    sdk_users = [r for r in expected if isinstance(r, service_pb2.GetUserRequest)]

    run(clients, make_client(clients, server, transport, is_async, **RUNNERS[runner]), kind)

    posts = sent(server)
    assert len(posts) == len(sdk_posts) == (2 if kind == "bidi_stream" else 1)
    assert [p.runner_selector for p in posts] == [p.runner_selector for p in sdk_posts]
    assert all(p.HasField("runner_selector") for p in posts)
    assert user_lookups(server) == sdk_users  # "me", once, only without deployment_user_id


@pytest.mark.parametrize("runner", ["deployment", "nodepool+user"])
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_batch_requests_carry_the_sdks_runner_selector(
    clients: ModuleType, request: pytest.FixtureRequest, transport: str, is_async: bool, runner: str
) -> None:
    server = server_for(request, transport)
    expected = sdk_requests("unary", **RUNNERS[runner])
    sdk_post = next(r for r in expected if isinstance(r, service_pb2.PostModelOutputsRequest))
    sdk_users = [r for r in expected if isinstance(r, service_pb2.GetUserRequest)]
    client = make_client(
        clients, server, transport, is_async, batch_concurrency=2, **RUNNERS[runner]
    )
    items = [{"x": i} for i in range(300)]
    every_type = module(clients, "every_type")
    if is_async:

        async def main() -> list[int]:
            async with client:
                return list(await every_type.AsyncEveryType(client).echo_int_batch(items))

        assert asyncio.run(main()) == list(range(300))
    else:
        with client:
            assert every_type.EveryType(client).echo_int_batch(items) == list(range(300))
    posts = sent(server)
    assert sorted(len(p.inputs) for p in posts) == [44, 128, 128]  # sent concurrently
    assert all(p.runner_selector == sdk_post.runner_selector for p in posts)
    assert user_lookups(server) == sdk_users  # at most once for the whole batch


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("transport", "kind"), CALLS)
def test_no_settings_send_no_runner_selector(
    clients: ModuleType, request: pytest.FixtureRequest, transport: str, kind: str, is_async: bool
) -> None:
    server = server_for(request, transport)
    assert not any(r.HasField("runner_selector") for r in sdk_requests(kind))
    run(clients, make_client(clients, server, transport, is_async), kind)
    posts = sent(server)
    assert posts and not any(p.HasField("runner_selector") for p in posts)
    bodies = [r["body"] for r in server.requests]
    assert not any("runner_selector" in b for body in bodies for b in _as_list(body))
    assert user_lookups(server) == []


def _as_list(body: Any) -> list[Any]:
    return body if isinstance(body, list) else [body]


@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_owner_is_looked_up_once_per_client(
    clients: ModuleType, request: pytest.FixtureRequest, transport: str
) -> None:
    server = server_for(request, transport)
    every = module(clients, "every_type")
    with make_client(clients, server, transport, False, deployment_id="d") as client:
        model = every.EveryType(client)
        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(model.echo_int, range(16))) == list(range(16))
        # a per-instance nodepool without a user id reuses the client's lookup
        assert list(
            every.EveryType(client, compute_cluster_id="c", nodepool_id="n").count_up(0)
        ) == [0, 1, 2]
    assert len(user_lookups(server)) == 1
    assert {owner(p) for p in sent(server)} == {server.owner_id}


@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_owner_is_looked_up_once_per_async_client(
    clients: ModuleType, request: pytest.FixtureRequest, transport: str
) -> None:
    server = server_for(request, transport)
    every = module(clients, "every_type")

    async def main() -> None:
        async with make_client(
            clients, server, transport, True, nodepool_id="n", compute_cluster_id="c"
        ) as client:
            model = every.AsyncEveryType(client)
            assert await asyncio.gather(*(model.echo_int(i) for i in range(16))) == list(range(16))
            bound = every.AsyncEveryType(client, deployment_id="d")
            assert [v async for v in bound.count_up(0)] == [0, 1, 2]

    asyncio.run(main())
    assert len(user_lookups(server)) == 1
    asyncio.run(main())
    assert len(user_lookups(server)) == 2  # one more for the second client
    assert {owner(p) for p in sent(server)} == {server.owner_id}


def owner(request: Any) -> str:
    selector = request.runner_selector
    return str(selector.deployment.user_id or selector.nodepool.compute_cluster.user_id)


def test_a_failed_owner_lookup_is_an_error_and_is_not_cached(
    clients: ModuleType, oracle: Any
) -> None:
    rt = module(clients, "_runtime")
    oracle.inject(status=404, match="get_user")
    with make_client(clients, oracle, "http", False, deployment_id="d", max_retries=0) as client:
        model = module(clients, "every_type").EveryType(client)
        with pytest.raises(rt.NotFoundError) as info:
            model.echo_int(1)
        assert DEFAULT_PAT not in str(info.value)
        assert sent(oracle) == []  # the call itself was never sent
        assert model.echo_int(2) == 2
    assert len(user_lookups(oracle)) == 2
    assert sent(oracle)[0].runner_selector.deployment.user_id == oracle.owner_id


@pytest.mark.parametrize("combo", INVALID)
@pytest.mark.parametrize("transport", ["http", "grpc"])
def test_invalid_combinations_send_nothing(
    clients: ModuleType,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    transport: str,
    combo: str,
) -> None:
    server = server_for(request, transport)
    rt = module(clients, "_runtime")
    every = module(clients, "every_type")
    settings = INVALID[combo]
    for is_async in (False, True):
        with pytest.raises(rt.ArgumentError, match="runner selection"):
            make_client(clients, server, transport, is_async, **settings)
    with make_client(clients, server, transport, False) as client:
        with pytest.raises(rt.ArgumentError, match="runner selection"):
            every.EveryType(client, **settings)
    with pytest.raises(rt.ArgumentError, match="runner selection"):
        every.AsyncEveryType(make_client(clients, server, transport, True), **settings)
    for name, value in settings.items():
        monkeypatch.setenv(f"CLARIFAI_{name.upper()}", value)
    with pytest.raises(rt.ArgumentError, match=r"environment: \$CLARIFAI_"):
        make_client(clients, server, transport, False)
    assert server.requests == []


def test_environment_explicit_arguments_and_instances(
    clients: ModuleType, oracle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLARIFAI_DEPLOYMENT_ID", "env-dep")
    monkeypatch.setenv("CLARIFAI_DEPLOYMENT_USER_ID", "env-user")
    every = module(clients, "every_type")

    def selector(model: Any) -> dict[str, Any]:
        oracle.clear_requests()
        model.echo_int(1)
        body: dict[str, Any] = oracle.last_request["body"]
        return body["runner_selector"]

    with make_client(clients, oracle, "http", False) as client:  # from the environment
        assert selector(every.EveryType(client)) == {
            "deployment": {"id": "env-dep", "user_id": "env-user"}
        }
        bound = every.EveryType(client, compute_cluster_id="cc", nodepool_id="np")
        assert selector(bound) == {
            "nodepool": {"id": "np", "compute_cluster": {"id": "cc", "user_id": "env-user"}}
        }
        bound = every.EveryType(client, deployment_id="mine", deployment_user_id="me2")
        assert selector(bound) == {"deployment": {"id": "mine", "user_id": "me2"}}
    # an explicit target replaces the environment's whole target
    with make_client(
        clients, oracle, "http", False, nodepool_id="np", compute_cluster_id="cc"
    ) as c:
        assert selector(every.EveryType(c)) == {
            "nodepool": {"id": "np", "compute_cluster": {"id": "cc", "user_id": "env-user"}}
        }
    assert user_lookups(oracle) == []
