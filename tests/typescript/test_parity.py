"""Wire parity (issue 11, acceptance 2): for every case of the Python runtime's encode/decode
parity suite (tests/runtime/cases.py), the TypeScript runtime builds the same request JSON and
decodes the SDK's response to equal values. One Node process runs every case; Python computes the
expected side with its own runtime (itself checked against the SDK by tests/runtime/)."""

from __future__ import annotations

from typing import Any

import pytest

from codegen.runtime import types as rt
from codegen.runtime.encode import encode_args
from codegen.runtime.errors import ArgumentError, ClarifaiError
from codegen.runtime.messages import ModelRef, output_value, request_body
from codegen.runtime.signature import Type

from ..runtime.cases import CASES, PNG
from ..runtime.sdk_helpers import runtime_method, sdk_signature, to_dict, to_runtime, type_json
from ..runtime.test_decode_parity import sdk_response
from ..runtime.test_encode_parity import wire_json
from .node import Node
from .tags import same, tag

pytest.importorskip("clarifai")


def method_json(sig: Any, kind: str = "unary") -> dict[str, Any]:
    """The signature JSON a generated module embeds, for an SDK MethodSignature."""
    return {
        "name": sig.name,
        "kind": kind,
        "inputs": [
            {"name": f.name, "type": type_json(f), "required": f.required, "iterator": f.iterator}
            for f in sig.input_fields
        ],
        "output": type_json(sig.output_fields[0]),
    }


def t_json(t: Type) -> dict[str, Any]:
    out: dict[str, Any] = {"t": t.t}
    if t.args:
        out["args"] = [t_json(a) for a in t.args]
    if t.fields:
        out["fields"] = [[name, t_json(sub)] for name, sub in t.fields]
    return out


def outcome(f: Any, *args: Any) -> Any:
    """What the Python runtime gives for `f(*args)`: {"ok": value} or {"error": class name}."""
    try:
        return {"ok": f(*args)}
    except ClarifaiError as err:
        return {"error": type(err).__name__}


def python_encoding(method: dict[str, Any], args: dict[str, Any]) -> Any:
    return wire_json({"parts": encode_args(runtime_method_from(method), args)})


def python_decoding(t: Type, body: dict[str, Any]) -> Any:
    return tag(output_value(t, body))


def returning(t: Type) -> dict[str, Any]:
    return {"name": "f", "kind": "unary", "inputs": [], "output": t_json(t)}


def body_of(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": {"code": 10000},
        "outputs": [{"data": {"parts": [{"id": "return", "data": data}]}}],
    }


CaseMap = dict[str, tuple[dict[str, Any], dict[str, Any]]]  # id -> (payload, expected)


def value_cases() -> CaseMap:
    """Every parity case: encoded as an argument, decoded from the SDK's response."""
    out: CaseMap = {}
    for case_id, annotation, value in CASES:
        sig = sdk_signature({"x": annotation})
        ours = to_runtime(value)
        encoded = wire_json({"parts": encode_args(runtime_method(sig), {"x": ours})})
        out_sig, resp = sdk_response(annotation, value)
        method = runtime_method(out_sig)
        responses = [to_dict(resp, True), to_dict(resp, False)]
        payload = {
            "method": method_json(sig),
            "args": {"x": tag(ours)},
            "decode": {"method": method_json(out_sig), "responses": responses},
        }
        expected = {
            "encoded": {"ok": encoded},
            "decoded": [{"ok": tag(output_value(method.output, r))} for r in responses],
        }
        out[case_id] = (payload, expected)
    return out


def envelope_case() -> CaseMap:
    """The docs-like predict of protocol §4.3: argument order, omitted arguments, envelope."""
    annotations = {"prompt": str, "image": Any, "images": Any, "max_tokens": int}
    from clarifai.runners.utils import data_types as dt

    annotations.update(image=dt.Image, images=list[dt.Image])
    sig = sdk_signature(annotations, returns=str, defaults={"max_tokens": 512})
    args = {
        "prompt": "hi",
        "image": rt.Image(url="https://samples.clarifai.com/metro-north.jpg"),
        "images": [rt.Image(bytes=PNG), rt.Image(url="https://x/y.jpg")],
        "max_tokens": None,
    }
    model = ModelRef("u", "a", "m", "v")
    body = request_body(model, "f", encode_args(runtime_method(sig), args))
    payload = {
        "method": method_json(sig) | {"name": "f"},
        "args": {k: tag(v) for k, v in args.items()},
        "model": {"userId": "u", "appId": "a", "modelId": "m", "versionId": "v"},
    }
    return {"envelope": (payload, {"encoded": {"ok": wire_json(body)}})}


