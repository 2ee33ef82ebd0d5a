"""The TypeScript runtime's I/O-free pieces against the Python runtime's, on the same inputs:
stream framing under any chunking, status -> error class, retry decisions, Retry-After,
signature validation (hostile JSON included), runner selection and model paths."""

from __future__ import annotations

import base64
import math
import random
from typing import Any

import pytest

from codegen.runtime import signature
from codegen.runtime.errors import ClarifaiError, error_from_body
from codegen.runtime.framing import FrameDecoder
from codegen.runtime.messages import ModelRef
from codegen.runtime.protocol import is_transient, model_path, parse_retry_after
from codegen.runtime.runner import resolve_runner

from .node import Node

NOW = 1_700_000_000.0  # seconds: the "now" of Retry-After dates


def python(f: Any, *args: Any) -> Any:
    try:
        return {"ok": f(*args)}
    except (ClarifaiError, ValueError) as err:
        name = "Error" if type(err) is ValueError else type(err).__name__
        return {"error": name}


# --------------------------------------------------------------------------- framing

STREAMS: list[bytes] = [
    b'{"a": 1}\n{"b": "x}y{"}\n',
    b'[{"a": [1, {"b": 2}]}, {"c": "\\"}\\\\"}]',
    b'{"a": "\\u00e9 \xc3\xa9 \xe2\x9c\x93"}{"b": null}  \r\n\t,{"c": true}',
    b'{"deep": ' + b"[" * 50 + b"]" * 50 + b"}",
    b'{"a": 1}\n{"truncated": ',
    b'{"a": 1}\nnot json\n',
    b'{"a": "' + b"x" * 300 + b'"}',
    b'{"bad utf8": "\xff"}',
    b"",
    b"[]",
]


def chunkings(data: bytes, rng: random.Random) -> list[list[bytes]]:
    """Whole, byte by byte, and three random splits."""
    out = [[data], [data[i : i + 1] for i in range(len(data))]]
    for _ in range(3):
        cuts = sorted(rng.sample(range(len(data) + 1), min(len(data), 4)))
        out.append([data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)])
    return out


def python_frames(chunks: list[bytes], limit: int) -> list[Any]:
    decoder = FrameDecoder(limit)
    values = [v for chunk in chunks for v in decoder.feed(chunk)]
    decoder.finish()
    return values


def framing_ops() -> list[tuple[dict[str, Any], Any]]:
    rng = random.Random(11)
    ops = []
    for data in STREAMS:
        for chunks in chunkings(data, rng):
            op = {"op": "frames", "chunks": [base64.b64encode(c).decode() for c in chunks]}
            ops.append((op | {"limit": 200}, python(python_frames, chunks, 200)))
    return ops


# --------------------------------------------------------------------------- errors

ERROR_BODIES: list[tuple[Any, int | None, str]] = [
    ({"status": {"code": 11001, "description": "bad key"}}, 401, ""),
    ({"status": {"code": "CONN_THROTTLED", "req_id": "r1"}}, 429, ""),
    ({"status": {"code": 21313, "details": "boom", "reqId": "r2"}}, 200, ""),
    ({"status": {"code": "21200"}}, 404, ""),
    ({"status": {"code": 10000}}, 500, "oops"),
    ({"error": {"code": 5, "message": "no such model"}}, 404, ""),
    ({"code": 16, "message": "unauthenticated"}, None, ""),
    ({"code": 10020, "message": "m"}, 200, ""),
    ({"error": {"code": 3, "message": "bad", "http_code": 400}}, None, ""),
    ({"error": {"code": 14, "message": "unavailable"}}, 503, ""),
    (None, 401, "<html>Unauthorized</html>"),
    (None, 418, "teapot"),
    (None, None, ""),
    (None, 502, "bad gateway"),
    ({"status": {"code": 99999, "description": "?"}}, 200, ""),
    ({"status": {"code": True}}, 503, ""),
    (["not", "an", "object"], 500, ""),
]


def python_error(body: Any, http: int | None, text: str) -> Any:
    err = error_from_body(body, http, text)
    return {
        "class": type(err).__name__,
        "code": err.code,
        "httpStatus": err.http_status,
        "reqId": err.req_id,
    }


