"""Facts about Clarifai's API that the runtime and the signature puller share (no I/O).

Status codes and their names, what each code means for the caller (auth, permission, not found, rate
limit, server, model), which failures are worth retrying, the backoff between retries, `Retry-After`,
and the routes. Outcomes are decided on the body's `status.code`; the HTTP status is only a hint, for
replies without a code we know (a proxy's HTML 401, a gateway's 503).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

SUCCESS = 10000
MIXED_STATUS = 10010  # some outputs of a multi-input request failed (each has its own status)

CODE_NAMES = {
    10000: "SUCCESS",
    10010: "MIXED_STATUS",
    10020: "FAILURE",
    10030: "TRY_AGAIN",
    10040: "NOT_IMPLEMENTED",
    11000: "CONN_ACCOUNT_ISSUES",
    11001: "CONN_TOKEN_INVALID",
    11002: "CONN_CREDENTIALS_INVALID",
    11003: "CONN_EXCEED_HOURLY_LIMIT",
    11004: "CONN_EXCEED_MONTHLY_LIMIT",
    11005: "CONN_THROTTLED",
    11006: "CONN_EXCEEDS_LIMITS",
    11007: "CONN_INSUFFICIENT_SCOPES",
    11008: "CONN_KEY_INVALID",
    11009: "CONN_KEY_NOT_FOUND",
    11100: "CONN_BAD_REQUEST_FORMAT",
    11101: "CONN_DOES_NOT_EXIST",
    11102: "CONN_INVALID_REQUEST",
    11103: "CONN_METHOD_NOT_ALLOWED",
    21200: "MODEL_DOES_NOT_EXIST",
    21201: "MODEL_PERMISSION_DENIED",
    21202: "MODEL_INVALID_ARGUMENT",
    21203: "MODEL_INVALID_REQUEST",
    21313: "MODEL_PREDICTION_FAILED",
    21351: "MODEL_DEPLOYING",
    21353: "MODEL_NOT_DEPLOYED",
    21354: "MODEL_BUSY_PLEASE_RETRY",
    21355: "MODEL_LOADING",
    25600: "RUNNER_DOES_NOT_EXIST",
    25604: "RUNNER_NEEDS_RETRY",
    25608: "RUNNER_PROCESSING_FAILED",
    90400: "BAD_REQUEST",
    90500: "SERVER_ERROR",
    98004: "INTERNAL_SERVER_ISSUE",
    99009: "INTERNAL_UNCATEGORIZED",
}
CODES_BY_NAME = {name: code for code, name in CODE_NAMES.items()}

# What a failure means for the caller. Each code belongs to at most one category.
AUTH, PERMISSION, NOT_FOUND = "auth", "permission", "not_found"
RATE_LIMIT, SERVER, MODEL = "rate_limit", "server", "model"

AUTH_CODES = frozenset({11001, 11002, 11008, 11009})
PERMISSION_CODES = frozenset({11007, 21201})
NOT_FOUND_CODES = frozenset({11101, 21200, 25600})
RATE_LIMIT_CODES = frozenset({11003, 11004, 11005, 11006})  # throttled / over a usage limit
# TRY_AGAIN, model deploying / busy / loading, RUNNER_NEEDS_RETRY
SERVER_CODES = frozenset({10030, 21351, 21354, 21355, 25604})
MODEL_CODES = frozenset({10020, 21313, 25608})  # the model failed, whatever the HTTP status

_BY_CODE = {
    AUTH: AUTH_CODES,
    PERMISSION: PERMISSION_CODES,
    NOT_FOUND: NOT_FOUND_CODES,
    RATE_LIMIT: RATE_LIMIT_CODES,
    SERVER: SERVER_CODES,
    MODEL: MODEL_CODES,
}
_BY_HTTP = {401: AUTH, 403: PERMISSION, 404: NOT_FOUND, 429: RATE_LIMIT}
# google.rpc.Code values (gRPC status, or grpc-gateway's `{"error": {"code": ...}}`).
_BY_GRPC = {5: NOT_FOUND, 7: PERMISSION, 8: RATE_LIMIT, 13: SERVER, 14: SERVER, 16: AUTH}
# RESOURCE_EXHAUSTED, UNAVAILABLE: a native gRPC failure worth another attempt (the call did not
# run: throttled, or no connection). DEADLINE_EXCEEDED, INTERNAL: it may have reached the model,
# so it is retried only when idempotent (like HTTP 504 and 500).
TRANSIENT_GRPC = frozenset({8, 14})
REACHED_GRPC = frozenset({4, 13})

TRANSIENT_CODES = RATE_LIMIT_CODES | SERVER_CODES
# Throttled, unavailable: the server says it did not run the request, so any call may be repeated.
# A 500, or a gateway's 502 / 504, may come after the model ran: only a request that is safe to
# repeat (an idempotent method, the puller's GETs) retries them.
TRANSIENT_HTTP = frozenset({429, 503})
TRANSIENT_HTTP_IDEMPOTENT = TRANSIENT_HTTP | {500, 502, 504}


def status_code(raw: object) -> int | None:
    """A `status.code` (int, numeric string or enum name) as an int; None when unreadable."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text.isascii() and text.isdigit() and len(text) <= 10:  # not "²", nor 5,000 digits
            return int(text)
        return CODES_BY_NAME.get(text.upper())
    return None


