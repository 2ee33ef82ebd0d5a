"""(d) The HTTP transport against a local server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import socket
import time
from typing import Any

import httpx
import pytest

from codegen.runtime import (
    AuthError,
    Client,
    ModelError,
    ModelRef,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    signature,
)

from .conftest import Reply, Server, success

PAT = "secret-pat-123"
MODEL = ModelRef("u", "a", "m")
PINNED = ModelRef("u", "a", "m", "v1")


def method(kind: str = "unary", output: str = "STR") -> signature.Method:
    raw = {
        "name": "predict" if kind == "unary" else "generate",
        "kind": kind,
        "inputs": [{"name": "prompt", "type": {"t": "STR"}, "required": True, "iterator": False}],
        "output": {"t": output},
    }
    return signature.parse_method(raw)


PREDICT = method()
GENERATE = method("server_stream")


def client(server: Server, **kw: Any) -> Client:
    kw.setdefault("backoff", 0.001)
    return Client(PAT, server.base_url + "/", **kw)


def status_reply(
    http: int, code: int, description: str = "", details: str = "", **kw: Any
) -> Reply:
    return Reply(
        http, {"status": {"code": code, "description": description, "details": details}}, **kw
    )


def test_unary_success_request_shape(server: Server) -> None:
    server.script(Reply(200, success({"string_value": "hello"})))
    with client(server) as c:
        assert c.unary(PINNED, PREDICT, {"prompt": "hi"}) == "hello"
    (req,) = server.requests
    assert req["path"] == "/v2/users/u/apps/a/models/m/versions/v1/outputs"
    assert req["headers"]["Authorization"] == f"Key {PAT}"
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["body"] == {
        "user_app_id": {"user_id": "u", "app_id": "a"},
        "model_id": "m",
        "version_id": "v1",
        "inputs": [
            {
                "data": {
                    "metadata": {"_method_name": "predict"},
                    "parts": [{"id": "prompt", "data": {"string_value": "hi"}}],
                }
            }
        ],
    }


def test_unversioned_path_and_status_name(server: Server) -> None:
    body = success({"string_value": "ok"})
    body["status"]["code"] = "SUCCESS"
    server.script(Reply(200, body))
    with client(server) as c:
        assert c.unary(MODEL, PREDICT, {"prompt": "hi"}) == "ok"
    assert server.requests[0]["path"] == "/v2/users/u/apps/a/models/m/outputs"
    assert "version_id" not in server.requests[0]["body"]


@pytest.mark.parametrize(
    ("reply", "exc", "match"),
    [
        (status_reply(401, 11009, "API key not found"), AuthError, "API key not found"),
        (status_reply(401, 11008, "Invalid API key"), AuthError, r"\(status code 11008\)"),
        (
            status_reply(403, 11007, "Insufficient scopes"),
            PermissionDeniedError,
            "Insufficient scopes",
        ),
        (status_reply(404, 21200, "Model does not exist"), NotFoundError, "Model does not exist"),
        (status_reply(200, 10020, "Failure", "kaboom"), ModelError, "^kaboom$"),
        (status_reply(200, 21313, "Failed"), ModelError, "^Failed$"),
        (
            Reply(200, {"status": {"code": "FAILURE", "details": "Method nope not found"}}),
            ModelError,
            "nope",
        ),
        (status_reply(429, 11005, "Making too many requests"), RateLimitError, "too many"),
        (status_reply(200, 21355, "Model loading"), ServerError, "loading"),
        (Reply(401, "Unauthorized"), AuthError, "HTTP 401: Unauthorized; check the PAT"),
        (Reply(403, "<html>nope</html>"), PermissionDeniedError, "HTTP 403"),
        (Reply(404, "not here"), NotFoundError, "HTTP 404"),
        (Reply(500, "boom"), ServerError, "HTTP 500: boom"),
        (Reply(400, "bad"), TransportError, "unexpected HTTP 400 response: bad"),
        (Reply(200, "not json"), TransportError, "not JSON"),
        (Reply(200, {"status": {"code": 10000}}), TransportError, "no outputs"),
        (
            Reply(503, {"code": 14, "message": "upstream unavailable"}),
            ServerError,
            "upstream unavailable",
        ),
    ],
)
def test_error_mapping(server: Server, reply: Reply, exc: type[Exception], match: str) -> None:
    server.script(reply)
    with client(server, max_retries=0) as c, pytest.raises(exc, match=match) as info:
        c.unary(MODEL, PREDICT, {"prompt": "hi"})
    err = info.value
    if match != "no outputs":  # decoded after the transport returned
        assert err.http_status == reply.status  # type: ignore[attr-defined]
    assert len(server.requests) == 1


def test_error_attributes(server: Server) -> None:
    server.script(
        Reply(
            200,
            {
                "status": {
                    "code": 10020,
                    "description": "Failure",
                    "details": "kaboom",
                    "req_id": "r1",
                }
            },
        )
    )
    with client(server) as c, pytest.raises(ModelError) as info:
        c.unary(MODEL, PREDICT, {"prompt": "hi"})
    assert (info.value.code, info.value.description, info.value.details) == (
        10020,
        "Failure",
        "kaboom",
    )
    assert info.value.req_id == "r1" and str(info.value) == "kaboom"


def test_model_failure_code_wins_over_http_status(server: Server) -> None:
    server.script(status_reply(500, 10020, "Failure", "kaboom"))
    with client(server) as c, pytest.raises(ModelError, match=r"^kaboom$"):
        c.unary(MODEL, PREDICT, {"prompt": "hi"})
    assert len(server.requests) == 1


def test_retry_on_503_then_success(server: Server) -> None:
    server.script(
        status_reply(503, 21354, "Model busy"),
        Reply(503, "Service Unavailable"),
        Reply(200, success({"string_value": "finally"})),
    )
    with client(server) as c:
        assert c.unary(MODEL, PREDICT, {"prompt": "hi"}) == "finally"
    assert len(server.requests) == 3


def test_retry_on_transient_code_with_http_200(server: Server) -> None:
    server.script(
        status_reply(200, 21351, "deploying"), Reply(200, success({"string_value": "ok"}))
    )
    with client(server) as c:
        assert c.unary(MODEL, PREDICT, {"prompt": "hi"}) == "ok"
    assert len(server.requests) == 2


def test_retries_are_bounded(server: Server) -> None:
    server.script(*[Reply(503, "unavailable")] * 5)
    with client(server, max_retries=2) as c, pytest.raises(ServerError):
        c.unary(MODEL, PREDICT, {"prompt": "hi"})
    assert len(server.requests) == 3


def test_not_retried_on_500_or_model_failure(server: Server) -> None:
    server.script(Reply(500, "boom"), status_reply(200, 10020, details="x"))
    with client(server) as c:
        with pytest.raises(ServerError):
            c.unary(MODEL, PREDICT, {"prompt": "hi"})
        with pytest.raises(ModelError):
            c.unary(MODEL, PREDICT, {"prompt": "hi"})
    assert len(server.requests) == 2


def test_retry_after_is_honoured(server: Server) -> None:
    server.script(
        status_reply(429, 11005, "slow down", headers={"Retry-After": "0.3"}),
        Reply(200, success({"string_value": "ok"})),
    )
    start = time.monotonic()
    with client(server) as c:
        assert c.unary(MODEL, PREDICT, {"prompt": "hi"}) == "ok"
    assert time.monotonic() - start >= 0.3
    assert len(server.requests) == 2


def test_retry_after_beyond_budget_gives_up(server: Server) -> None:
    server.script(status_reply(429, 11005, "slow down", headers={"Retry-After": "30"}))
    start = time.monotonic()
    with client(server, max_backoff=1.0) as c, pytest.raises(RateLimitError) as info:
        c.unary(MODEL, PREDICT, {"prompt": "hi"})
    assert time.monotonic() - start < 1.0
    assert info.value.retry_after == 30.0


def test_connection_refused_is_retried_then_transport_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    attempts = []
    hooks = {"request": [lambda request: attempts.append(request)]}
    with (
        httpx.Client(event_hooks=hooks) as http,
        Client(
            PAT, f"http://127.0.0.1:{port}", backoff=0.001, max_retries=2, http_client=http
        ) as c,
    ):
        with pytest.raises(TransportError, match="failed: ConnectError") as info:
            c.unary(MODEL, PREDICT, {"prompt": "hi"})
    assert len(attempts) == 3
    assert PAT not in str(info.value) and PAT not in repr(info.value)


def test_read_timeout_is_retried_only_when_idempotent(server: Server) -> None:
    late = Reply(200, success({"string_value": "late"}), delay=0.5)
    server.script(late, late, Reply(200, success({"string_value": "ok"})))
    with client(server, timeout=0.2) as c, pytest.raises(TransportError, match="timed out"):
        c.unary(MODEL, PREDICT, {"prompt": "hi"})
    assert len(server.requests) == 1
    with client(server, timeout=0.2, idempotent={"predict"}) as c:
        assert c.unary(MODEL, PREDICT, {"prompt": "hi"}) == "ok"
    assert len(server.requests) == 3


def test_pat_is_redacted_from_server_messages(server: Server) -> None:
    server.script(status_reply(401, 11008, f"Invalid API key {PAT}"), Reply(401, f"bad key {PAT}"))
    with client(server) as c:
        for _ in range(2):
            with pytest.raises(AuthError) as info:
                c.unary(MODEL, PREDICT, {"prompt": "hi"})
            assert PAT not in str(info.value) and PAT not in repr(info.value)
            assert PAT not in info.value.description
        assert PAT not in repr(c)


# ---- server streaming ----


def frame(text: str, wrap: bool = True) -> dict[str, Any]:
    body = success({"string_value": text})
    return {"result": body} if wrap else body


# "a", "b", "c": wrapped and bare frames, and a result without data (skipped)
NDJSON_ABC = [
    frame("a"),
    frame("b", wrap=False),
    {"result": {"status": {"code": 10000}}},
    frame("c"),
]


def test_stream_ndjson(server: Server) -> None:
    server.script(Reply(200, lines=NDJSON_ABC))
    with client(server) as c:
        assert list(c.server_stream(MODEL, GENERATE, {"prompt": "x"})) == ["a", "b", "c"]
    assert server.requests[0]["path"] == "/v2/users/u/apps/a/models/m/outputs/generate"
    assert server.requests[0]["body"]["inputs"][0]["data"]["metadata"] == {
        "_method_name": "generate"
    }


def test_stream_json_array_framing(server: Server) -> None:
    text = json.dumps([frame("a"), frame("b")], indent=2)
    server.script(Reply(200, lines=text.splitlines()))
    with client(server) as c:
        assert list(c.server_stream(PINNED, GENERATE, {"prompt": "x"})) == ["a", "b"]


def test_stream_is_lazy_and_validates_eagerly(server: Server) -> None:
    with client(server) as c:
        with pytest.raises(TypeError):
            c.server_stream(MODEL, GENERATE, {"prompt": 1})
        it = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
        assert server.requests == []
        server.script(Reply(200, lines=[frame("a")]))
        assert next(it) == "a"
        assert list(it) == []


def test_stream_failure_mid_stream_raises_after_items(server: Server) -> None:
    failure = {"result": {"status": {"code": 10020, "description": "Failure", "details": "kaboom"}}}
    server.script(Reply(200, lines=[frame("a"), frame("b"), failure, frame("never")]))
    got = []
    with client(server) as c, pytest.raises(ModelError, match="kaboom"):
        for item in c.server_stream(MODEL, GENERATE, {"prompt": "x"}):
            got.append(item)
    assert got == ["a", "b"]
    assert len(server.requests) == 1


def test_stream_transient_failure_after_items_is_not_retried(server: Server) -> None:
    busy = {"result": {"status": {"code": 21354, "description": "busy"}}}
    server.script(Reply(200, lines=[frame("a"), busy]), Reply(200, lines=[frame("z")]))
    got = []
    with client(server) as c, pytest.raises(ServerError):
        for item in c.server_stream(MODEL, GENERATE, {"prompt": "x"}):
            got.append(item)
    assert got == ["a"] and len(server.requests) == 1


def test_stream_error_frame(server: Server) -> None:
    server.script(
        Reply(200, lines=[frame("a"), {"error": {"code": 16, "message": "unauthenticated"}}])
    )
    with client(server) as c, pytest.raises(AuthError, match="unauthenticated"):
        list(c.server_stream(MODEL, GENERATE, {"prompt": "x"}))


def test_stream_retried_before_first_item(server: Server) -> None:
    busy = {"result": {"status": {"code": 21355, "description": "loading"}}}
    server.script(
        Reply(503, "unavailable"),
        Reply(200, lines=[busy]),
        Reply(200, lines=[frame("a"), frame("b")]),
    )
    with client(server) as c:
        assert list(c.server_stream(MODEL, GENERATE, {"prompt": "x"})) == ["a", "b"]
    assert len(server.requests) == 3


def test_stream_http_error(server: Server) -> None:
    server.script(status_reply(404, 21200, "Model does not exist"))
    with client(server) as c, pytest.raises(NotFoundError):
        list(c.server_stream(MODEL, GENERATE, {"prompt": "x"}))


def test_stream_truncated_message(server: Server) -> None:
    server.script(Reply(200, lines=[frame("a"), '{"result": {"status"']))
    with client(server) as c, pytest.raises(TransportError, match="truncated"):
        list(c.server_stream(MODEL, GENERATE, {"prompt": "x"}))


def test_early_close_closes_the_response(server: Server) -> None:
    responses: list[httpx.Response] = []
    server.script(Reply(200, lines=[frame("a"), frame("b")], endless=frame("x" * 65536)))
    with httpx.Client(event_hooks={"response": [responses.append]}) as http:
        with client(server, http_client=http) as c:
            it = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
            assert next(it) == "a"
            (response,) = responses
            assert not response.is_closed
            it.close()  # type: ignore[attr-defined]
            assert response.is_closed
    assert server.disconnected.wait(5)


def test_break_closes_the_response(server: Server) -> None:
    responses: list[httpx.Response] = []
    server.script(Reply(200, lines=[frame("a"), frame("b")], endless=frame("x")))
    with (
        httpx.Client(event_hooks={"response": [responses.append]}) as http,
        client(server, http_client=http) as c,
    ):
        stream = c.server_stream(MODEL, GENERATE, {"prompt": "x"})
        for item in stream:
            assert item == "a"
            break
        stream.close()  # type: ignore[attr-defined]
        assert responses[0].is_closed


def test_request_json_writes_bytes_as_base64_once() -> None:
    from codegen.runtime.httpbase import dump_json

    blob = bytes(range(256)) * 3
    body = {"a": [{"b": blob}, {"c": "x\x00y"}], "d": bytearray(b"\x01")}
    assert json.loads(dump_json(body)) == {
        "a": [{"b": base64.b64encode(blob).decode()}, {"c": "x\x00y"}],
        "d": "AQ==",
    }


def test_request_json_is_not_fooled_by_a_string_spelling_a_marker() -> None:
    from codegen.runtime.httpbase import dump_json

    body = {"s": "\x000\x00", "b": b"\xff", "t": "\x001\x00"}
    assert json.loads(dump_json(body)) == {"s": "\x000\x00", "b": "/w==", "t": "\x001\x00"}
