"""The TypeScript runtime's `Client` against servers on 127.0.0.1 started by the tests: the oracle
(Clarifai's own runner code) for values, streams, errors, retries, runner selection and batches;
the raw fault server for deadlines and size limits; a scripted server for aborts and the PAT."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ..runtime import faultserver as fs
from ..runtime.conftest import Reply, Server, success
from ..runtime.sdk_helpers import type_json
from .node import Node, Running
from .tags import same, tag

oracle_server = pytest.importorskip("tests.oracle.server")
oracle_models = pytest.importorskip("tests.oracle.models")
from ..runtime.test_oracle_e2e import ECHOES, KINDS  # noqa: E402 (needs the SDK)

PAT = "ts-secret-pat-0123456789"
KEY = ("codegen", "oracle", "every-type")
MODEL = {"userId": KEY[0], "appId": KEY[1], "modelId": KEY[2]}
STR_METHOD = {"name": "f", "inputs": [], "output": {"t": "STR"}}
FAST = {"backoff": 0.001}


@pytest.fixture(scope="module")
def every_type() -> Iterator[Any]:
    model = oracle_models.EveryTypeModel()
    with oracle_server.OracleServer({KEY: model}, pat=PAT) as srv:
        srv.methods = {
            name: {
                "name": name,
                "kind": KINDS[info.signature.method_type],
                "inputs": [
                    {"name": f.name, "type": type_json(f), "required": f.required}
                    for f in info.signature.input_fields
                ],
                "output": type_json(info.signature.output_fields[0]),
            }
            for name, info in model._get_method_infos().items()
        }
        srv.model = MODEL | {"versionId": srv.versions[KEY]}
        yield srv


@pytest.fixture
def oracle(every_type: Any) -> Iterator[Any]:
    every_type.reset()
    yield every_type
    every_type.reset()


@pytest.fixture(scope="module")
def caller(ts: Node) -> Iterator[Running]:
    """One Node process running scripts/call.ts for the whole module."""
    running = ts.start("call")
    yield running
    running.close()


def calls(
    ts: Running, client: dict[str, Any], model: dict[str, Any], *items: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run `items` (calls) on one TypeScript Client; the PAT is in no output, whatever happened."""
    out = ts.ask({"client": client, "model": model, "calls": list(items)})
    assert PAT not in str(out)
    results: list[dict[str, Any]] = out["results"]
    return results


def unary(srv: Any, name: str, **args: Any) -> dict[str, Any]:
    return {
        "mode": "unary",
        "method": srv.methods[name],
        "args": {k: tag(v) for k, v in args.items()},
    }


def on(srv: Any, **options: Any) -> dict[str, Any]:
    return {"pat": PAT, "apiBase": srv.base_url} | FAST | options


def error_of(result: dict[str, Any]) -> str:
    assert result["error"] is not None, result["values"]
    name: str = result["error"]["name"]
    return name


# --------------------------------------------------------------------------- the oracle


def test_every_type_round_trips(caller: Running, oracle: Any) -> None:
    results = calls(caller, on(oracle), oracle.model, *(unary(oracle, n, x=v) for n, v in ECHOES))
    for (name, value), result in zip(ECHOES, results, strict=True):
        assert result["error"] is None, (name, result["error"])
        assert same(result["values"][0], tag(value)), (name, result["values"][0], tag(value))


def test_defaults_and_server_stream_framings(caller: Running, oracle: Any) -> None:
    stream = {"mode": "stream", "method": oracle.methods["count_up"], "args": {"start": 5, "n": 3}}
    [predict, result] = calls(
        caller, on(oracle), oracle.model, unary(oracle, "predict", prompt="hi"), stream
    )
    assert predict["values"] == ["predict:hi:512:1.0"]
    assert result["values"] == [5, 6, 7]
    for framing in ("bare", "array"):
        oracle.stream_framing = framing
        [result] = calls(caller, on(oracle), oracle.model, stream)
        assert result["values"] == [5, 6, 7], framing


