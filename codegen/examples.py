"""The example script's plan: one call per method, every required argument filled with a sample."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .datatypes import RUNTIME_NAMES, SAMPLE_TEXT, TYPES
from .docstrings import example_header
from .literals import py_literal
from .plan import MethodPlan, ModulePlan
from .spec import DataType, FieldSpec, LiteralDefault, MethodKind, TypeRef
from .typemap import annotation_names

# The SDK's OpenAIModelClass methods: `msg` is a chat-completions request body as JSON; the
# streaming one needs `"stream": true` (without it the model's stream fails).
OPENAI_TRANSPORTS = {"openai_transport": False, "openai_stream_transport": True}
# Raised by a bidirectional stream over HTTP: the example catches it and prints it.
UNSUPPORTED = "StreamingNotSupportedError"


@dataclass
class _Imports:
    runtime: set[str] = field(default_factory=set)
    numpy: bool = False
    json: bool = False


@dataclass(frozen=True)
class ExampleCall:
    method: str  # python name (checked identifier)
    label: str  # a literal (repr) naming the method in the output
    stream: bool  # iterate over the result
    guard: str  # "" or the exception to catch and print (a bidirectional stream over HTTP)
    args: tuple[tuple[str, str], ...]  # (python parameter name, value source)


@dataclass(frozen=True)
class ExamplePlan:
    module: ModulePlan
    header_doc: str
    calls: tuple[ExampleCall, ...]
    placeholder_ref: str  # `ModelRef(...)` source when the ids are partly placeholders, else ""
    runtime_imports: tuple[str, ...]
    uses_numpy: bool
    uses_json: bool


def plan_example(plan: ModulePlan, package: str) -> ExamplePlan:
    imports = _Imports()
    # The model's URL without the version: what Clarifai's OpenAI-compatible API takes.
    model_url = dataclasses.replace(plan.spec.ref, version_id=None).url
    calls = tuple(
        _call(method, spec.inputs, imports, model_url)
        for method, spec in zip(plan.methods, plan.spec.methods, strict=True)
    )
    placeholder = _placeholder_ref(plan)
    if placeholder:
        imports.runtime.add("ModelRef")
    if any(c.guard for c in calls):
        imports.runtime.add(UNSUPPORTED)
    return ExamplePlan(
        module=plan,
        header_doc=example_header(plan.spec.ref.path, package, plan.module),
        calls=calls,
        placeholder_ref=placeholder,
        runtime_imports=tuple(sorted(imports.runtime)),
        uses_numpy=imports.numpy,
        uses_json=imports.json,
    )


def _placeholder_ref(plan: ModulePlan) -> str:
    ref = plan.spec.ref
    if not ref.placeholder:
        return ""
    ids = {"user_id": ref.user_id, "app_id": ref.app_id, "model_id": ref.model_id}
    return "ModelRef(" + ", ".join(f"{k}={py_literal(v)}" for k, v in ids.items()) + ")"


def _call(
    method: MethodPlan, inputs: tuple[FieldSpec, ...], imports: _Imports, model_url: str
) -> ExampleCall:
    args = []
    openai_msg = method.wire in OPENAI_TRANSPORTS
    for param, f in zip(method.params, inputs, strict=True):
        empty_text = f.default == LiteralDefault(
            ""
        )  # "optional" text with no real default: fill it
        if f.default is not None and not f.iterator and not empty_text:
            continue  # optional: the model's default applies
        value = _sample(f.type, imports, f)
        if openai_msg and f.type.kind is DataType.STR and not f.iterator and not f.choices:
            value = _chat_request(model_url, OPENAI_TRANSPORTS[method.wire], imports)
            openai_msg = False  # one request body per call
        if f.iterator:
            value = f"[{value}, {value}]"
        args.append((str(param.name), value))
    return ExampleCall(
        method=str(method.name),
        label=py_literal(f"{method.wire}:"),
        stream=method.kind is not MethodKind.UNARY,
        guard=UNSUPPORTED if method.kind is MethodKind.BIDI_STREAM else "",
        args=tuple(args),
    )


def _chat_request(model_url: str, stream: bool, imports: _Imports) -> str:
    """`json.dumps(...)` of a chat-completions body, as OpenAIModelClass parses `msg`."""
    imports.json = True
    body: dict[str, object] = {
        "model": model_url,  # OpenAIModelClass replaces it with its own backend model
        "messages": [{"role": "user", "content": SAMPLE_TEXT}],
    }
    if stream:
        body["stream"] = True
    return f"json.dumps({py_literal(body)})"


def _clamp(value: float, f: FieldSpec | None) -> float:
    if f is not None and f.range is not None:
        if f.range.minimum is not None:
            value = max(value, f.range.minimum)
        if f.range.maximum is not None:
            value = min(value, f.range.maximum)
    return value


def _sample(t: TypeRef, imports: _Imports, f: FieldSpec | None = None) -> str:
    kind = t.kind
    if f is not None and f.choices:
        return py_literal(f.choices[0])
    sample = TYPES[kind].sample
    if isinstance(sample, (int, float)):
        return py_literal(type(sample)(_clamp(sample, f)))
    if sample:
        names = annotation_names(sample)
        imports.runtime.update(names & RUNTIME_NAMES)
        imports.numpy = imports.numpy or "numpy" in names
        return sample
    if kind is DataType.LIST:
        return f"[{_sample(t.args[0], imports)}]"
    if kind is DataType.TUPLE:
        items = [_sample(a, imports) for a in t.args]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if kind is DataType.NAMED_FIELDS:
        items = [f"{py_literal(k)}: {_sample(v, imports)}" for k, v in t.fields]
        return "{" + ", ".join(items) + "}"
    raise AssertionError(f"no sample for {kind!r}")
