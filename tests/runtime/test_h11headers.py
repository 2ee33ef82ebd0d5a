"""Request headers checked once (runtime/h11headers.py): h11 writes them as it writes the plain list,
and what would not pass h11's checks is left for h11 to reject on the request, as before."""

from __future__ import annotations

import h11
import pytest

from codegen.runtime.h11headers import CheckedHeaders

RAW = [
    (b"Host", b"127.0.0.1:8000"),
    (b"Accept", b"*/*"),
    (b"User-Agent", b"python-httpx/0.28.1"),
    (b"Authorization", b"Key k"),
    (b"Content-Type", b"application/json"),
]


def wire(headers: object) -> bytes:
    connection = h11.Connection(our_role=h11.CLIENT)
    data = connection.send(h11.Request(method=b"POST", target=b"/v2/x", headers=headers))
    assert data is not None
    return data


@pytest.mark.parametrize("length", [None, 0, 194])
def test_h11_writes_the_checked_headers_as_it_writes_the_list(length: int | None) -> None:
    plain = RAW if length is None else [*RAW, (b"Content-Length", b"%d" % length)]
    checked = CheckedHeaders().of(RAW, length)
    assert isinstance(checked, h11._headers.Headers)  # taken as checked: not validated again
    assert wire(checked) == wire(plain)


@pytest.mark.parametrize(
    "extra",
    [(b"Bad Name", b"x"), (b"X-Value", b"a\r\nb"), (b"Content-Length", b"1")],
)
def test_headers_that_would_not_pass_are_left_to_h11(extra: tuple[bytes, bytes]) -> None:
    raw = [*RAW, extra]
    headers = CheckedHeaders().of(raw, 5)
    assert headers == [*raw, (b"Content-Length", b"5")]


def test_h11_still_checks_the_request_as_a_whole() -> None:
    with pytest.raises(h11.LocalProtocolError, match="multiple Host"):
        wire(CheckedHeaders().of([*RAW, (b"Host", b"again")], None))


def test_the_check_follows_the_list_it_was_made_for() -> None:
    checked = CheckedHeaders()
    checked.of(RAW, None)
    other = [(b"Host", b"example.test")]
    assert wire(checked.of(other, None)) == wire(other)