def error_ops() -> list[tuple[dict[str, Any], Any]]:
    return [
        (
            {"op": "error", "body": body, "http": http, "text": text},
            python(python_error, body, http, text),
        )
        for body, http, text in ERROR_BODIES
    ]


def transient_ops() -> list[tuple[dict[str, Any], Any]]:
    ops = []
    for code in (None, 10030, 11001, 11005, 21200, 21313, 99009):
        for http in (None, 200, 404, 429, 500, 502, 503, 504):
            for idem in (False, True):
                op = {"op": "transient", "code": code, "http": http, "idempotent": idem}
                ops.append((op, {"ok": is_transient(code, http, idempotent=idem)}))
    return ops


RETRY_AFTER = ["1", "0.5", " 2 ", "-3", "abc", "", "   ", "1e2", ".5", "7.", "nan", "inf", "-inf",
               "Tue, 14 Nov 2023 22:13:30 GMT", "Tue, 14 Nov 2023 22:13:20 GMT"]  # fmt: skip


def by_name(x: float | None) -> float | str | None:
    """Non-finite numbers by name, as scripts/units.ts writes them."""
    return x if x is None or math.isfinite(x) else str(x).replace("inf", "Infinity")


def retry_after_ops() -> list[tuple[dict[str, Any], Any]]:
    return [
        (
            {"op": "retryAfter", "value": v, "now": NOW * 1000},
            {"ok": by_name(parse_retry_after(v, NOW))},
        )
        for v in RETRY_AFTER
    ]


# --------------------------------------------------------------------------- signatures


def normal(m: signature.Method) -> dict[str, Any]:
    """A Python `Method` in the shape of the TypeScript `MethodSignature`."""

    def t(x: signature.Type) -> dict[str, Any]:
        fields = [[name, t(sub)] for name, sub in x.fields]
        return {"t": x.t, "args": [t(a) for a in x.args], "fields": fields}

    inputs = [
        {
            "name": f.name,
            "type": t(f.type),
            "required": f.required,
            "iterator": f.iterator,
            "choices": None if f.choices is None else list(f.choices),
            "minimum": f.minimum,
            "maximum": f.maximum,
        }
        for f in m.inputs
    ]
    return {"name": m.name, "kind": m.kind, "inputs": inputs, "output": t(m.output)}


STR = {"t": "STR"}
SIGNATURES: list[Any] = [
    {"name": "f", "output": STR},
    {"name": "f", "kind": "server_stream", "inputs": [{"name": "x", "type": STR, "required": True}], "output": STR},
    {"name": "f", "inputs": [{"name": "x", "type": STR, "choices": ["a", 1, 2.5], "min": 0, "max": 9.5}], "output": STR},
    {"name": "f", "inputs": [{"name": "x", "type": STR, "required": [], "iterator": "no", "choices": []}], "output": STR},
    {"name": "f", "inputs": [{"name": "__proto__", "type": {"t": "NAMED_FIELDS", "fields": [["constructor", STR]]}}], "output": STR},
    {"name": "f", "output": {"t": "LIST", "args": [{"t": "TUPLE", "args": [STR, {"t": "ANY"}]}]}},
    {"output": STR},
    {"name": 5, "output": STR},
    {"name": "f", "kind": "client_stream", "output": STR},
    {"name": "f"},
    {"name": "f", "output": {"t": "FOO"}},
    {"name": "f", "output": {"t": "LIST"}},
    {"name": "f", "output": {"t": "LIST", "args": [STR, STR]}},
    {"name": "f", "output": {"t": "TUPLE", "args": []}},
    {"name": "f", "output": {"t": "NAMED_FIELDS"}},
    {"name": "f", "output": {"t": "NAMED_FIELDS", "fields": [["a"]]}},
    {"name": "f", "output": {"t": "NAMED_FIELDS", "fields": [[1, STR]]}},
    {"name": "f", "inputs": [{"name": "x", "type": STR, "choices": "ab"}], "output": STR},
    {"name": "f", "inputs": [{"name": "x", "type": STR, "min": True}], "output": STR},
    {"name": "f", "inputs": [{"name": "x", "type": STR, "max": "9"}], "output": STR},
    {"name": "f", "inputs": [{"type": STR}], "output": STR},
    {"name": "f", "inputs": "xy", "output": STR},
    {"name": "f", "inputs": {"x": STR}, "output": STR},
    {"name": "f", "inputs": [], "output": {"t": "LIST", "args": {"t": "STR"}}},
    {"name": "f", "inputs": [{"name": "x", "type": STR, "choices": ""}], "output": STR},
    {"name": "f", "inputs": [{"name": "x", "type": STR, "choices": None}], "output": STR},
    {"name": "f", "kind": None, "output": STR},
    ["not", "an", "object"],
]  # fmt: skip


