"""Connection failures of the HTTP transports, classified as httpx classifies them.

The transports' own connections raise httpcore's errors; a supplied (or proxied) httpx client
raises httpx's. Each httpcore error has an httpx twin of its name, and httpx's hierarchy decides
whether a failure timed out, happened before the request went out, or is worth another attempt:
`KINDS` spells that out per name so that an httpcore error is judged without importing httpx
(tests/runtime/test_httpdefaults.py checks it against httpx's classes).
"""

from __future__ import annotations

from typing import NamedTuple

import httpcore

__all__ = ["HTTPCORE_ERRORS", "KINDS", "Kind", "kind"]

# What httpcore raises (the transports' own connections).
HTTPCORE_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)


class Kind(NamedTuple):
    """A failure as httpx names it: timed out, not sent (no byte of the request went out, a
    repeat cannot run the model twice), transient (worth another attempt)."""

    name: str
    timed_out: bool
    not_sent: bool
    transient: bool


def _kinds() -> dict[str, Kind]:
    table = {
        "TransportError": (False, False, False),
        "TimeoutException": (True, False, True),
        "ConnectTimeout": (True, True, True),
        "ReadTimeout": (True, False, True),
        "WriteTimeout": (True, False, True),
        "PoolTimeout": (True, True, True),
        "NetworkError": (False, False, True),
        "ConnectError": (False, True, True),
        "ReadError": (False, False, True),
        "WriteError": (False, False, True),
        "CloseError": (False, False, True),
        "ProtocolError": (False, False, False),
        "LocalProtocolError": (False, False, False),
        "RemoteProtocolError": (False, False, True),
        "ProxyError": (False, True, True),
        "UnsupportedProtocol": (False, True, False),
    }
    return {name: Kind(name, *flags) for name, flags in table.items()}


KINDS = _kinds()  # httpx 0.28's TransportError family by name


def kind(exc: Exception) -> Kind:
    """How httpx classifies `exc`: an httpcore error as the httpx error of its name (or
    `TransportError`, as httpx maps one it has no twin for), an httpx error as it is."""
    if isinstance(exc, HTTPCORE_ERRORS):
        return KINDS.get(type(exc).__name__, KINDS["TransportError"])
    from .httpxerrors import NOT_SENT_HTTPX, TRANSIENT_HTTPX, TimeoutException

    return Kind(
        type(exc).__name__,
        isinstance(exc, TimeoutException),
        isinstance(exc, NOT_SENT_HTTPX),
        isinstance(exc, TRANSIENT_HTTPX),
    )
