"""Source kind "remote": pull models by URL or `user/app/model[@version]` and parse them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...errors import CodegenError
from ...parser import parse_model
from ...snapshot_format import Loaded
from ..outcome import Outcome
from .fetch import FetchResult
from .fetch_many import fetch_many
from .refs import parse_model_ref
from .settings import RemoteSettings


def pull_models(
    sources: Sequence[str],
    settings: RemoteSettings | None = None,
    on_fetch: Callable[[FetchResult], None] | None = None,
) -> list[Outcome]:
    """One outcome per model reference, in order, all fetched concurrently (settings: from the
    environment by default). A bad reference raises; a model that fails stops only itself."""
    settings = settings or RemoteSettings.from_env()
    refs = [parse_model_ref(text) for text in sources]
    outcomes: list[Outcome] = []
    for text, result in zip(sources, fetch_many(refs, settings, on_fetch), strict=True):
        if result.error is not None:
            outcomes.append(Outcome(None, error=result.error))
            continue
        try:
            spec, found = parse_model(result.body, result.url, result.ref, text)
        except CodegenError as exc:
            outcomes.append(Outcome(None, error=exc))
            continue
        outcomes.append(Outcome(Loaded(spec, result.body, text), found))
    return outcomes
