"""Signatures from the Clarifai REST API: model URLs, settings, fetching with bounded retries, progress.

One module per job: `refs` (model references), `settings`, `replies` (what a reply means), `fetch`
(one model), `fetch_many` (concurrently), `progress`; this package re-exports their public names.
Status codes, the transient set, the backoff and the routes are the runtime's (`runtime/protocol.py`).

The CLI imports this package lazily, only when an argument looks remote (`looks_remote`).
`fetch(ref, settings)` never raises for a per-model failure (the `FetchResult` carries a one-line
`CodegenError` whose `where` is the model URL); only a missing or unusable PAT raises.
`fetch_many` runs at most `settings.concurrency` requests at once over one `httpx.Client` and
returns results in input order, calling `on_result` in the calling thread as each model finishes.

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
