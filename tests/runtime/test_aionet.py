"""The asyncio network stream under httpcore (runtime/aionet.py), against raw loopback servers."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpcore
import httpx
import pytest

from codegen.runtime import aionet
from codegen.runtime.deadline import _AsyncBackend, install

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def run(handler: Handler, client: Callable[[int], Awaitable[None]]) -> None:
    async def main() -> None:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            await asyncio.wait_for(client(port), 10)
        finally:
            server.close()

    asyncio.run(main())


def test_reads_what_the_peer_sent_then_eof() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(5) + b" back")
        await writer.drain()
        writer.close()

    async def client(port: int) -> None:
        stream = await aionet.connect_tcp("127.0.0.1", port, timeout=5)
        await stream.write(b"hello", timeout=5)
        got = b""
        while chunk := await stream.read(3, timeout=5):
            assert len(chunk) <= 3
            got += chunk
        assert got == b"hello back"
        assert stream.get_extra_info("is_readable") is True  # the peer closed
        assert stream.get_extra_info("server_addr")[1] == port
        await stream.aclose()

    run(handler, client)


def test_read_timeout_and_idle_connection_not_readable() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # silent until the client goes

    async def client(port: int) -> None:
        stream = await aionet.connect_tcp("127.0.0.1", port, timeout=5)
        assert stream.get_extra_info("is_readable") is False
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(10, timeout=0.2)
        assert 0.15 <= loop.time() - start < 3
        await stream.aclose()

    run(handler, client)


def test_a_read_times_out_at_its_own_deadline_after_a_longer_one() -> None:
    """One alarm per connection serves its reads' deadlines: a nearer one still rings in time."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.05)  # the client waits (a long deadline) for it
        writer.write(b"x")
        await writer.drain()
        await reader.read()

    async def client(port: int) -> None:
        stream = await aionet.connect_tcp("127.0.0.1", port, timeout=5)
        assert await stream.read(10, timeout=30) == b"x"
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(10, timeout=0.1)
        assert loop.time() - start < 3
        await stream.aclose()

    run(handler, client)


def test_write_times_out_when_the_peer_does_not_read() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def client(port: int) -> None:
        stream = await aionet.connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore.WriteTimeout):
            for _ in range(1000):  # far beyond both socket buffers
                await stream.write(b"x" * 1024 * 1024, timeout=0.2)
        await stream.aclose()

    run(handler, client)


def test_large_body_is_read_whole_with_reading_paused_between() -> None:
    size = 4 * 1024 * 1024

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(bytes(range(256)) * (size // 256))
        await writer.drain()
        writer.close()

    async def client(port: int) -> None:
        stream = await aionet.connect_tcp("127.0.0.1", port, timeout=5)
        await asyncio.sleep(0.2)  # let the buffer fill past the pause mark
        got = bytearray()
        while chunk := await stream.read(65536, timeout=5):
            got += chunk
        assert got == bytes(range(256)) * (size // 256)

    run(handler, client)


def test_connection_refused_is_a_connect_error() -> None:
    async def client(port: int) -> None:
        with pytest.raises(httpcore.ConnectError):
            await aionet.connect_tcp("127.0.0.1", 1, timeout=5)

    run(lambda r, w: asyncio.sleep(0), client)


def test_httpx_async_client_connects_through_it() -> None:
    """The deadline backend `install` puts under an AsyncClient connects with aionet on asyncio."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await reader.read()  # keep-alive: the connection stays in the pool

    async def client(port: int) -> None:
        async with httpx.AsyncClient() as http:
            assert install(http)
            pool = http._transport._pool  # type: ignore[attr-defined]
            assert isinstance(pool._network_backend, _AsyncBackend)
            response = await http.get(f"http://127.0.0.1:{port}/")
            assert response.text == "ok"
            (connection,) = pool.connections
            stream = connection._connection._network_stream
            assert isinstance(stream._inner, aionet.Stream)

    run(handler, client)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_start_tls(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", *subject]
    subprocess.run(
        ["openssl", *args, "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))

    async def main() -> None:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(await reader.readexactly(4))
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        try:
            plain = await aionet.connect_tcp("127.0.0.1", port, timeout=5)
            stream = await plain.start_tls(client_ctx, "localhost", timeout=5)
            assert stream.get_extra_info("ssl_object") is not None
            await stream.write(b"ping", timeout=5)
            assert await stream.read(10, timeout=5) == b"ping"
            await stream.aclose()
            plain = await aionet.connect_tcp("127.0.0.1", port, timeout=5)
            with pytest.raises(httpcore.ConnectError):  # the name does not match
                await plain.start_tls(client_ctx, "example.com", timeout=5)
        finally:
            server.close()

    asyncio.run(main())
