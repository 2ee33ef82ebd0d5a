"""Symbolic values: what an expression in model.py denotes, as far as the source tells.
Plain Python data (None, bool, int, float, complex, str, bytes, Ellipsis and lists/tuples/dicts of
them) stands for itself; the classes below stand for everything else.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...errors import clip, shown


@dataclass(frozen=True)
class _Ref:
    """A module, or a name imported from one, known only by its dotted path."""

    qualname: str


@dataclass(frozen=True)
class _Builtin:
    """A builtin class (`str`, `list`, ..., and `NoneType` as typing writes `None` inside `List[...]`)."""

    name: str


@dataclass(frozen=True)
class _Known:
    """Something whose meaning is known. kind: base (an SDK base class), dt (a data_types class), param,
    form (typing List/Dict/Tuple/Iterator/Generator/Iterable/Optional/Union/Any), abc (collections.abc
    Iterator/Generator/Iterable), ndarray, ndarray_alias (numpy.typing.NDArray), pil_image,
    decorator (ModelClass.method), builtin_decorator (staticmethod, classmethod, property)."""

    kind: str
    name: str


@dataclass(frozen=True)
class _Generic:
    """A subscripted generic. origin: list, dict, tuple, Iterator, Generator, Iterable, Union, ndarray."""

    origin: str
    args: tuple[object, ...]


@dataclass(frozen=True, eq=False)
class _Local:
    """A class defined at the top level of model.py."""

    node: ast.ClassDef
    pos: int
    conditional: bool


@dataclass(frozen=True, eq=False)
class _Func:
    """A function defined in model.py."""

    node: ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class _NamedFieldsType:
    """`NamedFields(a=str, ...)` with only classes as values: the SDK makes a NamedFields subclass."""

    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class _NamedFieldsValue:
    """`NamedFields(...)` with any non-class value: the SDK makes an instance."""

    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class _ParamValue:
    default: object
    description: object
    min_value: object
    max_value: object
    choices: object
    is_param: object


class _Mimic:
    """Stands in for an SDK data object in a default: the same `repr`/`str`, and, like the original,
    not JSON-serializable, so `Param.set_default` falls back to `str(obj)` exactly as the SDK does."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


class _UnhashableMimic(_Mimic):
    """For SDK classes that define `__eq__` without `__hash__` (Text, JSON)."""

    __hash__ = None  # type: ignore[assignment]


class _Unresolved(Exception):
    """An expression whose value cannot be known statically; `node` is where."""

    def __init__(self, detail: str, node: ast.AST | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.node = node


class _TooDeep(_Unresolved):
    """Nesting beyond limits.MAX_DEPTH: depends on where the evaluation started, so never cached."""


def _describe(v: object) -> str:
    """How a message names a value: a symbol by its name, plain data by its repr; either cut to a
    readable length."""
    text = _symbol(v)
    return shown(v) if text is None else clip(text)


def _symbol(v: object) -> str | None:
    if isinstance(v, _Ref):
        return v.qualname
    if isinstance(v, _Builtin):
        return "None" if v.name == "NoneType" else v.name
    if isinstance(v, _Known):
        return v.name
    if isinstance(v, _Generic):
        return f"{v.origin}[{', '.join(_describe(a) for a in v.args)}]"
    if isinstance(v, _Local):
        return v.node.name
    if isinstance(v, _Func):
        return f"function {v.node.name}"
    if isinstance(v, (_NamedFieldsType, _NamedFieldsValue)):
        return "NamedFields(" + ", ".join(f"{k}={_describe(t)}" for k, t in v.fields) + ")"
    if isinstance(v, _ParamValue):
        return "Param(...)"
    return None
