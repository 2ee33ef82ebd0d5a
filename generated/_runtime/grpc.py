"""gRPC transport (clarifai-grpc's `clarifai.api.V2` service): unary, server and bidi streaming.

Needs the optional `clarifai-grpc` package (`pip install clarifai-codegen[grpc]`), which brings
`grpcio` and `protobuf`; they are imported when a `GrpcTransport` is created, never before.

Request bodies are the same REST JSON the HTTP transport sends (converted with `ParseDict`), and
responses are turned back into that JSON (`MessageToDict`), so status checks, errors and decoding
are shared with HTTP. A failed RPC maps to the same exception classes (see `rpc_error`).

Timeouts: a unary call gets the client's `timeout` as its gRPC deadline. Streams have no
deadline (a long generation must not be cut off); instead `timeout` bounds how long the server
may stay silent: the time to the first message and between messages, the same idle timeout the
HTTP transport's read timeout gives. The clock is paused while the caller holds a streamed value
(a slow consumer never times out) and, for bidi calls, while the caller's input iterable is
producing its next item (a slow producer never times out either).

Retries (the client's `RetryPolicy`): transient failures (UNAVAILABLE, RESOURCE_EXHAUSTED,
in-band throttling / model loading statuses) are retried while nothing has been yielded. A bidi
call replays the requests already sent, kept until the first value arrives (at most 64 MiB;
beyond that it is not retried). Timeouts are not retried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from .errors import (
    AuthError,
    ClarifaiError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TransportError,
)
from .messages import ModelRef, check_response, has_outputs, owner_id_of
from .optional import import_optional
from .retry import RetryPolicy

__all__ = [
    "INSTALL_HINT",
    "MAX_MESSAGE_LENGTH",
    "REPLAY_LIMIT",
    "GrpcBase",
    "GrpcTransport",
    "Stub",
    "grpc_target",
    "redact",
    "rpc_error",
]

Json = dict[str, Any]
INSTALL_HINT = "pip install clarifai-codegen[grpc]"
MAX_MESSAGE_LENGTH = 1024**3  # as Clarifai's SDK: large images and arrays travel inline
REPLAY_LIMIT = 64 * 1024 * 1024  # bytes of bidi requests kept for a retry
_SERVICE = "/clarifai.api.V2"


def _load(module: str) -> Any:
    return import_optional(module, "the gRPC transport", install="clarifai-codegen[grpc]")


def grpc_target(base_url: str) -> tuple[str, bool]:
    """The gRPC target and whether it uses TLS, from an API base URL (as Clarifai's SDK does).

    `http://host[:port]` -> plaintext to `host:port` (port 80 by default);
    `https://host[:port]` -> TLS to `host:port` (port 443 by default). A path is ignored.
    """
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TransportError(f"base_url must start with http:// or https://, got {base_url!r}")
    try:
        port = parts.port
    except ValueError:
        raise TransportError(f"base_url has an invalid port: {base_url!r}") from None
    host = parts.hostname
    if not host:
        raise TransportError(f"base_url has no host: {base_url!r}")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    secure = scheme == "https"
    return f"{host}:{port or (443 if secure else 80)}", secure


def _call_attr(exc: Any, name: str) -> Any:
    method = getattr(exc, name, None)
    if not callable(method):
        return None
    try:
        return method()
    except Exception:
        return None


def rpc_error(exc: Any, what: str, timeout: float | None = None) -> ClarifaiError:
    """The exception for a failed RPC (`grpc.RpcError`); `what` names the call.

    UNAUTHENTICATED -> AuthError, PERMISSION_DENIED -> PermissionDeniedError,
    NOT_FOUND -> NotFoundError, RESOURCE_EXHAUSTED -> RateLimitError (transient),
    UNAVAILABLE -> TransportError (transient), DEADLINE_EXCEEDED and the rest -> TransportError.
    """
    code = _call_attr(exc, "code")
    name = str(getattr(code, "name", None) or "UNKNOWN")
    details = str(_call_attr(exc, "details") or "").strip()
    message = f"{what} failed: gRPC {name}" + (f": {details}" if details else "")
    err: ClarifaiError
    if name == "UNAUTHENTICATED":
        err = AuthError(message + "; check the PAT (CLARIFAI_PAT or Client(pat=...))")
    elif name == "PERMISSION_DENIED":
        err = PermissionDeniedError(message)
    elif name == "NOT_FOUND":
        err = NotFoundError(message)
    elif name == "RESOURCE_EXHAUSTED":
        err = RateLimitError(message)
        err.transient = True
    elif name == "UNAVAILABLE":
        err = TransportError(message)
        err.transient = True
    elif name == "DEADLINE_EXCEEDED" and timeout is not None:
        err = TransportError(
            f"{what} timed out after {timeout:g} s (set Client(timeout=...)): gRPC {name}"
        )
    else:
        err = TransportError(message)
    err.description = details
    return err


def redact(err: ClarifaiError, pat: str) -> ClarifaiError:
    """Make sure the PAT appears nowhere in the exception."""

    def clean(text: str) -> str:
        return text.replace(pat, "***") if pat and text else text

    err.args = tuple(clean(a) if isinstance(a, str) else a for a in err.args)
    err.description = clean(err.description)
    err.details = clean(err.details)
    return err


class _Watchdog:
    """Calls the armed callback after `timeout` seconds without activity (None: never).

    `touch()` restarts the clock; between `pause()` and `resume()` it does not run.
    """

    def __init__(self, timeout: float | None) -> None:
        self.expired = False
        self._timeout = timeout
        self._on_expire: Callable[[], object] | None = None
        self._cond = threading.Condition()
        self._deadline = time.monotonic() + (timeout or 0.0)
        self._paused = 0
        self._stopped = False
        if timeout is not None:
            threading.Thread(target=self._run, name="clarifai-grpc-watchdog", daemon=True).start()

    def arm(self, on_expire: Callable[[], object]) -> None:
        """Set what to call on expiry (now, if it already expired)."""
        with self._cond:
            self._on_expire = on_expire
            fire = self.expired
        if fire:
            on_expire()

    def touch(self) -> None:
        if self._timeout is not None:
            with self._cond:
                self._deadline = time.monotonic() + self._timeout

    def pause(self) -> None:
        with self._cond:
            self._paused += 1

    def resume(self) -> None:
        with self._cond:
            self._paused -= 1
            if self._timeout is not None:
                self._deadline = time.monotonic() + self._timeout
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self) -> None:
        callback = None
        with self._cond:
            while not self._stopped:
                if self._paused > 0:
                    self._cond.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    self.expired = True
                    callback = self._on_expire
                    break
                self._cond.wait(remaining)
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
        self._log: list[Any] = []  # requests [base, base + len(log))
        self._base = 0
        self._size = 0
        self._done = False
        self._live = 0  # the attempt allowed to drop sent requests
        self.recording = True
        self.error: BaseException | None = None

    def start_attempt(self, attempt: int) -> None:
        with self._lock:
            self._live = attempt

    def stop_recording(self) -> None:
        with self._lock:
            self.recording = False

    def read(self, index: int, attempt: int) -> Any | None:
        """Request number `index` (pulling it from the caller if needed); None after the last."""
        while True:
            with self._lock:
                if not self.recording and attempt == self._live and index > self._base:
                    del self._log[: index - self._base]  # sent by the live attempt: not needed
                    self._base = index
                if self._base <= index < self._base + len(self._log):
                    return self._log[index - self._base]
                if index < self._base or self._done:
                    if self.error is not None:
                        raise self.error
                    return None
            with self._source_lock:
                with self._lock:
                    if self._done or index < self._base + len(self._log):
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
                    self._log.append(request)
                    if self.recording:
                        self._size += int(request.ByteSize())
                        if self._size > REPLAY_LIMIT:
                            self.recording = False


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


class Stub:
    """The `clarifai.api.V2` methods used here, as `service_pb2_grpc.V2Stub` defines them.

    Not `V2Stub` itself: it builds ~270 callables and reads its response deserializer from a
    module global that `ClarifaiChannel.get_*_channel()` sets (None until one is called).
    """

    def __init__(self, channel: Any, pb2: Any) -> None:
        kw = {
            "request_serializer": pb2.PostModelOutputsRequest.SerializeToString,
            "response_deserializer": pb2.MultiOutputResponse.FromString,
        }
        self.PostModelOutputs = channel.unary_unary(f"{_SERVICE}/PostModelOutputs", **kw)
        self.GenerateModelOutputs = channel.unary_stream(f"{_SERVICE}/GenerateModelOutputs", **kw)
        self.StreamModelOutputs = channel.stream_stream(f"{_SERVICE}/StreamModelOutputs", **kw)
        self.GetUser = channel.unary_unary(
            f"{_SERVICE}/GetUser",
            request_serializer=pb2.GetUserRequest.SerializeToString,
            response_deserializer=pb2.SingleUserResponse.FromString,
        )


class GrpcBase:
    """What the sync and async gRPC transports share: the lazily imported modules, the target,
    the channel options, request / response conversions and error messages."""

    def __init__(self, pat: str, base_url: str, *, timeout: float, policy: RetryPolicy) -> None:
        self._pb2 = _load("clarifai_grpc.grpc.api.service_pb2")  # first: names clarifai-grpc
        self._grpc = _load("grpc")
        self._json_format = _load("google.protobuf.json_format")
        self.target, self.secure = grpc_target(base_url)
        self._pat = pat
        self._timeout = timeout
        self._policy = policy
        self._metadata = (("authorization", f"Key {pat}"),)
        self._closed = False

    def _open_channel(self, grpc: Any) -> Any:
        """A channel to the target from `grpc` (the `grpc` or the `grpc.aio` module)."""
        options = [
            ("grpc.max_receive_message_length", MAX_MESSAGE_LENGTH),
            ("grpc.max_send_message_length", MAX_MESSAGE_LENGTH),
        ]
        if self.secure:
            creds = self._grpc.ssl_channel_credentials()
            return grpc.secure_channel(self.target, creds, options=options)
        return grpc.insecure_channel(self.target, options=options)

    def _check_open(self) -> None:
        if self._closed:
            raise TransportError("the Client is closed")

    # ------------------------------------------------------------------ conversions
    def _request(self, body: Json) -> Any:
        try:
            return self._json_format.ParseDict(body, self._pb2.PostModelOutputsRequest())
        except Exception as exc:  # json_format.ParseError: a bug, not a user error
            raise TransportError(f"cannot build the gRPC request: {exc}") from exc

    def _user_request(self) -> Any:
        """GetUser for the PAT's owner, as the SDK's `User.get_user_info(user_id="me")`."""
        return self._pb2.GetUserRequest(user_app_id={"user_id": "me"})

    def _response(self, message: Any) -> Json:
        body = self._json_format.MessageToDict(
            message, preserving_proto_field_name=True, use_integers_for_enums=True
        )
        return check_response(body, None)

    def _rpc_error(self, exc: Any, rpc: str, timeout: float | None = None) -> ClarifaiError:
        return redact(rpc_error(exc, f"{rpc} to {self.target}", timeout), self._pat)

    def _idle_error(self, rpc: str) -> ClarifaiError:
        return TransportError(
            f"{rpc} to {self.target}: no message for {self._timeout:g} s, call cancelled "
            "(set Client(timeout=...))"
        )


class GrpcTransport(GrpcBase):
    """Sends request bodies over gRPC and returns successful response dicts."""

    def __init__(
        self,
        pat: str,
        base_url: str,
        *,
        timeout: float,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(pat, base_url, timeout=timeout, policy=policy)
        self._sleep = sleep
        self._channel = self._open_channel(self._grpc)
        self._stub = Stub(self._channel, self._pb2)

    def close(self) -> None:
        """Close the channel (cancelling calls still running)."""
        self._closed = True
        self._channel.close()

    # ------------------------------------------------------------------ calls
    def unary(self, model: ModelRef, body: Json) -> Json:
        """PostModelOutputs with the client's timeout as deadline; retries transient failures."""
        self._check_open()
        return self._call("PostModelOutputs", self._request(body))

    def owner_id(self) -> str:
        """The PAT owner's user id (GetUser "me"); retries transient failures."""
        self._check_open()
        return owner_id_of(self._call("GetUser", self._user_request()))

    def _call(self, rpc: str, request: Any) -> Json:
        backoff = self._policy.start()
        while True:
            try:
                try:
                    response = getattr(self._stub, rpc)(
                        request, metadata=self._metadata, timeout=self._timeout
                    )
                except self._grpc.RpcError as exc:
                    raise self._rpc_error(exc, rpc, self._timeout) from exc
                return self._response(response)
            except ClarifaiError as err:
                redact(err, self._pat)
                delay = backoff.next_delay(err)
                if delay is None:
                    raise
            self._sleep(delay)

    def server_stream(self, model: ModelRef, body: Json) -> Iterator[Json]:
        """GenerateModelOutputs; lazily yields each successful response of the stream.

        Retried only while nothing has been yielded. Closing the iterator cancels the call.
        """
        self._check_open()
        request = self._request(body)
        backoff = self._policy.start()
        while True:
            delivered = False
            call: Any = None
            watchdog: _Watchdog | None = None
            try:
                try:
                    call = self._stub.GenerateModelOutputs(request, metadata=self._metadata)
                    watchdog = _Watchdog(self._timeout)
                    watchdog.arm(call.cancel)
                    for message in call:
                        response = self._response(message)
                        if has_outputs(response):
                            delivered = True
                            watchdog.pause()
                            try:
                                yield response
                            finally:
                                watchdog.resume()
                        else:
                            watchdog.touch()
                    return
                except self._grpc.RpcError as exc:
                    if watchdog is not None and watchdog.expired:
                        raise self._idle_error("GenerateModelOutputs") from exc
                    raise self._rpc_error(exc, "GenerateModelOutputs") from exc
            except ClarifaiError as err:
                redact(err, self._pat)
                delay = None if delivered else backoff.next_delay(err)
                if delay is None:
                    raise
            finally:
                if watchdog is not None:
                    watchdog.stop()
                if call is not None:
                    call.cancel()
            self._sleep(delay)

    def bidi_stream(
        self, model: ModelRef, method_name: str, bodies: Iterator[Json]
    ) -> Iterator[Json]:
        """StreamModelOutputs; lazily yields each successful response.

        `bodies` are pulled as grpc sends them (the first one before the call starts: an empty
        iterable sends nothing and yields nothing). Closing the iterator cancels the call.
        """
        self._check_open()
        log = _RequestLog(bodies, self._request)
        if log.read(0, 0) is None:
            return
        backoff = self._policy.start()
        attempt = 0
        while True:
            delivered = False
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
                    for message in call:
                        response = self._response(message)
                        if has_outputs(response):
                            if not delivered:
                                delivered = True
                                log.stop_recording()
                            watchdog.pause()
                            try:
                                yield response
                            finally:
                                watchdog.resume()
                        else:
                            watchdog.touch()
                    if log.error is not None:
                        raise log.error
                    return
                except self._grpc.RpcError as exc:
                    if log.error is not None:
                        raise log.error from None
                    if watchdog.expired:
                        raise self._idle_error("StreamModelOutputs") from exc
                    raise self._rpc_error(exc, "StreamModelOutputs") from exc
            except ClarifaiError as err:
                if err is log.error:
                    raise
                redact(err, self._pat)
                retry = not delivered and log.recording
                delay = backoff.next_delay(err) if retry else None
                if delay is None:
                    raise
            finally:
                watchdog.stop()
                requests.dead = True
                if call is not None:
                    call.cancel()
            attempt += 1
            self._sleep(delay)
