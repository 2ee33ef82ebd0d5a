"""Source kind "remote": signatures from the Clarifai REST API, fetched with bounded retries.

One module per job: `refs` (model references), `settings`, `replies` (what a reply means), `fetch`
(one model), `fetch_many` (concurrently), `progress`, and `pull` (the entry point: `pull_models`).
Status codes, the transient set, the backoff and the routes are the runtime's (`runtime/protocol.py`).

httpx is imported only by `fetch`, so `refs.looks_remote` stays cheap for deciding what is remote.
`fetch(ref, settings)` never raises for a per-model failure (the `FetchResult` carries a one-line
`CodegenError` whose `where` is the model URL); only a missing or unusable PAT raises.
`fetch_many` runs at most `settings.concurrency` requests at once over one `httpx.Client` and
returns results in input order, calling `on_result` in the calling thread as each model finishes.

Typical use (the CLI's `generate URL...`)::

    settings = RemoteSettings.from_env(pat=pat_option)          # no PAT needed until a fetch
    urls = [arg for arg in args if looks_remote(arg)]
    progress = Progress(len(urls), sys.stderr)
    outcomes = pull_models(urls, settings, on_fetch=progress.update)  # input order
    # underneath: fetch_many([parse_model_ref(u) ...]) -> FetchResult (r.version_id: the version
    # actually fetched), then parser.parse_model(r.unwrap(), r.url, r.ref)

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