STR, INT = Type("STR"), Type("INT")
# (id, type, Data JSON): decoding beyond the SDK's cases (test_decode_parity's own cases)
DATA_CASES: list[tuple[str, Type, dict[str, Any]]] = [
    ("float-nan", Type("FLOAT"), {"float_value": "NaN"}),
    ("float-camel", Type("FLOAT"), {"floatValue": "-Infinity"}),
    ("int-camel", INT, {"intValue": 12}),
    ("int-string", INT, {"int_value": "-12"}),
    ("str-camel", STR, {"stringValue": "s"}),
    ("json-numbers", Type("JSON_DATA"), {"struct_value": {"n": 1, "l": [2, True, None]}}),
    ("concepts-several", Type("CONCEPT"), {"concepts": [{"name": "a", "value": 0.5}, {"id": "B"}]}),
    ("any-str", Type("ANY"), {"string_value": "s"}),
    ("any-int", Type("ANY"), {"int_value": "3"}),
    ("any-list", Type("ANY"), {"struct_value": {"_list": [1]}}),
    ("any-image", Type("ANY"), {"image": {"url": "u"}}),
    ("any-named", Type("ANY"), {"parts": [{"id": "a", "data": {"bool_value": True}}]}),
    ("any-unnamed", Type("ANY"), {"parts": [{"data": {"float_value": 0.5}}]}),
    ("any-empty", Type("ANY"), {}),
    ("bad-int", INT, {"int_value": "x"}),
    ("bad-str", STR, {"string_value": 5}),
    ("bad-bytes", Type("BYTES"), {"bytes_value": "!!"}),
    ("bad-tuple", Type("TUPLE", (INT, STR)), {"parts": [{"data": {}}]}),
    ("bad-named", Type("NAMED_FIELDS", fields=(("a", INT),)), {"parts": [{"id": "b", "data": {}}]}),
    ("bad-list", Type("LIST", (STR,)), {"parts": {"id": "x"}}),
    (
        "bad-ndarray",
        Type("NDARRAY"),
        {"ndarray": {"buffer": "AAAA", "shape": [5], "dtype": "int32"}},
    ),
    (
        "proto-key",
        Type("NAMED_FIELDS", fields=(("__proto__", STR),)),
        {"parts": [{"id": "__proto__", "data": {"string_value": "p"}}]},
    ),
]
for _t in (
    "STR",
    "BYTES",
    "INT",
    "FLOAT",
    "BOOL",
    "JSON_DATA",
    "TEXT",
    "IMAGE",
    "CONCEPT",
    "NDARRAY",
):
    DATA_CASES.append((f"missing-{_t.lower()}", Type(_t), {}))


def data_cases() -> CaseMap:
    out: CaseMap = {}
    for case_id, t, data in DATA_CASES:
        body = body_of(data)
        payload = {"method": returning(t), "decode": {"method": returning(t), "responses": [body]}}
        expected = {"decoded": [outcome(python_decoding, t, body)]}
        out[f"data-{case_id}"] = (payload, expected)
    return out


# (id, argument type, value): arguments both runtimes refuse before sending
BAD_ARGS: list[tuple[str, Type, Any]] = [
    ("int-given-str", INT, "x"),
    ("int-too-big", INT, {"$bigint": str(2**63)}),
    ("str-given-int", STR, 5),
    ("bool-given-int", Type("BOOL"), 1),
    ("float-given-str", Type("FLOAT"), "1.5"),
    ("image-given-str", Type("IMAGE"), "https://x/y.png"),
    ("tuple-short", Type("TUPLE", (INT, STR)), [1]),
    ("named-extra", Type("NAMED_FIELDS", fields=(("a", INT),)), {"$dict": {"a": 1, "b": 2}}),
    ("named-missing", Type("NAMED_FIELDS", fields=(("a", INT),)), {"$dict": {}}),
    ("json-nan", Type("JSON_DATA"), {"$dict": {"x": {"$float": "NaN"}}}),
    (
        "frame-negative-time",
        Type("FRAME"),
        {"$frame": {"image": None, "regions": [], "time": -1, "index": 0}},
    ),
]


