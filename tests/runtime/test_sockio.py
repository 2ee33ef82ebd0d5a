"""The sync network stream with kernel timeouts (runtime/sockio.py), against loopback sockets."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpcore
import httpx
import pytest

from codegen.runtime import sockio
from codegen.runtime.deadline import install

pytestmark = pytest.mark.skipif(not sockio.FAST, reason="kernel socket timeouts: Linux only")


@pytest.fixture
def peer() -> Iterator[tuple[httpcore.NetworkStream, socket.socket]]:
    """(a wrapped client stream, the server's end of its connection)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    inner = httpcore.SyncBackend().connect_tcp("127.0.0.1", port, timeout=5)
    server, _ = listener.accept()
    stream = sockio.wrap(inner)
    try:
        yield stream, server
    finally:
        stream.close()
        server.close()
        listener.close()


def test_one_blocking_socket_reads_and_writes(
    peer: tuple[httpcore.NetworkStream, socket.socket],
) -> None:
    stream, server = peer
    assert isinstance(stream, sockio.Stream)
    assert stream.get_extra_info("socket").gettimeout() is None  # no poll before each call
    stream.write(b"ping", timeout=5)
    assert server.recv(10) == b"ping"
    server.sendall(b"pong")
    assert stream.read(10, timeout=5) == b"pong"
    server.shutdown(socket.SHUT_WR)
    assert stream.read(10, timeout=5) == b""


def test_read_times_out(peer: tuple[httpcore.NetworkStream, socket.socket]) -> None:
    stream, _ = peer
    start = time.monotonic()
    with pytest.raises(httpcore.ReadTimeout):
        stream.read(10, timeout=0.2)
    assert 0.15 <= time.monotonic() - start < 3
    with pytest.raises(httpcore.ReadTimeout):  # a timeout too small for a timeval is not "none"
        stream.read(10, timeout=1e-9)


def test_write_times_out_when_the_peer_does_not_read(
    peer: tuple[httpcore.NetworkStream, socket.socket],
) -> None:
    stream, _ = peer
    with pytest.raises(httpcore.WriteTimeout):
        for _ in range(1000):  # far beyond both socket buffers
            stream.write(b"x" * 1024 * 1024, timeout=0.2)


def test_a_reset_connection_is_a_read_error(
    peer: tuple[httpcore.NetworkStream, socket.socket],
) -> None:
    stream, server = peer
    server.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    server.close()  # linger 0: an RST
    with pytest.raises(httpcore.ReadError):
        stream.read(10, timeout=5)


def test_httpx_client_connects_through_it() -> None:
    """The deadline backend `install` puts under an httpx.Client wraps its TCP streams."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            conn.recv(65536)  # keep-alive until the client closes

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    with httpx.Client() as http:
        assert install(http)
        assert http.get(f"http://127.0.0.1:{port}/").text == "ok"
        (connection,) = http._transport._pool.connections  # type: ignore[attr-defined]
        assert isinstance(connection._connection._network_stream._inner, sockio.Stream)
    thread.join(5)
    listener.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_start_tls_hands_over_to_httpcores_stream(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", *subject]
    subprocess.run(
        ["openssl", *args, "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def echo() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(tls.recv(10))

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    inner = httpcore.SyncBackend().connect_tcp("127.0.0.1", listener.getsockname()[1], timeout=5)
    plain = sockio.wrap(inner)
    assert isinstance(plain, sockio.Stream)
    stream = plain.start_tls(ssl.create_default_context(cafile=str(cert)), "localhost", timeout=5)
    assert stream.get_extra_info("ssl_object") is not None
    stream.write(b"ping", timeout=5)
    assert stream.read(10, timeout=5) == b"ping"
    stream.close()
    thread.join(5)
    listener.close()