def signature_ops() -> list[tuple[dict[str, Any], Any]]:
    return [
        ({"op": "signature", "raw": raw}, python(lambda r: normal(signature.parse_method(r)), raw))
        if isinstance(raw, dict)
        else ({"op": "signature", "raw": raw}, {"error": "Error"})
        for raw in SIGNATURES
    ]


# --------------------------------------------------------------------------- runners

RUNNERS: list[tuple[dict[str, str], dict[str, str]]] = [
    ({}, {}),
    ({"deployment_id": "d"}, {}),
    ({"deployment_id": " d ", "deployment_user_id": "u"}, {}),
    ({"compute_cluster_id": "c", "nodepool_id": "n"}, {"CLARIFAI_DEPLOYMENT_ID": "envd"}),
    ({}, {"CLARIFAI_DEPLOYMENT_ID": "envd", "CLARIFAI_DEPLOYMENT_USER_ID": "eu"}),
    ({"deployment_user_id": "mine"}, {"CLARIFAI_NODEPOOL_ID": "n", "CLARIFAI_COMPUTE_CLUSTER_ID": "c"}),
    ({"deployment_id": "d", "nodepool_id": "n"}, {}),
    ({"nodepool_id": "n"}, {}),
    ({}, {"CLARIFAI_NODEPOOL_ID": "n"}),
    ({"deployment_id": "dé"}, {}),
    ({"deployment_id": ""}, {"CLARIFAI_DEPLOYMENT_ID": "envd"}),
]  # fmt: skip
CAMEL = {
    "deployment_id": "deploymentId",
    "deployment_user_id": "deploymentUserId",
    "compute_cluster_id": "computeClusterId",
    "nodepool_id": "nodepoolId",
}


def runner_ops() -> list[tuple[dict[str, Any], Any]]:
    ops = []
    for options, env in RUNNERS:
        expected = python(lambda o, e: resolve_runner(**o, env=e).to_json("owner"), options, env)
        camel = {CAMEL[k]: v for k, v in options.items()}
        ops.append(({"op": "runner", "options": camel, "env": env}, expected))
    return ops


IDS = [("u", "a", "m", None), ("u/x", "a b", "é", "v?1"), ("~_.-", "!'()*", "%2F", "#")]


def path_ops() -> list[tuple[dict[str, Any], Any]]:
    return [
        (
            {"op": "modelPath", "model": {"userId": u, "appId": a, "modelId": m, "versionId": v}},
            {"ok": model_path(ModelRef(u, a, m, v))},
        )
        for u, a, m, v in IDS
    ]


GROUPS = {
    "framing": framing_ops,
    "errors": error_ops,
    "transient": transient_ops,
    "retry-after": retry_after_ops,
    "signatures": signature_ops,
    "runners": runner_ops,
    "model-paths": path_ops,
}


@pytest.fixture(scope="module")
def answers(ts: Node) -> dict[str, list[tuple[Any, Any, Any]]]:
    """group -> [(op, TypeScript's answer, Python's answer)], from one Node process."""
    groups = {name: make() for name, make in GROUPS.items()}
    flat = [op for ops in groups.values() for op, _ in ops]
    got = iter(ts.run("units", flat))
    return {name: [(op, next(got), exp) for op, exp in ops] for name, ops in groups.items()}


@pytest.mark.parametrize("group", list(GROUPS))
def test_same_answers_as_python(answers: dict[str, list[tuple[Any, Any, Any]]], group: str) -> None:
    wrong = [(op, got, expected) for op, got, expected in answers[group] if got != expected]
    assert not wrong, wrong[:3]
