"""gRPC transport (Clarifai's `clarifai.api.V2` service): unary, server and bidi streaming.

Needs `grpcio` and `protobuf` (`pip install clarifai-codegen[grpc]`, whose clarifai-grpc brings
them); they are imported when a `GrpcTransport` is created, never before. The message classes are
the runtime's own (`grpcapi`), not clarifai-grpc's, which the transport never imports.

Request bodies are the same REST JSON the HTTP transport sends, and responses are turned back
into that JSON (`protoconv`: directly, bytes stay bytes), so status checks, errors and decoding
are shared with HTTP. A failed RPC maps to the same exception classes (see `rpc_error`). Server
streams are read on the caller's thread (`SINGLE_THREADED_STREAMS`).

Timeouts: a unary call gets the client's `timeout` as its gRPC deadline. Streams have no
deadline (a long generation must not be cut off); instead `timeout` bounds how long the server
may stay silent: the time to the first message and between messages, the same idle timeout the
HTTP transport's read timeout gives. The clock is paused while the caller holds a streamed value
(a slow consumer never times out) and, for bidi calls, while the caller's input iterable is
producing its next item (a slow producer never times out either).

Retries (the client's `RetryPolicy`): transient failures (UNAVAILABLE, RESOURCE_EXHAUSTED,
in-band throttling / model loading statuses) are retried while nothing has been yielded. A
failure after the call may have reached the model (DEADLINE_EXCEEDED, INTERNAL, a silent stream)
is retried only for an idempotent method. A bidi call replays the requests already sent, kept
until the first value arrives (at most 64 MiB; beyond that it is not retried).

A response larger than the client's `max_response_bytes` (the channel's
`grpc.max_receive_message_length`) raises `ResponseTooLargeError`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from .bodies import DEFAULT_MAX_RESPONSE_BYTES
from .core import Attempts, IdleClock, Replay, Sleep
from .errors import ClarifaiError
from .grpcbase import INSTALL_HINT as INSTALL_HINT
from .grpcbase import MAX_MESSAGE_LENGTH as MAX_MESSAGE_LENGTH
from .grpcbase import REPLAY_LIMIT, GrpcBase
from .grpcbase import Stub as Stub
from .grpcbase import grpc_target as grpc_target
from .grpcbase import rpc_error as rpc_error
from .messages import ModelRef, owner_id_of
from .protocol import RetryPolicy

__all__ = [
    "INSTALL_HINT",
    "MAX_MESSAGE_LENGTH",
    "REPLAY_LIMIT",
    "GrpcTransport",
    "Stub",
    "grpc_target",
    "rpc_error",
]

Json = dict[str, Any]

# `grpc.experimental.ChannelOptions.SingleThreadedUnaryStream` (grpc.experimental is not
# imported by `import grpc`): a server stream's messages are read on the caller's thread, not
# handed over from grpc's channel thread one by one (1.7x the messages per second of the
# default on 2 cores). Cancelling such a call from another thread (the watchdog, `close()`)
# still ends the caller's wait.
SINGLE_THREADED_STREAMS = ("SingleThreadedUnaryStream", 1)


class _Watchdog:
    """Calls the armed callback when the stream's `IdleClock` runs out (a thread per stream).

    The thread sleeps until the deadline it last computed (the deadline only moves later, so it
    then looks again), or without a timeout while the clock is paused: only then does
    `resume()` wake it. So a stream does not wake the thread once per message."""

    def __init__(self, timeout: float | None) -> None:
        self.expired = False
        self._clock = IdleClock(timeout, time.monotonic)
        self._on_expire: Callable[[], object] | None = None
        # Entered through its lock: `with self._lock` is C code, `with self._cond` two Python
        # calls, and the consumer takes it twice per message (pause and resume).
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._stopped = False
        self._sleeping = False  # the thread waits for `resume()` or `stop()`, with no timeout
        if timeout is not None:
            threading.Thread(target=self._run, name="clarifai-grpc-watchdog", daemon=True).start()

    def arm(self, on_expire: Callable[[], object]) -> None:
        """Set what to call on expiry (now, if it already expired)."""
        with self._lock:
            self._on_expire = on_expire
            fire = self.expired
        if fire:
            on_expire()

    def touch(self) -> None:
        with self._lock:
            self._clock.touch()

    def pause(self) -> None:
        with self._lock:
            self._clock.pause()

    def resume(self) -> None:
        with self._lock:
            self._clock.resume()
            if self._sleeping:
                self._cond.notify()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._cond.notify()

    def _run(self) -> None:
        callback = None
        with self._cond:
            while not self._stopped:
                remaining = self._clock.remaining()
                if remaining is not None and remaining <= 0:
                    self.expired = True
                    callback = self._on_expire
                    break
                self._sleeping = remaining is None
                self._cond.wait(remaining)
                self._sleeping = False
        if callback is not None:
            callback()


class _RequestLog:
    """The requests of one bidi call, shared by its attempts (the first one and the retries).

    Pulled lazily from the caller's bodies and converted to protos. They are kept so that a
    retry can replay them until the first value is delivered (`stop_recording`) or they
    exceed `REPLAY_LIMIT` bytes; from then on each is dropped once the live attempt sent it.
    An exception from the caller's iterable (or from encoding an item) is kept in `error`.
    """

    def __init__(self, bodies: Iterator[Json], convert: Callable[[Json], Any]) -> None:
        self._bodies = bodies
        self._convert = convert
        self._source_lock = threading.Lock()  # one puller at a time
        self._lock = threading.Lock()  # guards the fields below
        self._replay = Replay(REPLAY_LIMIT)
        self._done = False
        self._live = 0  # the attempt allowed to drop sent requests
        self.error: BaseException | None = None

    @property
    def recording(self) -> bool:
        return self._replay.recording

    def start_attempt(self, attempt: int) -> None:
        with self._lock:
            self._live = attempt

    def stop_recording(self) -> None:
        with self._lock:
            self._replay.recording = False

    def read(self, index: int, attempt: int) -> Any | None:
        """Request number `index` (pulling it from the caller if needed); None after the last."""
        while True:
            with self._lock:
                if attempt == self._live:
                    self._replay.sent(index)
                request = self._replay.get(index)
                if request is not None:
                    return request
                if self._replay.dropped(index) or self._done:
                    if self.error is not None:
                        raise self.error
                    return None
            with self._source_lock:
                with self._lock:
                    if self._done or index < self._replay.end:
                        continue  # another attempt pulled it meanwhile
                try:
                    request = self._convert(next(self._bodies))
                except StopIteration:
                    with self._lock:
                        self._done = True
                    return None
                except BaseException as exc:
                    with self._lock:
                        self._done = True
                        self.error = exc
                    raise
                with self._lock:
                    self._replay.add(request, int(request.ByteSize()))


class _Requests:
    """The request iterator handed to grpc for one attempt of a bidi call."""

    def __init__(self, log: _RequestLog, attempt: int, watchdog: _Watchdog) -> None:
        self._log = log
        self._attempt = attempt
        self._watchdog = watchdog
        self._index = 0
        self.dead = False
        self.failed = False
        self.call: Any = None

    def __iter__(self) -> _Requests:
        return self

    def __next__(self) -> Any:
        if self.dead:
            raise StopIteration
        self._watchdog.pause()  # waiting for the caller's next item is not server silence
        try:
            request = self._log.read(self._index, self._attempt)
        except BaseException:
            # Kept in the log and re-raised to the caller; cancel rather than let grpc log it.
            self.failed = True
            call = self.call
            if call is not None:
                call.cancel()
            raise StopIteration from None
        finally:
            self._watchdog.resume()
        if request is None or self.dead:
            raise StopIteration
        self._index += 1
        return request


class GrpcTransport(GrpcBase):
    """Sends request bodies over gRPC and returns successful response dicts."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sleep: Sleep = time.sleep,
    ) -> None:
        super().__init__(
            pat, base_url, timeout=timeout, policy=policy, max_response_bytes=max_response_bytes
        )
        self._sleep = sleep
        self._channel = self._open_channel(self._grpc, SINGLE_THREADED_STREAMS)
        self._stub = Stub(self._channel, self._api)

    def close(self) -> None:
        """Close the channel (cancelling calls still running)."""
        self._closed = True
        self._channel.close()

    # ------------------------------------------------------------------ calls
    def unary(self, model: ModelRef, body: Json, *, idempotent: bool = False) -> Json:
        """PostModelOutputs with the client's timeout as deadline; retries transient failures."""
        self._check_open()
        return self._call("PostModelOutputs", self._request(body), idempotent)

    def owner_id(self) -> str:
        """The PAT owner's user id (GetUser "me"); retries transient failures."""
        self._check_open()
        return owner_id_of(self._call("GetUser", self._user_request(), True))

    def _call(self, rpc: str, request: Any, idempotent: bool) -> Json:
        attempts: Attempts | None = None  # retry state: built on the first failure
        while True:
            try:
                try:
                    response = getattr(self._stub, rpc)(
                        request, metadata=self._metadata, timeout=self._timeout
                    )
                except self._grpc.RpcError as exc:
                    raise self._rpc_error(exc, rpc, self._timeout) from None
                return self._response(response)
            except ClarifaiError as err:
                if attempts is None:
                    attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
                delay = attempts.delay(err)
            self._sleep(delay)

    def _relay(
        self, call: Any, watchdog: _Watchdog, attempts: Attempts, on_value: Callable[[], object]
    ) -> Iterator[Json]:
        """The values of a streaming call; the idle clock stops while the caller holds one."""
        for message in call:
            response = self._response(message)
            if attempts.deliver(response):
                on_value()
                watchdog.pause()
                try:
                    yield response
                finally:
                    watchdog.resume()
            else:
                watchdog.touch()

    def server_stream(
        self, model: ModelRef, body: Json, *, idempotent: bool = False
    ) -> Iterator[Json]:
        """GenerateModelOutputs; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator cancels the call.
        """
        self._check_open()
        request = self._request(body)
        attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
        while True:
            call: Any = None
            watchdog: _Watchdog | None = None
            try:
                try:
                    call = self._stub.GenerateModelOutputs(request, metadata=self._metadata)
                    watchdog = _Watchdog(self._timeout)
                    watchdog.arm(call.cancel)
                    yield from self._relay(call, watchdog, attempts, _nothing)
                    return
                except self._grpc.RpcError as exc:
                    if watchdog is not None and watchdog.expired:
                        raise self._idle_error("GenerateModelOutputs") from None
                    raise self._rpc_error(exc, "GenerateModelOutputs") from None
            except ClarifaiError as err:
                delay = attempts.delay(err)
            finally:
                if watchdog is not None:
                    watchdog.stop()
                if call is not None:
                    call.cancel()
            self._sleep(delay)

    def bidi_stream(
        self,
        model: ModelRef,
        method_name: str,
        bodies: Iterator[Json],
        *,
        idempotent: bool = False,
    ) -> Iterator[Json]:
        """StreamModelOutputs; lazily yields each successful response.

        `bodies` are pulled as grpc sends them (the first one before the call starts: an empty
        iterable sends nothing and yields nothing). Closing the iterator cancels the call.
        """
        self._check_open()
        log = _RequestLog(bodies, self._request)
        if log.read(0, 0) is None:
            return
        attempts = Attempts(self._policy, self._pat, idempotent=idempotent)
        attempt = 0
        while True:
            call: Any = None
            log.start_attempt(attempt)
            watchdog = _Watchdog(self._timeout)
            requests = _Requests(log, attempt, watchdog)
            try:
                try:
                    call = self._stub.StreamModelOutputs(requests, metadata=self._metadata)
                    watchdog.arm(call.cancel)
                    requests.call = call
                    if requests.failed:
                        call.cancel()
                    yield from self._relay(call, watchdog, attempts, log.stop_recording)
                    if log.error is not None:
                        raise log.error
                    return
                except self._grpc.RpcError as exc:
                    if log.error is not None:
                        raise log.error from None
                    if watchdog.expired:
                        raise self._idle_error("StreamModelOutputs") from None
                    raise self._rpc_error(exc, "StreamModelOutputs") from None
            except ClarifaiError as err:
                if err is log.error:
                    raise
                delay = attempts.delay(err, replayable=log.recording)
            finally:
                watchdog.stop()
                requests.dead = True
                if call is not None:
                    call.cancel()
            attempt += 1
            self._sleep(delay)


def _nothing() -> None:
    pass
