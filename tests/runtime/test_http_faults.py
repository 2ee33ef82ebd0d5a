"""The HTTP transport against misbehaving servers, sync and async: size limits, deadlines, no
unsafe resends, hostile JSON, and the PAT in no part of any error (issue 9)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from codegen.runtime import (
    AsyncClient,
    ClarifaiError,
    Client,
    ModelRef,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    signature,
)

from .conftest import Reply, Server, success
from .faultserver import (
    FaultServer,
    MiB,
    drip_body,
    drip_headers,
    endless_line,
    gzip_bomb,
    huge_body,
    lines,
    reply,
    silent_stream,
)
from .leakcheck import assert_clean

PAT = "Zq8xK2mN4vB9wR3tY7uP"  # no substring of it occurs elsewhere in a message
MODEL = ModelRef("u", "a", "m")
MODES = ["sync", "async"]


def _method(kind: str, output: dict[str, Any], name: str = "predict") -> signature.Method:
    return signature.parse_method(
        {
            "name": name,
            "kind": kind,
            "inputs": [{"name": "prompt", "type": {"t": "STR"}, "required": True}],
            "output": output,
        }
    )


PREDICT = _method("unary", {"t": "STR"})
GENERATE = _method("server_stream", {"t": "STR"}, "generate")


def call(mode: str, base: str, method: signature.Method = PREDICT, **kw: Any) -> Any:
    """Call `method` once (a stream: collect its values) with a sync or an async client."""
    kw.setdefault("backoff", 0.001)
    args = {"prompt": "hi"}
    if mode == "sync":
        with Client(PAT, base, **kw) as c:
            if method.kind == "unary":
                return c.unary(MODEL, method, args)
            return list(c.server_stream(MODEL, method, args))

    async def run() -> Any:
        async with AsyncClient(PAT, base, **kw) as c:
            if method.kind == "unary":
                return await c.unary(MODEL, method, args)
            return [v async for v in c.server_stream(MODEL, method, args)]

    return asyncio.run(run())


def fails(cls: type[ClarifaiError], fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Run `fn`; it must raise `cls`, whose every part is free of the PAT."""
    with pytest.raises(cls) as info:
        fn(*args, **kw)
    assert_clean(info.value, PAT)
    return info.value


@pytest.fixture
def faults() -> Iterator[Callable[..., FaultServer]]:
    servers: list[FaultServer] = []

    def start(*behaviours: Any) -> FaultServer:
        servers.append(FaultServer(*behaviours))
        return servers[-1]

    yield start
    for srv in servers:
        srv.stop()


def frame(text: str) -> dict[str, Any]:
    return {"result": success({"string_value": text})}


# ---------------------------------------------------------------------- size limits


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "behaviour",
    [
        huge_body(64 * MiB),
        huge_body(64 * MiB, content_length=False),
        gzip_bomb(64 * MiB),
    ],
    ids=["content-length", "close-delimited", "gzip-bomb"],
)
def test_unary_body_over_the_limit(mode: str, behaviour: Any, faults: Any) -> None:
    srv = faults(behaviour)
    err = fails(ResponseTooLargeError, call, mode, srv.base_url, max_response_bytes=MiB)
    assert "1048576 bytes" in str(err) and "max_response_bytes" in str(err)
    assert srv.settled() == 1  # not retried


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "behaviour",
    [endless_line(64 * MiB), gzip_bomb(64 * MiB, prefix=b'{"result": {"a": "')],
    ids=["endless-line", "gzip-bomb"],
)
def test_stream_message_over_the_limit(mode: str, behaviour: Any, faults: Any) -> None:
    srv = faults(behaviour)
    fails(ResponseTooLargeError, call, mode, srv.base_url, GENERATE, max_response_bytes=MiB)


@pytest.mark.parametrize("mode", MODES)
def test_the_stream_limit_is_per_message(mode: str, faults: Any) -> None:
    """A long stream of messages, each under the limit, passes the limit in total."""
    text = "x" * 1000
    srv = faults(lines(*[frame(text)] * 200))
    assert call(mode, srv.base_url, GENERATE, max_response_bytes=64 * 1024) == [text] * 200


