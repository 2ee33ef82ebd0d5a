"""`Client`: what generated modules call (`unary`, `server_stream`, `bidi_stream`)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
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
from .encode import encode_args, encode_part
from .errors import ArgumentError, AuthError, StreamingNotSupportedError, TransportError
from .messages import ModelRef, output_value, request_body
from .owner import OwnerCache
from .retry import RetryPolicy
from .runner import RunnerSelector, resolve_runner
from .signature import Field, Method

if TYPE_CHECKING:  # httpx is imported on first Client(), so importing a model module stays fast
    import httpx

__all__ = ["DEFAULT_BASE_URL", "Client", "ModelRef", "Settings"]

DEFAULT_BASE_URL = "https://api.clarifai.com"
TRANSPORTS = ("http", "grpc")
Json = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    """A client's arguments; all a pickled client keeps besides its runner selection (so
    `pat` is None unless it was passed explicitly: an unpickled copy reads its own
    CLARIFAI_PAT)."""

    pat: str | None
    base_url: str | None
    transport: str | None
    timeout: float
    max_retries: int
    backoff: float
    max_backoff: float
    batch_concurrency: int = DEFAULT_CONCURRENCY

    def resolve(self) -> tuple[str, str, str, RetryPolicy]:
        """The PAT, base URL, transport name and retry policy (see `resolve_settings`)."""
        return resolve_settings(
            self.pat,
            self.base_url,
            self.transport,
            self.timeout,
            self.max_retries,
            self.backoff,
            self.max_backoff,
        )


class Transport(Protocol):
    """What `Client` needs from a transport (`http.HttpTransport`, `grpc.GrpcTransport`)."""

    def unary(self, model: ModelRef, body: dict[str, Any]) -> dict[str, Any]: ...

    def server_stream(self, model: ModelRef, body: dict[str, Any]) -> Iterator[dict[str, Any]]: ...

    def bidi_stream(
        self, model: ModelRef, method_name: str, bodies: Iterator[dict[str, Any]]
    ) -> Iterator[dict[str, Any]]: ...

    def owner_id(self) -> str: ...

    def close(self) -> None: ...


class Client:
    """A connection to the Clarifai API, shared by generated model classes.

    `pat` defaults to `$CLARIFAI_PAT`, `base_url` to `$CLARIFAI_API_BASE` or
    https://api.clarifai.com, `transport` to `$CLARIFAI_TRANSPORT` or "http".
    `transport="grpc"` (needs `pip install clarifai-codegen[grpc]`) talks gRPC to the host of
    `base_url`: plaintext for `http://host:port`, TLS for `https://host[:port]` (port 443 by
    default); it is the only transport that serves bidirectional streaming. `timeout` is the
    deadline of a unary call; streams have none, but fail when no message arrives for
    `timeout` seconds. `http_client` is only used by the HTTP transport.
    Transient failures (throttling, model loading, HTTP 429/502/503/504, connection
    errors) are retried up to `max_retries` times with exponential backoff starting at
    `backoff` seconds, sleeping at most `max_backoff` seconds in total per call.
    `batch_concurrency` bounds how many requests of one batch (`<method>_batch`) are in flight.

    `deployment_id`, or `compute_cluster_id` with `nodepool_id`, route every call to that
    deployment or nodepool of `deployment_user_id` (default: the PAT's owner, looked up once);
    they default to `$CLARIFAI_DEPLOYMENT_ID`, `$CLARIFAI_DEPLOYMENT_USER_ID`,
    `$CLARIFAI_COMPUTE_CLUSTER_ID` and `$CLARIFAI_NODEPOOL_ID` (see `runner.resolve_runner`).
    A client pickles as its settings and runner selection (the PAT only if passed explicitly);
    the copy opens its own connections.
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
        self, settings: Settings, runner: RunnerSelector, http_client: httpx.Client | None
    ) -> None:
        pat, base, name, policy = settings.resolve()
        timeout = settings.timeout
        self._settings = replace(settings, base_url=base, transport=name)
        self.batch_concurrency = settings.batch_concurrency
        self.base_url = base
        self.transport = name
        self.runner = runner
        self._owner = OwnerCache()
        self._transport: Transport
        if name == "grpc":
            from .grpc import GrpcTransport  # imports grpc and clarifai_grpc (optional)

            self._transport = GrpcTransport(pat, base, timeout=timeout, policy=policy)
        else:
            from .http import HttpTransport

            self._transport = HttpTransport(
                pat, base, timeout=timeout, policy=policy, http_client=http_client
            )

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, transport={self.transport!r}, pat='***')"

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
        """Release network resources (the gRPC channel, the HTTP connection pool).

        A supplied `http_client` is left open."""
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
        return output_value(method.output, self._transport.unary(model, body))

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
        send_all(
            chunks, lambda body: self._transport.unary(model, body), self.batch_concurrency, results
        )
        return results.finish()

    def server_stream(
        self,
        model: ModelRef,
        method: Method,
        args: Mapping[str, Any],
        *,
        runner: RunnerSelector | None = None,
    ) -> Iterator[Any]:
        """Call a server-streaming method; returns a lazy iterator of decoded values.

        Arguments are validated now; the request is sent on the first `next()`.
        """
        parts = encode_args(method, args)

        def responses() -> Iterator[Json]:
            body = request_body(model, method.name, parts, self.runner_json(runner))
            yield from self._transport.server_stream(model, body)

        return _values(method, responses())

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
        `StreamingNotSupportedError` (after validating the arguments).
        """
        bodies = bidi_requests(model, method, args, lambda: self.runner_json(runner))
        if self.transport != "grpc":
            raise bidi_over_http_error(method.name)
        return _values(method, self._transport.bidi_stream(model, method.name, bodies))


def _values(method: Method, responses: Iterator[dict[str, Any]]) -> Iterator[Any]:
    try:
        for response in responses:
            yield output_value(method.output, response)
    finally:
        close = getattr(responses, "close", None)
        if close is not None:
            close()


def resolve_settings(
    pat: str | None,
    base_url: str | None,
    transport: str | None,
    timeout: float,
    max_retries: int,
    backoff: float,
    max_backoff: float,
) -> tuple[str, str, str, RetryPolicy]:
    """The PAT, base URL, transport name and retry policy of a client, from its arguments
    and the environment (`CLARIFAI_PAT`, `CLARIFAI_API_BASE`, `CLARIFAI_TRANSPORT`)."""
    pat = pat if pat is not None else os.environ.get("CLARIFAI_PAT")
    pat = (pat or "").strip()
    if not pat:
        raise AuthError(
            "no Clarifai PAT: set the CLARIFAI_PAT environment variable or pass Client(pat=...)"
        )
    if not (pat.isascii() and pat.isprintable()) or any(c.isspace() for c in pat):
        raise AuthError("the PAT contains whitespace, control or non-ASCII characters")
    base = base_url or os.environ.get("CLARIFAI_API_BASE") or DEFAULT_BASE_URL
    base = base.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise TransportError(f"base_url must start with http:// or https://, got {base!r}")
    name = (transport or os.environ.get("CLARIFAI_TRANSPORT") or "http").strip().lower()
    if name not in TRANSPORTS:
        raise TransportError(f"unknown transport {name!r}; expected one of {TRANSPORTS}")
    if max_retries < 0 or backoff < 0 or max_backoff < 0 or timeout <= 0:
        raise ValueError("timeout must be > 0; max_retries, backoff and max_backoff >= 0")
    return pat, base, name, RetryPolicy(max_retries, backoff, max_backoff)


def bidi_over_http_error(method_name: str) -> StreamingNotSupportedError:
    """What `bidi_stream` raises over HTTP."""
    return StreamingNotSupportedError(
        f"{method_name}() streams its input, which the HTTP transport cannot do; "
        'use Client(transport="grpc") or set CLARIFAI_TRANSPORT=grpc '
        "(needs pip install clarifai-codegen[grpc])"
    )


def check_bidi_args(
    method: Method, args: Mapping[str, Any], *, allow_async: bool = False
) -> tuple[Field, Any]:
    """Validate the arguments of a bidi call except the streamed items; returns the streamed
    field and its iterable (an `AsyncIterable` too when `allow_async`)."""
    stream = method.streamed_input
    if stream is None:
        raise ArgumentError(f"{method.name}() has no streamed argument")
    items = args.get(stream.name)
    usable = isinstance(items, Iterable) or (allow_async and isinstance(items, AsyncIterable))
    if items is None or isinstance(items, (str, bytes)) or not usable:
        expected = "an iterable or an async iterable" if allow_async else "an iterable"
        raise ArgumentError(f"{method.name}() argument {stream.name!r}: expected {expected}")
    encode_args(method, args, skip=stream.name)  # validate the other arguments now
    return stream, items


def bidi_body(
    model: ModelRef,
    method: Method,
    args: Mapping[str, Any],
    stream: Field,
    index: int,
    item: Any,
    runner: Json | None = None,
) -> dict[str, Any]:
    """Request `index` of a bidi call: the first carries every argument and the first
    streamed item, later ones only their item (protocol §4.5); each carries the
    `runner_selector`, as the SDK's request template does."""
    if index == 0:
        parts = encode_args(method, {**args, stream.name: item})
    else:
        where = f"{method.name}() argument {stream.name!r}[{index}]"
        parts = [encode_part(stream.type, item, where, stream.name)]
    return request_body(model, method.name, parts, runner)


def bidi_requests(
    model: ModelRef,
    method: Method,
    args: Mapping[str, Any],
    runner_json: Callable[[], Json | None] = lambda: None,
) -> Iterator[dict[str, Any]]:
    """The request bodies of a bidi call: the first carries every argument and the first
    streamed item, later ones only the next item (protocol §4.5). Validated eagerly
    except for the streamed items, which are encoded as they are consumed; `runner_json`
    is called when the first item is."""
    stream, items = check_bidi_args(method, args)

    def generate() -> Iterator[dict[str, Any]]:
        runner = None
        for i, item in enumerate(items):
            if i == 0:
                runner = runner_json()
            yield bidi_body(model, method, args, stream, i, item, runner)

    return generate()
