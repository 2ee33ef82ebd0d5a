"""The gRPC transports (sync and async) against faults: the response size limit, no unsafe
resends, and the PAT in no part of any error (issue 9). Calls go to the oracle gRPC server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from codegen.runtime import (
    AsyncClient,
    AuthError,
    ClarifaiError,
    Client,
    MalformedResponse,
    ModelRef,
    ResponseTooLargeError,
    TransportError,
    signature,
)
from codegen.runtime.grpc import GrpcTransport
from codegen.runtime.protocol import RetryPolicy
from tests.oracle.grpc_server import OracleGrpcServer

from .leakcheck import assert_clean

EVERY = ModelRef("codegen", "oracle", "every-type")
MODES = ["sync", "async"]
MiB = 1024 * 1024


def _method(kind: str, name: str, inputs: list[tuple[str, str]], out: str) -> signature.Method:
    return signature.parse_method(
        {
            "name": name,
            "kind": kind,
            "output": {"t": out},
            "inputs": [
                {"name": n, "type": {"t": t}, "iterator": kind == "bidi_stream" and i == 0}
                for i, (n, t) in enumerate(inputs)
            ],
        }
    )


PREDICT = _method("unary", "predict", [("prompt", "STR")], "STR")
COUNT_UP = _method("server_stream", "count_up", [("start", "INT")], "INT")
STREAM = _method("bidi_stream", "stream", [("input_stream", "STR")], "STR")
CALLS: dict[str, tuple[signature.Method, dict[str, Any]]] = {
    "unary": (PREDICT, {"prompt": "x"}),
    "server": (COUNT_UP, {"start": 1}),
    "bidi": (STREAM, {"input_stream": ["x"]}),
}


def call(
    mode: str, srv: OracleGrpcServer, kind: str, args: dict[str, Any] | None = None, **kw: Any
) -> Any:
    """Call the `kind` method of the oracle once, sync or async; a stream: all its values."""
    method, default = CALLS[kind]
    args = default if args is None else args
    kw.setdefault("backoff", 0.0)
    options = {"transport": "grpc", **kw}
    if mode == "sync":
        with Client(srv.pat, srv.base_url, **options) as c:
            if kind == "unary":
                return c.unary(EVERY, method, args)
            stream = c.server_stream if kind == "server" else c.bidi_stream
            return list(stream(EVERY, method, args))

    async def run() -> Any:
        async with AsyncClient(srv.pat, srv.base_url, **options) as c:
            if kind == "unary":
                return await c.unary(EVERY, method, args)
            stream = c.server_stream if kind == "server" else c.bidi_stream
            return [v async for v in stream(EVERY, method, args)]

    return asyncio.run(run())


def fails(cls: type[ClarifaiError], secret: str, fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
    with pytest.raises(cls) as info:
        fn(*a, **kw)
    assert_clean(info.value, secret)
    return info.value


@pytest.mark.parametrize("mode", MODES)
def test_a_response_over_the_limit(mode: str, oracle_grpc: OracleGrpcServer) -> None:
    big = "x" * (2 * MiB)
    err = fails(
        ResponseTooLargeError,
        oracle_grpc.pat,
        call,
        mode,
        oracle_grpc,
        "unary",
        {"prompt": big},
        max_response_bytes=MiB,
    )
    assert "max_response_bytes" in str(err) and not err.transient
    fails(
        ResponseTooLargeError,
        oracle_grpc.pat,
        call,
        mode,
        oracle_grpc,
        "bidi",
        {"input_stream": ["a", big]},
        max_response_bytes=MiB,
    )
    assert len(oracle_grpc.requests) == 2  # not retried
    assert call(mode, oracle_grpc, "unary", {"prompt": big}, max_response_bytes=3 * MiB)


@pytest.mark.parametrize("mode", MODES)
def test_a_call_past_its_deadline_is_resent_only_when_idempotent(
    mode: str, oracle_grpc: OracleGrpcServer
) -> None:
    oracle_grpc.inject(delay=0.5, times=2)
    err = fails(TransportError, oracle_grpc.pat, call, mode, oracle_grpc, "unary", timeout=0.2)
    assert "timed out after 0.2 s" in str(err) and err.transient and err.reached
    assert len(oracle_grpc.wait_done()) == 1
    oracle_grpc.reset()
    oracle_grpc.inject(delay=0.5, times=2)
    got = call(mode, oracle_grpc, "unary", timeout=0.2, idempotent={"predict"})
    assert got == "predict:x:512:1.0" and len(oracle_grpc.wait_done()) == 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(CALLS))
@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (grpc.StatusCode.UNAUTHENTICATED, AuthError),
        (grpc.StatusCode.INVALID_ARGUMENT, TransportError),
    ],
)
def test_errors_carry_no_pat_in_their_cause_chain(
    mode: str,
    kind: str,
    code: grpc.StatusCode,
    cls: type[ClarifaiError],
    oracle_grpc: OracleGrpcServer,
) -> None:
    oracle_grpc.inject(abort_after=0, code=code, details=f"bad key {oracle_grpc.pat}")
    err = fails(cls, oracle_grpc.pat, call, mode, oracle_grpc, kind)
    assert "bad key ***" in str(err)


def test_a_response_too_deep_to_convert_is_malformed() -> None:
    pb2 = pytest.importorskip("clarifai_grpc.grpc.api.service_pb2")
    response = pb2.MultiOutputResponse()
    response.status.code = 10000
    struct = response.outputs.add().data.struct_value
    for _ in range(3000):
        struct = struct.fields["a"].struct_value
    transport = GrpcTransport("p", "http://127.0.0.1:9", timeout=1.0, policy=RetryPolicy())
    try:
        with pytest.raises(MalformedResponse, match="too deeply nested"):
            transport._response(response)
    finally:
        transport.close()
