"""The values of expressions in model.py at class-definition time: the layer `_SignatureBuilder`
and `_Analyzer` build on (over `hierarchy._Classes`).
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from typing import Any, Final

from ...errors import CodegenError, clip, shown
from .bounds import _Budget, _check_int, _OverBudget
from .calls import (
    _BIN_OPS,
    _PURE_BUILTINS,
    _UNARY_OPS,
    _bind,
    _construct_data_type,
    _is_typeish,
    _param_stub,
)
from .defaults import _runtime
from .hierarchy import _Classes
from .known import _DECORATOR, _STAR_EXPORTS, _canon
from .limits import MAX_DEPTH, MAX_INT_BITS, MAX_TOTAL_ITEMS
from .scopes import _BUILTIN_NAMES, _Binding, _Scope
from .values import (
    _Builtin,
    _describe,
    _Func,
    _Generic,
    _Known,
    _Local,
    _ParamValue,
    _Ref,
    _TooDeep,
    _Unresolved,
)

_DT_PACKAGE: Final = ("clarifai.runners.utils.data_types",)  # its public names are all known


class _Evaluator(_Classes):
    """The values of model.py's expressions at class-definition time."""

    def __init__(self, tree: ast.Module, filename: str) -> None:
        super().__init__(tree, filename)
        # A binding's value (or failure) and the depth its evaluation reached below the binding:
        # each expression is evaluated once, and a cached value counts as deep as it was.
        self.values: dict[int, tuple[object, _Unresolved | None, int]] = {}
        self.reached = 0  # the deepest `eval` depth of the evaluation in progress
        self.budget = _Budget()

    def base_value(self, expr: ast.expr, pos: int) -> object:
        """A base class expression: evaluated afresh at depth 0, not part of an outer evaluation."""
        outer = self.reached
        try:
            return self.eval(expr, self.module, pos)
        finally:
            self.reached = outer

    # ---- expressions ----

    def lookup(self, name: str, scope: _Scope, pos: int, node: ast.AST, depth: int) -> object:
        """The value `name` has at statement `pos` of `scope`: its last binding before `pos` (an
        `import *` counts when it binds the name), else the enclosing scope, else the builtins."""
        b = scope.binding_before(name, pos)
        star = scope.star_before(name, pos)
        if star is not None and (b is None or (star.pos, star.line) > (b.pos, b.line)):
            if star.qualname not in _STAR_EXPORTS or star.conditional:
                raise _Unresolved(
                    f"{shown(name)} may come from `from {clip(star.qualname)} import *` "
                    f"(line {star.line})",
                    node,
                )
            return _canon(f"{star.qualname}.{name}")
        if b is not None:
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
            return self._value(b.node, scope, b.pos, depth + 1)
        if b.kind == "class":
            assert isinstance(b.node, ast.ClassDef)
            return self.local_for(b.node)
        if b.kind == "def":
            assert isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            return _Func(b.node)
        raise _Unresolved(f"{shown(name)} is bound at line {b.line} in a way that is not tracked")

    def _value(self, expr: ast.expr, scope: _Scope, pos: int, depth: int) -> object:
        """`eval` of a binding's expression, memoized with its height (see `values`)."""
        memo = self.values.get(id(expr))
        if memo is None:
            outer, self.reached = self.reached, depth
            try:
                memo = (self.eval(expr, scope, pos, depth), None, self.reached - depth)
            except _TooDeep:  # depends on the depth it started at: not cached
                raise
            except _Unresolved as exc:
                memo = (None, exc, self.reached - depth)
            finally:
                self.reached = max(outer, self.reached)
            self.values[id(expr)] = memo
        value, error, height = memo
        if depth + height > MAX_DEPTH:
            raise _TooDeep("expression nests too deeply")
        self.reached = max(self.reached, depth + height)
        if error is not None:
            raise _Unresolved(error.detail, error.node)
        return value

    def eval(self, node: ast.expr, scope: _Scope, pos: int, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            raise _TooDeep("expression nests too deeply", node)
        self.reached = max(self.reached, depth)
        try:
            return self._eval(node, scope, pos, depth)
        except _Unresolved as exc:
            if exc.node is None:
                exc.node = node
            raise
        except RecursionError:
            raise _TooDeep("expression nests too deeply", node) from None
        except (ValueError, ArithmeticError) as exc:  # e.g. printing an int of 5,000 digits
            raise _Unresolved(f"evaluating it fails ({type(exc).__name__})", node) from None

    def sized(self, value: object, node: ast.AST) -> object:
        """`value`, if within the limits of one value and of all values together (limits.py)."""
        try:
            return self.budget.charge(value)
        except _OverBudget:
            raise self.error(
                f"constant expressions in model.py build more than {MAX_TOTAL_ITEMS} characters "
                "and items in total (the limit of the static analysis)",
                node,
            ) from None

    def _eval(self, node: ast.expr, scope: _Scope, pos: int, depth: int) -> object:
        ev: Callable[[ast.expr], object] = lambda n: self.eval(n, scope, pos, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return _check_int(node.value)  # 0xfff... has no length limit
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope, pos, node, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(ev(node.value), node.attr, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise _Unresolved("starred element")
            items = [ev(e) for e in node.elts]
            return self.sized(items if isinstance(node, ast.List) else tuple(items), node)
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
            return self.sized(out, node)
        if isinstance(node, ast.UnaryOp):
            operand = ev(node.operand)
            if isinstance(operand, (bool, int, float, complex)):
                try:
                    return self.sized(_UNARY_OPS[type(node.op)](operand), node)
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

    def _attribute(self, base: object, attr: str, depth: int) -> object:
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
                return self.binding_value(attr, bindings[-1], scope, depth)
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
        if isinstance(node.op, ast.Mod) and isinstance(left, (str, bytes)):
            raise _Unresolved("%-formatting is not evaluated statically")  # '%0999999999d' % 1
        if isinstance(node.op, ast.Pow) and isinstance(right, int) and abs(right) > 4096:
            raise _Unresolved("exponent too large")
        if (
            isinstance(node.op, ast.Pow)
            and isinstance(left, int)
            and isinstance(right, int)
            and (left.bit_length() - 1) * right > MAX_INT_BITS
        ):
            raise _Unresolved(
                f"constant expression is too large (an int of over {MAX_INT_BITS} bits)"
            )
        self.sized((left, right), node)  # copied by _runtime
        try:
            return self.sized(op(_runtime(left), _runtime(right)), node)
        except (_Unresolved, CodegenError):
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
        self.sized((args, list(kwargs.values())), node)  # copied by _runtime, rendered by mimics
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
                return self.sized(_PURE_BUILTINS[func.name](*real, **real_kw), node)
            except (_Unresolved, CodegenError):
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
