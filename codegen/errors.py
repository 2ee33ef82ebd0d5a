"""Errors and warnings as values: every problem names what is wrong and where."""

from __future__ import annotations

import enum
import reprlib
from dataclasses import dataclass


class Level(enum.Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """One finding about the input, with the place it was found (file, model, method, field)."""

    level: Level
    message: str
    where: str = ""

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return printable(f"{self.level.value}: {prefix}{self.message}")


class CodegenError(Exception):
    """Input the generator cannot turn into code. `str()` is a one-line, user-facing message."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(printable(f"{where}: {message}" if where else message))


def printable(text: str) -> str:
    """One line, whatever the input: control and other non-printable characters as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def join_where(*parts: str) -> str:
    """Join location parts (file, model, method, field) into one readable path."""
    return " > ".join(p for p in parts if p)


def clip(text: str, limit: int = 80) -> str:
    """`text`, cut to `limit` characters and its length said when longer: third-party values
    echoed in messages stay readable, whatever their size."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def shown(value: object, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters, in time bounded whatever the value's size: how a
    message quotes a value it did not choose."""
    if isinstance(value, (str, bytes)):
        if len(value) > limit:
            return f"{repr(value[:limit])[:limit]}... ({len(value)} chars)"
        return clip(repr(value), limit)  # escapes may make it longer
    if isinstance(value, int) and value.bit_length() > 256:  # repr fails beyond 4300 digits
        return f"<an int of {value.bit_length()} bits>"
    try:
        return clip(_REPR.repr(value), limit)
    except Exception:  # a repr that fails
        return f"<{type(value).__name__}>"


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 40  # inside containers
