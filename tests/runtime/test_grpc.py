"""The gRPC transport: address parsing, error mapping, retries, timeouts, cancellation, the lazy
import. Calls go to the oracle gRPC server (tests/oracle/grpc_server.py) running real models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from codegen.runtime import (
    ArgumentError,
    AuthError,
    Client,
    ModelError,
    ModelRef,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamingNotSupportedError,
    TransportError,
    signature,
)
from codegen.runtime.grpc import GrpcTransport, grpc_target, rpc_error
from tests.oracle.grpc_server import OracleGrpcServer

ROOT = Path(__file__).resolve().parents[2]
EVERY = ModelRef("codegen", "oracle", "every-type")
STR = {"t": "STR"}
INT = {"t": "INT"}


def _method(kind: str, name: str, inputs: list[tuple[str, dict[str, Any], bool]], out: Any) -> Any:
    return signature.parse_method(
        {
            "name": name,
            "kind": kind,
            "output": out,
            "inputs": [
                {
                    "name": n,
                    "type": t,
                    "required": req,
                    "iterator": kind == "bidi_stream" and i == 0,
                }
                for i, (n, t, req) in enumerate(inputs)
            ],
        }
    )


PREDICT = _method("unary", "predict", [("prompt", STR, True), ("max_tokens", INT, False)], STR)
FAIL = _method("unary", "fail", [("arg", STR, True)], STR)
COUNT_UP = _method("server_stream", "count_up", [("start", INT, True), ("n", INT, False)], INT)
FAIL_STREAM = _method(
    "server_stream", "fail_stream", [("arg", STR, True), ("after", INT, False)], STR
)
STREAM = _method(
    "bidi_stream", "stream", [("input_stream", STR, True), ("suffix", STR, False)], STR
)


@pytest.fixture
def client(oracle_grpc: OracleGrpcServer) -> Iterator[Client]:
    with Client(oracle_grpc.pat, oracle_grpc.base_url, transport="grpc", backoff=0.0) as c:
        yield c


def _client(server: OracleGrpcServer, **kw: Any) -> Client:
    return Client(kw.pop("pat", server.pat), server.base_url, transport="grpc", **kw)


# ---------------------------------------------------------------------- addresses and selection


@pytest.mark.parametrize(
    ("base", "target", "secure"),
    [
        ("http://127.0.0.1:50051", "127.0.0.1:50051", False),
        ("http://localhost", "localhost:80", False),
        ("https://api.clarifai.com", "api.clarifai.com:443", True),
        ("https://api.clarifai.com/", "api.clarifai.com:443", True),
        ("https://grpc.example.com:8443", "grpc.example.com:8443", True),
        ("HTTPS://Example.COM", "example.com:443", True),
        ("http://[::1]:1234", "[::1]:1234", False),
    ],
)
def test_grpc_target(base: str, target: str, secure: bool) -> None:
    assert grpc_target(base) == (target, secure)


@pytest.mark.parametrize(
    "base", ["grpc://host:1", "api.clarifai.com", "http://host:notaport", "http://"]
)
def test_grpc_target_rejects(base: str) -> None:
    with pytest.raises(TransportError):
        grpc_target(base)


def test_transport_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    with Client("p", transport="grpc") as c:
        assert c.transport == "grpc" and isinstance(c._transport, GrpcTransport)
        assert (c._transport.target, c._transport.secure) == ("api.clarifai.com:443", True)
    monkeypatch.setenv("CLARIFAI_TRANSPORT", " GRPC ")
    monkeypatch.setenv("CLARIFAI_API_BASE", "http://127.0.0.1:9")
    with Client("p") as c:
        assert c.transport == "grpc" and repr(c) == (
            "Client(base_url='http://127.0.0.1:9', transport='grpc', pat='***')"
        )
        assert (c._transport.target, c._transport.secure) == ("127.0.0.1:9", False)  # type: ignore[attr-defined]
    with Client("p", transport="http") as c:
        assert c.transport == "http"
    with pytest.raises(TransportError, match="unknown transport 'carrier-pigeon'"):
        Client("p", transport="carrier-pigeon")


def test_bidi_over_http_says_how_to_switch() -> None:
    with Client("p", transport="http") as c, pytest.raises(StreamingNotSupportedError) as info:
        c.bidi_stream(EVERY, STREAM, {"input_stream": ["x"]})
    message = str(info.value)
    assert 'Client(transport="grpc")' in message and "CLARIFAI_TRANSPORT=grpc" in message
    assert "pip install clarifai-codegen[grpc]" in message


def test_close_closes_the_channel(oracle_grpc: OracleGrpcServer) -> None:
    c = _client(oracle_grpc)
    assert c.unary(EVERY, PREDICT, {"prompt": "x"}) == "predict:x:512:1.0"
    c.close()
    with pytest.raises(TransportError, match="the Client is closed"):
        c.unary(EVERY, PREDICT, {"prompt": "x"})
    with pytest.raises(TransportError, match="the Client is closed"):
        list(c.server_stream(EVERY, COUNT_UP, {"start": 1}))
    with pytest.raises(TransportError, match="the Client is closed"):
        list(c.bidi_stream(EVERY, STREAM, {"input_stream": ["x"]}))


def test_sync_server_streams_are_read_on_the_callers_thread(oracle_grpc: OracleGrpcServer) -> None:
    """grpc's single-threaded unary-stream mode: no hand-over from the channel thread per
    message (the option is grpc's, under the name grpc.experimental gives it)."""
    import grpc.experimental

    from codegen.runtime.grpc import SINGLE_THREADED_STREAMS

    assert SINGLE_THREADED_STREAMS[0] == grpc.experimental.ChannelOptions.SingleThreadedUnaryStream
    with _client(oracle_grpc) as c:
        stub = c._transport._stub  # type: ignore[attr-defined]
        assert type(stub.GenerateModelOutputs).__name__.startswith("_SingleThreaded")
        assert list(c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 3})) == [0, 1, 2]


