"""Sample arguments for the example script: one call per method, every required argument filled."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .literals import py_literal
from .plan import MethodPlan, ModulePlan
from .spec import DataType, FieldSpec, LiteralDefault, MethodKind, TypeRef

SAMPLE_IMAGE_URL = "https://samples.clarifai.com/metro-north.jpg"
SAMPLE_AUDIO_URL = "https://samples.clarifai.com/english_audio_sample.mp3"
SAMPLE_VIDEO_URL = "https://samples.clarifai.com/beer.mp4"
SAMPLE_TEXT = "What is the future of AI?"
# The SDK's OpenAIModelClass methods: `msg` is a chat-completions request body as JSON; the
# streaming one needs `"stream": true` (without it the model's stream fails).
OPENAI_TRANSPORTS = {"openai_transport": False, "openai_stream_transport": True}


@dataclass
class ExampleImports:
    runtime: set[str] = field(default_factory=set)
    numpy: bool = False
    json: bool = False


@dataclass(frozen=True)
class ExampleCall:
    method: str  # python name (checked identifier)
    label: str  # a literal (repr) naming the method in the output
    kind: str  # "unary" | "server_stream" | "bidi_stream"
    args: tuple[tuple[str, str], ...]  # (python parameter name, value source)


def example_calls(plan: ModulePlan) -> tuple[list[ExampleCall], ExampleImports]:
    imports = ExampleImports()
    calls = []
    for method, spec in zip(plan.methods, plan.spec.methods, strict=True):
        # The model's URL without the version: what Clarifai's OpenAI-compatible API takes.
        model_url = dataclasses.replace(plan.spec.ref, version_id=None).url
        calls.append(_call(method, spec.inputs, imports, model_url))
    return calls, imports


def _call(
    method: MethodPlan, inputs: tuple[FieldSpec, ...], imports: ExampleImports, model_url: str
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
        str(method.name), py_literal(f"{method.wire}:"), method.kind.value, tuple(args)
    )


def _chat_request(model_url: str, stream: bool, imports: ExampleImports) -> str:
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


def _runtime(name: str, imports: ExampleImports) -> str:
    imports.runtime.add(name)
    return name


def _sample(t: TypeRef, imports: ExampleImports, f: FieldSpec | None = None) -> str:
    kind = t.kind
    if f is not None and f.choices:
        return py_literal(f.choices[0])
    if kind in (DataType.STR, DataType.NOT_SET):
        return py_literal(SAMPLE_TEXT)
    if kind is DataType.BYTES:
        return "b'hello'"
    if kind is DataType.INT:
        return py_literal(int(_clamp(1, f)))
    if kind is DataType.FLOAT:
        return py_literal(float(_clamp(0.5, f)))
    if kind is DataType.BOOL:
        return "True"
    if kind is DataType.NDARRAY:
        imports.numpy = True
        return "numpy.arange(6, dtype=numpy.float32).reshape(2, 3)"
    if kind is DataType.JSON_DATA:
        return "{'role': 'user', 'content': " + py_literal(SAMPLE_TEXT) + "}"
    if kind is DataType.TEXT:
        return f"{_runtime('Text', imports)}({py_literal(SAMPLE_TEXT)})"
    if kind is DataType.IMAGE:
        return f"{_runtime('Image', imports)}.from_url({py_literal(SAMPLE_IMAGE_URL)})"
    if kind is DataType.AUDIO:
        return f"{_runtime('Audio', imports)}.from_url({py_literal(SAMPLE_AUDIO_URL)})"
    if kind is DataType.VIDEO:
        return f"{_runtime('Video', imports)}.from_url({py_literal(SAMPLE_VIDEO_URL)})"
    if kind is DataType.CONCEPT:
        return f"{_runtime('Concept', imports)}('cat', 0.5)"
    if kind is DataType.REGION:
        concept = _sample(TypeRef(DataType.CONCEPT), imports)
        return f"{_runtime('Region', imports)}(box=(0.1, 0.2, 0.5, 0.6), concepts=[{concept}])"
    if kind is DataType.FRAME:
        image = _sample(TypeRef(DataType.IMAGE), imports)
        return f"{_runtime('Frame', imports)}(image={image}, index=1, time=0.5)"
    if kind is DataType.LIST:
        return f"[{_sample(t.args[0], imports)}]"
    if kind is DataType.TUPLE:
        items = [_sample(a, imports) for a in t.args]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if kind is DataType.NAMED_FIELDS:
        items = [f"{py_literal(k)}: {_sample(v, imports)}" for k, v in t.fields]
        return "{" + ", ".join(items) + "}"
    raise AssertionError(f"no sample for {kind!r}")


__all__ = ["ExampleCall", "MethodKind", "example_calls"]
