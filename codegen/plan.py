"""Turn a `ModelSpec` into a render-ready plan: safe names, annotations, defaults, docstrings,
imports and the runtime call of each method.

All decisions live here (in Python, testable); templates only lay the plan out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import docstrings
from .datatypes import TYPES
from .errors import Level, Problem, join_where
from .literals import py_literal
from .naming import Namespace, PyIdent, class_name, module_name, pascal_case
from .spec import (
    DataType,
    FieldSpec,
    LiteralDefault,
    MethodKind,
    MethodSpec,
    ModelSpec,
    ServerDefault,
)
from .typemap import (
    ANNOTATION_NAMES,
    MODULE_NAMES,
    Role,
    TypedDictDef,
    TypeMapper,
    annotation_names,
    unliteral,
)

# The only names reserved in generated code; extend them here when a template starts using a name.
# `typing.cast`, imported under a private alias so that an argument named `cast` keeps its name.
CAST = "_cast"
# Names a generated method body reads (the instance and module globals): an argument named like one
# would shadow it. A unary method's body also names its result type (`_cast("list[Text]", ...)`),
# so the names in that annotation are reserved for its arguments too.
METHOD_BODY_NAMES = frozenset({"self", CAST, "_METHODS"})
# Members the templates define in every model class.
CLASS_MEMBER_NAMES = frozenset({"_client", "_model", "_runner", "__init__"})
# The runtime client's method for each kind of call (`Client` and `AsyncClient` share the names).
CLIENT_CALLS = {
    MethodKind.UNARY: "unary",
    MethodKind.SERVER_STREAM: "server_stream",
    MethodKind.BIDI_STREAM: "bidi_stream",
}
BATCH_CALL = "unary_batch"


@dataclass(frozen=True)
class ParamPlan:
    name: PyIdent
    wire: str
    annotation: str
    default: str | None  # Python source of the default, or None when required
    keyword_only: bool
    doc: str  # its line in the method's `Args:` (plain text)
    async_annotation: str  # differs for a streamed input: an async or a sync iterable


@dataclass(frozen=True)
class BatchPlan:
    """`<method>_batch(items)`: one item TypedDict of the method's arguments per call."""

    name: PyIdent
    items: str  # the annotation of `items`
    returns: str  # list[T]
    keys: tuple[tuple[PyIdent, str], ...]  # (item key = Python parameter name, wire name)
    defaults: tuple[tuple[PyIdent, str], ...]  # (item key, Python source of its default)
    docstring: str  # a docstring literal
    cast: bool  # `returns` is narrower than the runtime's `list[Any]` (mypy flags a redundant cast)
    call: str = BATCH_CALL  # the runtime client's method


@dataclass(frozen=True)
class MethodPlan:
    name: PyIdent
    wire: str
    kind: MethodKind
    params: tuple[ParamPlan, ...]
    returns: str  # the full return annotation (Iterator[...] for streams)
    async_returns: str  # the same for the async class (AsyncIterator[...] for streams)
    value_type: str  # the type of one returned value
    docstring: str  # a docstring literal
    signature_json: str
    call: str  # the runtime client's method
    unary: bool  # one value back: cast to `value_type`; awaited in the async class
    batch: BatchPlan | None = None

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
    problems: tuple[Problem, ...]
    header_doc: str  # docstring literals
    class_doc: str
    async_class_doc: str


def plan_module(spec: ModelSpec, module: PyIdent | None = None) -> ModulePlan:
    where = join_where(spec.source, spec.ref.path)
    names = Namespace(MODULE_NAMES, where)
    mod = module or module_name(spec.ref.model_id)
    cls = names.add(spec.ref.model_id, class_name(spec.ref.model_id), "model class for")
    async_cls = names.add(spec.ref.model_id, f"Async{cls}", "async model class for")
    # Class-body names shadow module names in later annotations, so members avoid every name an
    # annotation can use, and TypedDicts (named while planning) avoid the members.
    members = Namespace(CLASS_MEMBER_NAMES | ANNOTATION_NAMES, where)
    member_names = [members.add_wire(m.name, "method", "method") for m in spec.methods]
    # Batch methods are named after every real method, so a real `x_batch` keeps its name.
    batch_names = [
        members.add(m.name, f"{name}_batch", "batch method for") if _batchable(m) else None
        for m, name in zip(spec.methods, member_names, strict=True)
    ]
    for name in [*member_names, *filter(None, batch_names)]:
        names.reserve(name)
    mapper = TypeMapper(names)
    methods = tuple(
        _plan_method(m, name, mapper, where, batch)
        for m, name, batch in zip(spec.methods, member_names, batch_names, strict=True)
    )
    problems = (*names.problems, *members.problems)
    if any(m.unary for m in methods):
        mapper.imports.typing.add(f"cast as {CAST}")
    mapper.imports.typing.add("TYPE_CHECKING")  # AsyncClient, numpy.typing: for type checkers
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
        problems=tuple(problems),
        header_doc=docstrings.module_header(spec.ref, spec.fingerprint()),
        class_doc=docstrings.class_doc(spec.ref, spec.description),
        async_class_doc=docstrings.async_class_doc(spec.ref),
    )


