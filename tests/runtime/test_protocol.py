"""The protocol facts (runtime/protocol.py): one table, and the puller and the runtime read it alike."""

from __future__ import annotations

import json
from itertools import combinations, product
from typing import Any

import httpx
import pytest

from codegen.runtime import protocol
from codegen.runtime.errors import (
    AuthError,
    ClarifaiError,
    NotFoundError,
    PermissionDeniedError,
    error_from_body,
    status_code,
)
from codegen.runtime.http import HttpBase
from codegen.runtime.messages import ModelRef as RuntimeRef
from codegen.runtime.protocol import RetryPolicy
from codegen.runtime.protocol import failure_is_transient as is_transient
from codegen.sources.remote.refs import model_url
from codegen.sources.remote.replies import Permanent, Transient, classify
from codegen.sources.remote.settings import RemoteSettings
from codegen.spec import ModelRef

REF = ModelRef("u", "a", "m")
HTTP_STATUSES = (200, 400, 401, 403, 404, 409, 429, 500, 501, 502, 503, 504)
CODES = [*sorted(set(protocol.CODE_NAMES) - {protocol.SUCCESS}), None, 12345]
SETS = {
    "auth": protocol.AUTH_CODES,
    "permission": protocol.PERMISSION_CODES,
    "not_found": protocol.NOT_FOUND_CODES,
    "rate_limit": protocol.RATE_LIMIT_CODES,
    "server": protocol.SERVER_CODES,
    "model": protocol.MODEL_CODES,
}


def test_names_are_the_sdk_protos() -> None:
    pb2 = pytest.importorskip("clarifai_grpc.grpc.api.status.status_code_pb2")
    assert {code: pb2.StatusCode.Name(code) for code in protocol.CODE_NAMES} == protocol.CODE_NAMES
    for codes in SETS.values():
        assert codes <= set(protocol.CODE_NAMES)


@pytest.mark.parametrize(("a", "b"), list(combinations(SETS, 2)))
def test_a_code_has_one_category(a: str, b: str) -> None:
    assert not SETS[a] & SETS[b]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("CONN_KEY_NOT_FOUND", "auth"),
        ("CONN_INSUFFICIENT_SCOPES", "permission"),
        ("RUNNER_DOES_NOT_EXIST", "not_found"),
        ("CONN_EXCEED_HOURLY_LIMIT", "rate_limit"),
        ("RUNNER_NEEDS_RETRY", "server"),
        ("MODEL_PREDICTION_FAILED", "model"),
        ("CONN_INVALID_REQUEST", None),
    ],
)
def test_category_by_name(name: str, kind: str | None) -> None:
    code = protocol.CODES_BY_NAME[name]
    assert protocol.category(code) == kind
    assert protocol.category(code, 503) == (
        kind or "server"
    )  # the code decides, else the HTTP hint


def test_transient_codes_are_rate_limits_and_server_trouble() -> None:
    assert protocol.TRANSIENT_CODES == protocol.RATE_LIMIT_CODES | protocol.SERVER_CODES


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (21355, 21355),
        ("21355", 21355),
        (" MODEL_LOADING ", 21355),
        ("conn_throttled", 11005),
        (True, None),
        ("NOT_A_CODE", None),
        (None, None),
        (1.5, None),
    ],
)
def test_status_code(raw: Any, code: int | None) -> None:
    assert protocol.status_code(raw) == code
    assert status_code(raw) == code


def test_runtime_reads_every_proto_name() -> None:
    pytest.importorskip("clarifai_grpc")
    assert protocol.status_code("INPUT_DOWNLOAD_FAILED") is None  # not in our table
    assert status_code("INPUT_DOWNLOAD_FAILED") == 30002  # the protobuf fallback


def _runtime_view(code: int | None, http: int) -> tuple[str, bool, bool]:
    """(category, transient for a GET, transient for a POST) as the runtime sees a reply."""
    status: dict[str, Any] = {"description": "d"} | ({"code": code} if code is not None else {})
    body = {"status": status}
    err = error_from_body(body, http, json.dumps(body))
    kinds: list[tuple[type[ClarifaiError], str]] = [
        (AuthError, "auth"),
        (PermissionDeniedError, "permission"),
        (NotFoundError, "not_found"),
    ]
    kind = next((name for cls, name in kinds if type(err) is cls), "other")
    return kind, is_transient(err, idempotent=True), is_transient(err)


def _puller_view(code: int | None, http: int) -> tuple[str, bool]:
    """(category, transient) as the signature puller sees the same reply to its GET."""
    status: dict[str, Any] = {"description": "d"} | ({"code": code} if code is not None else {})
    content = json.dumps({"status": status}).encode()
    try:
        classify(REF, http, content, httpx.Headers())
    except Transient:
        return "other", True
    except Permanent as exc:
        for prefix, kind in (
            ("the Clarifai PAT was rejected", "auth"),
            ("permission denied", "permission"),
            ("model u/a/m not found", "not_found"),
        ):
            if exc.reason.startswith(prefix):
                return kind, False
        return "other", False
    raise AssertionError("a failure status was accepted")


