"""httpx's failures as the transports and the signature puller judge them (imports httpx: only
a path that already uses an httpx client imports this module)."""

from __future__ import annotations

import httpx
from httpx import TimeoutException

__all__ = ["NOT_SENT_HTTPX", "TRANSIENT_HTTPX", "TimeoutException"]

# Connection-level failures worth another attempt, here and in the signature puller. A proxy's own
# failure (it could not reach the API) is a gateway error like HTTP 502.
TRANSIENT_HTTPX = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)
# Failures before a byte of the request went out: a repeat cannot run the model twice. Any other
# (a read or write error or timeout, a connection closed without an answer) may come after the
# server got the request, so only an idempotent call repeats it.
NOT_SENT_HTTPX = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)
