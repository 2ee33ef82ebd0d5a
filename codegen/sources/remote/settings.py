"""How the puller reaches the API: `RemoteSettings` (PAT, API base, timeouts, retries, concurrency)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ...errors import CodegenError, printable
from ...runtime.protocol import DEFAULT_API_BASE, RetryPolicy

__all__ = ["DEFAULT_API_BASE", "NO_PAT", "RemoteSettings"]

NO_PAT = "no Clarifai PAT: set CLARIFAI_PAT or pass --pat"


def _env_api_base() -> str:
    return os.environ.get("CLARIFAI_API_BASE") or DEFAULT_API_BASE


@dataclass(frozen=True)
class RemoteSettings:
    """How to reach the API. Times in seconds; `max_seconds` bounds one model including backoff sleeps."""

    pat: str | None = field(default=None, repr=False)
    api_base: str = field(default_factory=_env_api_base)
    timeout: float = 30.0
    max_attempts: int = 5
    max_seconds: float = 60.0
    backoff: float = 0.5
    concurrency: int = 8

    def __post_init__(self) -> None:
        base = self.api_base.strip().rstrip("/")
        scheme = urlsplit(base).scheme.lower() if "://" in base else ""
        if scheme not in ("http", "https") or not urlsplit(base).netloc:
            raise CodegenError(
                f"invalid API base {printable(self.api_base)!r}: expected an http(s) URL such as "
                f"{DEFAULT_API_BASE}"
            )
        object.__setattr__(self, "api_base", base)
        checks = (
            ("timeout", self.timeout > 0),
            ("max_attempts", self.max_attempts >= 1),
            ("max_seconds", self.max_seconds > 0),
            ("backoff", self.backoff >= 0),
            ("concurrency", self.concurrency >= 1),
        )
        for name, ok in checks:
            if not ok:  # (NaN fails every comparison)
                raise CodegenError(f"invalid {name} {getattr(self, name)!r}")

    def __repr__(self) -> str:
        pat = "None" if self.pat is None else "'***'"
        return (
            f"RemoteSettings(pat={pat}, api_base={self.api_base!r}, timeout={self.timeout!r}, "
            f"max_attempts={self.max_attempts!r}, max_seconds={self.max_seconds!r}, "
            f"backoff={self.backoff!r}, concurrency={self.concurrency!r})"
        )

    __str__ = __repr__

    @classmethod
    def from_env(
        cls, pat: str | None = None, api_base: str | None = None, **overrides: Any
    ) -> RemoteSettings:
        """Settings from arguments, falling back to `CLARIFAI_PAT` and `CLARIFAI_API_BASE`."""
        return cls(
            pat=pat or os.environ.get("CLARIFAI_PAT") or None,
            api_base=api_base or _env_api_base(),
            **overrides,
        )

    @property
    def retry_policy(self) -> RetryPolicy:
        """The runtime's backoff, bounded by these settings: `max_seconds` is the wall-clock budget
        of one model (requests included), which the fetch loop passes as what it has spent."""
        return RetryPolicy(self.max_attempts - 1, self.backoff, self.max_seconds)

    def require_pat(self) -> str:
        """The PAT, or the one-line error a fetch without one gives."""
        if not self.pat:
            raise CodegenError(NO_PAT)
        if not all(" " < c < "\x7f" for c in self.pat):
            raise CodegenError(
                "the Clarifai PAT contains spaces, control or non-ASCII characters "
                "and cannot be sent (check CLARIFAI_PAT or --pat)"
            )
        return self.pat