# ---------------------------------------------------------------------- lazy import


def _run(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_runtime_never_imports_grpc_for_http() -> None:
    out = _run(
        "import sys, codegen.runtime as rt, codegen.runtime.grpc\n"
        "rt.Client('p').close()\n"
        "print(sorted(m for m in ('grpc', 'clarifai_grpc', 'google.protobuf') if m in sys.modules))"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_grpc_missing_says_what_to_install() -> None:
    script = """
import sys
for name in ("grpc", "clarifai_grpc", "google.protobuf"):
    sys.modules[name] = None
from codegen.runtime import Client
Client("p", transport="http").close()    # HTTP still works
for kw in ({"transport": "grpc"}, {}):
    try:
        Client("p", **kw)
    except ImportError as e:
        print(e)
"""
    out = _run(script, CLARIFAI_TRANSPORT="grpc")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert (
        lines == ["the gRPC transport needs clarifai-grpc: pip install clarifai-codegen[grpc]"] * 2
    )


# ---------------------------------------------------------------------- the three kinds of call


def test_unary_stream_and_bidi(client: Client, oracle_grpc: OracleGrpcServer) -> None:
    assert client.unary(EVERY, PREDICT, {"prompt": "hi", "max_tokens": 7}) == "predict:hi:7:1.0"
    rec = oracle_grpc.last_request
    assert rec["rpc"] == "PostModelOutputs" and rec["metadata"]["authorization"] == "Key test-pat"
    assert rec["body"]["inputs"][0]["data"]["metadata"] == {"_method_name": "predict"}
    assert rec["version_id"] is None and rec["model_id"] == "every-type"

    assert list(client.server_stream(EVERY, COUNT_UP, {"start": 3, "n": 4})) == [3, 4, 5, 6]
    assert oracle_grpc.last_request["rpc"] == "GenerateModelOutputs"

    got = client.bidi_stream(EVERY, STREAM, {"input_stream": iter(["a", "b"]), "suffix": "?"})
    assert list(got) == ["A?", "B?"]
    rec = oracle_grpc.wait_done()[-1]
    assert rec["rpc"] == "StreamModelOutputs" and rec["outcome"] == "ok"
    assert [b["inputs"][0]["data"] for b in rec["body"]] == [
        {"metadata": {"_method_name": "stream"}, "parts": [
            {"id": "input_stream", "data": {"string_value": "a"}}, {"id": "suffix", "data": {"string_value": "?"}}]},
        {"metadata": {"_method_name": "stream"}, "parts": [{"id": "input_stream", "data": {"string_value": "b"}}]},
    ]  # fmt: skip
    assert all(b["model_id"] == "every-type" for b in rec["body"])


def test_pinned_version_is_sent(oracle_grpc: OracleGrpcServer, client: Client) -> None:
    pinned = ModelRef(
        "codegen", "oracle", "every-type", oracle_grpc.versions[("codegen", "oracle", "every-type")]
    )
    assert client.unary(pinned, PREDICT, {"prompt": "v"}) == "predict:v:512:1.0"
    assert oracle_grpc.last_request["version_id"] == pinned.version_id
    with pytest.raises(NotFoundError):
        client.unary(ModelRef("codegen", "oracle", "every-type", "nope"), PREDICT, {"prompt": "v"})


def test_bidi_is_lazy_and_empty_input_sends_nothing(
    client: Client, oracle_grpc: OracleGrpcServer
) -> None:
    it = client.bidi_stream(EVERY, STREAM, {"input_stream": []})
    assert oracle_grpc.requests == []
    assert list(it) == []
    assert oracle_grpc.requests == []


def test_bidi_streams_input_as_it_is_produced(client: Client) -> None:
    """An output can arrive before the next input exists (true full duplex)."""
    outputs: list[str] = []

    def produce() -> Iterator[str]:
        yield "a"
        deadline = time.monotonic() + 5
        while not outputs and time.monotonic() < deadline:
            time.sleep(0.01)
        yield f"after-{outputs[0]}" if outputs else "timeout"

    for value in client.bidi_stream(EVERY, STREAM, {"input_stream": produce(), "suffix": ""}):
        outputs.append(value)
    assert outputs == ["A", "AFTER-A"]


# ---------------------------------------------------------------------- errors


class _FakeRpcError(Exception):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


@pytest.mark.parametrize(
    ("code", "cls", "transient", "reached"),
    [
        (grpc.StatusCode.UNAUTHENTICATED, AuthError, False, False),
        (grpc.StatusCode.PERMISSION_DENIED, PermissionDeniedError, False, False),
        (grpc.StatusCode.NOT_FOUND, NotFoundError, False, False),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, RateLimitError, True, False),
        (grpc.StatusCode.UNAVAILABLE, ServerError, True, False),
        (grpc.StatusCode.DEADLINE_EXCEEDED, TransportError, True, True),  # idempotent only
        (grpc.StatusCode.CANCELLED, TransportError, False, False),
        (grpc.StatusCode.INTERNAL, ServerError, True, True),  # idempotent only
        (grpc.StatusCode.UNIMPLEMENTED, TransportError, False, False),
    ],
)
def test_rpc_error_mapping(
    code: grpc.StatusCode, cls: type[Exception], transient: bool, reached: bool
) -> None:
    err = rpc_error(_FakeRpcError(code, "why"), "PostModelOutputs to h:1", timeout=2.5)
    assert type(err) is cls and (err.transient, err.reached) == (transient, reached)
    assert code.name in str(err) and "PostModelOutputs to h:1" in str(err)
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        assert "timed out after 2.5 s" in str(err)
    else:
        assert "why" in str(err) and err.description == "why"
    assert type(rpc_error(Exception("no code"), "x")) is TransportError


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (grpc.StatusCode.UNAUTHENTICATED, AuthError),
        (grpc.StatusCode.PERMISSION_DENIED, PermissionDeniedError),
        (grpc.StatusCode.NOT_FOUND, NotFoundError),
        (grpc.StatusCode.INVALID_ARGUMENT, TransportError),
    ],
)
def test_rpc_errors_from_the_server_never_show_the_pat(
    oracle_grpc: OracleGrpcServer, client: Client, code: grpc.StatusCode, cls: type[Exception]
) -> None:
    oracle_grpc.inject(abort_after=0, code=code, details=f"bad key {oracle_grpc.pat}", times=2)
    with pytest.raises(cls) as info:
        client.unary(EVERY, PREDICT, {"prompt": "x"})
    assert oracle_grpc.pat not in str(info.value) and "bad key ***" in str(info.value)
    with pytest.raises(cls):
        list(client.server_stream(EVERY, COUNT_UP, {"start": 1}))
    assert len(oracle_grpc.requests) == 2  # not retried


