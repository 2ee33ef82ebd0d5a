"""The transport-neutral core of a call, free of I/O: bidi request building, retry decisions,
"delivered" tracking, the deadline of an attempt and the idle deadline of a stream, and PAT
redaction.

The clients (`aclient.py`, and `client.py` derived from it) and the transports (HTTP, gRPC; sync
and async) only do I/O around these.
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from typing import Any

from .encode import encode_args, encode_part
from .errors import ArgumentError, ClarifaiError, StreamingNotSupportedError
from .messages import ModelRef, has_outputs, request_body
from .protocol import RetryPolicy
from .signature import Field, Method

__all__ = [
    "MAX_TEXT",
    "AsyncSleep",
    "Attempts",
    "Deadline",
    "IdleClock",
    "Replay",
    "Sleep",
    "abidi_requests",
    "bidi_body",
    "bidi_over_http_error",
    "bidi_requests",
    "check_bidi_args",
    "redact",
]

Json = dict[str, Any]
Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]


MAX_TEXT = 4000  # characters of a (server's) text an error keeps


def redact(err: ClarifaiError, pat: str) -> ClarifaiError:
    """Make sure the PAT appears nowhere in the exception: not in its message nor in any str
    attribute (each cut to `MAX_TEXT` characters, after the PAT is replaced: a cut never leaves
    part of it), nor in its cause or context chain. A foreign exception there (httpx's carries
    the request and its Authorization header; a JSON error, the whole body) is dropped; a
    `ClarifaiError` (a `BatchError`'s first failure) is redacted in turn."""

    def clean(text: str) -> str:
        if pat and pat in text:
            text = text.replace(pat, "***")
        if len(text) > MAX_TEXT:
            text = f"{text[:MAX_TEXT]}... ({len(text) - MAX_TEXT} more characters)"
        return text

    err.args = tuple(clean(a) if isinstance(a, str) else a for a in err.args)
    for name, value in list(vars(err).items()):
        if isinstance(value, str):
            setattr(err, name, clean(value))
    for _, failure in getattr(err, "failures", ()):  # a BatchError's
        if failure is not err:
            redact(failure, pat)
    cause, context = err.__cause__, err.__context__
    if isinstance(cause, ClarifaiError) and cause is not err:
        redact(cause, pat)
    else:
        err.__cause__ = None  # also sets __suppress_context__
    if isinstance(context, ClarifaiError) and context is not err:
        redact(context, pat)
    else:
        err.__context__ = None
    return err


class Attempts:
    """The retry state of one call: whether a value reached the caller (then a failure is final)
    and whether, and how long, to wait before the next attempt."""

    def __init__(self, policy: RetryPolicy, pat: str, *, idempotent: bool = False) -> None:
        self._backoff = policy.start(idempotent=idempotent)
        self._pat = pat
        self.delivered = False

    def deliver(self, response: Json) -> bool:
        """Is `response` a value for the caller (it has outputs)? Marks the call delivered."""
        if has_outputs(response):
            self.delivered = True
            return True
        return False

    def delay(self, err: ClarifaiError, *, replayable: bool = True) -> float:
        """Seconds to wait before retrying after `err` (redacted); raises `err` when the call
        must not be retried (not transient, out of retries, delivered, not `replayable`, or it
        may have reached the model and the call is not idempotent)."""
        redact(err, self._pat)
        retry = replayable and not self.delivered
        delay = self._backoff.next_delay(err) if retry else None
        if delay is None:
            raise err
        return delay


class Deadline:
    """The deadline of one attempt of a unary call: `timeout` seconds from now on `now`."""

    def __init__(self, timeout: float, now: Callable[[], float]) -> None:
        self.timeout = timeout
        self._now = now
        self._end = now() + timeout

    def remaining(self) -> float | None:
        return self._end - self._now()


class IdleClock:
    """The server-silence deadline of a stream: runs out `timeout` seconds (None: never) after the
    last `touch()` / `resume()`, never between `pause()` and `resume()` (while the caller holds a
    value, or while the caller's input produces its next item). `now` is the clock."""

    def __init__(self, timeout: float | None, now: Callable[[], float]) -> None:
        self._timeout = timeout
        self._now = now
        self._deadline = now() + (timeout or 0.0)
        self._paused = 0

    def touch(self) -> None:
        if self._timeout is not None:
            self._deadline = self._now() + self._timeout

    def pause(self) -> None:
        self._paused += 1

    def resume(self) -> None:
        self._paused -= 1
        self.touch()

    def remaining(self) -> float | None:
        """Seconds left; None while paused or without a timeout."""
        if self._paused > 0 or self._timeout is None:
            return None
        return self._deadline - self._now()


class Replay:
    """The requests of a bidi call kept for a retry: each one until the first value reaches the
    caller (`recording` off) or they pass `limit` bytes; from then on each is dropped once sent.
    Indices count from the call's first request."""

    def __init__(self, limit: int) -> None:
        self._kept: list[Any] = []
        self._base = 0  # the index of _kept[0]
        self._size = 0
        self._limit = limit
        self.recording = True

    @property
    def end(self) -> int:
        """The index after the last request added."""
        return self._base + len(self._kept)

    def add(self, request: Any, size: int) -> None:
        self._kept.append(request)
        if self.recording:
            self._size += size
            self.recording = self._size <= self._limit

    def sent(self, index: int) -> None:
        """The live attempt sent the requests before `index`: drop them unless recording."""
        if not self.recording and index > self._base:
            del self._kept[: index - self._base]
            self._base = index

    def get(self, index: int) -> Any | None:
        """Request `index` if it is kept (None: dropped, or not added yet)."""
        return self._kept[index - self._base] if self._base <= index < self.end else None

    def dropped(self, index: int) -> bool:
        return index < self._base


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
) -> Json:
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
) -> Iterator[Json]:
    """The request bodies of a bidi call (see `bidi_body`). Validated eagerly except for the
    streamed items, which are encoded as they are consumed; `runner_json` is called when the
    first item is."""
    stream, items = check_bidi_args(method, args)

    def generate() -> Iterator[Json]:
        runner = None
        for i, item in enumerate(items):
            if i == 0:
                runner = runner_json()
            yield bidi_body(model, method, args, stream, i, item, runner)

    return generate()


async def _no_runner() -> Json | None:
    return None


def abidi_requests(
    model: ModelRef,
    method: Method,
    args: Mapping[str, Any],
    runner_json: Callable[[], Awaitable[Json | None]] = _no_runner,
) -> AsyncIterator[Json]:
    """`bidi_requests` for an async call: the streamed argument is an async iterable or a plain
    one, and `runner_json` is awaited when the first item is consumed."""
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
