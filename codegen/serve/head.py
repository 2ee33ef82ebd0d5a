"""The request head of a plain HTTP/1.1 request, parsed without the email package.

`BaseHTTPRequestHandler.parse_request` parses headers with `email.parser` (about 30 us a request, a
tenth of the server's CPU per call). Here a request whose whole head is already buffered and holds
nothing unusual is parsed directly; anything else (another HTTP version, `Expect`, a folded or
malformed line, many headers, a head still arriving) returns None before a byte is consumed, and the
standard library parses it, errors and limits included.
"""

from __future__ import annotations

import re
from http.client import HTTPMessage
from typing import Any, NamedTuple

__all__ = ["Head", "parse_head"]

_NAME = re.compile(rb"[!-9;-~]+")  # the email parser's header-name characters (no ':' or space)
_MAX_LINES = 64  # beyond this, the standard library (and its limit of 100) decides


class Head(NamedTuple):
    command: str
    path: str
    requestline: str
    headers: HTTPMessage
    close_connection: bool


def parse_head(raw_requestline: bytes, rfile: Any) -> Head | None:
    """The head of the request whose line is `raw_requestline`, its headers read from `rfile`."""
    words = raw_requestline.split()
    if (
        not raw_requestline.isascii()
        or len(words) != 3
        or words[2] != b"HTTP/1.1"
        or words[1].startswith(b"//")
    ):
        return None
    peek = getattr(rfile, "peek", None)
    if peek is None:
        return None
    buffered: bytes = peek(0)
    if buffered.startswith(b"\r\n"):
        block, size = b"", 2
    else:
        end = buffered.find(b"\r\n\r\n")
        if end < 0:
            return None
        block, size = buffered[:end], end + 4
    lines = block.split(b"\r\n") if block else []
    if len(lines) > _MAX_LINES:
        return None
    headers = HTTPMessage()
    for line in lines:
        name, colon, value = line.partition(b":")
        if not colon or b"\n" in value or b"\r" in value or not _NAME.fullmatch(name):
            return None
        headers[name.decode("ascii")] = value.decode("latin-1").lstrip(" \t")
    if "Expect" in headers:
        return None
    rfile.read(size)
    connection = headers.get("Connection", "").lower()
    command, path = words[0].decode("latin-1"), words[1].decode("latin-1")
    requestline = raw_requestline.decode("latin-1").rstrip("\r\n")
    return Head(command, path, requestline, headers, connection == "close")
