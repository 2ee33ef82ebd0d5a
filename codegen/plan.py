"""Turn a `ModelSpec` into a render-ready plan: safe names, annotations, defaults, docstrings.

All decisions live here (in Python, testable); templates only lay the plan out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .errors import Problem, join_where
from .literals import clean_text, py_literal
from .naming import Namespace, PyIdent, class_name, module_name, pascal_case, python_name
from .spec import (
    DataType,
    FieldSpec,
    LiteralDefault,
    MethodKind,
    MethodSpec,
    ModelSpec,
    ServerDefault,
)
from .typemap import ANNOTATION_NAMES, MODULE_NAMES, Role, TypedDictDef, TypeMapper

# Inside a method body these names must still mean the module's globals / the instance.
_PARAM_RESERVED = frozenset({"self", "cls", "cast", "_METHODS"})
_CLASS_RESERVED = frozenset({"_client", "_model", "_runner", "__init__"})


@dataclass(frozen=True)
class ParamPlan:
    name: PyIdent
    wire: str
    annotation: str
    default: str | None  # Python source of the default, or None when required
    keyword_only: bool
    doc: str
    async_annotation: str  # differs for a streamed input: an async or a sync iterable


@dataclass(frozen=True)
class MethodPlan:
    name: PyIdent
    wire: str
    kind: MethodKind
    params: tuple[ParamPlan, ...]
    returns: str  # the full return annotation (Iterator[...] for streams)
    async_returns: str  # the same for the async class (AsyncIterator[...] for streams)
    value_type: str  # the type of one returned value
    doc: str
    signature_json: str

    @property
    def positional(self) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if not p.keyword_only)

    @property
    def keyword_only(self) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if p.keyword_only)


@dataclass(frozen=True)
class ModulePlan:
    spec: ModelSpec
    module: PyIdent
    class_name: PyIdent
    async_class_name: PyIdent
    methods: tuple[MethodPlan, ...]
    typed_dicts: tuple[TypedDictDef, ...]
    typing_imports: tuple[str, ...]
    abc_imports: tuple[str, ...]
    runtime_imports: tuple[str, ...]
    uses_numpy: bool
    fingerprint: str
    problems: tuple[Problem, ...]


def plan_module(spec: ModelSpec, module: PyIdent | None = None) -> ModulePlan:
    where = join_where(spec.source, spec.ref.path)
    names = Namespace(MODULE_NAMES, where)
    mod = module or module_name(spec.ref.model_id)
    cls = names.add(spec.ref.model_id, class_name(spec.ref.model_id), "model class for")
    async_cls = names.add(spec.ref.model_id, f"Async{cls}", "async model class for")
    # Class-body names shadow module names in later annotations, so members avoid every name an
    # annotation can use, and TypedDicts (named while planning) avoid the members.
    members = Namespace(_CLASS_RESERVED | ANNOTATION_NAMES, where)
    member_names = [
        members.add(m.name, python_name(m.name, "method"), "method") for m in spec.methods
    ]
    for name in member_names:
        names.reserve(name)
    mapper = TypeMapper(names)
    methods = tuple(
        _plan_method(m, name, mapper, where)
        for m, name in zip(spec.methods, member_names, strict=True)
    )
    problems = (*names.problems, *members.problems)
    if any(m.kind is MethodKind.UNARY for m in methods):
        mapper.imports.typing.add("cast")
    return ModulePlan(
        spec=spec,
        module=mod,
        class_name=cls,
        async_class_name=async_cls,
        methods=methods,
        typed_dicts=tuple(mapper.typed_dicts),
        typing_imports=tuple(sorted(mapper.imports.typing)),
        abc_imports=tuple(sorted(mapper.imports.abc)),
        runtime_imports=tuple(sorted(mapper.imports.runtime)),
        uses_numpy=mapper.imports.numpy,
        fingerprint=spec.fingerprint(),
        problems=tuple(problems),
    )


def _plan_method(m: MethodSpec, name: PyIdent, mapper: TypeMapper, where: str) -> MethodPlan:
    here = join_where(where, f"method {m.name!r}")
    params_ns = Namespace(_PARAM_RESERVED, here)
    hint = pascal_case(m.name) or "Method"
    hint = hint if hint[0].isalpha() else f"Method{hint}"
    params: list[ParamPlan] = []
    seen_default = False
    for f in m.inputs:
        pname = params_ns.add(f.name, python_name(f.name, "arg"), "argument")
        base, default = _param_type(f, mapper, hint + (pascal_case(f.name) or "Arg"))
        keyword_only = f.is_param or (default is None and seen_default)
        if not keyword_only and default is not None:
            seen_default = True
        annotation, async_annotation = base, base
        if f.iterator:
            annotation = mapper.iterator(base, streamed_input=True)
            async_annotation = mapper.iterator(base, streamed_input=True, is_async=True)
        params.append(
            ParamPlan(
                pname, f.name, annotation, default, keyword_only, _param_doc(f), async_annotation
            )
        )
    mapper.names.problems.extend(params_ns.problems)
    value_type = mapper.annotation(m.output, Role.OUTPUT, hint + "Result")
    unary = m.kind is MethodKind.UNARY
    returns = value_type if unary else mapper.iterator(value_type, streamed_input=False)
    async_returns = (
        value_type if unary else mapper.iterator(value_type, streamed_input=False, is_async=True)
    )
    return MethodPlan(
        name=name,
        wire=m.name,
        kind=m.kind,
        params=tuple(params),
        returns=returns,
        async_returns=async_returns,
        value_type=value_type,
        doc=_method_doc(m, params),
        signature_json=json.dumps(m.to_json(), separators=(",", ":"), ensure_ascii=True),
    )


def _param_type(f: FieldSpec, mapper: TypeMapper, hint: str) -> tuple[str, str | None]:
    """(annotation, default source) for one argument (a streamed input's item type)."""
    base = mapper.annotation(f.type, Role.INPUT, hint)
    default = f.default
    if f.choices and f.type.kind in (DataType.STR, DataType.INT, DataType.BOOL):
        fits = not isinstance(default, LiteralDefault) or default.value in (None, *f.choices)
        if fits and not isinstance(default, ServerDefault):
            base = mapper.literal(f.choices)
    if default is None or f.iterator:
        return base, None
    if f.optional_none:
        return f"{base} | None", "None"
    assert isinstance(default, LiteralDefault)
    return base, py_literal(default.value)


def _param_doc(f: FieldSpec) -> str:
    parts = [_sentence(clean_text(f.description))] if f.description.strip() else []
    if f.choices:
        parts.append("One of: " + ", ".join(json.dumps(c) for c in f.choices) + ".")
    if f.range is not None:
        lo, hi = f.range.minimum, f.range.maximum
        if lo is not None and hi is not None:
            parts.append(f"Range: {lo:g} to {hi:g}.")
        elif lo is not None:
            parts.append(f"At least {lo:g}.")
        elif hi is not None:
            parts.append(f"At most {hi:g}.")
    d = f.default
    if isinstance(d, ServerDefault) and d.text:
        parts.append(f"Default (applied by the model): {d.text}")
    elif isinstance(d, LiteralDefault) and isinstance(d.value, (list, dict)):
        parts.append("Default (applied by the model): " + json.dumps(d.value, ensure_ascii=False))
    return " ".join(parts)


def _method_doc(m: MethodSpec, params: list[ParamPlan]) -> str:
    lines = [clean_text(m.description)] if m.description.strip() else [f"Call `{m.name}`."]
    documented = [p for p in params if p.doc]
    if documented:
        lines += ["", "Args:"]
        for p in documented:
            text = p.doc.replace("\n", "\n        ")
            lines.append(f"    {p.name}: {text}")
    return "\n".join(lines)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", ":", ")")) else text + "."
