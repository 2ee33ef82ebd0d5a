"""Identifiers, module and class names, and path safety.

Every name in generated code comes from here, as a `PyIdent`: a `str` subclass whose construction checks
that it is an ASCII identifier that is not a keyword. Wire names (what the server calls a method or an
argument) stay untouched and only ever reach code through `repr()`.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .errors import CodegenError, Level, Problem, shown

_RESOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


class PyIdent(str):
    """An ASCII Python identifier that is not a keyword (checked on construction)."""

    __slots__ = ()

    def __new__(cls, value: str) -> PyIdent:
        if not (value.isascii() and value.isidentifier()) or keyword.iskeyword(value):
            raise ValueError(f"not a safe identifier: {value!r}")
        return super().__new__(cls, value)


def check_resource_id(value: str, what: str, where: str = "") -> str:
    """Clarifai ids are short ASCII words; anything else (`..`, `/`, quotes) is rejected."""
    if not _RESOURCE_ID.fullmatch(value) or ".." in value:
        raise CodegenError(
            f"invalid {what} {shown(value)}: expected letters, digits, '_', '-' or '.', "
            "starting with a letter or digit, at most 128 characters",
            where,
        )
    return value


def _ascii_words(raw: str) -> list[str]:
    folded = (
        unicodedata.normalize("NFKD", raw.replace("ß", "ss")).encode("ascii", "ignore").decode()
    )
    return [w for w in _NON_WORD.split(folded) if w]


def snake_case(raw: str) -> str:
    return "_".join(w.lower() for w in _ascii_words(raw))


def pascal_case(raw: str) -> str:
    return "".join(w[:1].upper() + w[1:].lower() for w in _ascii_words(raw))


def python_name(raw: str, prefix: str) -> str:
    """A readable identifier for a wire name: the name itself when Python allows it (a builtin such
    as `type` or `format` keeps its name), else ASCII, not starting with a digit, not a keyword, no
    leading `__`. Names the generated code itself needs are reserved by the caller's `Namespace`;
    distinct raw names may map to the same result, which `Namespace` resolves too."""
    # A leading "__" would be name-mangled inside the class body, so such names are rewritten too.
    if raw.isascii() and raw.isidentifier() and not raw.startswith("__"):
        name = raw
    else:
        name = "_".join(_ascii_words(raw))
        if raw.startswith("__") and name:
            name += "_"
    if not name:
        name = prefix
    if name[0].isdigit():
        name = f"{prefix}_{name}"
    # Soft keywords (`match`, `case`, `type`, `_`) are valid identifiers everywhere we put names.
    if keyword.iskeyword(name):
        name += "_"
    return name


class Namespace:
    """Assigns unique identifiers in one scope, reporting every rename forced by a collision."""

    def __init__(self, reserved: Iterable[str] = (), where: str = "") -> None:
        self._taken: dict[str, str] = {name: "the generated code" for name in reserved}
        self.where = where
        self.problems: list[Problem] = []

    def add(self, raw: str, candidate: str, what: str) -> PyIdent:
        return PyIdent(self.add_name(raw, candidate, what))

    def add_name(self, raw: str, candidate: str, what: str) -> str:
        """`add` without the Python check (a subclass checks the names of its language)."""
        name = candidate
        n = 1
        while name in self._taken:
            name = f"{candidate}_" if n == 1 else f"{candidate}_{n}"
            n += 1
        if name != candidate:
            other = self._taken[candidate]
            self.problems.append(
                Problem(
                    Level.WARNING,
                    f"{what} {raw!r} would be named {candidate!r}, which is taken by {other}; "
                    f"named {name!r} instead",
                    self.where,
                )
            )
        self._taken[name] = f"{what} {raw!r}"
        return name

    def add_wire(self, raw: str, prefix: str, what: str) -> PyIdent:
        """`add` for a wire name (a method or an argument), warning when its Python name differs."""
        candidate = python_name(raw, prefix)
        name = self.add(raw, candidate, what)
        if name == candidate != raw:  # a collision has been reported by `add` already
            self.problems.append(
                Problem(
                    Level.WARNING,
                    f"{what} {raw!r} cannot be used as a Python name; named {name!r}",
                    self.where,
                )
            )
        return name

    def reserve(self, name: str) -> None:
        self._taken.setdefault(name, f"{name!r}")

    def __contains__(self, name: str) -> bool:
        return name in self._taken


def module_name(model_id: str) -> PyIdent:
    name = snake_case(model_id) or "model"
    if name[0].isdigit():
        name = f"model_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in {"examples", "py"}:
        name += "_"
    return PyIdent(name)


def class_name(model_id: str) -> str:
    name = pascal_case(model_id) or "Model"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"Model{name}"
    return name


def safe_path(root: Path, *parts: str) -> Path:
    """`root/parts...`, refusing anything that would resolve outside `root`."""
    base = root.resolve()
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\0" in part:
            raise CodegenError(f"unsafe path component {part!r}")
    path = base.joinpath(*parts).resolve()
    if not path.is_relative_to(base):
        raise CodegenError(f"refusing to write outside {base}: {path}")
    return path
