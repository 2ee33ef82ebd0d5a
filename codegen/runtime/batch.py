"""Typed batches: checking items, grouping them into requests, reassembling the results.

Shared by `Client.unary_batch` (threads) and `AsyncClient.unary_batch` (asyncio) and by both
transports; nothing here does I/O (the clients pass a `send` callable that posts one request).

Policy: every item is validated and encoded before anything is sent (`ArgumentError` names the
item). Items go out as `PostModelOutputsRequest`s of at most `BATCH_LIMIT` inputs, each input
exactly as a single call encodes it; at most `concurrency` requests are in flight. A failed
request does not stop the others: every request is sent, and if any failed (or any output
reports a failure) a `BatchError` lists them all and keeps the results of the rest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .decode import MalformedResponse
from .encode import encode_args
from .errors import (
    SUCCESS,
    ArgumentError,
    BatchError,
    ClarifaiError,
    error_from_status,
    status_code,
)
from .messages import ModelRef, output_value, request_body
from .signature import Method

__all__ = [
    "BATCH_LIMIT",
    "DEFAULT_CONCURRENCY",
    "BatchResults",
    "Chunk",
    "check_concurrency",
    "prepare",
    "route",
    "send_all",
    "send_all_async",
]

Json = dict[str, Any]
BATCH_LIMIT = 128  # inputs per request: the platform's limit (the SDK's MAX_MODEL_PREDICT_INPUTS)
DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class Chunk:
    """One request of a batch: the item indices it carries and its body."""

    indices: range
    body: Json


def check_concurrency(value: Any) -> int:
    """A valid `batch_concurrency` (an int >= 1)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ArgumentError(f"batch_concurrency must be an int >= 1, got {value!r}")
    return value


def prepare(
    model: ModelRef,
    method: Method,
    items: Iterable[Mapping[str, Any]],
    keys: Mapping[str, str],
    defaults: Mapping[str, Any],
    limit: int = BATCH_LIMIT,
) -> list[Chunk]:
    """Validate and encode every item, then group the inputs into requests of at most `limit`.

    `keys` maps an item's keys (the Python parameter names) to wire names; `defaults` holds the
    value of each optional key (a key without a default is required).
    """
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise ArgumentError(
            f"{method.name}() batch: expected a list of dicts of arguments, "
            f"got {type(items).__name__}"
        )
    bodies = [
        request_body(model, method.name, _encode_item(method, i, item, keys, defaults))
        for i, item in enumerate(items)
    ]
    chunks = []
    for start in range(0, len(bodies), limit):
        group = bodies[start : start + limit]
        body = {**group[0], "inputs": [b["inputs"][0] for b in group]}
        chunks.append(Chunk(range(start, start + len(group)), body))
    return chunks


def route(chunks: list[Chunk], runner: Json | None) -> list[Chunk]:
    """The chunks with `runner` as their `runner_selector` (looked up after validation, so an
    invalid item sends nothing, not even the owner lookup)."""
    if runner is None:
        return chunks
    return [Chunk(c.indices, {**c.body, "runner_selector": runner}) for c in chunks]


def _encode_item(
    method: Method, index: int, item: Any, keys: Mapping[str, str], defaults: Mapping[str, Any]
) -> list[Json]:
    where = f"{method.name}() batch item {index}"
    if not isinstance(item, Mapping):
        raise ArgumentError(f"{where}: expected a dict of arguments, got {type(item).__name__}")
    unknown = [k for k in item if k not in keys]
    if unknown:
        expected = ", ".join(repr(k) for k in keys) or "none"
        raise ArgumentError(
            f"{where}: unexpected key(s) {', '.join(repr(k) for k in unknown)} "
            f"(expected: {expected})"
        )
    missing = [k for k in keys if k not in item and k not in defaults]
    if missing:
        raise ArgumentError(f"{where}: missing required key(s) {', '.join(map(repr, missing))}")
    args = {wire: item[key] if key in item else defaults[key] for key, wire in keys.items()}
    try:
        return encode_args(method, args)
    except ArgumentError as err:
        raise ArgumentError(f"{where}: {err}") from None


