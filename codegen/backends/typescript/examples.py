"""The TypeScript example of a model: one call per method, each required argument a sample.

Every call's arguments are names or literals: a composite sample (an array, a tuple, an object)
is a `const` of its own first, and media samples are constants at the top, so that each line
breaks the simple way `layout` knows.
"""

from __future__ import annotations

from ...datatypes import SAMPLE_AUDIO_URL, SAMPLE_IMAGE_URL, SAMPLE_TEXT, SAMPLE_VIDEO_URL
from ...spec import DataType, FieldSpec, MethodKind, TypeRef
from ...ts_literals import comment_text, ts_literal, ts_number, ts_string, tsdoc
from . import layout
from .layout import INDENT
from .names import TsNamespace
from .plan import TsModulePlan
from .types import property_key

_B = INDENT
# Sample constants: (name, declaration, runtime classes it needs), in declaration order.
_CONSTANTS = {
    "text": (f"const text = {ts_string(SAMPLE_TEXT)};", ()),
    "image": (f"const image = Image.fromUrl({ts_string(SAMPLE_IMAGE_URL)});", ("Image",)),
    "audio": (f"const audio = Audio.fromUrl(\n  {ts_string(SAMPLE_AUDIO_URL)},\n);", ("Audio",)),
    "video": (f"const video = Video.fromUrl({ts_string(SAMPLE_VIDEO_URL)});", ("Video",)),
    "concept": ('const concept = new Concept("cat", 0.5);', ("Concept",)),
    "region": (
        "const region = new Region({ box: [0.1, 0.2, 0.5, 0.6], concepts: [concept] });",
        ("Region",),
    ),
    "frame": ("const frame = new Frame({ image, index: 1, time: 0.5 });", ("Frame",)),
    "array": (
        "const array = NDArray.from(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3]);",
        ("NDArray",),
    ),
    "json": ('const json = { role: "user", content: text };', ()),
    "bytes": ('const bytes = new TextEncoder().encode("hello");', ()),
    "textObject": ("const textObject = new Text(text);", ("Text",)),
}
_NEEDS = {"region": ("concept",), "frame": ("image",), "json": ("text",), "textObject": ("text",)}
_SAMPLES = {
    DataType.NOT_SET: "text",
    DataType.STR: "text",
    DataType.BYTES: "bytes",
    DataType.NDARRAY: "array",
    DataType.JSON_DATA: "json",
    DataType.TEXT: "textObject",
    DataType.IMAGE: "image",
    DataType.CONCEPT: "concept",
    DataType.REGION: "region",
    DataType.FRAME: "frame",
    DataType.AUDIO: "audio",
    DataType.VIDEO: "video",
}
_NUMBERS = {DataType.INT: 1, DataType.FLOAT: 0.5}


class _Example:
    def __init__(self) -> None:
        self.used: list[str] = []
        self.lines: list[str] = []
        self.names = TsNamespace({"model", "main", "item", "error", *_CONSTANTS})

    def constant(self, name: str) -> str:
        for need in _NEEDS.get(name, ()):
            self.constant(need)
        if name not in self.used:
            self.used.append(name)
        return name

    def sample(self, t: TypeRef, hint: str, f: FieldSpec | None = None) -> str:
        """A name or a literal holding a sample of `t` (composites declared first)."""
        if f is not None and f.choices:
            return ts_literal(f.choices[0])
        kind = t.kind
        if kind is DataType.BOOL:
            return "true"
        if kind in _NUMBERS:
            return _number(kind, f)
        if kind in _SAMPLES:
            return self.constant(_SAMPLES[kind])
        if kind is DataType.NAMED_FIELDS:
            items = [f"{property_key(k)}: {self.sample(v, hint + k)}" for k, v in t.fields]
            return self.declare(hint, "{ ", items, " }", "{", "}")
        if kind is DataType.TUPLE:  # `as const`: a readonly tuple, not an array
            items = [self.sample(a, f"{hint}Item{i}") for i, a in enumerate(t.args)]
            return self.declare(hint, "[", items, "]", "[", "]", " as const")
        return self.declare(hint, "[", [self.sample(t.args[0], f"{hint}Item")], "]", "[", "]")

    def declare(
        self,
        hint: str,
        left: str,
        items: list[str],
        right: str,
        open_: str,
        close: str,
        suffix: str = "",
    ) -> str:
        name = self.names.add_ts(hint, _camel(hint), "sample")
        one = f"{_B}const {name} = {left}{', '.join(items)}{right}{suffix};"
        if not items:
            one = f"{_B}const {name} = {open_}{close}{suffix};"
        if layout.fits(one) or not items:
            self.lines.append(one)
        else:
            self.lines += [f"{_B}const {name} = {open_}", *(f"{_B}  {i}," for i in items)]
            self.lines.append(f"{_B}{close}{suffix};")
        return name