def bad_arg_cases() -> CaseMap:
    out: CaseMap = {}
    for case_id, t, value in BAD_ARGS:
        method = {"name": "f", "inputs": [{"name": "x", "type": t_json(t)}], "output": {"t": "STR"}}
        payload = {"method": method, "args": {"x": value}}
        out[f"refused-{case_id}"] = (payload, {"encoded": {"error": ArgumentError.__name__}})
    return out


# (id, argument type, tagged TypeScript value, Python value): values built differently per language
BUILT: list[tuple[str, Type, Any, Any]] = [
    (
        "concept-default-id",
        Type("CONCEPT"),
        {"$concept": ["a b!", 0.5, ""]},
        rt.Concept("a b!", 0.5),
    ),
    ("text-from-str", Type("TEXT"), "plain", "plain"),
    (
        "text-from-object",
        Type("TEXT"),
        {"$dict": {"text": "t", "url": "u"}},
        {"text": "t", "url": "u"},
    ),
    (
        "frame-half-ms",
        Type("FRAME"),
        {"$frame": {"image": None, "regions": [], "time": 0.0025, "index": 0}},
        rt.Frame(time=0.0025),
    ),
]


def built_cases() -> CaseMap:
    out: CaseMap = {}
    for case_id, t, ts_value, py_value in BUILT:
        method = {"name": "f", "inputs": [{"name": "x", "type": t_json(t)}], "output": {"t": "STR"}}
        expected = outcome(python_encoding, method, {"x": py_value})
        out[f"built-{case_id}"] = (
            {"method": method, "args": {"x": ts_value}},
            {"encoded": expected},
        )
    return out


CONSTRAINED = {
    "name": "f",
    "inputs": [
        {"name": "n", "type": {"t": "INT"}, "min": 1, "max": 10},
        {"name": "c", "type": {"t": "STR"}, "choices": ["a", "b"]},
        {"name": "r", "type": {"t": "FLOAT"}, "required": True},
    ],
    "output": {"t": "STR"},
}


def constraint_cases() -> CaseMap:
    rows = {
        "ok": {"n": 10, "c": "b", "r": 0.5},
        "below": {"n": 0, "r": 0.5},
        "above": {"n": 11, "r": 0.5},
        "choice": {"c": "z", "r": 0.5},
        "required": {"n": 2},
        "unknown": {"r": 1.0, "zz": 1},
    }
    out: CaseMap = {}
    for case_id, args in rows.items():
        expected = outcome(python_encoding, CONSTRAINED, args)
        out[f"constraint-{case_id}"] = (
            {"method": CONSTRAINED, "args": args},
            {"encoded": expected},
        )
    return out


def runtime_method_from(raw: dict[str, Any]) -> Any:
    from codegen.runtime.signature import parse_method

    return parse_method(raw)


@pytest.fixture(scope="module")
def parity(ts: Node) -> dict[str, tuple[Any, Any]]:
    """id -> (what the TypeScript runtime gave, what the Python runtime gives)."""
    cases = (
        value_cases()
        | envelope_case()
        | data_cases()
        | bad_arg_cases()
        | built_cases()
        | constraint_cases()
    )
    results = ts.run("parity", [payload for payload, _ in cases.values()])
    return {
        case_id: (result, expected)
        for (case_id, (_, expected)), result in zip(cases.items(), results, strict=True)
    }


def strip(result: dict[str, Any]) -> dict[str, Any]:
    """An outcome without the error message (class names are compared)."""
    return {k: v for k, v in result.items() if k != "message"}


ALL_IDS = (
    [case_id for case_id, _, _ in CASES]
    + ["envelope"]
    + [f"data-{c}" for c, _, _ in DATA_CASES]
    + [f"refused-{c}" for c, _, _ in BAD_ARGS]
    + [f"built-{c}" for c, _, _, _ in BUILT]
    + [f"constraint-{c}" for c in ("ok", "below", "above", "choice", "required", "unknown")]
)


@pytest.mark.parametrize("case_id", ALL_IDS)
def test_same_wire_and_values_as_python(parity: dict[str, tuple[Any, Any]], case_id: str) -> None:
    got, expected = parity[case_id]
    if "encoded" in expected:
        assert same(strip(got["encoded"]), expected["encoded"]), (
            got["encoded"],
            expected["encoded"],
        )
    for ours, theirs in zip(got.get("decoded", []), expected.get("decoded", []), strict=True):
        assert same(strip(ours), theirs), (ours, theirs)
    assert len(got.get("decoded", [])) == len(expected.get("decoded", []))