@pytest.mark.parametrize("mode", MODES)
def test_a_gzipped_answer_within_the_limit_is_read(mode: str, faults: Any) -> None:
    import gzip

    body = gzip.compress(json.dumps(success({"string_value": "z" * 100_000})).encode())
    srv = faults(reply(body, Content_Encoding="gzip"))
    assert call(mode, srv.base_url, max_response_bytes=200_000) == "z" * 100_000


@pytest.mark.parametrize("mode", MODES)
def test_the_limit_is_checked(mode: str) -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        call(mode, "http://127.0.0.1:9", max_response_bytes=0)


_MEMORY_SCRIPT = """
import asyncio, resource, sys
from codegen.runtime import AsyncClient, Client, ModelRef, ResponseTooLargeError, signature
method = signature.parse_method({"name": "predict", "kind": "unary", "output": {"t": "STR"},
    "inputs": [{"name": "prompt", "type": {"t": "STR"}, "required": True}]})
model = ModelRef("u", "a", "m")
mode, base = sys.argv[1], sys.argv[2]
def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

async def run_async():
    async with AsyncClient("p", base, max_retries=0) as c:
        await c.unary(model, method, {"prompt": "hi"})

def run():
    if mode == "sync":
        with Client("p", base, max_retries=0) as c:
            c.unary(model, method, {"prompt": "hi"})
    else:
        asyncio.run(run_async())

import httpx, json, zlib  # warm up: imports, an event loop, a connection pool
asyncio.run(asyncio.sleep(0))
with Client("p", "http://127.0.0.1:9", max_retries=0) as c:
    pass
before = peak()
try:
    run()
except ResponseTooLargeError:
    print((peak() - before) // (1024 * 1024))
"""


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "behaviour",
    [huge_body(1024 * MiB, content_length=False), gzip_bomb(1024 * MiB)],
    ids=["1GiB-body", "gzip-bomb"],
)
def test_peak_memory_under_a_huge_answer(mode: str, behaviour: Any, faults: Any) -> None:
    """Acceptance: a 1 GiB body or a gzip bomb costs < 100 MiB of memory (default limit)."""
    import subprocess
    import sys

    srv = faults(behaviour)
    proc = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, mode, srv.base_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), proc.stderr  # the call failed with ResponseTooLargeError
    assert int(proc.stdout) < 100


# ---------------------------------------------------------------------- deadlines


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("drip", [drip_headers, drip_body], ids=["headers", "body"])
def test_unary_timeout_is_a_deadline(mode: str, drip: Any, faults: Any) -> None:
    """Acceptance: one byte a second keeps no `timeout=2` call alive past 3 s."""
    srv = faults(drip(1.0))
    start = time.monotonic()
    err = fails(TransportError, call, mode, srv.base_url, timeout=2)
    assert time.monotonic() - start < 3.0
    assert "timed out after 2 s" in str(err)
    assert srv.settled() == 1


def test_a_supplied_http_client_gets_the_deadline_too(faults: Any) -> None:
    import httpx

    drip, fine = faults(drip_headers(0.5)), faults(reply({"ok": 1}))
    with httpx.Client(timeout=None) as http:
        start = time.monotonic()
        fails(TransportError, call, "sync", drip.base_url, timeout=1, http_client=http)
        assert time.monotonic() - start < 2.0
        assert http.post(fine.base_url, content=b"{}").json() == {"ok": 1}  # still the caller's


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("first", "values"),
    [
        (b"", []),
        (json.dumps(frame("a")).encode() + b"\n", ["a"]),
        (b'{"result": {"status": ', []),
    ],
    ids=["nothing", "after-a-message", "inside-a-message"],
)
def test_stream_fails_after_timeout_seconds_without_a_message(
    mode: str, first: bytes, values: list[str], faults: Any
) -> None:
    """Acceptance: no complete message for `timeout` seconds fails within `timeout + 1` s,
    however the server keeps the connection busy (here: a byte every 0.3 s)."""
    srv = faults(silent_stream(first, interval=0.3))
    got: list[Any] = []

    def consume() -> None:
        if mode == "sync":
            with Client(PAT, srv.base_url, timeout=1) as c:
                got.extend(c.server_stream(MODEL, GENERATE, {"prompt": "x"}))
            return

        async def run() -> None:
            async with AsyncClient(PAT, srv.base_url, timeout=1) as c:
                async for value in c.server_stream(MODEL, GENERATE, {"prompt": "x"}):
                    got.append(value)

        asyncio.run(run())

    start = time.monotonic()
    err = fails(TransportError, consume)
    assert time.monotonic() - start < 2.0
    assert "no message for 1 s" in str(err)
    assert got == values
    assert srv.settled() == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_slow_consumer_is_not_server_silence(mode: str, server: Server) -> None:
    server.script(Reply(200, lines=[frame("a"), frame("b")]))

    def sync() -> list[Any]:
        out = []
        with Client(PAT, server.base_url, timeout=0.5) as c:
            for value in c.server_stream(MODEL, GENERATE, {"prompt": "x"}):
                time.sleep(0.8)
                out.append(value)
        return out

    async def run() -> list[Any]:
        out = []
        async with AsyncClient(PAT, server.base_url, timeout=0.5) as c:
            async for value in c.server_stream(MODEL, GENERATE, {"prompt": "x"}):
                await asyncio.sleep(0.8)
                out.append(value)
        return out

    assert (sync() if mode == "sync" else asyncio.run(run())) == ["a", "b"]