def test_model_errors_not_found_and_bad_pat(caller: Running, oracle: Any) -> None:
    fail_stream = {"mode": "stream", "method": oracle.methods["fail_stream"], "args": {"arg": "y"}}
    [fail, streamed] = calls(
        caller, on(oracle), oracle.model, unary(oracle, "fail", arg="x"), fail_stream
    )
    assert error_of(fail) == "ModelError" and "kaboom: x" in fail["error"]["message"]
    assert streamed["values"] == ["y:0", "y:1"] and error_of(streamed) == "ModelError"
    [missing] = calls(
        caller, on(oracle), MODEL | {"modelId": "nope"}, unary(oracle, "echo_int", x=1)
    )
    assert error_of(missing) == "NotFoundError"
    wrong = "wrong-" + PAT
    out = caller.ask(
        {
            "client": on(oracle, pat=wrong),
            "model": oracle.model,
            "calls": [unary(oracle, "echo_int", x=1)],
        }
    )
    [denied] = out["results"]
    assert error_of(denied) == "AuthError" and wrong not in str(out)


def test_retries_on_429_and_503_honour_retry_after(caller: Running, oracle: Any) -> None:
    oracle.inject(status=503, times=1, headers={"Retry-After": "0.5"})
    oracle.inject(status=429, times=1, headers={"Retry-After": "0.5"})
    [result] = calls(caller, on(oracle), oracle.model, unary(oracle, "echo_int", x=7))
    assert result["values"] == [7] and result["error"] is None
    assert len(oracle.predict_requests()) == 3
    assert result["elapsed"] >= 0.95  # both waits were the server's, not the 1 ms backoff
    oracle.reset()
    oracle.inject(status=503, times=10)
    [result] = calls(caller, on(oracle, maxRetries=2), oracle.model, unary(oracle, "echo_int", x=7))
    assert error_of(result) == "ServerError" and len(oracle.predict_requests()) == 3


def test_a_request_that_may_have_run_is_resent_only_when_idempotent(
    caller: Running, oracle: Any
) -> None:
    oracle.inject(drop=True)
    [result] = calls(caller, on(oracle), oracle.model, unary(oracle, "echo_int", x=2))
    assert error_of(result) == "TransportError" and len(oracle.predict_requests()) == 1
    oracle.reset()
    oracle.inject(drop=True)
    [result] = calls(
        caller, on(oracle, idempotent=["echo_int"]), oracle.model, unary(oracle, "echo_int", x=2)
    )
    assert result["values"] == [2] and len(oracle.predict_requests()) == 2


def test_runner_selection_looks_the_owner_up_once(caller: Running, oracle: Any) -> None:
    call = unary(oracle, "echo_int", x=1)
    nodepool = call | {
        "runner": {"computeClusterId": "cc", "nodepoolId": "np", "deploymentUserId": "me"}
    }
    calls(caller, on(oracle, deploymentId="dep"), oracle.model, call, call, nodepool)
    users = [r for r in oracle.requests if r["route"] == "get_user"]
    bodies = [r["body"] for r in oracle.predict_requests()]
    assert len(users) == 1 and len(bodies) == 3
    owner = oracle_server.DEFAULT_OWNER
    assert bodies[0]["runner_selector"] == {"deployment": {"id": "dep", "user_id": owner}}
    assert bodies[1]["runner_selector"] == bodies[0]["runner_selector"]
    cluster = {"id": "cc", "user_id": "me"}
    assert bodies[2]["runner_selector"] == {"nodepool": {"id": "np", "compute_cluster": cluster}}


