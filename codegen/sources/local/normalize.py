"""The SDK's type normalization (method_signatures._normalize_type / _normalize_data_type /
_fill_signature_type), over symbolic values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from ...datatypes import BUILTIN_KINDS, SDK_CLASS_KINDS
from ...errors import shown
from .known import _STREAM_FORMS
from .values import (
    _Builtin,
    _describe,
    _Generic,
    _Known,
    _Local,
    _NamedFieldsType,
    _NamedFieldsValue,
    _Ref,
    _Unresolved,
)


@dataclass(frozen=True)
class _Type:
    """A normalized type: a DataType name, with children for LIST / TUPLE / NAMED_FIELDS."""

    kind: str
    args: tuple[_Type, ...] = ()
    names: tuple[str, ...] = ()  # NAMED_FIELDS keys


class _TypeProblem(Exception):
    """The SDK raises on this annotation; the message says what it raises."""


def _origin(t: object) -> str | None:
    """typing.get_origin, for our symbols."""
    if isinstance(t, _Generic):
        return t.origin
    if isinstance(t, _Known):
        if t.kind == "form" and t.name in ("List", "Dict", "Tuple", *_STREAM_FORMS):
            return {"List": "list", "Dict": "dict", "Tuple": "tuple"}.get(t.name, t.name)
        if t.kind == "ndarray_alias":
            return "ndarray"
    return None


def _args(t: object) -> tuple[object, ...]:
    return t.args if isinstance(t, _Generic) else ()


def _is_class(v: object) -> bool:
    """`isinstance(v, type)` at run time (decides what `NamedFields(**kw)` returns)."""
    if isinstance(v, _Ref):
        raise _Unresolved(f"cannot tell what {shown(v.qualname)} is")
    if isinstance(v, _Known):
        return v.kind in ("base", "dt", "param", "ndarray", "pil_image", "builtin_decorator")
    return isinstance(v, (_Builtin, _Local, _NamedFieldsType))


def _jsonable(t: object) -> bool:
    names = ("dict", "list", "tuple", "str", "int", "float", "bool", "NoneType")
    if isinstance(t, _Builtin) and t.name in names:
        return True
    if _origin(t) in ("tuple", "list", "dict"):
        return all(_jsonable(a) for a in _args(t))
    return False


def _normalize_type(t: object) -> tuple[_Type, bool]:
    origin = _origin(t)
    if origin in _STREAM_FORMS:
        args = _args(t)
        if not args:
            raise _TypeProblem(f"bare {origin} needs an item type (the SDK fails: IndexError)")
        return _normalize_data_type(args[0]), True
    return _normalize_data_type(t), False


def _unsupported(t: object) -> NoReturn:
    if isinstance(t, _Generic) and t.origin == "Union":
        raise _TypeProblem(
            f"unsupported annotation {_describe(t)}: the SDK rejects Optional/Union types "
            "(TypeError: Unsupported type); use a plain type with a default instead"
        )
    if isinstance(t, str):
        raise _TypeProblem(
            f"string annotation {shown(t)}: the SDK does not evaluate string annotations "
            "(TypeError: Unsupported type)"
        )
    if isinstance(t, _Ref):
        raise _TypeProblem(f"cannot resolve annotation {shown(t.qualname)} statically")
    raise _TypeProblem(f"unsupported annotation {_describe(t)} (the SDK raises TypeError)")


def _named(fields: Sequence[tuple[object, object]]) -> _Type:
    names: list[str] = []
    for key, _ in fields:
        if not isinstance(key, str):
            raise _TypeProblem(
                f"NamedFields key {shown(key)} is not a string (the SDK raises TypeError)"
            )
        names.append(key)
    args = tuple(_normalize_data_type(v) for _, v in fields)
    return _Type("NAMED_FIELDS", args, tuple(names))


def _normalize_data_type(t: object) -> _Type:
    origin = _origin(t)
    if origin == "list" and _args(t):
        return _Type("LIST", (_normalize_data_type(_args(t)[0]),))
    if origin == "tuple":
        if not _args(t):
            raise _TypeProblem("Tuple must have types specified (the SDK raises TypeError)")
        return _Type("TUPLE", tuple(_normalize_data_type(a) for a in _args(t)))
    if isinstance(t, (tuple, list)):
        return _Type("TUPLE", tuple(_normalize_data_type(a) for a in t))
    if t == _Known("dt", "NamedFields"):
        raise _TypeProblem("NamedFields must have types specified (the SDK raises TypeError)")
    if isinstance(t, (_NamedFieldsType, _NamedFieldsValue)):
        return _named(t.fields)
    if isinstance(t, dict):
        return _named(list(t.items()))
    if origin == "ndarray" or t == _Known("ndarray", "numpy.ndarray"):
        return _Type("NDARRAY")
    if t in (_Known("dt", "Image"), _Known("pil_image", "PIL.Image.Image")):
        return _Type("IMAGE")
    if t == _Ref("PIL.Image"):
        raise _TypeProblem("Use PIL.Image.Image instead of PIL.Image module (the SDK's TypeError)")
    if t in (_Builtin("list"), _Builtin("dict"), _Known("form", "Dict")) or (
        origin in ("list", "dict") and _jsonable(t)
    ):
        return _Type("JSON_DATA")
    if isinstance(t, _Builtin) and t.name in BUILTIN_KINDS:
        return _Type(BUILTIN_KINDS[t.name])
    if isinstance(t, _Known) and t.kind == "dt" and t.name in SDK_CLASS_KINDS:
        return _Type(SDK_CLASS_KINDS[t.name])
    _unsupported(t)


def _fill(name: str, t: _Type) -> dict[str, Any]:
    """`_fill_signature_type`: the `type` and `type_args` keys of one ModelTypeField."""
    out: dict[str, Any] = {"name": name, "type": t.kind}
    if t.kind == "NAMED_FIELDS":
        children = [_fill(k, a) for k, a in zip(t.names, t.args, strict=True)]
    else:
        children = [_fill(name + "_item", a) for a in t.args]
    if children:
        out["type_args"] = children
    return out


def _uses_mocked_module(t: object) -> bool:
    """numpy / PIL in an annotation: MagicMock under `clarifai model upload` (mocking=True)."""
    if isinstance(t, _Known) and t.kind in ("ndarray", "ndarray_alias", "pil_image"):
        return True
    if isinstance(t, _Generic):
        return t.origin == "ndarray" or any(_uses_mocked_module(a) for a in t.args)
    if isinstance(t, (_NamedFieldsType, _NamedFieldsValue)):
        return any(_uses_mocked_module(v) for _, v in t.fields)
    if isinstance(t, (list, tuple)):
        return any(_uses_mocked_module(v) for v in t)
    if isinstance(t, dict):
        return any(_uses_mocked_module(v) for v in t.values())
    return False
