"""Request headers that h11 need not check again on every call.

h11 normalizes and validates every header of every request it sends, after httpcore has checked
the same list (~12 us a call together). A transport's own headers do not change between calls:
they are checked once here, and each request adds only its Content-Length, as an h11 `Headers`
that h11 takes as checked and writes byte for byte as it would the list. Where h11 is laid out
otherwise, or the headers would not pass, a request carries the plain list, checked as before.
"""

from __future__ import annotations

import importlib
from typing import Any

try:
    _h11: Any = importlib.import_module("h11._headers")
except ImportError:  # another h11 layout: every request is checked
    _h11 = None
Headers: Any = getattr(_h11, "Headers", None)
normalize_and_validate: Any = getattr(_h11, "normalize_and_validate", None)

__all__ = ["CheckedHeaders"]

Raw = list[tuple[bytes, bytes]]
Items = list[tuple[bytes, bytes, bytes]]  # h11's (name as sent, lower-case name, value)


class CheckedHeaders:
    """The headers of a transport's requests; its constant headers are checked once."""

    def __init__(self) -> None:
        self._cache: tuple[Raw, Items | None] | None = None

    def of(self, raw: Raw, length: int | None) -> Any:
        """`raw` and, for a request with a body, its Content-Length: for `httpcore.Request.headers`
        (set after construction, which would copy it into a list)."""
        cache = self._cache
        if cache is None or cache[0] is not raw:
            cache = self._cache = (raw, _checked(raw))
        items = cache[1]
        if items is None:
            return raw if length is None else [*raw, (b"Content-Length", b"%d" % length)]
        if length is not None:
            items = [*items, (b"Content-Length", b"content-length", b"%d" % length)]
        return Headers(items)


def _checked(raw: Raw) -> Items | None:
    if Headers is None or normalize_and_validate is None:
        return None
    if {name.lower() for name, _ in raw} & {b"content-length", b"transfer-encoding"}:
        return None  # h11 checks these against the body: leave that to it
    try:
        items = getattr(normalize_and_validate(raw), "_full_items", None)
    except Exception:  # h11 raises it again, on the request, as before
        return None
    return list(items) if isinstance(items, list) else None