def test_batches_go_in_chunks_and_keep_partial_results(caller: Running, oracle: Any) -> None:
    batch = {
        "mode": "batch",
        "method": oracle.methods["echo_int"],
        "items": [{"value": i} for i in range(130)],
        "names": {"value": "x"},
        "defaults": {},
    }
    [result] = calls(caller, on(oracle), oracle.model, batch)
    assert result["error"] is None and result["values"] == list(range(130))
    # sent concurrently: they may arrive in either order
    assert sorted(len(r["body"]["inputs"]) for r in oracle.predict_requests()) == [2, 128]
    oracle.reset()
    oracle.inject(status=400, times=1)
    [result] = calls(caller, on(oracle, batchConcurrency=1), oracle.model, batch)
    assert error_of(result) == "BatchError"
    props = result["error"]["props"]
    assert props["failed"] == list(range(128))
    assert props["results"][128:] == [128, 129] and props["results"][0] is None


def test_bidi_streaming_is_not_supported_over_http(caller: Running, oracle: Any) -> None:
    method = {
        "name": "chat",
        "kind": "bidi_stream",
        "inputs": [{"name": "xs", "type": {"t": "STR"}, "iterator": True}],
        "output": {"t": "STR"},
    }
    [result] = calls(
        caller, on(oracle), oracle.model, {"mode": "bidi", "method": method, "args": {}}
    )
    assert error_of(result) == "StreamingNotSupportedError"
    assert oracle.predict_requests() == []


# --------------------------------------------------------------------------- raw faults


@pytest.fixture
def faults() -> Iterator[Callable[..., fs.FaultServer]]:
    servers: list[fs.FaultServer] = []

    def start(*behaviours: Any) -> fs.FaultServer:
        servers.append(fs.FaultServer(*behaviours))
        return servers[-1]

    yield start
    for srv in servers:
        srv.stop()


def raw(srv: fs.FaultServer, **options: Any) -> dict[str, Any]:
    return {"pat": PAT, "apiBase": srv.base_url, "maxRetries": 0} | options


UNARY = {"mode": "unary", "method": STR_METHOD, "args": {}}
STREAM = {"mode": "stream", "method": STR_METHOD, "args": {}}


@pytest.mark.parametrize(
    "behaviour", [fs.drip_headers(0.2), fs.drip_body(0.2)], ids=["headers", "body"]
)
def test_timeout_is_a_deadline_on_a_dripping_server(
    caller: Running, faults: Any, behaviour: Any
) -> None:
    srv = faults(behaviour)
    [result] = calls(caller, raw(srv, timeout=1), MODEL, UNARY)
    assert error_of(result) == "DeadlineError"
    assert 0.9 <= result["elapsed"] < 6  # a byte every 0.2 s never extends the deadline


def test_a_silent_stream_ends_after_timeout(caller: Running, faults: Any) -> None:
    srv = faults(fs.silent_stream(b'{"outputs": []}\n', interval=0.1))
    [result] = calls(caller, raw(srv, timeout=0.5), MODEL, STREAM)
    assert error_of(result) == "DeadlineError" and result["elapsed"] < 6


MiB = fs.MiB


@pytest.mark.parametrize(
    ("behaviour", "call"),
    [
        (fs.huge_body(4 * MiB), UNARY),
        (fs.huge_body(4 * MiB, content_length=False), UNARY),
        (fs.gzip_bomb(64 * MiB), UNARY),
        (fs.endless_line(4 * MiB), STREAM),
    ],
    ids=["content-length", "counted", "gzip-bomb", "stream-message"],
)
def test_response_size_limit(caller: Running, faults: Any, behaviour: Any, call: Any) -> None:
    srv = faults(behaviour)
    [result] = calls(caller, raw(srv, maxResponseBytes=MiB), MODEL, call)
    assert error_of(result) == "ResponseTooLargeError"


# --------------------------------------------------------------------------- scripted


@pytest.fixture
def scripted() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.stop()


def test_leaving_a_stream_early_aborts_the_request(caller: Running, scripted: Server) -> None:
    frame = {"result": success({"string_value": "tick"})}
    scripted.script(Reply(lines=[frame], endless=frame))
    payload = {
        "client": {"pat": PAT, "apiBase": scripted.base_url},
        "model": MODEL,
        "calls": [STREAM | {"take": 2}],
    }
    [result] = caller.ask(payload)["results"]
    assert result["values"] == ["tick", "tick"] and result["error"] is None
    assert scripted.disconnected.wait(5), "the server kept streaming"
    assert caller.alive  # the break closed the connection, not the end of the process


