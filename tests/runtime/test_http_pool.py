"""The HTTP transport's own connections: reused, at most `HTTP_POOL_SIZE` at once, a wait for one
within the call's deadline, none reused after the server closed it, none leaked by a stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpcore
import pytest

from codegen.runtime import AsyncClient, Client, TransportError, deadline, httpbase
from codegen.runtime.core import Deadline

from .conftest import Reply, Server, success
from .faultserver import FaultServer, reply
from .test_http import GENERATE, MODEL, PAT, PREDICT, frame

OK = Reply(200, success({"string_value": "ok"}))


@pytest.fixture
def pool_size(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    return lambda size: monkeypatch.setattr(httpbase, "HTTP_POOL_SIZE", size)


def _client(base_url: str, **kw: Any) -> Client:
    return Client(PAT, base_url, backoff=0.001, **kw)


def test_sequential_calls_reuse_one_connection(server: Server) -> None:
    server.script(*[OK] * 5)
    with _client(server.base_url) as c:
        assert [c.unary(MODEL, PREDICT, {"prompt": "x"}) for _ in range(5)] == ["ok"] * 5
    assert len({r["peer"] for r in server.requests}) == 1


def test_threads_share_at_most_pool_size_connections(
    server: Server, pool_size: Callable[[int], None]
) -> None:
    pool_size(3)
    threads, calls = 24, 240
    server.script(*[OK] * calls)
    with _client(server.base_url) as c, ThreadPoolExecutor(threads) as run:
        got = list(run.map(lambda _: c.unary(MODEL, PREDICT, {"prompt": "x"}), range(calls)))
    assert got == ["ok"] * calls
    assert 1 <= len({r["peer"] for r in server.requests}) <= 3


def test_async_tasks_share_at_most_pool_size_connections(
    server: Server, pool_size: Callable[[int], None]
) -> None:
    pool_size(4)
    calls = 64
    server.script(*[OK] * calls)

    async def main() -> list[Any]:
        async with AsyncClient(PAT, server.base_url) as c:
            return list(
                await asyncio.gather(
                    *(c.unary(MODEL, PREDICT, {"prompt": "x"}) for _ in range(calls))
                )
            )

    assert asyncio.run(main()) == ["ok"] * calls
    assert 1 <= len({r["peer"] for r in server.requests}) <= 4


def test_a_connection_the_server_closed_is_not_reused(faults: Callable[..., FaultServer]) -> None:
    # The fault server answers one request per connection, then closes it: a call that took the
    # closed connection would fail (not idempotent, no retry).
    srv = faults(reply(success({"string_value": "ok"})))
    with _client(srv.base_url, max_retries=0) as c:
        for _ in range(3):
            assert c.unary(MODEL, PREDICT, {"prompt": "x"}) == "ok"
            time.sleep(0.3)  # the server's FIN arrives
    assert len(srv.requests) == 3


def test_a_wait_for_a_connection_ends_at_the_deadline(
    server: Server, pool_size: Callable[[int], None]
) -> None:
    pool_size(1)
    server.script(Reply(200, lines=[frame("a")], endless=frame("x")))
    with _client(server.base_url, timeout=1.0, max_retries=0) as c:
        stream = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
        assert next(stream) == "a"  # the stream holds the only connection
        t0 = time.monotonic()
        with pytest.raises(TransportError, match="timed out"):
            c.unary(MODEL, PREDICT, {"prompt": "x"})
        assert time.monotonic() - t0 < 3
        stream.close()  # type: ignore[attr-defined]


def test_a_closed_stream_gives_its_connection_slot_back(
    server: Server, pool_size: Callable[[int], None]
) -> None:
    pool_size(1)
    server.script(Reply(200, lines=[frame("a")], endless=frame("x")), OK)
    with _client(server.base_url, timeout=5.0, max_retries=0) as c:
        stream = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
        assert next(stream) == "a"
        stream.close()  # type: ignore[attr-defined]
        assert server.disconnected.wait(5)  # the unfinished response's connection is closed
        assert c.unary(MODEL, PREDICT, {"prompt": "x"}) == "ok"


def test_failed_calls_give_their_slots_back(
    faults: Callable[..., FaultServer], pool_size: Callable[[int], None]
) -> None:
    pool_size(1)
    # one response per connection: say so, or a reuse may race the server's close (a keep-alive race
    # no client avoids, seen 1 run in 5)
    srv = faults(reply("not json", Connection="close"))
    with _client(srv.base_url, max_retries=0, timeout=2.0) as c:
        for _ in range(3):
            with pytest.raises(Exception, match="malformed"):
                c.unary(MODEL, PREDICT, {"prompt": "x"})


def test_closing_the_client_closes_idle_connections(server: Server) -> None:
    server.script(OK)
    c = _client(server.base_url)
    assert c.unary(MODEL, PREDICT, {"prompt": "x"}) == "ok"
    transport: Any = c._transport
    (connection,) = transport._pool._idle
    assert connection.is_idle()
    c.close()
    assert connection.is_closed()


class _Recorder(httpcore.NetworkStream):
    """A network stream that records what is written to it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return b"reply"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.writes.append(buffer)

    def close(self) -> None:
        self.closed = True


