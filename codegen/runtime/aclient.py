"""`AsyncClient`: what generated `Async<Model>` classes call (`unary`, `server_stream`,
`bidi_stream`), the asyncio twin of `client.Client`."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from .batch import (
    DEFAULT_CONCURRENCY,
    BatchResults,
    check_concurrency,
    prepare,
    route,
    send_all_async,
)
from .client import Settings, bidi_body, bidi_over_http_error, check_bidi_args
from .encode import encode_args
from .messages import ModelRef, output_value, request_body
from .owner import AsyncOwnerCache
from .runner import RunnerSelector, resolve_runner
from .signature import Method

if TYPE_CHECKING:  # httpx is imported on first AsyncClient(), so importing a model stays fast
    import httpx

__all__ = ["AsyncClient", "abidi_requests"]

Json = dict[str, Any]


class AsyncTransport(Protocol):
    """What `AsyncClient` needs from a transport (`ahttp.AsyncHttpTransport`,
    `agrpc.AsyncGrpcTransport`)."""

    async def unary(self, model: ModelRef, body: Json) -> Json: ...

    def server_stream(self, model: ModelRef, body: Json) -> AsyncIterator[Json]: ...

    def bidi_stream(
        self, model: ModelRef, method_name: str, bodies: AsyncIterator[Json]
    ) -> AsyncIterator[Json]: ...

    async def owner_id(self) -> str: ...

    async def aclose(self) -> None: ...


class AsyncClient:
    """An asyncio connection to the Clarifai API, shared by generated `Async<Model>` classes.

    Same arguments, environment variables (`CLARIFAI_PAT`, `CLARIFAI_API_BASE`,
    `CLARIFAI_TRANSPORT`, the runner selection's), errors, timeouts, retries and pickling as
    `Client`; `http_client` is an `httpx.AsyncClient`. Use it from one event loop (its
    connections belong to the loop that opened them), and close it with
    `await client.aclose()` or `async with AsyncClient() as c:`.
    """

    def __init__(
        self,
        pat: str | None = None,
        base_url: str | None = None,
        *,
        transport: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 60.0,
        http_client: httpx.AsyncClient | None = None,
        deployment_id: str | None = None,
        deployment_user_id: str | None = None,
        compute_cluster_id: str | None = None,
        nodepool_id: str | None = None,
        batch_concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        runner = resolve_runner(deployment_id, deployment_user_id, compute_cluster_id, nodepool_id)
        settings = Settings(
            pat,
            base_url,
            transport,
            timeout,
            max_retries,
            backoff,
            max_backoff,
            check_concurrency(batch_concurrency),
        )
        self._setup(settings, runner, http_client)

    def _setup(
        self, settings: Settings, runner: RunnerSelector, http_client: httpx.AsyncClient | None
    ) -> None:
        pat, base, name, policy = settings.resolve()
        timeout = settings.timeout
        self._settings = replace(settings, base_url=base, transport=name)
        self.batch_concurrency = settings.batch_concurrency
        self.base_url = base
        self.transport = name
        self.runner = runner
        self._owner = AsyncOwnerCache()
        self._transport: AsyncTransport
        if name == "grpc":
            from .agrpc import AsyncGrpcTransport  # imports grpc and clarifai_grpc (optional)

            self._transport = AsyncGrpcTransport(pat, base, timeout=timeout, policy=policy)
        else:
            from .ahttp import AsyncHttpTransport

            self._transport = AsyncHttpTransport(
                pat, base, timeout=timeout, policy=policy, http_client=http_client
            )

    def __repr__(self) -> str:
        return f"AsyncClient(base_url={self.base_url!r}, transport={self.transport!r}, pat='***')"

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self._settings, "runner": self.runner}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._setup(state["settings"], state["runner"], None)

    async def runner_json(self, runner: RunnerSelector | None = None) -> Json | None:
        """The `runner_selector` of a request routed by `runner` (default: the client's);
        looks up the PAT's owner (once per client) when no deployment user id was given."""
        runner = self.runner if runner is None else runner
        owner = await self._owner.get(self._transport.owner_id) if runner.needs_user else None
        return runner.to_json(owner)

    async def aclose(self) -> None:
        """Release network resources (the gRPC channel, the HTTP connection pool), cancelling
        calls still running. A supplied `http_client` is left open."""
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def unary(
        self,
        model: ModelRef,
        method: Method,
        args: Mapping[str, Any],
        *,
        runner: RunnerSelector | None = None,
    ) -> Any:
        """Call a unary method (routed by `runner`, default: the client's); returns its
        decoded return value."""
        parts = encode_args(method, args)
        body = request_body(model, method.name, parts, await self.runner_json(runner))
        return output_value(method.output, await self._transport.unary(model, body))

    async def unary_batch(
        self,
        model: ModelRef,
        method: Method,
        items: Iterable[Mapping[str, Any]],
        keys: Mapping[str, str],
        defaults: Mapping[str, Any],
        *,
        runner: RunnerSelector | None = None,
    ) -> list[Any]:
        """Call a unary method once per item (see `batch`), routed like `unary`; returns the
        values in item order."""
        chunks = prepare(model, method, items, keys, defaults)
        chunks = route(chunks, await self.runner_json(runner))
        results = BatchResults(method, chunks)

        async def send(body: Json) -> Json:
            return await self._transport.unary(model, body)

        await send_all_async(chunks, send, self.batch_concurrency, results)
        return results.finish()

    def server_stream(
        self,
        model: ModelRef,
        method: Method,
        args: Mapping[str, Any],
        *,
        runner: RunnerSelector | None = None,
    ) -> AsyncIterator[Any]:
        """Call a server-streaming method; returns a lazy async iterator of decoded values.

        Arguments are validated now (`ArgumentError` is raised by this call, not by the
        iteration); the request is sent on the first `__anext__()`. Closing the iterator early
        (`aclose()`, or cancelling the task iterating it) cancels the call.
        """
        parts = encode_args(method, args)

        async def responses() -> AsyncIterator[Json]:
            body = request_body(model, method.name, parts, await self.runner_json(runner))
            stream = self._transport.server_stream(model, body)
            try:
                async for response in stream:
                    yield response
            finally:
                await _aclose(stream)

        return _values(method, responses())

    def bidi_stream(
        self,
        model: ModelRef,
        method: Method,
        args: Mapping[str, Any],
        *,
        runner: RunnerSelector | None = None,
    ) -> AsyncIterator[Any]:
        """Call a bidirectional-streaming method (needs the gRPC transport).

        The streamed argument may be an async iterable or a plain iterable (whose `next()`
        runs in the event loop, so it should not block). Returns a lazy async iterator: the
        call starts on the first `__anext__()`, items are encoded and sent as the call consumes
        them, and an empty iterable sends nothing. Closing the iterator early cancels the call.
        Over HTTP this raises `StreamingNotSupportedError` (after validating the arguments).
        """
        bodies = abidi_requests(model, method, args, lambda: self.runner_json(runner))
        if self.transport != "grpc":
            raise bidi_over_http_error(method.name)
        return _values(method, self._transport.bidi_stream(model, method.name, bodies))


async def _no_runner() -> Json | None:
    return None


async def _aclose(stream: AsyncIterator[Any]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


async def _values(method: Method, responses: AsyncIterator[Json]) -> AsyncIterator[Any]:
    try:
        async for response in responses:
            yield output_value(method.output, response)
    finally:
        await _aclose(responses)


def abidi_requests(
    model: ModelRef,
    method: Method,
    args: Mapping[str, Any],
    runner_json: Callable[[], Awaitable[Json | None]] = _no_runner,
) -> AsyncIterator[Json]:
    """The request bodies of a bidi call (see `client.bidi_requests`), from a streamed argument
    that is an async iterable or a plain iterable. Validated eagerly except for the streamed
    items, which are encoded as they are consumed; `runner_json` is awaited when the first
    item is."""
    stream, items = check_bidi_args(method, args, allow_async=True)

    async def generate() -> AsyncIterator[Json]:
        runner = None
        if isinstance(items, AsyncIterable):
            i = 0
            async for item in items:
                if i == 0:
                    runner = await runner_json()
                yield bidi_body(model, method, args, stream, i, item, runner)
                i += 1
        else:
            for i, item in enumerate(items):
                if i == 0:
                    runner = await runner_json()
                yield bidi_body(model, method, args, stream, i, item, runner)

    return generate()
