"""Signatures from the Clarifai REST API: model URLs, settings, fetching with bounded retries, progress.

Library API (the CLI imports this module lazily, only when an argument looks remote)::

    looks_remote(text: str) -> bool
        True for a model URL (`https://...`, `http://...`, `clarifai.com/...`) or `user/app/model[@version]`,
        False for an existing local path and for anything ending in `.json`.
    parse_model_ref(text: str) -> ModelRef
        `https://<any host>/{user}/{app}/models/{model}[/versions/{version}]` (trailing slash, query string and
        fragment ignored; the scheme may be omitted for `clarifai.com/...`) or `user/app/model[@version]`.
        Ids are checked with `naming.check_resource_id`; anything else is a one-line `CodegenError`.
    model_url(ref: ModelRef) -> str
        The canonical `https://clarifai.com/...` page of a model (with `/versions/{v}` when pinned).
    RemoteSettings(pat=None, api_base=$CLARIFAI_API_BASE or https://api.clarifai.com, timeout=30.0,
                   max_attempts=5, max_seconds=60.0, backoff=0.5, concurrency=8)
    RemoteSettings.from_env(pat=None, api_base=None, **overrides) -> RemoteSettings
        The PAT from the argument, else `CLARIFAI_PAT`. A missing PAT is an error only when fetching.
        `repr()` never shows the PAT.
    fetch(ref, settings, client: httpx.Client | None = None) -> FetchResult
        One model: `GET {api_base}/v2/users/{u}/apps/{a}/models/{m}` (latest version) or
        `.../models/{m}/versions/{v}` (pinned). Never raises for a per-model failure: the result carries it.
        Raises `CodegenError` only for a missing or unusable PAT (a configuration error, not the model's).
    fetch_many(refs, settings, on_result=None) -> list[FetchResult]
        Concurrently (at most `settings.concurrency` requests in flight, one shared `httpx.Client`), results
        in input order; `on_result` is called in the calling thread as each model finishes.
    FetchResult(ref, url, body, error, attempts, seconds)
        `url` is `model_url(ref)`; `body` is the JSON document exactly as received (None on failure), ready
        for `parser.parse_model(result.body, result.url, result.ref)`; `error` is a one-line `CodegenError`
        whose `where` is the model URL (None on success). `.ok`, `.method_count`, `.version_id`, `.unwrap()`.
    Progress(total, stream, is_tty=None).update(result) / .close()
        A one-line progress bar on a terminal, else one `ok   u/a/m (3 methods) 0.12 s` / `FAIL u/a/m: ...`
        line per model.
    parse_retry_after(value: str | None, now: float | None = None) -> float | None

Typical use (the CLI's `generate URL...`)::

    settings = RemoteSettings.from_env(pat=pat_option)          # no PAT needed until a fetch
    refs = [parse_model_ref(arg) for arg in args if looks_remote(arg)]
    progress = Progress(len(refs), sys.stderr)
    results = fetch_many(refs, settings, on_result=progress.update)
    for r in results:                                            # input order
        spec, problems = parser.parse_model(r.unwrap(), r.url, r.ref)
    # r.version_id is the version actually fetched: pin it with dataclasses.replace(r.ref, version_id=...)

Outcomes are decided on the body's `status.code` (10000 = success), with the HTTP status as a hint when the
body has none (e.g. a 401 from a proxy with an HTML body is still an auth error):

    rejected PAT      HTTP 401; codes 11001, 11002, 11008, 11009
    no permission     HTTP 403; codes 11007, 21201
    not found         HTTP 404; codes 11101, 21200
    transient         connection errors and resets, timeouts, HTTP 429/500/502/503/504; codes 10030,
                      11003-11006, 21351, 21354, 21355 -> retried with exponential backoff with full jitter
                      (`backoff * 2**(n-1)` upper bound), honouring `Retry-After`, at most `max_attempts`
                      requests and `max_seconds` in total (a sleep that would pass the budget is not taken)
    anything else     a one-line error with the HTTP status, the code and the server's description

The PAT never appears in an error, a repr or a result: it is only ever put in the `Authorization` header,
request headers are never quoted, and every message built here is scrubbed of it as a safety net.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

import httpx

from .. import __version__
from ..errors import CodegenError, printable
from ..naming import check_resource_id
from ..runtime.retry import parse_retry_after
from ..spec import ModelRef

__all__ = [
    "DEFAULT_API_BASE",
    "FetchResult",
    "Progress",
    "RemoteSettings",
    "fetch",
    "fetch_many",
    "looks_remote",
    "model_url",
    "parse_model_ref",
    "parse_retry_after",
]

DEFAULT_API_BASE = "https://api.clarifai.com"
MAX_BODY_BYTES = 32 * 1024 * 1024
NO_PAT = "no Clarifai PAT: set CLARIFAI_PAT or pass --pat"

SUCCESS = 10000
AUTH_CODES = frozenset({11001, 11002, 11008, 11009})
PERMISSION_CODES = frozenset({11007, 21201})
NOT_FOUND_CODES = frozenset({11101, 21200})
TRANSIENT_CODES = frozenset({10030, 11003, 11004, 11005, 11006, 21351, 21354, 21355})
TRANSIENT_HTTP = frozenset({429, 500, 502, 503, 504})

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
    21351: "MODEL_DEPLOYING",
    21353: "MODEL_NOT_DEPLOYED",
    21354: "MODEL_BUSY_PLEASE_RETRY",
    21355: "MODEL_LOADING",
    98004: "INTERNAL_SERVER_ISSUE",
    99009: "INTERNAL_UNCATEGORIZED",
}
_CODES_BY_NAME = {name: code for code, name in CODE_NAMES.items()}

_URL_SHAPE = (
    "https://clarifai.com/USER/APP/models/MODEL[/versions/VERSION] or USER/APP/MODEL[@VERSION]"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_BARE_HOST = re.compile(r"^(?:[A-Za-z0-9\-]+\.)*clarifai\.com(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)
_SHORT_FORM = re.compile(r"^[A-Za-z0-9][^/\s@]*/[^/\s@]+/[^/\s@]+(?:@[^/\s@]*)?$")


# ----------------------------------------------------------------------------------------- model refs


def looks_remote(text: str) -> bool:
    """Is `text` a model URL or `user/app/model[@version]` rather than a local file or directory?"""
    if not text or text.lower().endswith(".json"):
        return False
    try:
        if Path(text).exists():
            return False
    except (OSError, ValueError):  # too long for the OS, an embedded NUL: not a usable path
        pass
    if text.lower().startswith(("https://", "http://")) or _BARE_HOST.match(text):
        return True
    return _SHORT_FORM.match(text) is not None


def parse_model_ref(text: str) -> ModelRef:
    """A model URL or `user/app/model[@version]` -> ModelRef (ids validated); else a CodegenError."""
    where = text
    raw = text.strip()
    if not raw:
        raise CodegenError(f"empty model reference: expected {_URL_SHAPE}")
    if _SCHEME.match(raw) or _BARE_HOST.match(raw):
        return _parse_url(raw if _SCHEME.match(raw) else f"https://{raw}", where)
    main, at, version = raw.partition("@")
    if at and not version:
        raise CodegenError("empty version after '@'", where)
    parts = main.split("/")
    if len(parts) != 3 or any(not p for p in parts):
        raise CodegenError(f"not a model reference: expected {_URL_SHAPE}", where)
    return _make_ref(parts[0], parts[1], parts[2], version if at else None, where)


def _parse_url(url: str, where: str) -> ModelRef:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise CodegenError(f"not a valid URL ({exc})", where) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise CodegenError(f"not a model URL: expected {_URL_SHAPE}", where)
    path = parts.path
    if path.endswith("/"):
        path = path[:-1]
    segments = path.split("/")[1:] if path.startswith("/") else []
    if len(segments) in (4, 6) and segments[2] in ("workflows", "modules", "datasets", "pipelines"):
        kind = segments[2].rstrip("s")
        raise CodegenError(f"this is a {kind} URL, not a model URL: expected {_URL_SHAPE}", where)
    shape_ok = (len(segments) == 4 and segments[2] == "models") or (
        len(segments) == 6 and segments[2] == "models" and segments[4] == "versions"
    )
    if not shape_ok or any(not s for s in segments):
        raise CodegenError(f"not a model URL: expected {_URL_SHAPE}", where)
    version = segments[5] if len(segments) == 6 else None
    return _make_ref(segments[0], segments[1], segments[3], version, where)


def _make_ref(user: str, app: str, model: str, version: str | None, where: str) -> ModelRef:
    return ModelRef(
        check_resource_id(user, "user id", where),
        check_resource_id(app, "app id", where),
        check_resource_id(model, "model id", where),
        check_resource_id(version, "version id", where) if version is not None else None,
    )


def model_url(ref: ModelRef) -> str:
    """The model's canonical page: `https://clarifai.com/{user}/{app}/models/{model}[/versions/{v}]`."""
    url = f"https://clarifai.com/{ref.user_id}/{ref.app_id}/models/{ref.model_id}"
    return url + (f"/versions/{ref.version_id}" if ref.version_id else "")