class BatchResults:
    """Collects what each request of a batch returned (or raised); `finish` reassembles."""

    def __init__(self, method: Method, chunks: list[Chunk]) -> None:
        self._method = method
        self._requests = len(chunks)
        self._size = chunks[-1].indices.stop if chunks else 0
        self.values: list[Any] = [None] * self._size
        self.failures: list[tuple[tuple[int, ...], ClarifaiError]] = []

    def add_response(self, chunk: Chunk, body: Json) -> None:
        """A successful response: `outputs[i]` belongs to `chunk.indices[i]`; each output's
        status is checked (a failed output fails only its item)."""
        outputs = body.get("outputs")
        if not isinstance(outputs, list) or len(outputs) != len(chunk.indices):
            got = len(outputs) if isinstance(outputs, list) else "no"
            what = f"expected {len(chunk.indices)} outputs, got {got}"
            self.add_error(chunk, MalformedResponse(f"malformed response: {what}"))
            return
        for index, output in zip(chunk.indices, outputs, strict=True):
            try:
                self.values[index] = self._decode(output)
            except ClarifaiError as err:
                self.failures.append(((index,), err))

    def add_error(self, chunk: Chunk, err: ClarifaiError) -> None:
        """A request that failed as a whole: all its items failed."""
        self.failures.append((tuple(chunk.indices), err))

    def finish(self) -> list[Any]:
        """The values in item order, or `BatchError` if anything failed."""
        if not self.failures:
            return self.values
        failures = sorted(self.failures, key=lambda f: f[0][0])
        failed = sorted(i for indices, _ in failures for i in indices)
        first = failures[0][1]
        cause = f"{type(first).__name__}: {first}"
        if len(failures) > 1:
            cause = f"{len(failures)} failures, the first (items {_spans(failures[0][0])}): {cause}"
        message = (
            f"{self._method.name}() batch: {len(failed)} of {self._size} items failed "
            f"(items {_spans(failed)}; {self._requests} request(s)): {cause}"
        )
        raise BatchError(message, results=self.values, failures=failures) from first

    def _decode(self, output: Any) -> Any:
        if not isinstance(output, dict):
            raise MalformedResponse("malformed response: an output is not an object")
        status = output.get("status")
        if isinstance(status, dict) and status_code(status.get("code")) not in (None, SUCCESS):
            raise error_from_status(status)
        return output_value(self._method.output, {"outputs": [output]})


def _spans(indices: Iterable[int]) -> str:
    """`0-127, 200` for sorted indices."""
    spans: list[list[int]] = []
    for i in indices:
        if spans and spans[-1][1] == i - 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def send_all(
    chunks: list[Chunk], send: Callable[[Json], Json], concurrency: int, results: BatchResults
) -> None:
    """Send every chunk with `send`, at most `concurrency` at a time (threads); outcomes are
    recorded in the calling thread."""

    def one(chunk: Chunk) -> Json | ClarifaiError:
        try:
            return send(chunk.body)
        except ClarifaiError as err:
            return err

    if len(chunks) <= 1 or concurrency == 1:
        outcomes = [one(chunk) for chunk in chunks]
    else:
        from concurrent.futures import ThreadPoolExecutor  # only when a batch needs threads

        workers = min(concurrency, len(chunks))
        pool = ThreadPoolExecutor(workers, thread_name_prefix="clarifai-batch")
        try:
            outcomes = [f.result() for f in [pool.submit(one, chunk) for chunk in chunks]]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for chunk, outcome in zip(chunks, outcomes, strict=True):
        _record(results, chunk, outcome)


async def send_all_async(
    chunks: list[Chunk],
    send: Callable[[Json], Awaitable[Json]],
    concurrency: int,
    results: BatchResults,
) -> None:
    """Send every chunk with `send`, at most `concurrency` at a time (asyncio tasks)."""
    import asyncio  # importing the runtime must not import asyncio (a sync app never needs it)

    gate = asyncio.Semaphore(concurrency)

    async def one(chunk: Chunk) -> Json | ClarifaiError:
        async with gate:
            try:
                return await send(chunk.body)
            except ClarifaiError as err:
                return err

    tasks = [asyncio.ensure_future(one(chunk)) for chunk in chunks]
    try:
        outcomes = await asyncio.gather(*tasks)
    finally:
        for task in tasks:  # on cancellation or a bug, stop the requests still running
            task.cancel()
    for chunk, outcome in zip(chunks, outcomes, strict=True):
        _record(results, chunk, outcome)


def _record(results: BatchResults, chunk: Chunk, outcome: Json | ClarifaiError) -> None:
    if isinstance(outcome, ClarifaiError):
        results.add_error(chunk, outcome)
    else:
        results.add_response(chunk, outcome)
