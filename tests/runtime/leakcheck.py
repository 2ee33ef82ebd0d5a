"""Where a secret could hide in an exception: its message, attributes, cause and context chain,
and the formatted traceback. `assert_clean` walks them all."""

from __future__ import annotations

import traceback
import types
from typing import Any

__all__ = ["assert_clean", "leaks"]

_OPAQUE = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def leaks(obj: Any, secret: str, *, depth: int = 8) -> list[str]:
    """Paths from `obj` to every string or bytes holding `secret` (walking exception chains,
    `args`, `vars()`, `__slots__` and containers, `depth` levels deep)."""
    found: list[str] = []
    seen: set[int] = set()
    raw = secret.encode()

    def walk(value: Any, path: str, level: int) -> None:
        if isinstance(value, str):
            if secret in value:
                found.append(path)
            return
        if isinstance(value, (bytes, bytearray, memoryview)):
            if raw in bytes(value):
                found.append(path)
            return
        if level > depth or id(value) in seen or isinstance(value, _OPAQUE) or value is None:
            return
        seen.add(id(value))
        if isinstance(value, BaseException):
            walk(value.args, f"{path}.args", level + 1)
            walk(value.__cause__, f"{path}.__cause__", level + 1)
            walk(value.__context__, f"{path}.__context__", level + 1)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key, f"{path}[key]", level + 1)
                walk(item, f"{path}[{key!r}]", level + 1)
            return
        if isinstance(value, (list, tuple, set, frozenset)):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]", level + 1)
            return
        attrs = dict(getattr(value, "__dict__", None) or {})
        for slots in (getattr(cls, "__slots__", ()) for cls in type(value).__mro__):
            for name in [slots] if isinstance(slots, str) else slots:
                if name not in attrs and hasattr(value, name):
                    attrs[name] = getattr(value, name)
        for name, item in attrs.items():
            walk(item, f"{path}.{name}", level + 1)

    walk(obj, "exc", 0)
    return found


def assert_clean(exc: BaseException, secret: str) -> None:
    """`secret` appears nowhere in `exc` (see `leaks`) nor in its formatted traceback."""
    assert leaks(exc, secret) == []
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert secret not in text