def _batchable(m: MethodSpec) -> bool:
    return m.kind is MethodKind.UNARY and not any(f.iterator for f in m.inputs)


def _plan_method(
    m: MethodSpec, name: PyIdent, mapper: TypeMapper, where: str, batch_name: PyIdent | None
) -> MethodPlan:
    here = join_where(where, f"method {m.name!r}")
    hint = pascal_case(m.name) or "Method"
    hint = hint if hint[0].isalpha() else f"Method{hint}"
    # Types first (in wire order, which fixes TypedDict order), then names, which depend on them.
    types = [_param_type(f, mapper, hint + (pascal_case(f.name) or "Arg"), here) for f in m.inputs]
    value_type = mapper.annotation(m.output, Role.OUTPUT, hint + "Result")
    unary = m.kind is MethodKind.UNARY
    body_names = METHOD_BODY_NAMES | (annotation_names(value_type) if unary else frozenset())
    params_ns = Namespace(body_names, here)
    params: list[ParamPlan] = []
    seen_default = False
    for f, (base, default) in zip(m.inputs, types, strict=True):
        pname = params_ns.add_wire(f.name, "arg", "argument")
        keyword_only = f.is_param or (default is None and seen_default)
        if not keyword_only and default is not None:
            seen_default = True
        annotation, async_annotation = base, base
        if f.iterator:
            annotation = mapper.iterator(base, streamed_input=True)
            async_annotation = mapper.iterator(base, streamed_input=True, is_async=True)
        params.append(
            ParamPlan(
                pname,
                f.name,
                annotation,
                default,
                keyword_only,
                docstrings.param_doc(f),
                async_annotation,
            )
        )
    mapper.names.problems.extend(params_ns.problems)
    returns = value_type if unary else mapper.iterator(value_type, streamed_input=False)
    async_returns = (
        value_type if unary else mapper.iterator(value_type, streamed_input=False, is_async=True)
    )
    batch = None
    if batch_name is not None:
        batch = _plan_batch(batch_name, name, params, value_type, mapper, hint + "Item")
    return MethodPlan(
        name=name,
        wire=m.name,
        kind=m.kind,
        params=tuple(params),
        returns=returns,
        async_returns=async_returns,
        value_type=value_type,
        docstring=docstrings.method_doc(m, [(p.name, p.doc) for p in params]),
        signature_json=json.dumps(m.to_json(), separators=(",", ":"), ensure_ascii=True),
        call=CLIENT_CALLS[m.kind],
        unary=unary,
        batch=batch,
    )


def _plan_batch(
    name: PyIdent,
    method: PyIdent,
    params: list[ParamPlan],
    value_type: str,
    mapper: TypeMapper,
    hint: str,
) -> BatchPlan:
    required = tuple((p.name, p.annotation) for p in params if p.default is None)
    optional = tuple((p.name, p.annotation) for p in params if p.default is not None)
    item = mapper.item_dict(hint, required, optional)
    mapper.imports.abc.add("Sequence")
    return BatchPlan(
        name=name,
        items=f"Sequence[{item}]",
        returns=f"list[{value_type}]",
        keys=tuple((p.name, p.wire) for p in params),
        defaults=tuple((p.name, p.default) for p in params if p.default is not None),
        docstring=docstrings.batch_doc(method),
        cast=value_type != TYPES[DataType.NOT_SET].annotation,
    )


def _param_type(f: FieldSpec, mapper: TypeMapper, hint: str, where: str) -> tuple[str, str | None]:
    """(annotation, default source) for one argument (a streamed input's item type)."""
    base = mapper.annotation(f.type, Role.INPUT, hint)
    default = f.default
    fits = not isinstance(default, LiteralDefault) or default.value in (None, *f.choices)
    if f.choices and TYPES[f.type.kind].enum and fits and not isinstance(default, ServerDefault):
        odd = unliteral(f.choices)
        if odd is None:
            base = mapper.literal(f.choices)
        else:  # widened: the runtime still checks the choices
            message = f"choice {odd!r} cannot be written in a Literal type; typed as {base}"
            mapper.names.problems.append(
                Problem(Level.WARNING, message, join_where(where, f"field {f.name!r}"))
            )
    if default is None or f.iterator:
        return base, None
    if f.optional_none:
        return f"{base} | None", "None"
    assert isinstance(default, LiteralDefault)
    return base, py_literal(default.value)
