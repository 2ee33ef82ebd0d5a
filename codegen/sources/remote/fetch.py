"""Fetch one model's signature document, retrying transient failures with the runtime's backoff."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from ... import __version__
from ...errors import CodegenError
from ...runtime.protocol import model_path
from ...spec import ModelRef
from .refs import model_url
from .replies import (
    Permanent,
    Transient,
    classify,
    read_body,
    signatures_of,
    transport_reason,
    version_of,
)
from .settings import RemoteSettings

__all__ = ["MIN_TIMEOUT", "FetchResult", "fetch", "fetch_one", "new_client", "scrub"]

MIN_TIMEOUT = 0.001  # the least time an attempt gets; a retry needs at least this much budget left


@dataclass(frozen=True)
class FetchResult:
    """The outcome for one model: `body` on success, `error` otherwise (never both)."""

    ref: ModelRef
    url: str
    body: dict[str, Any] | None = field(repr=False)
    error: CodegenError | None
    attempts: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def method_count(self) -> int:
        sigs = signatures_of(self.body) if self.body is not None else None
        return len(sigs) if isinstance(sigs, list) else 0

    @property
    def version_id(self) -> str | None:
        """The version the signatures belong to (the latest one, for an unpinned ref)."""
        version = version_of(self.body) if self.body is not None else None
        vid = version.get("id") if isinstance(version, dict) else None
        return vid if isinstance(vid, str) and vid else self.ref.version_id

    def unwrap(self) -> dict[str, Any]:
        """The body, or raise the error."""
        if self.error is not None:
            raise self.error
        assert self.body is not None
        return self.body


def scrub(text: str, pat: str | None) -> str:
    """`text` with the PAT replaced by `***` (a safety net: nothing here quotes request headers)."""
    return text.replace(pat, "***") if pat else text


def new_client(settings: RemoteSettings, connections: int) -> httpx.Client:
    return httpx.Client(
        timeout=settings.timeout,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        headers={"User-Agent": f"clarifai-codegen/{__version__}"},
        follow_redirects=False,
    )


def fetch(
    ref: ModelRef, settings: RemoteSettings, client: httpx.Client | None = None
) -> FetchResult:
    """Fetch one model's signature document (see the package docstring for outcomes and retries)."""
    pat = settings.require_pat()
    if client is None:
        with new_client(settings, 1) as own:
            return fetch_one(ref, settings, pat, own)
    return fetch_one(ref, settings, pat, client)


def fetch_one(
    ref: ModelRef, settings: RemoteSettings, pat: str, client: httpx.Client
) -> FetchResult:
    """`fetch` with a checked PAT and a client: every failure is in the result, none raised."""
    where = model_url(ref)
    url = settings.api_base + model_path(ref)
    headers = {"Authorization": f"Key {pat}", "Accept": "application/json"}
    backoff = settings.retry_policy.start(idempotent=True)
    start = time.monotonic()

    def result(body: dict[str, Any] | None, message: str | None) -> FetchResult:
        error = CodegenError(scrub(message, pat), where) if message is not None else None
        return FetchResult(ref, where, body, error, backoff.attempt + 1, time.monotonic() - start)

    while True:
        remaining = settings.max_seconds - (time.monotonic() - start)
        timeout = max(MIN_TIMEOUT, min(settings.timeout, remaining))
        try:
            with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                content = read_body(response)
                return result(classify(ref, response.status_code, content, response.headers), None)
        except Permanent as exc:
            return result(None, exc.reason)
        except Transient as exc:
            reason, retry_after = exc.reason, exc.retry_after
        except httpx.TransportError as exc:
            reason, transient = transport_reason(exc, timeout)
            if not transient:
                return result(None, reason)
            retry_after = None
        except httpx.HTTPError as exc:  # e.g. a body that cannot be decoded
            return result(None, f"{type(exc).__name__}: {exc}")

        elapsed = time.monotonic() - start
        attempts = backoff.attempt + 1
        gave_up = (
            f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.2f} s"
        )
        if backoff.exhausted:
            return result(None, f"{gave_up}: {reason}")
        delay = backoff.proposed(retry_after)
        if not backoff.take(delay, spent=elapsed + MIN_TIMEOUT):
            why = (
                f"retrying after the requested {retry_after:.3g} s"
                if retry_after is not None
                else "another attempt"
            )
            budget = f"{settings.max_seconds:.3g} s"
            return result(None, f"{gave_up} ({why} would pass the {budget} budget): {reason}")
        time.sleep(delay)