def test_in_band_statuses(oracle_grpc: OracleGrpcServer, client: Client) -> None:
    """Auth and routing failures arrive as a MultiOutputResponse status, as on the real API."""
    with pytest.raises(ModelError, match="kaboom: x") as info:
        client.unary(EVERY, FAIL, {"arg": "x"})
    assert info.value.code == 10020
    missing = ModelRef("codegen", "oracle", "no-such-model")
    calls = [
        lambda c, m: c.unary(m, PREDICT, {"prompt": "x"}),
        lambda c, m: list(c.server_stream(m, COUNT_UP, {"start": 1})),
        lambda c, m: list(c.bidi_stream(m, STREAM, {"input_stream": ["x"]})),
    ]
    with _client(oracle_grpc, pat="wrong-pat") as bad:
        for call in calls:
            with pytest.raises(AuthError) as auth:
                call(bad, EVERY)
            assert auth.value.code == 11008 and "wrong-pat" not in str(auth.value)
            with pytest.raises(NotFoundError) as nf:
                call(client, missing)
            assert nf.value.code == 21200
    assert len(oracle_grpc.requests) == 7  # not retried


def test_model_failure_mid_stream_after_the_values(client: Client) -> None:
    it = client.server_stream(EVERY, FAIL_STREAM, {"arg": "late", "after": 2})
    assert next(it) == "late:0" and next(it) == "late:1"
    with pytest.raises(ModelError, match="kaboom: late"):
        next(it)


