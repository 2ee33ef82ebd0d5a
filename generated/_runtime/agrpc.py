"""Async gRPC transport over `grpc.aio`: the twin of `grpc.GrpcTransport`.

The same RPCs, paths, serializers, request / response conversions, error mapping and PAT
redaction (shared through `grpc.GrpcBase`); the same semantics:

- a unary call gets the client's `timeout` as its deadline;
- a stream has no deadline, but fails when the server stays silent for `timeout` seconds while
  the caller waits for a value (the clock does not run while the caller holds a value, nor while
  the caller's bidi input produces its next item);
- transient failures are retried while nothing has been yielded; a bidi call replays the requests
  already sent (kept until the first value arrives, at most `REPLAY_LIMIT` bytes);
- closing the iterator early (`aclose()`, or cancelling the task reading it) cancels the call; a
  call cancelled by `aclose()` of the client raises `TransportError` (gRPC CANCELLED).

The channel is created on the first call, in the running event loop (an aio channel belongs to
one loop); a call from another loop opens a new channel.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from .errors import ClarifaiError
from .grpc import REPLAY_LIMIT, GrpcBase, Stub, redact
from .messages import ModelRef, has_outputs, owner_id_of
from .retry import RetryPolicy

__all__ = ["AsyncGrpcTransport"]

Json = dict[str, Any]


class _Expired(Exception):
    """The server stayed silent for longer than the timeout."""


class _InputFailed(Exception):
    """The caller's bidi input (or encoding one of its items) raised; see `_RequestLog.error`."""


class _Status(Exception):
    """A call's final status, reported like a `grpc.RpcError` (for `rpc_error`)."""

    def __init__(self, code: Any, details: str) -> None:
        super().__init__(details)
        self._code = code
        self._details = details

    def code(self) -> Any:
        return self._code

    def details(self) -> str:
        return self._details


class _Cancelled(_Status):
    """A call cancelled under us (the channel was closed)."""


# What grpc.aio reports when a write fails because the server has just ended the call
# (grpc/grpc#36066): it replaces the status the server sent, which `_Statuses` keeps.
_WRITE_RACE_DETAILS = "Internal error from Core"
_WRITE_RACE_WAIT = 1.0  # seconds to wait for the server's status when it comes after


class _Statuses:
    """Every status grpc.aio sets on a call, in order (a done callback of the call)."""

    def __init__(self) -> None:
        self.seen: list[_Status] = []

    def __call__(self, call: Any) -> None:
        try:  # called inside grpc.aio: must not raise
            code, details = _now(call.code()), _now(call.details())
            if code is not None:
                self.seen.append(_Status(code, str(details or "")))
        except Exception:
            pass

    def server_status(self) -> _Status | None:
        """The first status that is not grpc.aio's failed-write INTERNAL."""
        for status in self.seen:
            if status.details() != _WRITE_RACE_DETAILS:
                return status
        return None


