"""A client's settings: its arguments, resolved against the environment (no I/O)."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass

from .batch import DEFAULT_CONCURRENCY
from .bodies import DEFAULT_MAX_RESPONSE_BYTES
from .errors import ArgumentError, AuthError, TransportError, shown
from .protocol import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "HTTP_POOL_SIZE",
    "TRANSPORTS",
    "Settings",
    "check_idempotent",
    "resolve_settings",
]

DEFAULT_BASE_URL = "https://api.clarifai.com"
# Requests one HTTP client sends at once, each on its own connection (kept open when idle):
# more threads or tasks than this wait for a connection.
HTTP_POOL_SIZE = 64
TRANSPORTS = ("http", "grpc")


@dataclass(frozen=True)
class Settings:
    """A client's arguments; all a pickled client keeps besides its runner selection (so
    `pat` is None unless it was passed explicitly: an unpickled copy reads its own
    CLARIFAI_PAT)."""

    pat: str | None
    base_url: str | None
    transport: str | None
    timeout: float
    max_retries: int
    backoff: float
    max_backoff: float
    batch_concurrency: int = DEFAULT_CONCURRENCY
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    idempotent: bool | frozenset[str] = False  # see `check_idempotent`

    def is_idempotent(self, method_name: str) -> bool:
        """May a call of `method_name` be sent again after it may have reached the model?"""
        idempotent = self.idempotent
        return idempotent if isinstance(idempotent, bool) else method_name in idempotent

    def resolve(self) -> tuple[str, str, str, RetryPolicy]:
        """The PAT, base URL, transport name and retry policy (see `resolve_settings`)."""
        return resolve_settings(
            self.pat,
            self.base_url,
            self.transport,
            self.timeout,
            self.max_retries,
            self.backoff,
            self.max_backoff,
        )


def check_idempotent(value: object) -> bool | frozenset[str]:
    """`Client(idempotent=)`: True (every method may be resent), False, or method names."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Collection) and not isinstance(value, (str, bytes)):
        names = frozenset(value)
        if all(isinstance(name, str) for name in names):
            return names
    raise ArgumentError(
        f"idempotent must be a bool or a collection of method names, got {shown(value)}"
    )


def resolve_settings(
    pat: str | None,
    base_url: str | None,
    transport: str | None,
    timeout: float,
    max_retries: int,
    backoff: float,
    max_backoff: float,
) -> tuple[str, str, str, RetryPolicy]:
    """The PAT, base URL, transport name and retry policy of a client, from its arguments
    and the environment (`CLARIFAI_PAT`, `CLARIFAI_API_BASE`, `CLARIFAI_TRANSPORT`)."""
    pat = pat if pat is not None else os.environ.get("CLARIFAI_PAT")
    pat = (pat or "").strip()
    if not pat:
        raise AuthError(
            "no Clarifai PAT: set the CLARIFAI_PAT environment variable or pass Client(pat=...)"
        )
    if not (pat.isascii() and pat.isprintable()) or any(c.isspace() for c in pat):
        raise AuthError("the PAT contains whitespace, control or non-ASCII characters")
    base = base_url or os.environ.get("CLARIFAI_API_BASE") or DEFAULT_BASE_URL
    base = base.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise TransportError(f"base_url must start with http:// or https://, got {base!r}")
    name = (transport or os.environ.get("CLARIFAI_TRANSPORT") or "http").strip().lower()
    if name not in TRANSPORTS:
        raise TransportError(f"unknown transport {name!r}; expected one of {TRANSPORTS}")
    if max_retries < 0 or backoff < 0 or max_backoff < 0 or timeout <= 0:
        raise ArgumentError("timeout must be > 0; max_retries, backoff and max_backoff >= 0")
    return pat, base, name, RetryPolicy(max_retries, backoff, max_backoff)