def _label(ref: ModelRef) -> str:
    return ref.path + (f"@{ref.version_id}" if ref.version_id else "")


# ------------------------------------------------------------------------------------------- settings


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


# -------------------------------------------------------------------------------------------- results


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
        sigs = _signatures(self.body) if self.body is not None else None
        return len(sigs) if isinstance(sigs, list) else 0

    @property
    def version_id(self) -> str | None:
        """The version the signatures belong to (the latest one, for an unpinned ref)."""
        version = _version(self.body) if self.body is not None else None
        vid = version.get("id") if isinstance(version, dict) else None
        return vid if isinstance(vid, str) and vid else self.ref.version_id

    def unwrap(self) -> dict[str, Any]:
        """The body, or raise the error."""
        if self.error is not None:
            raise self.error
        assert self.body is not None
        return self.body


def _get(obj: Any, *keys: str) -> Any:
    """obj[key] for the first key present (snake_case or camelCase), if obj is a dict."""
    if isinstance(obj, dict):
        for key in keys:
            if key in obj:
                return obj[key]
    return None


def _version(body: dict[str, Any]) -> Any:
    model = _get(body, "model")
    if isinstance(model, dict):
        return _get(model, "model_version", "modelVersion")
    return _get(body, "model_version", "modelVersion")