def test_connection_refused_is_a_transient_server_error() -> None:
    with Client("p", "http://127.0.0.1:1", transport="grpc", max_retries=0) as c:
        with pytest.raises(ServerError) as info:
            c.unary(EVERY, PREDICT, {"prompt": "x"})
        assert info.value.transient and "UNAVAILABLE" in str(info.value)
        with pytest.raises(ServerError):
            list(c.server_stream(EVERY, COUNT_UP, {"start": 1}))


# ---------------------------------------------------------------------- retries


def test_unary_retries_transient_failures(oracle_grpc: OracleGrpcServer, client: Client) -> None:
    oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE, times=2)
    assert client.unary(EVERY, PREDICT, {"prompt": "r"}) == "predict:r:512:1.0"
    assert len(oracle_grpc.requests) == 3
    oracle_grpc.reset()
    oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.RESOURCE_EXHAUSTED, times=10)
    with _client(oracle_grpc, max_retries=2, backoff=0.0) as c, pytest.raises(RateLimitError):
        c.unary(EVERY, PREDICT, {"prompt": "r"})
    assert len(oracle_grpc.requests) == 3


def test_server_stream_retried_only_before_the_first_value(
    oracle_grpc: OracleGrpcServer, client: Client
) -> None:
    oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE)
    assert list(client.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 3})) == [0, 1, 2]
    assert len(oracle_grpc.requests) == 2
    oracle_grpc.reset()
    oracle_grpc.inject(abort_after=1, code=grpc.StatusCode.UNAVAILABLE)
    got: list[int] = []
    with pytest.raises(ServerError, match="UNAVAILABLE"):
        got.extend(client.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 3}))
    assert got == [0] and len(oracle_grpc.requests) == 1


def test_bidi_retry_replays_the_requests_sent(
    oracle_grpc: OracleGrpcServer, client: Client
) -> None:
    oracle_grpc.inject(abort_after=0, code=grpc.StatusCode.UNAVAILABLE)
    out = client.bidi_stream(EVERY, STREAM, {"input_stream": iter(["a", "b", "c"]), "suffix": "."})
    assert list(out) == ["A.", "B.", "C."]
    first, second = oracle_grpc.wait_done()
    assert first["outcome"] == "aborted" and second["outcome"] == "ok"
    assert [len(b["inputs"][0]["data"]["parts"]) for b in second["body"]] == [2, 1, 1]
    oracle_grpc.reset()
    oracle_grpc.inject(abort_after=1, code=grpc.StatusCode.UNAVAILABLE)
    got: list[str] = []
    with pytest.raises(ServerError):
        got.extend(client.bidi_stream(EVERY, STREAM, {"input_stream": iter(["a", "b", "c"])}))
    assert got == ["A!"] and len(oracle_grpc.requests) == 1


def test_bidi_input_errors_reach_the_caller(oracle_grpc: OracleGrpcServer, client: Client) -> None:
    with pytest.raises(ArgumentError, match=r"'input_stream'"):
        list(client.bidi_stream(EVERY, STREAM, {"input_stream": iter([5])}))
    assert oracle_grpc.requests == []  # the first item is encoded before the call starts

    def broken() -> Iterator[str]:
        yield "a"
        raise KeyError("producer broke")

    with pytest.raises(KeyError, match="producer broke"):
        list(client.bidi_stream(EVERY, STREAM, {"input_stream": broken()}))
    with pytest.raises(ArgumentError, match=r"'input_stream'\[1\]: expected str"):
        list(client.bidi_stream(EVERY, STREAM, {"input_stream": iter(["ok", 5])}))
    oracle_grpc.wait_done()