# ---------------------------------------------------------------------- no unsafe resends


def _closed_without_answer(sock: socket.socket, request: Any) -> None:
    sock.close()  # the request arrived; the answer never comes


def _slow_answer(sock: socket.socket, request: Any) -> None:
    time.sleep(1.5)
    reply(success({"string_value": "late"}))(sock, request)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", [_slow_answer, _closed_without_answer], ids=["timeout", "eof"])
def test_a_request_that_may_have_run_is_not_resent(mode: str, fault: Any, faults: Any) -> None:
    srv = faults(fault)
    fails(TransportError, call, mode, srv.base_url, timeout=0.5)
    assert srv.settled() == 1
    srv.requests.clear()
    fails(TransportError, call, mode, srv.base_url, GENERATE, timeout=0.5)
    assert srv.settled() == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("idempotent", "resent"),
    [(True, True), (["predict", "other"], True), (frozenset({"other"}), False)],
)
def test_idempotent_methods_are_resent(
    mode: str, idempotent: Any, resent: bool, faults: Any
) -> None:
    srv = faults(
        _closed_without_answer, _closed_without_answer, reply(success({"string_value": "ok"}))
    )
    kw = {"idempotent": idempotent, "max_retries": 3}
    if resent:
        assert call(mode, srv.base_url, **kw) == "ok"
    else:
        fails(TransportError, call, mode, srv.base_url, **kw)
    assert srv.settled() == (3 if resent else 1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "cls", "resent"),
    [
        (429, RateLimitError, True),
        (503, ServerError, True),
        (502, ServerError, False),
        (504, ServerError, False),
        (500, ServerError, False),
    ],
)
def test_only_answers_that_say_not_run_are_resent(
    mode: str, status: int, cls: type[ClarifaiError], resent: bool, faults: Any
) -> None:
    srv = faults(reply("busy", status), reply(success({"string_value": "ok"})))
    if resent:
        assert call(mode, srv.base_url) == "ok"
    else:
        fails(cls, call, mode, srv.base_url)
        srv.behaviours = [reply("busy", status), reply(success({"string_value": "ok"}))]
        assert call(mode, srv.base_url, idempotent=True) == "ok"  # opted in
    assert srv.settled() == (2 if resent else 3)


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_connection_is_retried_and_carries_no_pat(mode: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = fails(TransportError, call, mode, f"http://127.0.0.1:{port}", max_retries=1)
    assert "ConnectError" in str(err) and err.transient and not err.reached


@pytest.mark.parametrize("idempotent", [True, ["a", "b"], frozenset()])
def test_idempotent_pickles_with_the_client(idempotent: Any) -> None:
    import pickle

    with Client(PAT, "http://127.0.0.1:9", idempotent=idempotent, max_response_bytes=5000) as c:
        copy = pickle.loads(pickle.dumps(c))
    assert copy._settings == c._settings
    assert copy._settings.max_response_bytes == 5000
    assert copy._settings.idempotent == (True if idempotent is True else frozenset(idempotent))
    copy.close()


@pytest.mark.parametrize("bad", ["predict", 5, [1]])
def test_idempotent_is_checked(bad: Any) -> None:
    with pytest.raises(TypeError, match="idempotent"):
        Client(PAT, "http://127.0.0.1:9", idempotent=bad)


# ---------------------------------------------------------------------- hostile JSON


def _nested(depth: int) -> bytes:
    return b'{"status": {"code": 10000}, "x": ' + b"[" * depth + b"]" * depth + b"}"


def _nested_struct(depth: int) -> bytes:
    value = b'{"a": ' * depth + b"{}" + b"}" * depth
    return (
        b'{"status": {"code": 10000}, "outputs": [{"data": {"parts": [{"id": "return", '
        b'"data": {"struct_value": ' + value + b"}}]}}]}"
    )


JSON_OUT = _method("unary", {"t": "JSON_DATA"})
INT_OUT = _method("unary", {"t": "INT"})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("depth", [100_000, 600])
def test_nested_json_ends_in_a_typed_error(mode: str, depth: int, faults: Any) -> None:
    srv = faults(
        reply(_nested(depth)),
        reply(_nested_struct(depth)),
        reply(_nested(depth), 500),
        lines(b'{"result": ' + _nested(depth) + b"}"),
    )
    for method in (PREDICT, JSON_OUT, PREDICT, GENERATE):
        try:
            call(mode, srv.base_url, method, max_retries=0)
        except ClarifaiError as err:
            assert_clean(err, PAT)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("code", ["²", "٣", "9" * 5000, "1" * 30])
def test_an_unreadable_status_code_is_a_typed_error(mode: str, code: str, faults: Any) -> None:
    srv = faults(reply({"status": {"code": code, "description": "odd"}}))
    fails(ClarifaiError, call, mode, srv.base_url)
    srv.behaviours = [lines({"result": {"status": {"code": code}}})]
    fails(ClarifaiError, call, mode, srv.base_url, GENERATE)


# ---------------------------------------------------------------------- the PAT


@pytest.mark.parametrize("mode", MODES)
def test_a_pat_echoed_into_a_typed_value_is_redacted(mode: str, faults: Any) -> None:
    srv = faults(reply(success({"int_value": PAT})))
    err = fails(TransportError, call, mode, srv.base_url, INT_OUT)
    assert "is not an integer" in str(err)


@pytest.mark.parametrize("mode", MODES)
def test_a_long_echoed_value_is_described_not_cut(mode: str, faults: Any) -> None:
    srv = faults(reply(success({"int_value": "x" * 5000 + PAT})))
    err = fails(TransportError, call, mode, srv.base_url, INT_OUT)
    assert "a str of 5020 characters" in str(err)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("offset", [180, 190, 195, 199, 200])
def test_a_pat_across_the_snippet_limit_leaves_no_prefix(
    mode: str, offset: int, faults: Any
) -> None:
    srv = faults(reply("x" * offset + PAT, 500), reply("y" * offset + PAT, 200))
    for _ in range(2):
        err = fails(ClarifaiError, call, mode, srv.base_url, max_retries=0)
        for cut in range(4, len(PAT)):
            assert PAT[:cut] not in str(err) and PAT[:cut] not in err.description


@pytest.mark.parametrize("mode", MODES)
def test_server_texts_carrying_the_pat_are_redacted_everywhere(mode: str, faults: Any) -> None:
    echo = f"key {PAT} rejected"
    srv = faults(
        reply(
            {"status": {"code": 11008, "description": echo, "details": echo, "req_id": PAT}}, 401
        ),
        lines({"error": {"code": 16, "message": echo}}),
        reply({"code": 13, "message": echo}, 500),
    )
    fails(ClarifaiError, call, mode, srv.base_url)
    fails(ClarifaiError, call, mode, srv.base_url, GENERATE)
    fails(ClarifaiError, call, mode, srv.base_url)


# ---------------------------------------------------------------------- linear framing


def test_a_message_over_many_lines_is_framed_in_linear_time(faults: Any) -> None:
    """A message pretty-printed over 60,000 lines (about 39 s for 40,000 when framing was
    quadratic: each line parsed the whole message again)."""
    items = [{"string_value": str(i)} for i in range(20_000)]
    message = {"result": success({"string_value": "v"}) | {"pad": items}}
    srv = faults(lines(json.dumps(message, indent=0).encode()))
    start = time.monotonic()
    assert call("sync", srv.base_url, GENERATE) == ["v"]
    assert time.monotonic() - start < 10
