"""Which failures are transient, and exponential backoff with jitter between retries.

The facts live in `protocol` (shared with the signature puller); this module keeps the names the
transports import.
"""

from __future__ import annotations

from .protocol import TRANSIENT_CODES, TRANSIENT_HTTP, Backoff, RetryPolicy, parse_retry_after
from .protocol import failure_is_transient as is_transient

__all__ = [
    "TRANSIENT_CODES",
    "TRANSIENT_HTTP",
    "Backoff",
    "RetryPolicy",
    "is_transient",
    "parse_retry_after",
]