def _signatures(body: dict[str, Any]) -> Any:
    return _get(_version(body), "method_signatures", "methodSignatures")


# -------------------------------------------------------------------------------------------- fetching


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Permanent(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _scrub(text: str, pat: str | None) -> str:
    return text.replace(pat, "***") if pat else text


def _status(doc: Any) -> tuple[int | None, str]:
    """The body's status code (None when absent or unreadable) and description."""
    status = _get(doc, "status")
    if not isinstance(status, dict):
        return None, ""
    raw = status.get("code")
    code: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        code = raw
    elif isinstance(raw, str):
        code = int(raw) if raw.strip().isdigit() else _CODES_BY_NAME.get(raw.strip().upper())
    desc = status.get("description")
    details = status.get("details")
    text = desc if isinstance(desc, str) else ""
    if isinstance(details, str) and details and details != text:
        text = f"{text}; {details}" if text else details
    return code, text


def _describe(http: int, code: int | None, desc: str) -> str:
    """`HTTP 503, status 11005 CONN_THROTTLED: description` (description shortened to one line)."""
    text = f"HTTP {http}"
    if code is not None:
        name = CODE_NAMES.get(code)
        text += f", status {code}" + (f" {name}" if name else "")
    desc = " ".join(desc.split())
    if desc:
        text += f": {desc[:300]}" + ("..." if len(desc) > 300 else "")
    return text


def _read_body(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Permanent(f"response larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _category(code: int | None, http: int) -> str | None:
    """auth / permission / not_found / transient by the body's code, else by the HTTP status."""
    for codes, name in (
        (AUTH_CODES, "auth"),
        (PERMISSION_CODES, "permission"),
        (NOT_FOUND_CODES, "not_found"),
        (TRANSIENT_CODES, "transient"),
    ):
        if code in codes:
            return name
    by_http = {401: "auth", 403: "permission", 404: "not_found"}
    if http in by_http:
        return by_http[http]
    return "transient" if http in TRANSIENT_HTTP else None


def _classify(ref: ModelRef, http: int, content: bytes, headers: httpx.Headers) -> dict[str, Any]:
    """The signature document of a response, or raise _Transient / _Permanent."""
    try:
        doc: Any = json.loads(content)
        json_error = ""
    except json.JSONDecodeError as exc:
        doc = None
        json_error = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    except (UnicodeDecodeError, RecursionError) as exc:
        doc = None
        json_error = f"unreadable JSON ({type(exc).__name__})"
    code, desc = _status(doc)
    what = _describe(http, code, desc)
    model = _label(ref)

    if code == SUCCESS and 200 <= http < 300:
        if not isinstance(doc, dict):
            raise _Permanent(f"malformed response: expected a JSON object ({what})")
        version = _version(doc)
        sigs = _signatures(doc)
        if not isinstance(version, dict) or not sigs:
            raise _Permanent(
                f"model {model} has no method signatures: it is not a pythonic model "
                "and cannot be typed"
            )
        if not isinstance(sigs, list):
            raise _Permanent(f"malformed response: method_signatures is not a list ({what})")
        return doc

    category = _category(code, http)
    if category == "auth":
        raise _Permanent(f"the Clarifai PAT was rejected ({what}); check CLARIFAI_PAT or --pat")
    if category == "permission":
        raise _Permanent(f"permission denied: the PAT may not read model {model} ({what})")
    if category == "not_found":
        thing = f"model {ref.path} version {ref.version_id}" if ref.version_id else f"model {model}"
        raise _Permanent(f"{thing} not found ({what})")
    if category == "transient":
        raise _Transient(what, parse_retry_after(headers.get("retry-after")))
    if 200 <= http < 300:
        if doc is None:
            raise _Permanent(
                f"malformed response: {json_error} (HTTP {http}, {len(content)} bytes)"
            )
        if code is None:
            raise _Permanent(f"malformed response: no status code in the reply ({what})")
        raise _Permanent(f"the API answered with a failure status ({what})")
    if 300 <= http < 400:
        location = headers.get("location", "")
        raise _Permanent(f"unexpected redirect ({what})" + (f" to {location}" if location else ""))
    raise _Permanent(f"request failed ({what})")


def _transport_reason(exc: httpx.TransportError, timeout: float) -> tuple[str, bool]:
    """A one-line reason for a transport failure, and whether it is worth retrying."""
    timeouts = {
        httpx.ConnectTimeout: "connect timeout: no connection",
        httpx.ReadTimeout: "read timeout: no response",
        httpx.WriteTimeout: "write timeout: request not sent",
        httpx.PoolTimeout: "pool timeout: no free connection",
    }
    for kind, text in timeouts.items():
        if isinstance(exc, kind):
            return f"{text} within {timeout:.3g} s", True
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {detail}", True
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.CloseError)):
        return f"connection error: {detail}", True
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"connection dropped: {detail}", True
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error: {detail}", True
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout after {timeout:.3g} s: {detail}", True
    return f"{type(exc).__name__}: {detail}", False


def _api_url(ref: ModelRef, api_base: str) -> str:
    def q(s: str) -> str:
        return quote(s, safe="")

    url = f"{api_base}/v2/users/{q(ref.user_id)}/apps/{q(ref.app_id)}/models/{q(ref.model_id)}"
    return url + (f"/versions/{q(ref.version_id)}" if ref.version_id else "")


def _new_client(settings: RemoteSettings, connections: int) -> httpx.Client:
    return httpx.Client(
        timeout=settings.timeout,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        headers={"User-Agent": f"clarifai-codegen/{__version__}"},
        follow_redirects=False,
    )


def fetch(
    ref: ModelRef, settings: RemoteSettings, client: httpx.Client | None = None
) -> FetchResult:
    """Fetch one model's signature document (see the module docstring for outcomes and retries)."""
    pat = settings.require_pat()
    if client is None:
        with _new_client(settings, 1) as own:
            return _fetch(ref, settings, pat, own, random.Random())
    return _fetch(ref, settings, pat, client, random.Random())


def _fetch(
    ref: ModelRef, settings: RemoteSettings, pat: str, client: httpx.Client, rng: random.Random
) -> FetchResult:
    where = model_url(ref)
    url = _api_url(ref, settings.api_base)
    headers = {"Authorization": f"Key {pat}", "Accept": "application/json"}
    start = time.monotonic()
    attempts = 0

    def result(body: dict[str, Any] | None, message: str | None) -> FetchResult:
        error = CodegenError(_scrub(message, pat), where) if message is not None else None
        return FetchResult(ref, where, body, error, attempts, time.monotonic() - start)

    while True:
        remaining = settings.max_seconds - (time.monotonic() - start)
        timeout = max(0.001, min(settings.timeout, remaining))
        attempts += 1
        try:
            with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                content = _read_body(response)
                return result(_classify(ref, response.status_code, content, response.headers), None)
        except _Permanent as exc:
            return result(None, exc.reason)
        except _Transient as exc:
            reason, retry_after = exc.reason, exc.retry_after
        except httpx.TransportError as exc:
            reason, transient = _transport_reason(exc, timeout)
            if not transient:
                return result(None, reason)
            retry_after = None
        except httpx.HTTPError as exc:  # e.g. a body that cannot be decoded
            return result(None, f"{type(exc).__name__}: {exc}")

        elapsed = time.monotonic() - start
        gave_up = (
            f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.2f} s"
        )
        if attempts >= settings.max_attempts:
            return result(None, f"{gave_up}: {reason}")
        if retry_after is not None:
            delay = retry_after
        else:
            delay = rng.uniform(0, settings.backoff * 2 ** (attempts - 1))
        if elapsed + delay >= settings.max_seconds - 0.001:
            why = (
                f"retrying after the requested {retry_after:.3g} s"
                if retry_after is not None
                else "another attempt"
            )
            budget = f"{settings.max_seconds:.3g} s"
            return result(None, f"{gave_up} ({why} would pass the {budget} budget): {reason}")
        time.sleep(delay)