class _Idle:
    """The server-silence clock of a stream: runs out `timeout` seconds after the last
    `touch()` / `resume()`, never while paused. `pause()` / `resume()` wake a waiting reader
    (`wake`), which then recomputes `remaining()`."""

    def __init__(self, timeout: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._timeout = timeout
        self._deadline = self._loop.time() + timeout
        self._paused = 0
        self.wake: asyncio.Future[None] = self._loop.create_future()

    def touch(self) -> None:
        self._deadline = self._loop.time() + self._timeout

    def pause(self) -> None:
        self._paused += 1
        self._poke()

    def resume(self) -> None:
        self._paused -= 1
        self.touch()
        self._poke()

    def remaining(self) -> float | None:
        """Seconds left (None: paused); re-arms `wake`."""
        if self.wake.done():
            self.wake = self._loop.create_future()
        return None if self._paused else self._deadline - self._loop.time()

    def _poke(self) -> None:
        if not self.wake.done():
            self.wake.set_result(None)


class _RequestLog:
    """The requests of one bidi call, shared by its attempts (the first one and the retries).

    Pulled lazily from the caller's bodies (in a task of their own, so that an attempt that ends
    while waiting for the caller's next item does not cancel the caller's iterable) and converted
    to protos. Kept so that a retry can replay them until the first value is delivered
    (`stop_recording`) or they exceed `REPLAY_LIMIT` bytes; from then on each is dropped once
    sent. An exception from the caller's iterable (or from encoding an item) is kept in `error`.
    """

    def __init__(
        self,
        bodies: AsyncIterator[Json],
        convert: Callable[[Json], Any],
        spawn: Callable[[Awaitable[Any]], asyncio.Future[Any]],
    ) -> None:
        self._bodies = bodies
        self._convert = convert
        self._spawn = spawn
        self._log: list[Any] = []
        self._size = 0
        self._done = False
        self._pulling: asyncio.Future[Any] | None = None
        self.recording = True
        self.error: Exception | None = None

    def stop_recording(self) -> None:
        self.recording = False

    def cancel(self) -> None:
        """Stop pulling from the caller (the call is over)."""
        if self._pulling is not None:
            self._pulling.cancel()

    async def _fetch(self) -> None:
        try:
            request = self._convert(await anext(self._bodies))
        except StopAsyncIteration:
            self._done = True
            return
        except Exception as exc:
            self._done = True
            self.error = exc
            return
        finally:
            self._pulling = None
        self._log.append(request)
        if self.recording:
            self._size += int(request.ByteSize())
            if self._size > REPLAY_LIMIT:
                self.recording = False

    async def pull(self, idle: _Idle | None = None) -> bool:
        """Pull the next request into the log; False after the last one (raises `error`)."""
        if not self._done:
            if self._pulling is None:
                self._pulling = self._spawn(self._fetch())
            if idle is not None:
                idle.pause()  # waiting for the caller's next item is not server silence
            try:
                await asyncio.shield(self._pulling)
            finally:
                if idle is not None:
                    idle.resume()
        if self.error is not None:
            raise self.error
        return not self._done

    async def requests(self, idle: _Idle) -> AsyncGenerator[Any, None]:
        """The requests of one attempt: those in the log, then new ones as they come."""
        i = 0
        while True:
            if not self.recording:  # no retry will replay them: drop those sent
                del self._log[:i]
                i = 0
            if i < len(self._log):
                i += 1
                yield self._log[i - 1]
            elif not await self.pull(idle):
                return


class AsyncGrpcTransport(GrpcBase):
    """Sends request bodies over `grpc.aio` and returns successful response dicts."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(pat, base_url, timeout=timeout, policy=policy)
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
            self._stub = Stub(self._channel, self._pb2)
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
        first, `_Cancelled` when the call was cancelled under us. A cancellation of the task
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
                        raise _Cancelled(
                            self._grpc.StatusCode.CANCELLED,
                            "the call was cancelled (the client was closed)",
                        )
                    return fut.result()
        finally:
            if not fut.done():
                fut.cancel()

    async def _real_status(self, statuses: _Statuses, exc: Any) -> Any:
        """The status a bidi call really ended with.

        When the server ends a call while a request is being written, grpc.aio may replace
        the status the server sent by INTERNAL "Internal error from Core" (grpc/grpc#36066);
        the server's status was recorded before (or arrives a moment after). The sync
        transport sees the server's status: so do retries and messages here.
        """
        if isinstance(exc, _Status) or _status_part(exc, "details") != _WRITE_RACE_DETAILS:
            return exc
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _WRITE_RACE_WAIT
        while (status := statuses.server_status()) is None and loop.time() < deadline:
            await asyncio.sleep(0.005)
        return exc if status is None else status

    # ------------------------------------------------------------------ calls
    async def unary(self, model: ModelRef, body: Json) -> Json:
        """PostModelOutputs with the client's timeout as deadline; retries transient failures."""
        return await self._call("PostModelOutputs", self._request(body))

    async def owner_id(self) -> str:
        """The PAT owner's user id (GetUser "me"); retries transient failures."""
        return owner_id_of(await self._call("GetUser", self._user_request()))

    async def _call(self, rpc: str, request: Any) -> Json:
        stub = self._get_stub()
        backoff = self._policy.start()
        while True:
            try:
                try:
                    call = getattr(stub, rpc)(
                        request, metadata=self._metadata, timeout=self._timeout
                    )
                    response = await self._wait(call)
                except (self._grpc.RpcError, _Cancelled) as exc:
                    raise self._rpc_error(exc, rpc, self._timeout) from exc
                return self._response(response)
            except ClarifaiError as err:
                redact(err, self._pat)
                delay = backoff.next_delay(err)
                if delay is None:
                    raise
            await self._sleep(delay)
            stub = self._get_stub()

    async def server_stream(self, model: ModelRef, body: Json) -> AsyncIterator[Json]:
        """GenerateModelOutputs; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator cancels the call.
        """
        stub = self._get_stub()
        request = self._request(body)
        backoff = self._policy.start()
        while True:
            delivered = False
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
                        if has_outputs(response):
                            delivered = True
                            yield response
                except (self._grpc.RpcError, _Cancelled) as exc:
                    raise self._rpc_error(exc, "GenerateModelOutputs") from exc
                except _Expired:
                    raise self._idle_error("GenerateModelOutputs") from None
            except ClarifaiError as err:
                redact(err, self._pat)
                delay = None if delivered else backoff.next_delay(err)
                if delay is None:
                    raise
            finally:
                if call is not None:
                    call.cancel()
            await self._sleep(delay)
            stub = self._get_stub()

    async def bidi_stream(
        self, model: ModelRef, method_name: str, bodies: AsyncIterator[Json]
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
            backoff = self._policy.start()
            while True:
                delivered = False
                call: Any = None
                pump: asyncio.Future[Any] | None = None
                statuses = _Statuses()
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
                            if has_outputs(response):
                                if not delivered:
                                    delivered = True
                                    log.stop_recording()
                                yield response
                        if log.error is not None:
                            raise log.error
                        return
                    except (self._grpc.RpcError, _Cancelled, _InputFailed) as exc:
                        if log.error is not None:
                            raise log.error from None
                        status = await self._real_status(statuses, exc)
                        if _status_part(status, "code") == self._grpc.StatusCode.OK:
                            return  # the server had finished: only a late write failed
                        raise self._rpc_error(status, "StreamModelOutputs") from exc
                    except _Expired:
                        raise self._idle_error("StreamModelOutputs") from None
                except ClarifaiError as err:
                    if err is log.error:
                        raise
                    redact(err, self._pat)
                    retry = not delivered and log.recording
                    delay = backoff.next_delay(err) if retry else None
                    if delay is None:
                        raise
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


def _now(coro: Coroutine[Any, Any, Any]) -> Any:
    """The result of a coroutine that completes without suspending (None if it would not)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    return None


def _status_part(exc: Any, name: str) -> Any:
    """`exc.code()` or `exc.details()` of a `grpc.RpcError` or `_Status`; None if it has none."""
    try:
        return getattr(exc, name)()
    except Exception:
        return None


def _settled(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: never logged as "Task exception was never retrieved"