# ---------------------------------------------------------------------- timeouts and cancellation


def test_unary_deadline(oracle_grpc: OracleGrpcServer) -> None:
    oracle_grpc.inject(delay=0.5)
    with _client(oracle_grpc, timeout=0.1) as c, pytest.raises(TransportError) as info:
        c.unary(EVERY, PREDICT, {"prompt": "slow"})
    assert "timed out after 0.1 s" in str(info.value) and info.value.reached
    assert len(oracle_grpc.requests) == 1  # not resent: the call is not idempotent


def test_streams_have_an_idle_timeout_not_a_deadline(oracle_grpc: OracleGrpcServer) -> None:
    with _client(oracle_grpc, timeout=0.3) as c:
        # slow tokens, each within the timeout, the whole stream well beyond it
        oracle_grpc.inject(interval=0.1)
        assert list(c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 6})) == list(range(6))
        # a slow consumer does not count as server silence
        it = c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 2})
        assert next(it) == 0
        time.sleep(0.5)
        assert list(it) == [1]

        # nor does a slow producer of bidi input
        def slow() -> Iterator[str]:
            for s in ("a", "b"):
                time.sleep(0.5)
                yield s

        assert list(c.bidi_stream(EVERY, STREAM, {"input_stream": slow()})) == ["A!", "B!"]
        # silence does
        oracle_grpc.inject(hold_after=1, hold_timeout=5)
        it = c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 3})
        assert next(it) == 0
        t0 = time.monotonic()
        with pytest.raises(TransportError, match=r"no message for 0.3 s"):
            next(it)
        assert time.monotonic() - t0 < 2
        assert oracle_grpc.last_request["done"].wait(5)
        assert oracle_grpc.last_request["outcome"] == "cancelled"


def test_mid_stream_abort_delivers_the_earlier_values(
    oracle_grpc: OracleGrpcServer, client: Client
) -> None:
    oracle_grpc.inject(abort_after=2, details="server broke")
    got: list[int] = []
    with pytest.raises(ServerError, match="INTERNAL: server broke"):
        got.extend(client.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 5}))
    assert got == [0, 1]


@pytest.mark.parametrize("how", ["break", "close", "gc"])
def test_stopping_early_cancels_the_call(
    oracle_grpc: OracleGrpcServer, client: Client, how: str
) -> None:
    calls = {
        "server": lambda: client.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 5}),
        "bidi": lambda: client.bidi_stream(EVERY, STREAM, {"input_stream": iter(["a", "b", "c"])}),
    }
    for kind, call in calls.items():
        oracle_grpc.reset()
        oracle_grpc.inject(hold_after=1)
        if how == "break":
            for _ in call():  # the usual `for x in model.generate(...): break`
                break
        else:
            it = call()
            next(it)
            if how == "close":
                it.close()  # type: ignore[attr-defined]
            else:
                del it
        (rec,) = oracle_grpc.wait_done()
        assert rec["outcome"] == "cancelled", kind


def test_close_cancels_running_calls(oracle_grpc: OracleGrpcServer) -> None:
    oracle_grpc.inject(hold_after=1)
    c = _client(oracle_grpc)
    it = c.server_stream(EVERY, COUNT_UP, {"start": 0, "n": 5})
    assert next(it) == 0
    c.close()
    rec = oracle_grpc.last_request
    assert rec["done"].wait(5) and rec["outcome"] == "cancelled"
    with pytest.raises(TransportError, match="CANCELLED"):
        next(it)


def test_threads_share_a_client(client: Client) -> None:
    results: dict[int, Any] = {}

    def work(i: int) -> None:
        results[i] = (
            client.unary(EVERY, PREDICT, {"prompt": str(i)}),
            list(client.bidi_stream(EVERY, STREAM, {"input_stream": [str(i)] * 3})),
        )

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {i: (f"predict:{i}:512:1.0", [f"{i}!"] * 3) for i in range(8)}
    assert json.dumps(sorted(results))  # all finished