def _camel(hint: str) -> str:
    from .names import camel_case

    return camel_case(hint, "sample")


def _number(kind: DataType, f: FieldSpec | None) -> str:
    value: float = _NUMBERS[kind]
    if f is not None and f.range is not None:
        if f.range.minimum is not None:
            value = max(value, f.range.minimum)
        if f.range.maximum is not None:
            value = min(value, f.range.maximum)
    return ts_number(int(value) if kind is DataType.INT else float(value))


def example_lines(plan: TsModulePlan, package: str) -> list[str]:
    ex = _Example()
    guard = False
    for method, spec in zip(plan.methods, plan.spec.methods, strict=True):
        args = []
        for f in spec.inputs:
            if f.default is not None and not f.iterator:
                continue  # optional: the model's default applies
            hint = f"{method.name}_{f.name}"
            value = ex.sample(f.type, hint, f)
            if f.iterator:
                value = ex.declare(hint + "_stream", "[", [value, value], "]", "[", "]")
            args.append(value)
        label = ts_string(f"{method.wire}:")
        call = f"model.{method.name}"
        if method.kind is MethodKind.UNARY:
            result = ex.names.add_ts(method.name, f"{method.name}Result", "result")
            ex.lines += layout.call(_B, f"const {result} = await {call}", args, ";")
            ex.lines += layout.call(_B, "console.log", [label, result], ";")
            continue
        inner = _B if method.kind is MethodKind.SERVER_STREAM else _B + INDENT
        loop = [
            *layout.call(inner, f"for await (const item of {call}", args, ") {"),
            *layout.call(inner + INDENT, "console.log", [label, "item"], ";"),
            f"{inner}}}",
        ]
        if method.kind is MethodKind.SERVER_STREAM:
            ex.lines += loop
            continue
        guard = True
        ex.lines += [f"{_B}try {{", *loop, f"{_B}}} catch (error) {{"]
        ex.lines += [
            f"{inner}// bidirectional streams need gRPC, which this runtime does not speak"
        ]
        ex.lines += [f"{inner}if (!(error instanceof StreamingNotSupportedError)) throw error;"]
        ex.lines += [*layout.call(inner, "console.log", [label, "error.message"], ";"), f"{_B}}}"]
    header = [
        f"Example: call every method of the Clarifai model {plan.spec.ref.path}.",
        "",
        f"Run, from the package compiled by tsc: CLARIFAI_PAT=... node examples/{plan.module}.js",
    ]
    runtime = sorted(
        {c for name in ex.used for c in _CONSTANTS[name][1]}
        | ({"StreamingNotSupportedError"} if guard else set())
    )
    lines = [*tsdoc(comment_text("\n".join(header)), ""), ""]
    lines += layout.imports([plan.class_name], f'"../{plan.module}.js"')
    if runtime:
        lines += layout.imports(runtime, '"../_runtime/index.js"')
    lines.append("")
    order = [name for name in _CONSTANTS if name in ex.used]
    for name in order:
        lines += _CONSTANTS[name][0].split("\n")
    if order:
        lines.append("")
    lines += ["async function main(): Promise<void> {"]
    lines += [f"{_B}// Dedicated compute (optional): set CLARIFAI_DEPLOYMENT_ID, or"]
    lines += [f"{_B}// CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID, or pass"]
    lines += [f'{_B}// `{{ runner: {{ deploymentId: "..." }} }}` as the second argument.']
    if plan.spec.ref.placeholder:
        lines += [f"{_B}// The model's ids were not known: replace YOUR_... in MODEL with them."]
    lines += [f"{_B}const model = new {plan.class_name}();", *ex.lines, "}", ""]
    lines += ["main().catch((error: unknown) => {", f"{_B}console.error(error);"]
    lines += [f"{_B}process.exitCode = 1;", "});"]
    return lines