def fetch_many(
    refs: Sequence[ModelRef],
    settings: RemoteSettings,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch several models concurrently; results in input order, one per ref, failures included."""
    pat = settings.require_pat()
    if not refs:
        return []
    workers = min(settings.concurrency, len(refs))
    results: list[FetchResult | None] = [None] * len(refs)
    rngs = threading.local()
    client = _new_client(settings, workers)

    def run(ref: ModelRef) -> FetchResult:
        rng = getattr(rngs, "rng", None)
        if rng is None:
            rng = rngs.rng = random.Random()
        return _fetch(ref, settings, pat, client, rng)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clarifai-fetch")
    try:
        futures: dict[Future[FetchResult], int] = {
            pool.submit(run, ref): i for i, ref in enumerate(refs)
        }
        for future in as_completed(futures):
            i = futures[future]
            try:
                res = future.result()
            except Exception as exc:  # a bug must not lose the other models
                where = model_url(refs[i])
                message = _scrub(f"unexpected error: {type(exc).__name__}: {exc}", pat)
                res = FetchResult(refs[i], where, None, CodegenError(message, where), 0, 0.0)
            results[i] = res
            if on_result is not None:
                on_result(res)
    except BaseException:  # Ctrl-C or a failing callback: do not wait for the requests in flight
        pool.shutdown(wait=False, cancel_futures=True)
        client.close()
        raise
    pool.shutdown(wait=True)
    client.close()
    return [r for r in results if r is not None]


# -------------------------------------------------------------------------------------------- progress


class Progress:
    """Per-model progress on `stream`: a redrawn bar on a terminal, else one line per model."""

    WIDTH = 20

    def __init__(self, total: int, stream: IO[str], is_tty: bool | None = None) -> None:
        self.total = total
        self.stream = stream
        if is_tty is None:
            try:
                is_tty = stream.isatty()
            except (AttributeError, ValueError, OSError):
                is_tty = False
        self.is_tty = is_tty
        self.done = 0
        self.failed = 0
        self._drawn = 0
        self._closed = False

    def update(self, result: FetchResult) -> None:
        self.done += 1
        label = _label(result.ref)
        if result.error is not None:
            self.failed += 1
            line = printable(f"FAIL {label}: {result.error.message}")
        else:
            n = result.method_count
            line = f"ok   {label} ({n} method{'s' if n != 1 else ''}) {result.seconds:.2f} s"
        if self.is_tty:
            if result.error is not None:  # keep failures on screen, above the bar
                self._clear()
                self.stream.write(line + "\n")
            self._draw()
            if self.done >= self.total:
                self.close()
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def _draw(self) -> None:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"[{bar}] {self.done}/{self.total} models"
        if self.failed:
            text += f" ({self.failed} failed)"
        pad = " " * max(0, self._drawn - len(text))
        self.stream.write("\r" + text + pad)
        self._drawn = len(text)

    def close(self) -> None:
        """End the bar's line (terminal mode); idempotent."""
        if self.is_tty and self._drawn and not self._closed:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0
        self._closed = True
