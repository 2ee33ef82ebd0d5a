"""Signatures from the Clarifai REST API: model URLs, settings, fetching with bounded retries, progress.

One module per job: `refs` (model references), `settings`, `replies` (what a reply means), `fetch`
(one model), `fetch_many` (concurrently), `progress`; this package re-exports their public names.
Status codes, the transient set, the backoff and the routes are the runtime's (`runtime/protocol.py`).

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

    rejected PAT      HTTP 401; `protocol.AUTH_CODES`
    no permission     HTTP 403; `protocol.PERMISSION_CODES`
    not found         HTTP 404; `protocol.NOT_FOUND_CODES`
    transient         connection errors and resets, timeouts, proxy errors, HTTP 429/500/502/503/504
                      (a GET is safe to repeat after a 500); `protocol.TRANSIENT_CODES` -> retried with
                      the runtime's backoff (`backoff * 2**n` scaled by a random factor in [0.5, 1]),
                      honouring `Retry-After`, at most `max_attempts` requests and `max_seconds` in total
                      (a sleep that would pass the budget is not taken)
    anything else     a one-line error with the HTTP status, the code and the server's description

The PAT never appears in an error, a repr or a result: it is only ever put in the `Authorization` header,
request headers are never quoted, and every message built here is scrubbed of it as a safety net.
"""

from __future__ import annotations

from ...runtime.protocol import parse_retry_after
from .fetch import FetchResult, fetch
from .fetch_many import fetch_many
from .progress import Progress
from .refs import looks_remote, model_url, parse_model_ref
from .settings import DEFAULT_API_BASE, RemoteSettings

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
