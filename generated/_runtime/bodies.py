"""Response bodies read within limits, free of I/O: the transports feed raw chunks as they
arrive. The Content-Length is checked up front, gzip / deflate bodies are inflated in bounded
steps (a gzip bomb never inflates past the limit), and the running count stops at the limit."""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping

from .decoders import MalformedResponse
from .errors import ArgumentError, ResponseTooLargeError, TransportError, shown

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "Body",
    "Inflater",
    "check_limit",
    "too_large",
]

# Images, audio and embeddings travel inline (base64 adds a third): 64 MiB of JSON holds a
# 48 MB image or millions of floats, and bounds what a broken or hostile server costs.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"  # what `Inflater` reads (httpx would also offer br, zstd)
STEP = 256 * 1024  # the most one inflate step outputs


def check_limit(limit: object) -> int:
    """`max_response_bytes`, checked."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ArgumentError(f"max_response_bytes must be an int >= 1, got {shown(limit)}")
    return limit


def too_large(limit: int, what: str = "the response") -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"{what} is larger than {limit} bytes; raise Client(max_response_bytes=...) to accept it"
    )


class Inflater:
    """Raw chunks of a body in `Content-Encoding` `encoding` -> its bytes, in pieces of at most
    `STEP` bytes however much a chunk inflates."""

    def __init__(self, encoding: str | None) -> None:
        name = (encoding or "").strip().lower()
        if name not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise TransportError(f"unsupported Content-Encoding {shown(encoding)}")
        self._deflate = name == "deflate"
        # 32 + 15: a gzip or a zlib header, detected
        self._z = zlib.decompressobj(47) if name not in ("", "identity") else None
        self._started = False

    def feed(self, raw: bytes) -> Iterator[bytes]:
        if self._z is None:
            if raw:
                yield raw
            return
        data = raw
        while data and not self._z.eof:
            try:
                out = self._z.decompress(data, STEP)
            except zlib.error:
                if self._deflate and not self._started:  # raw deflate, without a zlib header
                    self._z, self._deflate = zlib.decompressobj(-15), False
                    continue
                raise MalformedResponse("malformed response: corrupt compressed body") from None
            self._started = True
            if out:
                yield out
            data = self._z.unconsumed_tail


class Body:
    """A whole (unary or error) body: its bytes, at most `limit` of them after decompression."""

    def __init__(self, headers: Mapping[str, str], limit: int) -> None:
        length = (headers.get("content-length") or "").strip()
        if length.isascii() and length.isdigit() and (len(length) > 18 or int(length) > limit):
            raise too_large(limit)
        self._inflater = Inflater(headers.get("content-encoding"))
        self._limit = limit
        self.data = bytearray()

    def feed(self, raw: bytes) -> None:
        for piece in self._inflater.feed(raw):
            if len(self.data) + len(piece) > self._limit:
                raise too_large(self._limit)
            self.data += piece
