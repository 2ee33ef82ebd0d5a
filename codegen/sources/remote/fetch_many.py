"""Fetch several models concurrently over one shared connection pool, results in input order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from ...errors import CodegenError
from ...spec import ModelRef
from .fetch import FetchResult, fetch_one, new_client, scrub
from .refs import model_url
from .settings import RemoteSettings

__all__ = ["fetch_many"]


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
    client = new_client(settings, workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="clarifai-fetch")
    try:
        futures: dict[Future[FetchResult], int] = {
            pool.submit(fetch_one, ref, settings, pat, client): i for i, ref in enumerate(refs)
        }
        for future in as_completed(futures):
            i = futures[future]
            try:
                res = future.result()
            except Exception as exc:  # a bug must not lose the other models
                where = model_url(refs[i])
                message = scrub(f"unexpected error: {type(exc).__name__}: {exc}", pat)
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