def category(code: int | None, http_status: int | None = None) -> str | None:
    """AUTH, PERMISSION, NOT_FOUND, RATE_LIMIT, SERVER or MODEL by the code, else by the HTTP status."""
    for name, codes in _BY_CODE.items():
        if code in codes:
            return name
    if http_status in _BY_HTTP:
        return _BY_HTTP[http_status]
    return SERVER if http_status is not None and http_status >= 500 else None


def grpc_category(grpc_code: int | None) -> str | None:
    """The category of a google.rpc.Code (None for the codes without one)."""
    return _BY_GRPC.get(grpc_code) if grpc_code is not None else None


def is_transient(code: int | None, http_status: int | None, *, idempotent: bool) -> bool:
    """Is a failed reply worth retrying? A code we know decides; otherwise the HTTP status."""
    if code in TRANSIENT_CODES:
        return True
    if code in AUTH_CODES | PERMISSION_CODES | NOT_FOUND_CODES:
        return False
    return http_status in (TRANSIENT_HTTP_IDEMPOTENT if idempotent else TRANSIENT_HTTP)


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


class Failure(Protocol):
    """What the backoff needs to know about a failed attempt (a `ClarifaiError` is one):
    `transient`: a connection-level failure worth another attempt; `reached`: the request may
    have reached the model (its bytes started to go out), so only an idempotent call repeats it."""

    code: int | None
    http_status: int | None
    retry_after: float | None
    transient: bool
    reached: bool


def failure_is_transient(err: Failure, *, idempotent: bool = False) -> bool:
    """Is `err` worth retrying (when nothing has been delivered to the caller yet)?"""
    if err.transient:
        return idempotent or not err.reached
    return is_transient(err.code, err.http_status, idempotent=idempotent)


_JITTER = random.Random()  # shared: a new Random() per call would read the OS random source


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_retries` retries, sleeping at most `max_backoff` seconds in total.

    The n-th delay is `backoff * 2**n` scaled by a random factor in [0.5, 1], or the
    server's `Retry-After` when it sent one.
    """

    max_retries: int = 4
    backoff: float = 0.5
    max_backoff: float = 60.0

    def start(self, *, idempotent: bool = False) -> Backoff:
        """Fresh retry state for one call (`idempotent`: safe to repeat even when it may have
        reached the model, e.g. a GET, or a method the user declared idempotent)."""
        return Backoff(self, idempotent=idempotent)


@dataclass
class Backoff:
    """Retry state of one call."""

    policy: RetryPolicy
    attempt: int = 0
    slept: float = 0.0
    idempotent: bool = False
    _rng: random.Random = field(default_factory=lambda: _JITTER, repr=False)

    @property
    def exhausted(self) -> bool:
        """Have all the retries been used?"""
        return self.attempt >= self.policy.max_retries

    def proposed(self, retry_after: float | None) -> float:
        """The next delay: the server's `Retry-After`, else the jittered exponential one."""
        if retry_after is not None:
            return retry_after
        return self.policy.backoff * (2.0**self.attempt) * (0.5 + self._rng.random() / 2)

    def take(self, delay: float, spent: float | None = None) -> bool:
        """Count a retry after `delay` unless that passes `max_backoff`.

        `spent` is what the call has used of the budget so far (default: its sleeps).
        """
        if (self.slept if spent is None else spent) + delay > self.policy.max_backoff:
            return False
        self.attempt += 1
        self.slept += delay
        return True

    def next_delay(self, err: Failure) -> float | None:
        """Seconds to wait before retrying after `err`, or None to give up."""
        if not failure_is_transient(err, idempotent=self.idempotent) or self.exhausted:
            return None
        delay = self.proposed(err.retry_after)
        return delay if self.take(delay) else None


class ModelIds(Protocol):
    """A model reference (the generator's and the runtime's `ModelRef` both are one)."""

    @property
    def user_id(self) -> str: ...
    @property
    def app_id(self) -> str: ...
    @property
    def model_id(self) -> str: ...
    @property
    def version_id(self) -> str | None: ...


DEFAULT_API_BASE = "https://api.clarifai.com"
WEB_BASE = "https://clarifai.com"


USERS_ME = "/v2/users/me"  # GetUser for the PAT's owner (the SDK's `get_user_info("me")`)


def model_path(model: ModelIds) -> str:
    """`/v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]`, each id URL-quoted."""
    ids = [("users", model.user_id), ("apps", model.app_id), ("models", model.model_id)]
    if model.version_id:
        ids.append(("versions", model.version_id))
    return "/v2" + "".join(f"/{kind}/{quote(value, safe='')}" for kind, value in ids)


def model_page_url(model: ModelIds) -> str:
    """The model's page: `https://clarifai.com/{user}/{app}/models/{model}[/versions/{v}]`."""
    url = f"{WEB_BASE}/{model.user_id}/{model.app_id}/models/{model.model_id}"
    return url + (f"/versions/{model.version_id}" if model.version_id else "")