def test_the_pat_is_in_no_error(caller: Running, scripted: Server) -> None:
    status = {"code": 10020, "description": f"key {PAT} failed", "details": f"Key {PAT}" * 300}
    scripted.script(
        Reply(200, {"status": status}),
        Reply(500, f"<html>proxy saw Authorization: Key {PAT}</html>"),
        Reply(401, {"status": {"code": 11001, "description": f"token {PAT} invalid"}}),
    )
    client = {"pat": PAT, "apiBase": scripted.base_url, "maxRetries": 0}
    results = calls(caller, client, MODEL, UNARY, UNARY, UNARY)
    assert [error_of(r) for r in results] == ["ModelError", "ServerError", "AuthError"]
    assert "***" in results[0]["error"]["message"]
    assert [r["headers"]["Authorization"] for r in scripted.requests] == [f"Key {PAT}"] * 3


def test_the_environment_supplies_pat_and_base(ts: Node, scripted: Server) -> None:
    scripted.script(Reply(200, success({"string_value": "ok"})))
    env = {"CLARIFAI_PAT": PAT, "CLARIFAI_API_BASE": scripted.base_url}
    out = ts.run("call", {"client": {}, "model": MODEL, "calls": [UNARY]}, env=env)
    assert out["results"][0]["values"] == ["ok"]
    assert scripted.requests[0]["path"] == "/v2/users/codegen/apps/oracle/models/every-type/outputs"
    [missing] = ts.run("call", {"client": {}, "model": MODEL, "calls": [UNARY]})["results"]
    assert error_of(missing) == "AuthError" and "CLARIFAI_PAT" in missing["error"]["message"]


def test_the_callers_signal_cancels_the_call(caller: Running, faults: Any) -> None:
    srv = faults(fs.drip_body(0.2))
    [result] = calls(
        caller, raw(srv, timeout=30, maxRetries=3), MODEL, UNARY | {"abortAfterMs": 300}
    )
    assert error_of(result) == "TransportError" and "aborted" in result["error"]["message"]
    assert result["elapsed"] < 10 and srv.settled() == 1  # cancelled, not retried


def test_a_refused_connection_is_retried_then_reported(caller: Running) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = {"pat": PAT, "apiBase": f"http://127.0.0.1:{port}", "maxRetries": 2} | FAST
    [result] = calls(caller, client, MODEL, UNARY)
    assert error_of(result) == "TransportError" and "ECONNREFUSED" in result["error"]["message"]
    assert result["error"]["props"]["transient"] is True
    assert result["error"]["props"]["reached"] is False  # nothing went out: safe to resend


def test_redirects_are_not_followed(caller: Running, scripted: Server) -> None:
    """As httpx in the Python runtime: a 3xx is an error, the PAT is not sent anywhere else."""
    elsewhere = Server()
    try:
        location = f"{elsewhere.base_url}/v2/steal"
        scripted.script(Reply(307, "", headers={"Location": location}))
        client = {"pat": PAT, "apiBase": scripted.base_url, "maxRetries": 0}
        [result] = calls(caller, client, MODEL, UNARY)
        assert error_of(result) == "TransportError" and "307" in result["error"]["message"]
        assert elsewhere.requests == []
    finally:
        elsewhere.stop()


def test_a_corrupt_compressed_body_is_malformed_not_retried(caller: Running, faults: Any) -> None:
    srv = faults(fs.reply(b"\x1f\x8b\x08\x00 definitely not gzip", Content_Encoding="gzip"))
    client = raw(srv, maxRetries=3, idempotent=True) | FAST
    [result] = calls(caller, client, MODEL, UNARY)
    assert error_of(result) == "MalformedResponse"  # as the Python runtime: the data is bad
    assert srv.settled() == 1
