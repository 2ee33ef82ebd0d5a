"""Async gRPC transport over `grpc.aio`: the twin of `grpc.GrpcTransport`.

The same RPCs, paths, serializers, request / response conversions, error mapping and PAT
redaction (shared through `grpcbase.GrpcBase`), retry decisions and idle clock (`core`); the same
semantics:

- a unary call gets the client's `timeout` as its deadline;
- a stream has no deadline, but fails when the server stays silent for `timeout` seconds while
  the caller waits for a value (the clock does not run while the caller holds a value, nor while
  the caller's bidi input produces its next item);
- transient failures are retried while nothing has been yielded (one that may have reached the
  model only for an idempotent method); a bidi call replays the requests already sent (kept
  until the first value arrives, at most `REPLAY_LIMIT` bytes);
- closing the iterator early (`aclose()`, or cancelling the task reading it) cancels the call; a
  call cancelled by `aclose()` of the client raises `TransportError` (gRPC CANCELLED).

The channel is created on the first call, in the running event loop (an aio channel belongs to
one loop); a call from another loop opens a new channel.

Not derived with unasync like the HTTP pair: grpc's sync API drives a stream from threads (grpc
pulls a request iterator; a watchdog thread cancels a silent call) where grpc.aio has read() /
write() coroutines, so the two share their decisions through `core` and `grpcbase` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from .agrpc_status import Cancelled, Statuses, real_status, status_part
from .agrpc_stream import Expired as _Expired
from .agrpc_stream import Idle as _Idle
from .agrpc_stream import InputFailed as _InputFailed
from .agrpc_stream import RequestLog as _RequestLog
from .bodies import DEFAULT_MAX_RESPONSE_BYTES
from .core import AsyncSleep, Attempts
from .errors import ClarifaiError
from .grpcbase import GrpcBase, Stub
from .messages import ModelRef, owner_id_of
from .protocol import RetryPolicy

__all__ = ["AsyncGrpcTransport"]

Json = dict[str, Any]


class AsyncGrpcTransport(GrpcBase):
    """Sends request bodies over `grpc.aio` and returns successful response dicts."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sleep: AsyncSleep = asyncio.sleep,
    ) -> None:
        super().__init__(
            pat, base_url, timeout=timeout, policy=policy, max_response_bytes=max_response_bytes
        )
        self._aio = self._grpc.aio
        self._sleep = sleep
        self._channel: Any = None
        self._stub: Stub | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Future[Any]] = set()

    async def aclose(self) -> None:
        """Close the channel (cancelling calls still running)."""
        self._closed = True
        channel, self._channel, self._stub = self._channel, None, None
        if channel is not None and self._loop is asyncio.get_running_loop():
            await channel.close()

    def _get_stub(self) -> Stub:
        self._check_open()
        loop = asyncio.get_running_loop()
        if self._stub is None or self._loop is not loop:
            self._channel = self._open_channel(self._aio)
            self._stub = Stub(self._channel, self._api)
            self._loop = loop
        return self._stub

    def _spawn(self, aw: Awaitable[Any]) -> asyncio.Future[Any]:
        """A task for `aw`, referenced until done, whose exception never goes unretrieved."""
        task = asyncio.ensure_future(aw)
        self._tasks.add(task)
        task.add_done_callback(_settled)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _wait(
        self,
        aw: Awaitable[Any],
        idle: _Idle | None = None,
        failed: asyncio.Future[None] | None = None,
    ) -> Any:
        """The result of `aw` (a call, or a read from one).

        Raises `_Expired` when `idle` runs out first, `_InputFailed` when `failed` completes
        first, `Cancelled` when the call was cancelled under us. A cancellation of the task
        awaiting this one is not caught (and cancels `aw`).
        """
        fut = self._spawn(aw)
        try:
            while True:
                waiters: set[asyncio.Future[Any]] = {fut}
                timeout = None
                if failed is not None:
                    waiters.add(failed)
                if idle is not None:
                    timeout = idle.remaining()
                    waiters.add(idle.wake)
                    if timeout is not None and timeout <= 0:
                        raise _Expired
                await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                if failed is not None and failed.done():
                    raise _InputFailed
                if fut.done():
                    if fut.cancelled():
                        raise Cancelled(
                            self._grpc.StatusCode.CANCELLED,
                            "the call was cancelled (the client was closed)",
                        )
                    return fut.result()
        finally:
            if not fut.done():
                fut.cancel()

    async def _unary(self, call: Any) -> Any:
        """The response of a unary call, awaited directly: grpc.aio already runs the call in a
        task of its own, and its deadline is the call's. Raises `Cancelled` when the call was
        cancelled under us (`aclose()`); a cancellation of the awaiting task is not caught
        (grpc.aio then cancels the call). Before Python 3.11 (no `Task.cancelling`), a task
        cancelled while the client closes gets `Cancelled` too."""
        try:
            return await call
        except asyncio.CancelledError:
            if not self._closed or _cancelling(asyncio.current_task()):
                raise
            raise Cancelled(
                self._grpc.StatusCode.CANCELLED, "the call was cancelled (the client was closed)"
            ) from None

    # ------------------------------------------------------------------ calls
    async def unary(self, model: ModelRef, body: Json, *, idempotent: bool = False) -> Json:
        """PostModelOutputs with the client's timeout as deadline; retries transient failures."""
        return await self._call("PostModelOutputs", self._request(body), idempotent)

    async def owner_id(self) -> str:
        """The PAT owner's user id (GetUser "me"); retries transient failures."""
        return owner_id_of(await self._call("GetUser", self._user_request(), True))

    async def _call(self, rpc: str, request: Any, idempotent: bool) -> Json:
        stub = self._get_stub()
        attempts: Attempts | None = None  # retry state: built on the first failure
        while True:
            try:
                try:
                    call = getattr(stub, rpc)(
                        request, metadata=self._metadata, timeout=self._timeout
                    )
                    response = await self._unary(call)
                except (self._grpc.RpcError, Cancelled) as exc:
                    raise self._rpc_error(exc, rpc, self._timeout) from None
                return self._response(response)
            except ClarifaiError as err:
                if attempts is None:
                    attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
                delay = attempts.delay(err)
            await self._sleep(delay)
            stub = self._get_stub()

    async def server_stream(
        self, model: ModelRef, body: Json, *, idempotent: bool = False
    ) -> AsyncIterator[Json]:
        """GenerateModelOutputs; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator cancels the call.
        """
        stub = self._get_stub()
        request = self._request(body)
        attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
        while True:
            call: Any = None
            try:
                try:
                    call = stub.GenerateModelOutputs(request, metadata=self._metadata)
                    idle = _Idle(self._timeout)
                    while True:
                        idle.touch()
                        message = await self._wait(call.read(), idle)
                        if message is self._aio.EOF:
                            return
                        response = self._response(message)
                        if attempts.deliver(response):
                            yield response
                except (self._grpc.RpcError, Cancelled) as exc:
                    raise self._rpc_error(exc, "GenerateModelOutputs") from None
                except _Expired:
                    raise self._idle_error("GenerateModelOutputs") from None
            except ClarifaiError as err:
                delay = attempts.delay(err)
            finally:
                if call is not None:
                    call.cancel()
            await self._sleep(delay)
            stub = self._get_stub()

    async def bidi_stream(
        self,
        model: ModelRef,
        method_name: str,
        bodies: AsyncIterator[Json],
        *,
        idempotent: bool = False,
    ) -> AsyncIterator[Json]:
        """StreamModelOutputs; lazily yields each successful response.

        `bodies` are pulled as the call sends them (the first one before the call starts: an
        empty iterable sends nothing and yields nothing). Closing the iterator cancels the call.
        """
        stub = self._get_stub()
        log = _RequestLog(bodies, self._request, self._spawn)
        try:
            if not await log.pull():
                return
            attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
            while True:
                call: Any = None
                pump: asyncio.Future[Any] | None = None
                statuses = Statuses()
                try:
                    try:
                        call = stub.StreamModelOutputs(metadata=self._metadata)
                        call.add_done_callback(statuses)
                        idle = _Idle(self._timeout)
                        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                        pump = self._spawn(_pump(call, log, idle, failed))
                        while True:
                            idle.touch()
                            message = await self._wait(call.read(), idle, failed)
                            if message is self._aio.EOF:
                                break
                            response = self._response(message)
                            if attempts.deliver(response):
                                log.stop_recording()
                                yield response
                        if log.error is not None:
                            raise log.error
                        return
                    except (self._grpc.RpcError, Cancelled, _InputFailed) as exc:
                        if log.error is not None:
                            raise log.error from None
                        status = await real_status(statuses, exc)
                        if status_part(status, "code") == self._grpc.StatusCode.OK:
                            return  # the server had finished: only a late write failed
                        raise self._rpc_error(status, "StreamModelOutputs") from None
                    except _Expired:
                        raise self._idle_error("StreamModelOutputs") from None
                except ClarifaiError as err:
                    if err is log.error:
                        raise
                    delay = attempts.delay(err, replayable=log.recording)
                finally:
                    if pump is not None:
                        pump.cancel()
                    if call is not None:
                        call.cancel()
                await self._sleep(delay)
                stub = self._get_stub()
        finally:
            log.cancel()


async def _pump(call: Any, log: _RequestLog, idle: _Idle, failed: asyncio.Future[None]) -> None:
    """Write the requests of one bidi attempt, then half-close. A failure of the caller's input
    completes `failed`; a failed write ends quietly (the reader gets the call's status)."""
    try:
        async with contextlib.aclosing(log.requests(idle)) as requests:
            async for request in requests:
                try:
                    await call.write(request)
                except Exception:
                    return
        with contextlib.suppress(Exception):
            await call.done_writing()
    except Exception as exc:
        if log.error is None:
            log.error = exc
        if not failed.done():
            failed.set_result(None)


def _cancelling(task: asyncio.Task[Any] | None) -> bool:
    """Is `task` being cancelled? (False where asyncio cannot tell: Python 3.10.)"""
    cancelling = getattr(task, "cancelling", None)
    return cancelling is not None and bool(cancelling())


def _settled(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: never logged as "Task exception was never retrieved"
