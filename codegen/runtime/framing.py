"""JSON out of response bytes, within limits: a whole body (`parse_json`) and the messages of a
streamed body (`FrameDecoder`). Malformed or hostile input (too deep, too large, not JSON) ends
in a `MalformedResponse` or a `ResponseTooLargeError`, never in a raw Python error."""

from __future__ import annotations

import json
import re
from typing import Any

from .bodies import DEFAULT_MAX_RESPONSE_BYTES, too_large
from .decoders import MalformedResponse

__all__ = ["FrameDecoder", "parse_json"]

# Outside a string, what changes the depth or starts a string; inside one, what may end it.
_OUTSIDE = re.compile(rb'["{}\[\]]')
_INSIDE = re.compile(rb'["\\]')
_SEPARATORS = re.compile(rb"[ \t\r\n,\[\]]*")  # between messages: NDJSON, concatenated, an array
_QUOTE, _OPEN = ord('"'), frozenset(b"{[")


def parse_json(data: bytes | bytearray, what: str = "response") -> Any:
    """`json.loads`, with every failure (not JSON, not UTF-8, nested too deeply for Python's
    recursion) a `MalformedResponse`."""
    try:
        return json.loads(data)
    except RecursionError:
        raise MalformedResponse(f"malformed {what}: JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise MalformedResponse(f"malformed {what} (not JSON: {reason})") from None


class FrameDecoder:
    """Split a streamed body into JSON values: NDJSON, concatenated JSON, or a JSON array of
    objects (a message may span any number of lines and chunks).

    Linear in the input: each byte is scanned once (regexes jump to the next quote, bracket or
    escape), the parts of a message are kept in a list and parsed once it is complete. A message
    longer than `limit` bytes raises `ResponseTooLargeError` as soon as it passes the limit.
    """

    def __init__(self, limit: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        self._limit = limit
        self._parts: list[bytes] = []  # the message in progress
        self._size = 0
        self._depth = 0  # 0: between messages
        self._in_string = False
        self._escape = False  # the last chunk ended with a backslash in a string

    def feed(self, data: bytes) -> list[Any]:
        """Add bytes; return the values they complete."""
        values = []
        pos, n = 0, len(data)
        while pos < n:
            start = pos
            if self._depth == 0:
                pos = start = _SEPARATORS.match(data, pos).end()  # type: ignore[union-attr]
                if pos == n:
                    break
                if data[pos] != ord("{"):
                    got = data[pos : pos + 1].decode("latin-1")
                    raise MalformedResponse(
                        f"malformed stream: expected a JSON object, got {got!r}"
                    )
                self._depth, pos = 1, pos + 1
            end = self._scan(data, pos)
            self._keep(data[start : n if end < 0 else end])
            if end < 0:
                break
            values.append(self._take())
            pos = end
        return values

    def finish(self) -> None:
        """At the end of the body: a message in progress is truncated."""
        if self._depth:
            raise MalformedResponse(f"malformed stream: truncated message ({self._size} bytes)")

    def _scan(self, data: bytes, pos: int) -> int:
        """Scan a message from `pos`: the index after its closing brace, or -1 if it goes on."""
        n = len(data)
        if self._escape:
            if pos >= n:
                return -1
            pos, self._escape = pos + 1, False
        while True:
            if self._in_string:
                m = _INSIDE.search(data, pos)
                if m is None:
                    return -1
                pos = m.end()
                if data[pos - 1] == _QUOTE:
                    self._in_string = False
                elif pos < n:
                    pos += 1  # the escaped character
                else:
                    self._escape = True
                    return -1
                continue
            m = _OUTSIDE.search(data, pos)
            if m is None:
                return -1
            pos = m.end()
            c = data[pos - 1]
            if c == _QUOTE:
                self._in_string = True
            elif c in _OPEN:
                self._depth += 1
            else:
                self._depth -= 1
                if self._depth == 0:
                    return pos

    def _keep(self, part: bytes) -> None:
        self._size += len(part)
        if self._size > self._limit:
            raise too_large(self._limit, "a stream message")
        self._parts.append(part)

    def _take(self) -> Any:
        data = b"".join(self._parts)
        self._parts, self._size = [], 0
        return parse_json(data, "stream message")
