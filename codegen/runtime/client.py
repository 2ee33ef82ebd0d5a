# Generated from aclient.py by scripts/unasync_runtime.py: edit aclient.py, then run `make unasync`.
"""The client generated model classes call (`unary`, `unary_batch`, `server_stream`,
`bidi_stream`): `AsyncClient` here, `Client` in client.py, derived from this file by
scripts/unasync_runtime.py.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from .batch import (
    DEFAULT_CONCURRENCY,
    BatchResults,
    check_concurrency,
    prepare,
    route,
    send_all,
)
from .bodies import DEFAULT_MAX_RESPONSE_BYTES, check_limit
from .core import bidi_over_http_error as bidi_over_http_error
from .core import bidi_requests, redact
from .encode import encode_args
from .errors import ClarifaiError
from .messages import ModelRef, output_value, request_body
from .owner import OwnerCache
from .runner import RunnerSelector, resolve_runner
from .settings import DEFAULT_BASE_URL as DEFAULT_BASE_URL
from .settings import Settings, check_idempotent
from .signature import Method

if TYPE_CHECKING:  # httpx is imported only where a client sends through one (see `httpdefaults`)
    import httpx

__all__ = ["DEFAULT_BASE_URL", "Client", "ModelRef", "Settings", "bidi_requests"]

Json = dict[str, Any]


class Transport(Protocol):
    """What a client needs from a transport (HTTP or gRPC)."""

    def unary(self, model: ModelRef, body: Json, *, idempotent: bool = False) -> Json: ...

    def server_stream(
        self, model: ModelRef, body: Json, *, idempotent: bool = False
    ) -> Iterator[Json]: ...

    def owner_id(self) -> str: ...

    def close(self) -> None: ...


class BidiTransport(Transport, Protocol):
    """A transport that also streams requests (gRPC)."""

    def bidi_stream(
        self,
        model: ModelRef,
        method_name: str,
        bodies: Iterator[Json],
        *,
        idempotent: bool = False,
    ) -> Iterator[Json]: ...


class Client:
    """A connection to the Clarifai API, shared by generated model classes.

    `pat` defaults to `$CLARIFAI_PAT`, `base_url` to `$CLARIFAI_API_BASE` or
    https://api.clarifai.com, `transport` to `$CLARIFAI_TRANSPORT` or "http".
    `transport="grpc"` (needs `pip install clarifai-codegen[grpc]`) talks gRPC to the host of
    `base_url`: plaintext for `http://host:port`, TLS for `https://host[:port]` (port 443 by
    default); it is the only transport that serves bidirectional streaming. `timeout` is the
    deadline of each attempt of a unary call (connect, send and receive together, however
    slowly the server sends); streams have none, but fail when no complete message arrives for
    `timeout` seconds. `http_client` (an `httpx.Client`, or an `httpx.AsyncClient` for
    `AsyncClient`) is only used by the HTTP transport.
    `max_response_bytes` bounds a response body, one stream message and what a compressed body
    inflates to (`ResponseTooLargeError` beyond; 64 MiB by default).
    Transient failures (throttling, model loading, HTTP 429/503, connection errors) are retried
    up to `max_retries` times with exponential backoff starting at `backoff` seconds, sleeping
    at most `max_backoff` seconds in total per call. A failure after the request may have
    reached the model (a read timeout, a connection lost, HTTP 500/502/504, gRPC
    DEADLINE_EXCEEDED) is retried only for a method declared safe to run twice: `idempotent`
    is True (every method) or a collection of method names (as in the signature).
    `batch_concurrency` bounds how many requests of one batch (`<method>_batch`) are in flight.

    `deployment_id`, or `compute_cluster_id` with `nodepool_id`, route every call to that
    deployment or nodepool of `deployment_user_id` (default: the PAT's owner, looked up once);
    they default to `$CLARIFAI_DEPLOYMENT_ID`, `$CLARIFAI_DEPLOYMENT_USER_ID`,
    `$CLARIFAI_COMPUTE_CLUSTER_ID` and `$CLARIFAI_NODEPOOL_ID` (see `runner.resolve_runner`).
    A client pickles as its settings and runner selection (the PAT only if passed explicitly);
    the copy opens its own connections.

    `AsyncClient` (for generated `Async<Model>` classes) is the asyncio twin of `Client`: use it
    from one event loop (its connections belong to the loop that opened them), and close it
    with `await client.aclose()` or `async with AsyncClient() as c:`.
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
        http_client: httpx.Client | None = None,
        deployment_id: str | None = None,
        deployment_user_id: str | None = None,
        compute_cluster_id: str | None = None,
        nodepool_id: str | None = None,
        batch_concurrency: int = DEFAULT_CONCURRENCY,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        idempotent: bool | Collection[str] = False,
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
            check_limit(max_response_bytes),
            check_idempotent(idempotent),
        )
        self._setup(settings, runner, http_client)

    def _setup(
        self, settings: Settings, runner: RunnerSelector, http_client: httpx.Client | None
    ) -> None:
        pat, base, name, policy = settings.resolve()
        timeout, limit = settings.timeout, settings.max_response_bytes
        self._settings = replace(settings, base_url=base, transport=name)
        self._pat = pat
        self.batch_concurrency = settings.batch_concurrency
        self.base_url = base
        self.transport = name
        self.runner = runner
        self._owner = OwnerCache()
        self._transport: Transport
        self._bidi: BidiTransport | None = None
        if name == "grpc":
            from .grpc import GrpcTransport  # imports grpc and protobuf (optional)

            self._transport = self._bidi = GrpcTransport(
                pat, base, timeout=timeout, policy=policy, max_response_bytes=limit
            )
        else:
            from .http import HttpTransport

            self._transport = HttpTransport(
                pat,
                base,
                timeout=timeout,
                policy=policy,
                max_response_bytes=limit,
                http_client=http_client,
            )

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(base_url={self.base_url!r}, transport={self.transport!r}, pat='***')"

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self._settings, "runner": self.runner}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._setup(state["settings"], state["runner"], None)

    def runner_json(self, runner: RunnerSelector | None = None) -> Json | None:
        """The `runner_selector` of a request routed by `runner` (default: the client's);
        looks up the PAT's owner (once per client) when no deployment user id was given."""
        runner = self.runner if runner is None else runner
        owner = self._owner.get(self._transport.owner_id) if runner.needs_user else None
        return runner.to_json(owner)

    def close(self) -> None:
        """Release network resources (the gRPC channel, the HTTP connection pool), cancelling
        calls still running. A supplied `http_client` is left open."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def unary(
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
        body = request_body(model, method.name, parts, self.runner_json(runner))
        idempotent = self._settings.is_idempotent(method.name)
        return self._decode(method, self._transport.unary(model, body, idempotent=idempotent))

    def _decode(self, method: Method, response: Json) -> Any:
        """The value of a response; a failure is redacted like a transport's."""
        try:
            return output_value(method.output, response)
        except ClarifaiError as err:
            redact(err, self._pat)
            raise

    def unary_batch(
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
        chunks = route(chunks, self.runner_json(runner))
        results = BatchResults(method, chunks)
        idempotent = self._settings.is_idempotent(method.name)

        def send(body: Json) -> Json:
            return self._transport.unary(model, body, idempotent=idempotent)

        send_all(chunks, send, self.batch_concurrency, results)
        try:
            return results.finish()
        except ClarifaiError as err:
            redact(err, self._pat)
            raise

    def server_stream(
        self,
        model: ModelRef,
        method: Method,
        args: Mapping[str, Any],
        *,
        runner: RunnerSelector | None = None,
    ) -> Iterator[Any]:
        """Call a server-streaming method; returns a lazy iterator of decoded values.

        Arguments are validated now (`ArgumentError` is raised by this call, not by the
        iteration); the request is sent on the first `next()`. Closing the iterator early
        (or cancelling the task iterating it) cancels the call.
        """
        parts = encode_args(method, args)
        idempotent = self._settings.is_idempotent(method.name)

        def responses() -> Iterator[Json]:
            body = request_body(model, method.name, parts, self.runner_json(runner))
            stream = self._transport.server_stream(model, body, idempotent=idempotent)
            try:
                for response in stream:  # noqa: RUF100, UP028 (client.py: close `stream` in finally)
                    yield response
            finally:
                _close(stream)

        return self._values(method, responses())

    def bidi_stream(
        self,
        model: ModelRef,
        method: Method,
        args: Mapping[str, Any],
        *,
        runner: RunnerSelector | None = None,
    ) -> Iterator[Any]:
        """Call a bidirectional-streaming method (needs the gRPC transport).

        Returns a lazy iterator: the call starts on the first `next()`, items of the streamed
        argument are encoded and sent as the call consumes them, and an empty iterable sends
        nothing. Closing the iterator early cancels the call. Over HTTP this raises
        `StreamingNotSupportedError` (after validating the arguments). For `AsyncClient` the
        streamed argument may be an async iterable or a plain iterable (whose `next()` runs in
        the event loop, so it should not block).
        """
        bodies = bidi_requests(model, method, args, lambda: self.runner_json(runner))
        if self._bidi is None:
            raise bidi_over_http_error(method.name)
        idempotent = self._settings.is_idempotent(method.name)
        responses = self._bidi.bidi_stream(model, method.name, bodies, idempotent=idempotent)
        return self._values(method, responses)

    def _values(self, method: Method, responses: Iterator[Json]) -> Iterator[Any]:
        try:
            for response in responses:
                yield self._decode(method, response)
        finally:
            _close(responses)


def _close(stream: Iterator[Any]) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        close()
