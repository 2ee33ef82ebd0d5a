"""The HTTP transport against misbehaving servers, sync and async: no resend of a request that
may have reached the model (unless idempotent), hostile JSON, and the PAT in no part of any error
(issue 9)."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from codegen.runtime import (
    ClarifaiError,
    Client,
    RateLimitError,
    ServerError,
    TransportError,
)

from .conftest import success
from .faultcalls import GENERATE, MODES, PAT, PREDICT, call, fails, method
from .faultserver import lines, reply
from .leakcheck import assert_clean

# ---------------------------------------------------------------------- no unsafe resends


def _closed_without_answer(sock: socket.socket, request: Any) -> None:
    sock.close()  # the request arrived; the answer never comes


def _slow_answer(sock: socket.socket, request: Any) -> None:
    time.sleep(1.5)
    reply(success({"string_value": "late"}))(sock, request)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", [_slow_answer, _closed_without_answer], ids=["timeout", "eof"])
def test_a_request_that_may_have_run_is_not_resent(mode: str, fault: Any, faults: Any) -> None:
    srv = faults(fault)
    fails(TransportError, call, mode, srv.base_url, timeout=0.5)
    assert srv.settled() == 1
    srv.requests.clear()
    fails(TransportError, call, mode, srv.base_url, GENERATE, timeout=0.5)
    assert srv.settled() == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("idempotent", "resent"),
    [(True, True), (["predict", "other"], True), (frozenset({"other"}), False)],
)
def test_idempotent_methods_are_resent(
    mode: str, idempotent: Any, resent: bool, faults: Any
) -> None:
    srv = faults(
        _closed_without_answer, _closed_without_answer, reply(success({"string_value": "ok"}))
    )
    kw = {"idempotent": idempotent, "max_retries": 3}
    if resent:
        assert call(mode, srv.base_url, **kw) == "ok"
    else:
        fails(TransportError, call, mode, srv.base_url, **kw)
    assert srv.settled() == (3 if resent else 1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "cls", "resent"),
    [
        (429, RateLimitError, True),
        (503, ServerError, True),
        (502, ServerError, False),
        (504, ServerError, False),
        (500, ServerError, False),
    ],
)
def test_only_answers_that_say_not_run_are_resent(
    mode: str, status: int, cls: type[ClarifaiError], resent: bool, faults: Any
) -> None:
    srv = faults(reply("busy", status), reply(success({"string_value": "ok"})))
    if resent:
        assert call(mode, srv.base_url) == "ok"
    else:
        fails(cls, call, mode, srv.base_url)
        srv.behaviours = [reply("busy", status), reply(success({"string_value": "ok"}))]
        assert call(mode, srv.base_url, idempotent=True) == "ok"  # opted in
    assert srv.settled() == (2 if resent else 3)


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_connection_is_retried_and_carries_no_pat(mode: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = fails(TransportError, call, mode, f"http://127.0.0.1:{port}", max_retries=1)
    assert "ConnectError" in str(err) and err.transient and not err.reached


@pytest.mark.parametrize("idempotent", [True, ["a", "b"], frozenset()])
def test_idempotent_pickles_with_the_client(idempotent: Any) -> None:
    import pickle

    with Client(PAT, "http://127.0.0.1:9", idempotent=idempotent, max_response_bytes=5000) as c:
        copy = pickle.loads(pickle.dumps(c))
    assert copy._settings == c._settings
    assert copy._settings.max_response_bytes == 5000
    assert copy._settings.idempotent == (True if idempotent is True else frozenset(idempotent))
    copy.close()


@pytest.mark.parametrize("bad", ["predict", 5, [1]])
def test_idempotent_is_checked(bad: Any) -> None:
    with pytest.raises(TypeError, match="idempotent"):
        Client(PAT, "http://127.0.0.1:9", idempotent=bad)


# ---------------------------------------------------------------------- hostile JSON


def _nested(depth: int) -> bytes:
    return b'{"status": {"code": 10000}, "x": ' + b"[" * depth + b"]" * depth + b"}"


def _nested_struct(depth: int) -> bytes:
    value = b'{"a": ' * depth + b"{}" + b"}" * depth
    return (
        b'{"status": {"code": 10000}, "outputs": [{"data": {"parts": [{"id": "return", '
        b'"data": {"struct_value": ' + value + b"}}]}}]}"
    )


JSON_OUT = method("unary", {"t": "JSON_DATA"})
INT_OUT = method("unary", {"t": "INT"})


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("depth", [100_000, 600])
def test_nested_json_ends_in_a_typed_error(mode: str, depth: int, faults: Any) -> None:
    srv = faults(
        reply(_nested(depth)),
        reply(_nested_struct(depth)),
        reply(_nested(depth), 500),
        lines(b'{"result": ' + _nested(depth) + b"}"),
    )
    for called in (PREDICT, JSON_OUT, PREDICT, GENERATE):
        try:
            call(mode, srv.base_url, called, max_retries=0)
        except ClarifaiError as err:
            assert_clean(err, PAT)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("code", ["²", "٣", "9" * 5000, "1" * 30])
def test_an_unreadable_status_code_is_a_typed_error(mode: str, code: str, faults: Any) -> None:
    srv = faults(reply({"status": {"code": code, "description": "odd"}}))
    fails(ClarifaiError, call, mode, srv.base_url)
    srv.behaviours = [lines({"result": {"status": {"code": code}}})]
    fails(ClarifaiError, call, mode, srv.base_url, GENERATE)


# ---------------------------------------------------------------------- the PAT


@pytest.mark.parametrize("mode", MODES)
def test_a_pat_echoed_into_a_typed_value_is_redacted(mode: str, faults: Any) -> None:
    srv = faults(reply(success({"int_value": PAT})))
    err = fails(TransportError, call, mode, srv.base_url, INT_OUT)
    assert "is not an integer" in str(err)


@pytest.mark.parametrize("mode", MODES)
def test_a_long_echoed_value_is_described_not_cut(mode: str, faults: Any) -> None:
    srv = faults(reply(success({"int_value": "x" * 5000 + PAT})))
    err = fails(TransportError, call, mode, srv.base_url, INT_OUT)
    assert "a str of 5020 characters" in str(err)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("offset", [180, 190, 195, 199, 200])
def test_a_pat_across_the_snippet_limit_leaves_no_prefix(
    mode: str, offset: int, faults: Any
) -> None:
    srv = faults(reply("x" * offset + PAT, 500), reply("y" * offset + PAT, 200))
    for _ in range(2):
        err = fails(ClarifaiError, call, mode, srv.base_url, max_retries=0)
        for cut in range(4, len(PAT)):
            assert PAT[:cut] not in str(err) and PAT[:cut] not in err.description


@pytest.mark.parametrize("mode", MODES)
def test_server_texts_carrying_the_pat_are_redacted_everywhere(mode: str, faults: Any) -> None:
    echo = f"key {PAT} rejected"
    srv = faults(
        reply(
            {"status": {"code": 11008, "description": echo, "details": echo, "req_id": PAT}}, 401
        ),
        lines({"error": {"code": 16, "message": echo}}),
        reply({"code": 13, "message": echo}, 500),
    )
    fails(ClarifaiError, call, mode, srv.base_url)
    fails(ClarifaiError, call, mode, srv.base_url, GENERATE)
    fails(ClarifaiError, call, mode, srv.base_url)
