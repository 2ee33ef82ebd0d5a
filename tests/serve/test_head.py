"""`serve`'s fast request-head parser: what it accepts it parses as the standard library does, and
what it declines it leaves unread for the standard library."""

from __future__ import annotations

import io
from http.client import parse_headers

import pytest

from codegen.serve.head import parse_head

LINE = b"POST /v2/users/u/apps/a/models/m/outputs HTTP/1.1\r\n"
PLAIN = [
    b"Host: 127.0.0.1:8000\r\nAccept: */*\r\nConnection: keep-alive\r\nAuthorization: Key k\r\n"
    b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    b"\r\n",
    b"Connection: close\r\n\r\n",
    b"CONNECTION: Close\r\nX-Empty:\r\nX-Spaces:  \t padded value  \r\n\r\n",
    b"X-Latin: caf\xe9\r\nx-dup: 1\r\nX-Dup: 2\r\n\r\nrest",
]
UNUSUAL = [
    (LINE, b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}"),
    (LINE, b"X-Folded: a\r\n b\r\n\r\n"),
    (LINE, b"No colon here\r\n\r\n"),
    (LINE, b"Bad Name: x\r\n\r\n"),
    (LINE, b"X-Bare: a\nX-Other: b\r\n\r\n"),
    (LINE, b"Host: still arriving\r\n"),
    (LINE, b"".join(b"X-%d: v\r\n" % i for i in range(80)) + b"\r\n"),
    (b"GET / HTTP/1.0\r\n", b"\r\n"),
    (b"GET /\r\n", b"\r\n"),
    (b"GET //evil HTTP/1.1\r\n", b"\r\n"),
    (b"GET /caf\xe9 HTTP/1.1\r\n", b"\r\n"),
]


def reader(data: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(data))


@pytest.mark.parametrize("rest", PLAIN)
def test_plain_heads_parse_as_the_standard_library_does(rest: bytes) -> None:
    fast_file, slow_file = reader(rest), reader(rest)
    head = parse_head(LINE, fast_file)
    assert head is not None
    expected = parse_headers(slow_file)
    assert head.headers.items() == expected.items()
    for name in ["connection", "Content-Length", "X-DUP", "x-spaces", "missing"]:
        assert head.headers.get(name) == expected.get(name)
        assert head.headers.get(name, "-") == expected.get(name, "-")
        assert head.headers.get_all(name) == expected.get_all(name)
        assert (name in head.headers) == (name in expected)
    assert (head.command, head.path) == ("POST", "/v2/users/u/apps/a/models/m/outputs")
    assert head.requestline == LINE.decode().rstrip("\r\n")
    assert head.close_connection == (expected.get("Connection", "").lower() == "close")
    assert fast_file.read() == slow_file.read()  # the body is left where the stdlib leaves it


@pytest.mark.parametrize(("line", "rest"), UNUSUAL)
def test_unusual_heads_are_left_to_the_standard_library(line: bytes, rest: bytes) -> None:
    file = reader(rest)
    assert parse_head(line, file) is None
    assert file.read() == rest  # nothing consumed
