"""The pieces of an async gRPC stream that are not the call itself: the idle clock on the event
loop, and the bidi request log that retries replay (used by `agrpc.AsyncGrpcTransport`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from .core import IdleClock, Replay
from .grpcbase import REPLAY_LIMIT

__all__ = ["Expired", "Idle", "InputFailed", "RequestLog"]

Json = dict[str, Any]


class Expired(Exception):
    """The server stayed silent for longer than the timeout."""


class InputFailed(Exception):
    """The caller's bidi input (or encoding one of its items) raised; see `RequestLog.error`."""


class Idle:
    """The `IdleClock` of a stream on the event loop's clock. `pause()` / `resume()` wake a
    waiting reader (`wake`), which then recomputes `remaining()`."""

    def __init__(self, timeout: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._clock = IdleClock(timeout, self._loop.time)
        self.touch = self._clock.touch
        self.wake: asyncio.Future[None] = self._loop.create_future()

    def pause(self) -> None:
        self._clock.pause()
        self._poke()

    def resume(self) -> None:
        self._clock.resume()
        self._poke()

    def remaining(self) -> float | None:
        """Seconds left (None: paused); re-arms `wake`."""
        if self.wake.done():
            self.wake = self._loop.create_future()
        return self._clock.remaining()

    def _poke(self) -> None:
        if not self.wake.done():
            self.wake.set_result(None)


class RequestLog:
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
        self._replay = Replay(REPLAY_LIMIT)
        self._done = False
        self._pulling: asyncio.Future[Any] | None = None
        self.error: Exception | None = None

    @property
    def recording(self) -> bool:
        return self._replay.recording

    def stop_recording(self) -> None:
        self._replay.recording = False

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
        self._replay.add(request, int(request.ByteSize()))

    async def pull(self, idle: Idle | None = None) -> bool:
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

    async def requests(self, idle: Idle) -> AsyncGenerator[Any, None]:
        """The requests of one attempt: those in the log, then new ones as they come."""
        i = 0
        while True:
            self._replay.sent(i)
            request = self._replay.get(i)
            if request is not None:
                i += 1
                yield request
            elif not await self.pull(idle):
                return
