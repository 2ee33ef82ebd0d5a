"""Scopes: which statement binds which name, so a name is resolved to the value it has when the
class body runs (the last binding before the use), or refused when that depends on run time.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from .known import _BUILTIN_CLASSES, _STAR_EXPORTS
from .values import _Builtin, _Known


@dataclass(frozen=True)
class _Binding:
    pos: int  # index, in the scope's body, of the top-level statement that binds the name
    line: int
    kind: str  # value | import | class | def | other
    node: ast.AST | None = None  # the value expression, ClassDef or FunctionDef
    qualname: str = ""
    conditional: bool = False


class _Timeline:
    """Bindings in statement order, the one that counts per statement (its last line; the first of
    equals), found by position in O(log n): a name bound 10^5 times is looked up as fast as once."""

    def __init__(self, bindings: Iterable[_Binding]) -> None:
        self.positions: list[int] = []
        self.chosen: list[_Binding] = []
        for b in bindings:  # `_collect` appends in statement order
            if self.positions and self.positions[-1] == b.pos:
                if b.line > self.chosen[-1].line:
                    self.chosen[-1] = b
            else:
                self.positions.append(b.pos)
                self.chosen.append(b)

    def before(self, pos: int) -> _Binding | None:
        i = bisect_left(self.positions, pos)
        return self.chosen[i - 1] if i else None


@dataclass
class _Scope:
    body: Sequence[ast.stmt]
    parent: _Scope | None
    parent_pos: int  # where this scope's statement sits in the parent's body
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    stars: list[_Binding] = field(default_factory=list)
    timelines: dict[str, _Timeline] = field(default_factory=dict)
    star_timelines: dict[str | None, _Timeline] = field(default_factory=dict)  # None: unknown

    def __post_init__(self) -> None:
        for pos, stmt in enumerate(self.body):
            self._collect(stmt, pos, conditional=False)
        modules: dict[str | None, list[_Binding]] = {}
        for star in self.stars:
            module = star.qualname if star.qualname in _STAR_EXPORTS else None
            modules.setdefault(module, []).append(star)
        self.star_timelines = {m: _Timeline(stars) for m, stars in modules.items()}

    def binding_before(self, name: str, pos: int) -> _Binding | None:
        """The binding of `name` that counts just before statement `pos`."""
        if name not in self.bindings:
            return None
        if name not in self.timelines:
            self.timelines[name] = _Timeline(self.bindings[name])
        return self.timelines[name].before(pos)

    def star_before(self, name: str, pos: int) -> _Binding | None:
        """The last `from M import *` before statement `pos` that binds or may bind `name`."""
        found = [
            star
            for module, timeline in self.star_timelines.items()
            if module is None or name in _STAR_EXPORTS[module]
            if (star := timeline.before(pos)) is not None
        ]
        return max(found, key=lambda b: (b.pos, b.line), default=None)

    def _bind(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def _targets(self, target: ast.expr, pos: int, conditional: bool) -> None:
        """Names bound by unpacking, `for`, `with ... as`, `del`: values we do not track."""
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._bind(node.id, _Binding(pos, node.lineno, "other", conditional=conditional))

    def _collect(self, stmt: ast.stmt, pos: int, conditional: bool) -> None:
        line = stmt.lineno
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind(stmt.name, _Binding(pos, line, "def", stmt, conditional=conditional))
        elif isinstance(stmt, ast.ClassDef):
            self._bind(stmt.name, _Binding(pos, line, "class", stmt, conditional=conditional))
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    b = _Binding(pos, line, "value", stmt.value, conditional=conditional)
                    self._bind(target.id, b)
                elif not isinstance(target, (ast.Attribute, ast.Subscript)):
                    self._targets(target, pos, conditional)
        elif isinstance(stmt, ast.AnnAssign):
            if isinstance(stmt.target, ast.Name) and stmt.value is not None:
                b = _Binding(pos, line, "value", stmt.value, conditional=conditional)
                self._bind(stmt.target.id, b)
        elif isinstance(stmt, (ast.AugAssign, ast.Delete)):
            for target in stmt.targets if isinstance(stmt, ast.Delete) else [stmt.target]:
                if not isinstance(target, (ast.Attribute, ast.Subscript)):
                    self._targets(target, pos, conditional)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    name, qual = alias.asname, alias.name
                else:
                    name = qual = alias.name.split(".")[0]
                self._bind(
                    name, _Binding(pos, line, "import", qualname=qual, conditional=conditional)
                )
        elif isinstance(stmt, ast.ImportFrom):
            module = "." * stmt.level + (stmt.module or "")
            for alias in stmt.names:
                if alias.name == "*":
                    self.stars.append(
                        _Binding(pos, line, "import", qualname=module, conditional=conditional)
                    )
                    continue
                qual = f"{module}.{alias.name}" if stmt.module else module + alias.name
                b = _Binding(pos, line, "import", qualname=qual, conditional=conditional)
                self._bind(alias.asname or alias.name, b)
        else:
            for name, line in _expression_bindings(stmt):
                self._bind(name, _Binding(pos, line, "other", conditional=True))
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                self._targets(stmt.target, pos, True)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        self._targets(item.optional_vars, pos, True)
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                for handler in getattr(stmt, "handlers", []):
                    if handler.name:
                        b = _Binding(pos, handler.lineno, "other", conditional=True)
                        self._bind(handler.name, b)
            for attr in ("body", "orelse", "finalbody"):
                for child in getattr(stmt, attr, None) or []:
                    if isinstance(child, ast.stmt):
                        self._collect(child, pos, conditional=True)
            for handler in getattr(stmt, "handlers", None) or []:
                for child in handler.body:
                    self._collect(child, pos, conditional=True)
            for case in getattr(stmt, "cases", None) or []:
                for child in case.body:
                    self._collect(child, pos, conditional=True)


def _expression_bindings(stmt: ast.stmt) -> list[tuple[str, int]]:
    """Names bound inside a statement's expressions: `:=` and `match` captures (not in nested scopes
    or nested statements, which `_collect` visits itself)."""
    found: list[tuple[str, int]] = []
    stack: list[ast.AST] = [
        child for child in ast.iter_child_nodes(stmt) if not isinstance(child, ast.stmt)
    ]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Lambda, ast.stmt)):
            continue
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            found.append((node.target.id, node.lineno))
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            found.append((node.name, node.lineno))
        elif isinstance(node, ast.MatchMapping) and node.rest:
            found.append((node.rest, node.lineno))
        stack.extend(ast.iter_child_nodes(node))
    return found


_BUILTIN_NAMES: Final[dict[str, object]] = {
    **{b: _Builtin(b) for b in _BUILTIN_CLASSES},
    **{b: _Known("builtin_decorator", b) for b in ("staticmethod", "classmethod", "property")},
    "Ellipsis": ...,
}
