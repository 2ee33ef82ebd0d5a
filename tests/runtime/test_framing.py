"""Response bytes -> JSON within limits, free of I/O: stream framing (`framing.FrameDecoder`),
whole bodies (`framing.parse_json`), decompression and the size limit (`bodies`)."""

from __future__ import annotations

import gzip
import json
import random
import zlib
from typing import Any

import httpx
import pytest

from codegen.runtime import MalformedResponse, ResponseTooLargeError, TransportError
from codegen.runtime.bodies import Body, Inflater, check_limit
from codegen.runtime.deadline import install
from codegen.runtime.framing import FrameDecoder, parse_json

MESSAGES: list[Any] = [
    {"a": 1},
    {"s": 'quote " brace } bracket ] backslash \\ end'},
    {"nested": {"list": [1, [2, {"x": "}{"}], []], "u": "\u00e9\u4e2d\U0001f600"}},
    {"escapes": '\\\\\\"', "tail": "\\"},
    {},
]


def _decode(chunks: list[bytes], limit: int = 10**6) -> list[Any]:
    decoder = FrameDecoder(limit)
    out = [value for chunk in chunks for value in decoder.feed(chunk)]
    decoder.finish()
    return out


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(json.dumps(m) for m in MESSAGES) + "\n",  # NDJSON
        "".join(json.dumps(m) for m in MESSAGES),  # concatenated
        json.dumps(MESSAGES, indent=2),  # a JSON array, pretty-printed
        " \r\n,".join(json.dumps(m, ensure_ascii=False) for m in MESSAGES),
    ],
    ids=["ndjson", "concatenated", "array", "separators"],
)
def test_framing_is_independent_of_chunking(text: str) -> None:
    data = text.encode()
    assert _decode([data]) == MESSAGES
    assert _decode([data[i : i + 1] for i in range(len(data))]) == MESSAGES
    rng = random.Random(9)
    for _ in range(50):
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 12)))
        pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        assert _decode(pieces) == MESSAGES


def test_framing_work_is_linear_in_the_input() -> None:
    """Each message is parsed once, however many chunks it arrives in (it used to be re-parsed
    from its start on every line: quadratic)."""
    parsed: list[int] = []
    message = json.dumps({"pad": [{"v": str(i)} for i in range(5000)]}, indent=0).encode()
    decoder = FrameDecoder()
    import codegen.runtime.framing as framing

    real = framing.json.loads
    framing.json.loads = lambda data: parsed.append(len(data)) or real(data)  # type: ignore[attr-defined]
    try:
        for line in message.split(b"\n"):
            decoder.feed(line + b"\n")
    finally:
        framing.json.loads = real  # type: ignore[attr-defined]
    assert parsed == [len(message)]


@pytest.mark.parametrize(
    ("chunks", "match"),
    [
        ([b'{"a": 1}\n<html>'], "expected a JSON object, got '<'"),
        ([b"42\n"], "expected a JSON object"),
        ([b'{"a": [1, 2]]}'], "not JSON"),
        ([b'{"a": "\xff\xfe"}'], "not UTF-8"),
    ],
)
def test_malformed_streams(chunks: list[bytes], match: str) -> None:
    with pytest.raises(MalformedResponse, match=match):
        _decode(chunks)


def test_truncated_message() -> None:
    decoder = FrameDecoder()
    assert decoder.feed(b'{"a": 1}\n{"b": "x\\') == [{"a": 1}]
    with pytest.raises(MalformedResponse, match=r"truncated message \(9 bytes\)"):
        decoder.finish()


def test_a_message_over_the_limit_fails_as_soon_as_it_passes_it() -> None:
    decoder = FrameDecoder(limit=100)
    assert decoder.feed(b'{"a": "' + b"x" * 80 + b'"}\n') == [{"a": "x" * 80}]
    decoder.feed(b'{"b": "' + b"y" * 80)
    with pytest.raises(ResponseTooLargeError, match="larger than 100 bytes"):
        decoder.feed(b"y" * 20)
    separators = FrameDecoder(limit=10)
    assert separators.feed(b" \n" * 1000 + b"{}") == [{}]  # only messages count


@pytest.mark.parametrize("depth", [10, 100_000])
def test_deep_nesting_is_a_malformed_response_not_a_recursion_error(depth: int) -> None:
    data = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    if depth == 10:
        assert _decode([data]) == [json.loads(data)]
        assert parse_json(data) == json.loads(data)
        return
    with pytest.raises(MalformedResponse, match="nested too deeply"):
        _decode([data])
    with pytest.raises(MalformedResponse, match="nested too deeply"):
        parse_json(data)


# ---------------------------------------------------------------------- bodies


def _inflate(encoding: str | None, data: bytes, size: int = 7) -> bytes:
    inflater = Inflater(encoding)
    pieces = [p for i in range(0, len(data), size) for p in inflater.feed(data[i : i + size])]
    assert all(len(p) <= 256 * 1024 for p in pieces)
    return b"".join(pieces)


PLAIN = b'{"text": "' + b"abc" * 100_000 + b'"}'


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        (None, PLAIN),
        ("identity", PLAIN),
        ("gzip", gzip.compress(PLAIN)),
        (" X-GZIP ", gzip.compress(PLAIN)),
        ("deflate", zlib.compress(PLAIN)),
        ("deflate", zlib.compress(PLAIN)[2:-4]),  # raw deflate, as some servers send it
    ],
)
def test_inflater_reads_what_it_offers(encoding: str | None, data: bytes) -> None:
    assert _inflate(encoding, data, 4096) == PLAIN


def test_inflater_rejects_what_it_cannot_read() -> None:
    with pytest.raises(TransportError, match="unsupported Content-Encoding 'br'"):
        Inflater("br")
    with pytest.raises(MalformedResponse, match="corrupt compressed body"):
        _inflate("gzip", b"\x1f\x8b\x08\x00garbage-garbage")


def test_a_gzip_bomb_inflates_in_bounded_steps() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    inflater = Inflater("gzip")
    steps = inflater.feed(bomb)
    assert len(next(steps)) <= 256 * 1024  # lazily: nothing else is inflated yet


def test_body_limit() -> None:
    with pytest.raises(ResponseTooLargeError):
        Body({"content-length": "101"}, limit=100)
    with pytest.raises(ResponseTooLargeError):
        Body({"content-length": "9" * 5000}, limit=100)
    body = Body({"content-length": "100", "content-encoding": "gzip"}, limit=100)
    with pytest.raises(ResponseTooLargeError):
        body.feed(gzip.compress(b"x" * 101))
    ok = Body({}, limit=100)
    ok.feed(b"x" * 60)
    ok.feed(b"x" * 40)
    assert ok.data == b"x" * 100


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "64"])
def test_check_limit(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        check_limit(bad)


def test_the_deadline_reaches_httpx_pools() -> None:
    """`deadline.install` relies on httpx's private layout: this fails if a new httpx moves it."""
    with httpx.Client() as sync:
        assert install(sync)
    assert install(httpx.AsyncClient())
    with httpx.Client(
        mounts={"http://proxied": httpx.HTTPTransport(proxy="http://127.0.0.1:9")}
    ) as c:
        assert install(c)
    assert not install(httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))))
