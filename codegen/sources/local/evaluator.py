"""The values of expressions in model.py at class-definition time, and the classes it defines (their
scopes, bases and MRO): the layer `_SignatureBuilder` and `_Analyzer` build on.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from typing import Any, Final

from ...errors import CodegenError, Level, Problem, clip, shown
from .calls import (
    _BIN_OPS,
    _PURE_BUILTINS,
    _UNARY_OPS,
    _bind,
    _check_size,
    _construct_data_type,
    _is_typeish,
    _param_stub,
)
from .defaults import _runtime
from .known import _DECORATOR, _STAR_EXPORTS, _canon
from .scopes import _BUILTIN_NAMES, _Binding, _Scope
from .sdk_bases import SDK_BASES
from .values import (
    _Builtin,
    _describe,
    _Func,
    _Generic,
    _Known,
    _Local,
    _ParamValue,
    _Ref,
    _Unresolved,
)

_DT_PACKAGE: Final = ("clarifai.runners.utils.data_types",)  # its public names are all known
_MAX_DEPTH: Final = 60  # nesting of names/expressions followed while resolving one value


class _Evaluator:
    """Reporting, the classes model.py defines, and the values of its expressions."""

    def __init__(self, tree: ast.Module, filename: str) -> None:
        self.file = filename
        self.module = _Scope(tree.body, None, 0)
        self.problems: list[Problem] = []
        self.class_scopes: dict[int, _Scope] = {}
        self.mro_cache: dict[tuple[str, object], list[object]] = {}
        self.classes: list[_Local] = []
        for pos, stmt in enumerate(tree.body):
            self._find_classes(stmt, pos, conditional=False)

    # ---- reporting ----

    def where(self, node: ast.AST | int) -> str:
        line = node if isinstance(node, int) else getattr(node, "lineno", 0)
        return f"{self.file}:{line}" if line else self.file

    def error(self, message: str, node: ast.AST | int) -> CodegenError:
        return CodegenError(message, self.where(node))

    def warn(self, message: str, node: ast.AST | int) -> None:
        self.problems.append(Problem(Level.WARNING, message, self.where(node)))

    # ---- classes ----

    def _find_classes(self, stmt: ast.stmt, pos: int, conditional: bool) -> None:
        if isinstance(stmt, ast.ClassDef):
            self.classes.append(_Local(stmt, pos, conditional))
            return
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        children: list[ast.stmt] = []
        for attr in ("body", "orelse", "finalbody"):
            children += [c for c in getattr(stmt, attr, None) or [] if isinstance(c, ast.stmt)]
        for handler in getattr(stmt, "handlers", None) or []:
            children += handler.body
        for case in getattr(stmt, "cases", None) or []:
            children += case.body
        for child in children:
            self._find_classes(child, pos, conditional=True)

    def class_scope(self, cls: _Local) -> _Scope:
        key = id(cls.node)
        if key not in self.class_scopes:
            self.class_scopes[key] = _Scope(cls.node.body, self.module, cls.pos)
        return self.class_scopes[key]

    def local_for(self, node: ast.ClassDef) -> _Local:
        for cls in self.classes:
            if cls.node is node:
                return cls
        raise _Unresolved(f"class {clip(node.name)} is not defined at module level", node)

    def bases(self, cls: object) -> list[object]:
        if isinstance(cls, _Known) and cls.kind == "base":
            return [_Known("base", b) for b in SDK_BASES[cls.name].bases]
        if isinstance(cls, _Builtin) and cls.name == "object":
            return []
        if not isinstance(cls, _Local):
            raise _Unresolved(f"{_describe(cls)} is not a class we can analyse")
        node = cls.node
        if node.keywords:
            raise _Unresolved(f"class {clip(node.name)} has keyword arguments (metaclass)", node)
        out: list[object] = []
        for expr in node.bases:
            base = self.eval(expr, self.module, cls.pos)
            if isinstance(base, _Builtin) and base.name == "object":
                base = _Known("base", "object")
            if not (isinstance(base, _Local) or (isinstance(base, _Known) and base.kind == "base")):
                raise _Unresolved(
                    f"base class {shown(ast.unparse(expr))} of {clip(node.name)} cannot be resolved "
                    "statically (only classes defined in model.py and the SDK's model base classes "
                    "can be analysed)",
                    expr,
                )
            out.append(base)
        return out or [_Known("base", "object")]

    def mro(self, cls: object, depth: int = 0) -> list[object]:
        """C3 linearization, as Python computes `__mro__`."""
        key = ("local", id(cls.node)) if isinstance(cls, _Local) else ("other", repr(cls))
        if key in self.mro_cache:
            return self.mro_cache[key]
        if depth > _MAX_DEPTH:
            raise _Unresolved("class hierarchy too deep")
        bases = self.bases(cls)
        seqs = [list(self.mro(b, depth + 1)) for b in bases] + [list(bases)]
        result: list[object] = [cls]
        while any(seqs):
            seqs = [s for s in seqs if s]
            for seq in seqs:
                head = seq[0]
                if not any(head in s[1:] for s in seqs):
                    break
            else:
                node = cls.node if isinstance(cls, _Local) else None
                raise _Unresolved("inconsistent base classes (Python raises TypeError: MRO)", node)
            result.append(head)
            for s in seqs:
                if s and s[0] == head:
                    del s[0]
        self.mro_cache[key] = result
        return result

    def is_model_class(self, cls: object) -> bool:
        return _Known("base", "ModelClass") in self.mro(cls)

    # ---- expressions ----

    def lookup(self, name: str, scope: _Scope, pos: int, node: ast.AST, depth: int) -> object:
        """The value `name` has at statement `pos` of `scope`: its last binding before `pos` (an
        `import *` counts when it binds the name), else the enclosing scope, else the builtins."""
        bound = [b for b in scope.bindings.get(name, []) if b.pos < pos]
        stars = [s for s in scope.stars if s.pos < pos]
        for b in sorted([*bound, *stars], key=lambda b: (b.pos, b.line), reverse=True):
            if b in stars:
                exports = _STAR_EXPORTS.get(b.qualname)
                if exports is None or (b.conditional and name in exports):
                    raise _Unresolved(
                        f"{shown(name)} may come from `from {clip(b.qualname)} import *` (line {b.line})",
                        node,
                    )
                if name in exports:
                    return _canon(f"{b.qualname}.{name}")
                continue
            if b.conditional:
                raise _Unresolved(
                    f"{shown(name)} is bound conditionally (line {b.line}); its value at class "
                    "definition time cannot be decided statically",
                    node,
                )
            return self.binding_value(name, b, scope, depth)
        if scope.parent is not None:
            return self.lookup(name, scope.parent, scope.parent_pos, node, depth)
        if name in _BUILTIN_NAMES:
            return _BUILTIN_NAMES[name]
        later = scope.bindings.get(name)
        if later:
            raise _Unresolved(
                f"{shown(name)} is not defined yet (bound at line {later[0].line})", node
            )
        if hasattr(builtins, name):
            raise _Unresolved(f"the builtin {shown(name)} is not evaluated statically", node)
        raise _Unresolved(f"{shown(name)} is not defined in model.py", node)

    def binding_value(self, name: str, b: _Binding, scope: _Scope, depth: int) -> object:
        if b.kind == "import":
            module, _, attr = b.qualname.rpartition(".")
            if module in _DT_PACKAGE and attr not in _STAR_EXPORTS[module]:
                # e.g. `Stream` from older examples: loading model.py fails before any signature
                at = ast.Pass(lineno=b.line, col_offset=0)
                raise _Unresolved(
                    f"cannot import name {shown(attr)} from {module!r}: SDK 12.5.0 has no such name "
                    "(loading model.py fails with ImportError)",
                    at,
                )
            return _canon(b.qualname)
        if b.kind == "value":
            assert isinstance(b.node, ast.expr)
            return self.eval(b.node, scope, b.pos, depth + 1)
        if b.kind == "class":
            assert isinstance(b.node, ast.ClassDef)
            return self.local_for(b.node)
        if b.kind == "def":
            assert isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            return _Func(b.node)
        raise _Unresolved(f"{shown(name)} is bound at line {b.line} in a way that is not tracked")

    def eval(self, node: ast.expr, scope: _Scope, pos: int, depth: int = 0) -> object:
        if depth > _MAX_DEPTH:
            raise _Unresolved("expression nests too deeply", node)
        try:
            return self._eval(node, scope, pos, depth)
        except _Unresolved as exc:
            if exc.node is None:
                exc.node = node
            raise
        except RecursionError:
            raise _Unresolved("expression nests too deeply", node) from None

    def _eval(self, node: ast.expr, scope: _Scope, pos: int, depth: int) -> object:
        ev: Callable[[ast.expr], object] = lambda n: self.eval(n, scope, pos, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope, pos, node, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(ev(node.value), node.attr)
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise _Unresolved("starred element")
            items = [ev(e) for e in node.elts]
            return _check_size(items if isinstance(node, ast.List) else tuple(items))
        if isinstance(node, ast.Dict):
            out: dict[Any, object] = {}
            for k, v in zip(node.keys, node.values, strict=True):
                if k is None:
                    raise _Unresolved("`**` in a dict display")
                key = ev(k)
                try:
                    out[key] = ev(v)
                except TypeError:
                    raise _Unresolved(f"unhashable dict key {_describe(key)}") from None
            return _check_size(out)
        if isinstance(node, ast.UnaryOp):
            operand = ev(node.operand)
            if isinstance(operand, (bool, int, float, complex)):
                try:
                    return _check_size(_UNARY_OPS[type(node.op)](operand))
                except TypeError:
                    raise _Unresolved(f"invalid operand {shown(operand)}") from None
            raise _Unresolved(f"operator on {_describe(operand)}")
        if isinstance(node, ast.BinOp):
            return self._binop(node, ev(node.left), ev(node.right))
        if isinstance(node, ast.Subscript):
            return self._subscript(ev(node.value), node.slice, ev)
        if isinstance(node, ast.Call):
            return self._call(node, ev)
        if isinstance(node, ast.Set):
            raise _Unresolved("a set has no fixed order, so its text form is not stable")
        raise _Unresolved(f"{type(node).__name__} expressions are not evaluated statically")

    def _attribute(self, base: object, attr: str) -> object:
        if isinstance(base, _Ref):
            return _canon(f"{base.qualname}.{attr}")
        if attr == "method":
            if (
                isinstance(base, _Known)
                and base.kind == "base"
                and base.name not in ("object", "ABC")
            ):
                return _DECORATOR
            if isinstance(base, _Local) and self.is_model_class(base):
                if "method" in self.class_scope(base).bindings:
                    raise _Unresolved(f"{clip(base.node.name)} redefines `method`")
                return _DECORATOR
        if isinstance(base, _Local):
            scope = self.class_scope(base)
            bindings = scope.bindings.get(attr)
            if bindings and bindings[-1].kind == "value" and not bindings[-1].conditional:
                return self.binding_value(attr, bindings[-1], scope, 0)
        raise _Unresolved(
            f"attribute {shown(attr)} of {_describe(base)} cannot be resolved statically"
        )

    def _binop(self, node: ast.BinOp, left: object, right: object) -> object:
        if isinstance(node.op, ast.BitOr) and (_is_typeish(left) or _is_typeish(right)):
            return _Generic("Union", (left, right))
        plain = (bool, int, float, complex, str, bytes, list, tuple)
        op = _BIN_OPS.get(type(node.op))
        if op is None or not isinstance(left, plain) or not isinstance(right, plain):
            raise _Unresolved(f"operator on {_describe(left)} and {_describe(right)}")
        if isinstance(node.op, ast.Mult) and not (
            isinstance(left, (int, float, complex)) and isinstance(right, (int, float, complex))
        ):
            raise _Unresolved("sequence repetition is not evaluated statically")
        if isinstance(node.op, ast.Pow) and isinstance(right, int) and abs(right) > 4096:
            raise _Unresolved("exponent too large")
        if isinstance(node.op, ast.Pow) and isinstance(left, int) and left.bit_length() > 4096:
            raise _Unresolved("base too large")
        try:
            return _check_size(op(_runtime(left), _runtime(right)))
        except _Unresolved:
            raise
        except Exception as exc:
            raise _Unresolved(f"evaluating the expression fails ({type(exc).__name__})") from None

    def _subscript(self, base: object, index: ast.expr, ev: Callable[[ast.expr], object]) -> object:
        if base in (
            _Known("ndarray", "numpy.ndarray"),
            _Known("ndarray_alias", "numpy.typing.NDArray"),
        ):
            return _Generic("ndarray", ())
        if isinstance(base, (_Known, _Builtin)):
            name = base.name
            if isinstance(base, _Known) and base.kind == "form" and name != "Any":
                args = self._type_args(index, ev, typing_style=True)
                origin = {"List": "list", "Dict": "dict", "Tuple": "tuple"}.get(name, name)
                if name == "Optional":
                    return _Generic("Union", (*args, _Builtin("NoneType")))
                return _Generic(origin, args)
            if (isinstance(base, _Known) and base.kind == "abc") or (
                isinstance(base, _Builtin) and name in ("list", "dict", "tuple")
            ):
                return _Generic(name, self._type_args(index, ev, typing_style=False))
        if isinstance(base, (list, tuple, dict, str, bytes)):
            key = ev(index)
            try:
                container: Any = base
                return container[key]
            except Exception as exc:
                raise _Unresolved(f"indexing fails ({type(exc).__name__})") from None
        raise _Unresolved(f"{_describe(base)}[...] cannot be resolved statically")

    @staticmethod
    def _type_args(
        index: ast.expr, ev: Callable[[ast.expr], object], *, typing_style: bool
    ) -> tuple[object, ...]:
        elts = index.elts if isinstance(index, ast.Tuple) else [index]
        args = tuple(ev(e) for e in elts)
        if typing_style:  # typing.List[None] holds NoneType; list[None] holds None
            args = tuple(_Builtin("NoneType") if a is None else a for a in args)
        return args

    def _call(self, node: ast.Call, ev: Callable[[ast.expr], object]) -> object:
        func = ev(node.func)
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise _Unresolved("`*args` / `**kwargs` in a call")
        args = [ev(a) for a in node.args]
        kwargs = {k.arg: ev(k.value) for k in node.keywords if k.arg is not None}
        if func == _Known("param", "Param"):
            a = _bind(_param_stub, args, kwargs)
            return _ParamValue(**a)
        if isinstance(func, _Known) and func.kind == "dt":
            return _construct_data_type(func.name, args, kwargs)
        if isinstance(func, _Builtin) and func.name in _PURE_BUILTINS:
            real = [_runtime(a) for a in args]
            real_kw = {k: _runtime(v) for k, v in kwargs.items()}
            if func.name == "str" and real and not isinstance(real[0], (str, int, float, bool)):
                raise _Unresolved("str() of a non-scalar is not evaluated statically")
            try:
                return _check_size(_PURE_BUILTINS[func.name](*real, **real_kw))
            except _Unresolved:
                raise
            except Exception as exc:
                raise _Unresolved(f"{func.name}(...) fails ({type(exc).__name__})") from None
        raise _Unresolved(
            f"call to {shown(ast.unparse(node.func))}, which cannot be evaluated without running "
            "model.py"
        )

    def safe_eval(self, node: ast.expr, scope: _Scope, pos: int) -> object:
        try:
            return self.eval(node, scope, pos)
        except _Unresolved:
            return None