def test_request_headers_and_a_short_body_go_out_in_one_write() -> None:
    inner = _Recorder()
    stream = deadline._Stream(inner)
    stream.write(b"HEAD", 1.0)
    assert inner.writes == []
    stream.write(b"BODY", 1.0)
    stream.write(b"", 1.0)
    assert inner.writes == [b"HEADBODY"]


def test_a_held_write_goes_out_before_a_read_and_a_long_body_on_its_own() -> None:
    inner = _Recorder()
    stream = deadline._Stream(inner)
    stream.write(b"GET", 1.0)
    assert stream.read(10, 1.0) == b"reply"
    assert inner.writes == [b"GET"]
    big = b"x" * (deadline.JOIN + 1)
    stream.write(b"HEAD", 1.0)
    stream.write(big, 1.0)
    assert inner.writes == [b"GET", b"HEAD", big]
    stream.write(b"HEAD", 1.0)
    stream.close()  # a held write is dropped with the connection
    assert inner.writes == [b"GET", b"HEAD", big] and inner.closed


@pytest.mark.parametrize("proxy", [None, "http://127.0.0.1:9"])
def test_a_proxy_from_the_environment_sends_through_httpx(
    monkeypatch: pytest.MonkeyPatch, proxy: str | None
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    if proxy is not None:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
    with Client(PAT, "https://api.example.invalid") as c:
        transport: Any = c._transport
        assert (transport._pool is None) == (proxy is not None)


def test_an_async_wait_for_a_connection_ends_at_the_deadline(
    server: Server, pool_size: Callable[[int], None]
) -> None:
    pool_size(1)
    server.script(Reply(200, lines=[frame("a")], endless=frame("x")), OK)

    async def main() -> None:
        async with AsyncClient(PAT, server.base_url, timeout=1.0, max_retries=0) as c:
            stream = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
            assert await anext(stream) == "a"  # the stream holds the only connection
            t0 = time.monotonic()
            with pytest.raises(TransportError, match="timed out"):
                await c.unary(MODEL, PREDICT, {"prompt": "x"})
            assert time.monotonic() - t0 < 3
            await stream.aclose()  # type: ignore[attr-defined]
            assert await c.unary(MODEL, PREDICT, {"prompt": "x"}) == "ok"  # the slot is back

    asyncio.run(main())


def test_async_connections_lock_without_yielding_to_the_loop(server: Server) -> None:
    """httpcore's anyio locks yield to the event loop on every acquire; a pooled connection's
    locks are asyncio locks (no yield when free), and calls through them still work."""
    server.script(*[OK] * 3)

    async def main() -> list[Any]:
        async with AsyncClient(PAT, server.base_url) as c:
            got = [await c.unary(MODEL, PREDICT, {"prompt": "x"}) for _ in range(3)]
            transport: Any = c._transport
            (connection,) = transport._pool._idle
            locks = [connection._request_lock, connection._connection._state_lock]
            assert all(isinstance(lock._anyio_lock, asyncio.Lock) for lock in locks)
            return got

    assert asyncio.run(main()) == ["ok"] * 3
    assert len({r["peer"] for r in server.requests}) == 1


def test_async_slots_wait_in_order_and_a_cancelled_wait_loses_no_slot() -> None:
    async def main() -> None:
        slots = httpbase.AsyncSlots(1, timeout=5)
        await slots.acquire()
        order: list[str] = []

        async def take(name: str) -> None:
            await slots.acquire()
            order.append(name)

        first = asyncio.ensure_future(take("first"))
        cancelled = asyncio.ensure_future(take("cancelled"))
        last = asyncio.ensure_future(take("last"))
        await asyncio.sleep(0)
        slots.release()  # handed to "first"
        cancelled.cancel()
        await first
        slots.release()  # "cancelled" is gone: the slot goes to "last"
        await asyncio.wait_for(last, 2)
        assert order == ["first", "last"]
        handed = asyncio.ensure_future(take("handed"))
        await asyncio.sleep(0)
        slots.release()  # handed a slot ...
        handed.cancel()  # ... and cancelled before it ran: the slot is passed on
        with pytest.raises(asyncio.CancelledError):
            await handed
        await asyncio.wait_for(slots.acquire(), 2)
        with pytest.raises(httpcore.PoolTimeout):
            await httpbase.AsyncSlots(0, timeout=0.05).acquire()

    asyncio.run(main())


def test_async_slot_waits_end_each_at_its_own_deadline() -> None:
    """Waits armed far then near: the near one fails first, the far one later, none early."""

    async def main() -> None:
        slots = httpbase.AsyncSlots(0, timeout=5)
        loop = asyncio.get_running_loop()
        ended: dict[str, float] = {}

        async def wait(name: str, seconds: float) -> None:
            with deadline.bounded(Deadline(seconds, time.monotonic)):
                with pytest.raises(httpcore.PoolTimeout):
                    await slots.acquire()
            ended[name] = loop.time() - start

        start = loop.time()
        await asyncio.wait_for(asyncio.gather(wait("far", 0.4), wait("near", 0.1)), 5)
        assert 0.05 <= ended["near"] < 0.35 <= ended["far"] < 3

    asyncio.run(main())
