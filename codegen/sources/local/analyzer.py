"""The analysis: the one model class in model.py and its methods in `_register_model_methods` order;
`analyze_source` and `sdk_base_methods`.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any

from ...errors import CodegenError, Problem, clip, shown
from .known import _DECORATOR, _STDLIB
from .limits import MAX_METHODS
from .scopes import _Binding, _Scope
from .sdk_bases import SDK_BASES
from .signatures import _SignatureBuilder
from .values import _Func, _Known, _Local, _Ref, _Unresolved


@dataclass
class _MethodEntry:
    name: str
    line: int
    signature: dict[str, Any]
    owner: object  # the class whose body defines it


class _Analyzer(_SignatureBuilder):
    """The model class and its registry of @ModelClass.method signatures."""

    def __init__(self, tree: ast.Module, filename: str) -> None:
        super().__init__(tree, filename)
        self.own_cache: dict[int, list[_MethodEntry]] = {}
        self.method_count = 0

    # ---- the model class ----

    def find_model_class(self) -> _Local:
        definite: list[_Local] = []
        uncertain: list[tuple[_Local, str]] = []
        for cls in self.classes:
            try:
                related = self.is_model_class(cls)
            except _Unresolved as exc:
                uncertain.append((cls, exc.detail))
                continue
            if not related:
                continue
            if cls.conditional:
                uncertain.append((cls, "it is defined conditionally"))
            else:
                definite.append(cls)
        if len(definite) > 1:
            names = clip(", ".join(f"{c.node.name} (line {c.node.lineno})" for c in definite))
            raise self.error(
                f"found {len(definite)} ModelClass subclasses: {names}; the SDK requires exactly "
                "one class inheriting from ModelClass in model.py",
                definite[1].node,
            )
        conditional = [(c, why) for c, why in uncertain if c.conditional]
        if not definite:
            if uncertain:
                cls, why = uncertain[0]
                raise self.error(
                    f"cannot tell whether class {clip(cls.node.name)} is the model class: {why}",
                    cls.node,
                )
            raise CodegenError(
                "no class inheriting from ModelClass (or one of the SDK's model base classes)",
                self.file,
            )
        if conditional:
            cls, why = conditional[0]
            raise self.error(
                f"cannot tell whether class {clip(cls.node.name)} is a second model class: {why}",
                cls.node,
            )
        model = definite[0]
        for cls, why in uncertain:
            self.warn(
                f"class {clip(cls.node.name)} is taken not to be a ModelClass subclass: {why}",
                cls.node,
            )
        self._check_aliases(model)
        return model

    def _check_aliases(self, model: _Local) -> None:
        """`Alias = Model` makes `inspect.getmembers` list the class twice, and the SDK refuses it."""
        for name, bindings in self.module.bindings.items():
            last = bindings[-1]
            if name == model.node.name or last.kind != "value" or last.conditional:
                continue
            try:
                value = self.eval(last.node, self.module, last.pos)  # type: ignore[arg-type]
            except _Unresolved:
                continue
            if value is model:
                raise self.error(
                    f"{clip(name)} = {clip(model.node.name)} binds the model class to a second module name; "
                    "the SDK then finds two model classes and refuses to load model.py",
                    last.line,
                )

    # ---- methods ----

    def decorator_kinds(
        self, func: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope, pos: int
    ) -> tuple[int | None, list[tuple[int, ast.expr]], list[str]]:
        """(index of the first @ModelClass.method or None, the other decorators with their index,
        builtin decorators among them)."""
        first: int | None = None
        others: list[tuple[int, ast.expr]] = []
        wrappers: list[str] = []
        for index, dec in enumerate(func.decorator_list):
            try:
                value = self.eval(dec, scope, pos)
            except _Unresolved:
                others.append((index, dec))
                continue
            if value == _DECORATOR:
                first = index if first is None else first
            else:
                others.append((index, dec))
                if isinstance(value, _Known) and value.kind == "builtin_decorator":
                    wrappers.append(value.name)
        return first, others, wrappers

    def warn_decorator(
        self, name: str, dec: ast.expr, inner: bool, scope: _Scope, pos: int
    ) -> None:
        """`inner`: @ModelClass.method is applied to what `dec` returns (it is listed above it)."""
        text = f"method {shown(name)}: decorator {shown(ast.unparse(dec))}"
        assumed = "the signature shown assumes the decorator preserves it (functools.wraps)"
        module = self.third_party_module(dec, scope, pos)
        if module is None:
            self.warn(f"{text} is not analysed; {assumed}", dec)
            return
        effect = (
            "then fails on this method (AttributeError: __name__)"
            if inner
            else "then drops this method"
        )
        self.warn(
            f"{text} comes from {shown(module)}, which `clarifai model upload` (SDK 12.5.0) replaces "
            f"with a MagicMock; the SDK {effect}. Without mocking, {assumed}",
            dec,
        )

    def third_party_module(self, node: ast.expr, scope: _Scope, pos: int) -> str | None:
        """The module a decorator comes from when the SDK's upload would mock it (not stdlib and
        not clarifai; `ModelBuilder._is_standard_or_clarifai`)."""
        while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
            node = node.func if isinstance(node, ast.Call) else node.value
        value = self.safe_eval(node, scope, pos)
        if not isinstance(value, _Ref):
            return None
        root = value.qualname.split(".")[0]
        if not root or root.startswith("clarifai") or root in _STDLIB:
            return None
        return value.qualname

    def own_methods(self, cls: object) -> list[_MethodEntry]:
        """The decorated methods in the class's own `__dict__`, in its insertion order."""
        if isinstance(cls, _Known):
            return [
                _MethodEntry(m["name"], 0, json.loads(json.dumps(m)), cls)
                for m in SDK_BASES[cls.name].methods
            ]
        assert isinstance(cls, _Local)
        key = id(cls.node)
        if key in self.own_cache:
            return self.own_cache[key]
        scope = self.class_scope(cls)
        entries: list[tuple[int, _MethodEntry]] = []
        for name, bindings in scope.bindings.items():
            decorated: list[tuple[_Binding, ast.FunctionDef | ast.AsyncFunctionDef]] = []
            for b in bindings:
                if b.kind != "def":
                    continue
                assert isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                first, others, wrappers = self.decorator_kinds(b.node, scope, b.pos)
                if first is None:
                    continue
                self.method_count += 1
                if self.method_count > MAX_METHODS:
                    raise self.error(
                        f"more than {MAX_METHODS} model methods (@ModelClass.method definitions) "
                        "in model.py (the limit of the static analysis)",
                        b.node,
                    )
                if b.conditional:
                    raise self.error(
                        f"model method {shown(name)} is defined conditionally; which definition the "
                        "SDK sees cannot be decided statically",
                        b.node,
                    )
                if wrappers:
                    self.warn(
                        f"method {shown(name)} is a {wrappers[0]}: the SDK skips it, so it is not a "
                        "model method",
                        b.node,
                    )
                    continue
                for index, dec in others:
                    self.warn_decorator(name, dec, first < index, scope, b.pos)
                decorated.append((b, b.node))
            # The SDK builds every decorated definition's signature when the class body runs.
            sigs = [(b, self.method_signature(fn, scope, b.pos)) for b, fn in decorated]
            last = bindings[-1]
            if sigs and sigs[-1][0] is last:
                first = min(b.pos for b in bindings)
                entries.append((first, _MethodEntry(name, last.line, sigs[-1][1], cls)))
            elif sigs:
                continue  # rebound later to something that is not a model method
            elif last.kind == "value" and not last.conditional:
                self._check_value_alias(name, last, scope)
        entries.sort(key=lambda e: e[0])
        result = [e for _, e in entries]
        self.own_cache[key] = result
        return result

    def _check_value_alias(self, name: str, binding: _Binding, scope: _Scope) -> None:
        """`predict = ModelClass.method(f)` / `predict = other_method`: refuse rather than guess."""
        expr = binding.node
        assert isinstance(expr, ast.expr)
        try:
            if isinstance(expr, ast.Call):
                value = self.eval(expr.func, scope, binding.pos)
            elif isinstance(expr, (ast.Name, ast.Attribute)):
                value = self.eval(expr, scope, binding.pos)
            else:
                return
        except _Unresolved:
            return
        decorated = value == _DECORATOR
        if isinstance(value, _Func):
            decorated = self.decorator_kinds(value.node, scope, binding.pos)[0] is not None
        if decorated:
            raise self.error(
                f"class attribute {shown(name)} is a model method made by assignment; only "
                "`@ModelClass.method def ...` definitions can be analysed statically",
                binding.line,
            )

    def registry(self, cls: _Local) -> list[_MethodEntry]:
        """ModelClass._register_model_methods: walk reversed(__mro__); an override keeps the position."""
        methods: dict[str, _MethodEntry] = {}
        for klass in reversed(self.mro(cls)):
            for entry in self.own_methods(klass):
                methods[entry.name] = entry
        self._warn_undecorated_overrides(cls, methods)
        return list(methods.values())

    def _warn_undecorated_overrides(self, cls: _Local, methods: dict[str, _MethodEntry]) -> None:
        mro = self.mro(cls)
        position = {id(k): i for i, k in enumerate(mro)}
        for index, klass in enumerate(mro):
            if not isinstance(klass, _Local):
                continue
            for name, bindings in self.class_scope(klass).bindings.items():
                last = bindings[-1]
                if name == "PostModelOutputs" and last.kind == "def" and name not in methods:
                    self.warn(
                        "PostModelOutputs is a proto-style method: the SDK gives it no "
                        "signature, so it is not part of the typed client",
                        last.line,
                    )
                elif (
                    name in methods
                    and last.kind == "def"
                    and index < position[id(methods[name].owner)]
                ):
                    assert isinstance(last.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                    scope = self.class_scope(klass)
                    if self.decorator_kinds(last.node, scope, last.pos)[0] is None:
                        self.warn(
                            f"{clip(klass.node.name)}.{clip(name)} overrides a model method without "
                            "@ModelClass.method: the SDK keeps the inherited signature",
                            last.line,
                        )

    # ---- entry ----

    def run(self) -> list[dict[str, Any]]:
        model = self.find_model_class()
        try:
            entries = self.registry(model)
        except _Unresolved as exc:
            raise self.error(exc.detail, exc.node or model.node) from None
        if not entries:
            self.warn(
                f"class {clip(model.node.name)} has no @ModelClass.method methods (the SDK finds none)",
                model.node,
            )
        return [e.signature for e in entries]


def analyze_source(
    source: str | bytes, filename: str = "model.py"
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The method signatures of the one ModelClass subclass in `source`, as the SDK would build them."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        where = f"{filename}:{exc.lineno}" if exc.lineno else filename
        raise CodegenError(f"invalid Python: {clip(exc.msg, 200)}", where) from None
    except (RecursionError, MemoryError):  # the parser's stack overflows as MemoryError
        raise CodegenError(
            "cannot parse: the source nests too deeply for Python's parser", filename
        ) from None
    except ValueError as exc:  # e.g. null bytes
        raise CodegenError(f"cannot parse: {clip(str(exc))}", filename) from None
    analyzer = _Analyzer(tree, filename)
    try:
        signatures = analyzer.run()
    except RecursionError:
        raise CodegenError("model.py nests too deeply to analyse", filename) from None
    except _Unresolved as exc:
        raise analyzer.error(exc.detail, exc.node or 0) from None
    return signatures, analyzer.problems


def sdk_base_methods(name: str) -> list[dict[str, Any]]:
    """What `_register_model_methods()` gives for the SDK base class `name`, from `SDK_BASES` alone."""
    analyzer = _Analyzer(ast.Module(body=[], type_ignores=[]), "<sdk>")
    methods: dict[str, dict[str, Any]] = {}
    for klass in reversed(analyzer.mro(_Known("base", name))):
        for entry in analyzer.own_methods(klass):
            methods[entry.name] = entry.signature
    return list(methods.values())
