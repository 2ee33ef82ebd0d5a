"""The I/O-free core the transports share: retry decisions, the idle clock, the replay log."""

from __future__ import annotations

import pytest

from codegen.runtime.core import MAX_TEXT, Attempts, Deadline, IdleClock, Replay, redact
from codegen.runtime.errors import AuthError, BatchError, ModelError, ServerError, shown
from codegen.runtime.protocol import RetryPolicy

PAT = "secret-pat-123"


def _loading() -> ServerError:
    return ServerError(f"model loading for {PAT}", code=21355)


def test_attempts_retry_transient_failures_until_the_policy_runs_out() -> None:
    attempts = Attempts(RetryPolicy(max_retries=2, backoff=0.5, max_backoff=60.0), PAT)
    delays = [attempts.delay(_loading()), attempts.delay(_loading())]
    assert 0.25 <= delays[0] <= 0.5 and 0.5 <= delays[1] <= 1.0
    with pytest.raises(ServerError) as info:
        attempts.delay(_loading())
    assert PAT not in str(info.value) and "***" in str(info.value)


def test_attempts_never_retry_after_a_value_was_delivered_or_a_final_error() -> None:
    attempts = Attempts(RetryPolicy(), PAT)
    assert not attempts.deliver({"outputs": []}) and not attempts.delivered
    assert attempts.deliver({"outputs": [{"data": {}}]}) and attempts.delivered
    with pytest.raises(ServerError):
        attempts.delay(_loading())
    fresh = Attempts(RetryPolicy(), PAT)
    with pytest.raises(AuthError):
        fresh.delay(AuthError("bad key", code=11008))
    with pytest.raises(ServerError):
        fresh.delay(_loading(), replayable=False)


def test_idle_clock_runs_only_while_not_paused() -> None:
    now = [100.0]
    clock = IdleClock(5.0, lambda: now[0])
    now[0] = 103.0
    assert clock.remaining() == 2.0
    clock.pause()
    now[0] = 200.0
    assert clock.remaining() is None
    clock.resume()
    assert clock.remaining() == 5.0
    now[0] = 206.0
    assert clock.remaining() == -1.0
    clock.touch()
    assert clock.remaining() == 5.0
    assert IdleClock(None, lambda: now[0]).remaining() is None


def test_replay_keeps_requests_until_recording_stops_then_drops_those_sent() -> None:
    replay = Replay(limit=10)
    for request in "abc":
        replay.add(request, 3)
    assert replay.recording and replay.end == 3
    replay.sent(2)
    assert replay.get(0) == "a"  # still recording: a retry may replay it
    replay.recording = False
    replay.sent(2)
    assert replay.get(0) is None and replay.dropped(0) and replay.get(2) == "c"
    assert replay.get(3) is None and not replay.dropped(3)


def test_replay_stops_recording_past_its_limit() -> None:
    replay = Replay(limit=10)
    replay.add("a", 6)
    assert replay.recording
    replay.add("b", 6)
    assert not replay.recording


def test_redact_replaces_the_pat_everywhere_then_cuts() -> None:
    """Cut first, the PAT across the cut would leave its first 5 characters."""
    err = ServerError(f"x {PAT}", details="y" * (MAX_TEXT - 5) + PAT + "z" * 10, req_id=PAT)
    redact(err, PAT)
    assert str(err) == "x ***" and err.req_id == "***"
    assert err.details == "y" * (MAX_TEXT - 5) + "***zz... (8 more characters)"


def test_redact_drops_foreign_causes_and_keeps_its_own() -> None:
    def raised() -> ServerError:
        try:
            try:
                raise ValueError(f"the body, with {PAT}")
            except ValueError as exc:
                raise ServerError("failed") from exc
        except ServerError as err:
            return err

    err = redact(raised(), PAT)
    assert err.__cause__ is None and err.__context__ is None and err.__suppress_context__
    first = ModelError(f"boom {PAT}")
    first.__context__ = KeyError(PAT)
    batch = BatchError("1 of 2 failed", results=[None, 1], failures=[((0,), first)])
    batch.__cause__ = first
    redact(batch, PAT)
    assert batch.__cause__ is first and str(first) == "boom ***" and first.__context__ is None


def test_deadline_counts_down_from_its_start() -> None:
    now = [10.0]
    deadline = Deadline(2.0, lambda: now[0])
    now[0] = 11.5
    assert deadline.remaining() == 0.5 and deadline.timeout == 2.0
    now[0] = 13.0
    assert deadline.remaining() == -1.0


def test_attempts_resend_a_request_that_may_have_run_only_when_idempotent() -> None:
    def lost() -> ServerError:
        err = ServerError("connection lost after sending")
        err.transient = err.reached = True
        return err

    with pytest.raises(ServerError):
        Attempts(RetryPolicy(), PAT).delay(lost())
    assert Attempts(RetryPolicy(), PAT, idempotent=True).delay(lost()) > 0


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("short", "'short'"),
        ("x" * 61, "a str of 61 characters"),
        ([1, 2], "a list of 2 items"),
        (10**30, "a value of type int"),
        (None, "None"),
    ],
)
def test_errors_show_a_value_whole_or_describe_it(value: object, text: str) -> None:
    assert shown(value) == text