@pytest.mark.parametrize(("code", "http"), list(product(CODES, HTTP_STATUSES)))
def test_puller_and_runtime_classify_alike(code: int | None, http: int) -> None:
    kind, get_transient, post_transient = _runtime_view(code, http)
    assert _puller_view(code, http) == (kind, get_transient)
    expected = protocol.category(code, http)
    assert kind == (expected if expected in ("auth", "permission", "not_found") else "other")
    # The one difference between a GET and a POST: a bare 500, 502 or 504 (the model may have
    # run) is retried only when idempotent.
    assert get_transient == (post_transient or (http in (500, 502, 504) and kind == "other"))


@pytest.mark.parametrize("http", [500, 502, 504])
def test_answers_after_the_model_may_have_run_are_retried_only_when_idempotent(
    http: int,
) -> None:
    assert protocol.is_transient(None, http, idempotent=True)
    assert not protocol.is_transient(None, http, idempotent=False)
    assert protocol.is_transient(None, 503, idempotent=False)
    assert protocol.is_transient(None, 429, idempotent=False)


def test_status_code_reads_only_ascii_digits() -> None:
    for raw in ("²", "٣", "1" * 11, "9" * 5000, "-5"):
        assert protocol.status_code(raw) is None and status_code(raw) is None


def test_connection_failures_after_sending_retry_only_when_idempotent() -> None:
    err = ClarifaiError("read timed out")
    err.transient = True
    assert is_transient(err) and is_transient(err, idempotent=True)
    err.reached = True
    assert not is_transient(err) and is_transient(err, idempotent=True)

    assert not protocol.is_transient(21200, 503, idempotent=True)  # the code decides
    assert protocol.is_transient(21355, 400, idempotent=False)


def _failure(**attrs: Any) -> ClarifaiError:
    err = ClarifaiError("x", code=attrs.get("code"), http_status=attrs.get("http_status"))
    err.retry_after = attrs.get("retry_after")
    return err


def test_backoff_jitter_and_bounds() -> None:
    policy = RetryPolicy(max_retries=3, backoff=0.2, max_backoff=100.0)
    backoff = policy.start()
    delays = [backoff.next_delay(_failure(http_status=503)) for _ in range(4)]
    assert delays[3] is None and backoff.exhausted
    for n, delay in enumerate(delays[:3]):
        assert delay is not None and 0.2 * 2**n * 0.5 <= delay <= 0.2 * 2**n
    assert backoff.slept == pytest.approx(sum(d for d in delays if d is not None))


def test_backoff_honours_retry_after_within_the_budget() -> None:
    backoff = RetryPolicy(max_retries=5, backoff=0.1, max_backoff=10.0).start()
    assert backoff.next_delay(_failure(code=11005, retry_after=4.0)) == 4.0
    assert backoff.next_delay(_failure(code=11005, retry_after=7.0)) is None  # 4 + 7 > 10
    assert backoff.next_delay(_failure(code=21200, http_status=503)) is None  # not transient
    assert backoff.attempt == 1


def test_backoff_budget_can_count_wall_time() -> None:
    backoff = RetryPolicy(max_retries=5, backoff=0.1, max_backoff=2.0).start()
    assert not backoff.take(0.5, spent=1.6) and backoff.attempt == 0
    assert backoff.take(0.5, spent=1.5) and backoff.attempt == 1


def test_the_puller_uses_the_runtime_backoff() -> None:
    settings = RemoteSettings(pat="p", max_attempts=3, backoff=0.25, max_seconds=9.0)
    assert settings.retry_policy == RetryPolicy(max_retries=2, backoff=0.25, max_backoff=9.0)


def test_routes() -> None:
    ref = ModelRef("u", "my app", "m/x", "v1")
    assert protocol.model_path(ref) == "/v2/users/u/apps/my%20app/models/m%2Fx/versions/v1"
    assert protocol.model_path(REF) == "/v2/users/u/apps/a/models/m"
    runtime = HttpBase("pat", "http://127.0.0.1:9", policy=RetryPolicy())
    assert runtime._url(RuntimeRef("u", "my app", "m/x", "v1"), "") == (
        "http://127.0.0.1:9" + protocol.model_path(ref)
    )
    assert model_url(REF) == REF.url == "https://clarifai.com/u/a/models/m"
    assert (
        model_url(ModelRef("u", "a", "m", "v1")) == "https://clarifai.com/u/a/models/m/versions/v1"
    )


def test_calls_share_one_jitter_generator() -> None:
    """`random.Random()` per call reads the OS random source: one generator serves all."""
    from codegen.runtime.protocol import RetryPolicy

    policy = RetryPolicy(max_retries=2, backoff=1.0)
    first, second = policy.start(), policy.start()
    assert first._rng is second._rng
    assert 0.5 <= first.proposed(None) <= 1.0
