"""Calls we can evaluate: SDK constructors (as mimics) and a few pure builtins."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from typing import Any, Final

from ...errors import clip
from .defaults import _runtime
from .normalize import _is_class
from .values import (
    _Builtin,
    _Generic,
    _Known,
    _Local,
    _Mimic,
    _NamedFieldsType,
    _NamedFieldsValue,
    _Ref,
    _UnhashableMimic,
    _Unresolved,
)


def _param_stub(
    default: object,
    description: object = None,
    min_value: object = None,
    max_value: object = None,
    choices: object = None,
    is_param: object = True,
) -> None: ...


def _text_stub(text: object, url: object = None) -> None: ...


def _media_stub(proto: object = None, url: object = None, bytes: object = None) -> None: ...


def _concept_stub(name: object, value: object = 1.0, id: object = None) -> None: ...


def _json_stub(value: object) -> None: ...


def _bind(
    stub: Callable[..., None], args: list[object], kwargs: dict[str, object]
) -> dict[str, Any]:
    try:
        bound = inspect.signature(stub).bind(*args, **kwargs)
    except TypeError as exc:
        raise _Unresolved(
            f"invalid arguments ({clip(str(exc))}); the SDK raises TypeError"
        ) from None
    bound.apply_defaults()
    return dict(bound.arguments)


def _media(name: str, a: dict[str, Any]) -> _Mimic:
    if a["proto"] is not None:
        raise _Unresolved(f"{name}(proto_...) from a proto message")
    url, data = _runtime(a["url"]), _runtime(a["bytes"])
    attrs: list[str] = []
    if url:
        if not isinstance(url, str):
            raise _Unresolved(f"{name} url is not a str (the SDK raises TypeError)")
        attrs.append(f"url={url!r}")
    if data:
        if not isinstance(data, bytes):
            raise _Unresolved(f"{name} bytes is not bytes (the SDK raises TypeError)")
        attrs.append(f"bytes=<{len(data)} bytes>")
    return _Mimic(f"{name}({', '.join(attrs)})")


def _construct_data_type(name: str, args: list[object], kwargs: dict[str, object]) -> object:
    """`Text(...)`, `Image(...)`, `NamedFields(...)`... as the SDK's constructor would build them."""
    if name == "NamedFields":
        if args:
            raise _Unresolved("NamedFields takes keyword arguments only (the SDK raises TypeError)")
        fields = tuple(kwargs.items())
        if fields and all(_is_class(v) for _, v in fields):
            return _NamedFieldsType(fields)
        return _NamedFieldsValue(fields)
    if name == "Text":
        a = _bind(_text_stub, args, kwargs)
        text = f"Text(text={_runtime(a['text'])!r}, url={_runtime(a['url'])!r})"
        return _UnhashableMimic(text)
    if name in ("Image", "Audio", "Video"):
        renamed = {("proto" if k == f"proto_{name.lower()}" else k): v for k, v in kwargs.items()}
        return _media(name, _bind(_media_stub, args, renamed))
    if name == "Concept":
        a = _bind(_concept_stub, args, kwargs)
        concept, value, cid = (_runtime(a[k]) for k in ("name", "value", "id"))
        if not cid:
            if not isinstance(concept, str):
                raise _Unresolved("Concept name is not a str (the SDK raises TypeError)")
            cid = re.sub(r"[^a-zA-Z0-9\s]", "", concept).replace(" ", "-")
        return _Mimic(f"Concept(id={cid!r}, name={concept!r}, value={value})")
    if name == "JSON":
        a = _bind(_json_stub, args, kwargs)
        return _UnhashableMimic(f"JSON({_runtime(a['value'])})")
    raise _Unresolved(f"{name}(...) objects cannot be rendered statically")


_PURE_BUILTINS: Final[dict[str, Callable[..., object]]] = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "tuple": tuple,
    "list": list,
    "dict": dict,
}


_BIN_OPS: Final[dict[type[ast.operator], Callable[[Any, Any], object]]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
    ast.BitAnd: lambda a, b: a & b,
    ast.BitOr: lambda a, b: a | b,
    ast.BitXor: lambda a, b: a ^ b,
}
_UNARY_OPS: Final[dict[type[ast.unaryop], Callable[[Any], object]]] = {
    ast.USub: lambda a: -a,
    ast.UAdd: lambda a: +a,
    ast.Invert: lambda a: ~a,
    ast.Not: lambda a: not a,
}


def _is_typeish(v: object) -> bool:
    return isinstance(v, (_Builtin, _Known, _Generic, _Local, _NamedFieldsType, _Ref)) or v is None
