"""What evaluating model.py may cost: the size of a value, checked without walking more of it than
the limit allows, and the budget all constant values of one file share (limits.py)."""

from __future__ import annotations

from collections import Counter
from typing import Final

from .limits import MAX_INT_BITS, MAX_TOTAL_ITEMS, MAX_VALUE_ITEMS
from .values import _Generic, _Mimic, _NamedFieldsType, _NamedFieldsValue, _ParamValue, _Unresolved

_SCALARS: Final = frozenset({bool, int, float, complex, type(None), type(...)})


def _size(v: object, limit: int) -> int:
    """Characters and items in `v` (a container counts its length plus its items' sizes), or some
    number above `limit` as soon as that is certain: never more than `limit` steps, even for a
    value whose parts are shared (its tree may be exponentially larger than its memory)."""
    total = 0
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, (str, bytes)):
            total += len(x)
        elif isinstance(x, _Mimic):
            total += len(repr(x))
        elif isinstance(x, (list, tuple, dict)):
            total += len(x)
            if total > limit:
                break
            items = [*x.keys(), *x.values()] if isinstance(x, dict) else x
            kinds = Counter(map(type, items))  # in C: a list of 10^6 numbers costs no loop here
            scalars = sum(n for kind, n in kinds.items() if kind in _SCALARS)
            total += scalars
            if scalars < len(items):
                stack.extend(item for item in items if type(item) not in _SCALARS)
        elif isinstance(x, _Generic):
            total += len(x.args)
            stack.extend(x.args)
        elif isinstance(x, (_NamedFieldsType, _NamedFieldsValue)):
            total += len(x.fields)
            stack.extend(x.fields)
        elif isinstance(x, _ParamValue):
            stack.extend(vars(x).values())
        else:
            total += 1
        if total > limit:
            break
    return total


def _check_int(v: object) -> object:
    """`v`, unless it is an int of more than MAX_INT_BITS bits."""
    if isinstance(v, int) and v.bit_length() > MAX_INT_BITS:
        raise _Unresolved(f"constant expression is too large (an int of over {MAX_INT_BITS} bits)")
    return v


class _OverBudget(Exception):
    """The constant values of one file together are larger than MAX_TOTAL_ITEMS."""


class _Budget:
    """The items all constant values built while analysing one file may add up to."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL_ITEMS

    def charge(self, v: object) -> object:
        """`v`, its size taken from the budget; `_Unresolved` if `v` alone is too large."""
        size = _size(_check_int(v), min(MAX_VALUE_ITEMS, self.left))
        if size > MAX_VALUE_ITEMS:
            raise _Unresolved(
                f"constant expression is too large (over {MAX_VALUE_ITEMS} characters and items)"
            )
        self.left -= size
        if self.left < 0:
            raise _OverBudget
        return v
