"""Which failures are transient, and exponential backoff with jitter between retries."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

from .errors import ClarifaiError

__all__ = [
    "TRANSIENT_CODES",
    "TRANSIENT_HTTP",
    "Backoff",
    "RetryPolicy",
    "is_transient",
    "parse_retry_after",
]

TRANSIENT_HTTP = frozenset({429, 502, 503, 504})
TRANSIENT_CODES = frozenset(
    {11003, 11004, 11005, 11006}  # throttled / over a usage limit
    | {21351, 21354, 21355}  # model deploying, busy, loading
    | {10030, 25604}  # TRY_AGAIN, RUNNER_NEEDS_RETRY
)


def is_transient(err: ClarifaiError) -> bool:
    """Is `err` worth retrying (when nothing has been delivered to the caller yet)?"""
    if err.transient:
        return True
    return err.code in TRANSIENT_CODES or err.http_status in TRANSIENT_HTTP


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` (delta seconds, fractional accepted, or an HTTP date) -> seconds from now (>= 0)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # rare: keep it off the import path

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            from datetime import timezone

            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_retries` retries, sleeping at most `max_backoff` seconds in total.

    The n-th delay is `backoff * 2**n` scaled by a random factor in [0.5, 1], or the
    server's `Retry-After` when it sent one.
    """

    max_retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 60.0

    def start(self) -> Backoff:
        """Fresh retry state for one call."""
        return Backoff(self)


@dataclass
class Backoff:
    """Retry state of one call."""

    policy: RetryPolicy
    attempt: int = 0
    slept: float = 0.0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def next_delay(self, err: ClarifaiError) -> float | None:
        """Seconds to wait before retrying after `err`, or None to give up."""
        if not is_transient(err) or self.attempt >= self.policy.max_retries:
            return None
        if err.retry_after is not None:
            delay = err.retry_after
        else:
            delay = self.policy.backoff * (2**self.attempt) * (0.5 + self._rng.random() / 2)
        if self.slept + delay > self.policy.max_backoff:
            return None
        self.attempt += 1
        self.slept += delay
        return delay
