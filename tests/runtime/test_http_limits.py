"""The HTTP transport against servers that send too much or too slowly, sync and async: size
limits (unary body, stream message, decompressed size; peak memory), `timeout` as a deadline
whatever the server drips, and linear-time framing (issue 9)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from codegen.runtime import AsyncClient, Client, ResponseTooLargeError, TransportError

from .conftest import Reply, Server, success
from .faultcalls import GENERATE, MODEL, MODES, PAT, call, fails, frame
from .faultserver import (
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
