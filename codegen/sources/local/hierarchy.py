"""Reporting, and the classes model.py defines: their scopes, bases and MRO (a C3 merge in time
linear in the length of the linearizations): the layer the evaluator builds on."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

from ...errors import CodegenError, Level, Problem, clip, shown
from .limits import MAX_CLASSES, MAX_DEPTH
from .scopes import _Scope
from .sdk_bases import SDK_BASES
from .values import _Builtin, _describe, _Known, _Local, _TooDeep, _Unresolved


class _Classes:
    """Reporting, and the classes of model.py (at most MAX_CLASSES) with their scopes and MROs."""

    def __init__(self, tree: ast.Module, filename: str) -> None:
        self.file = filename
        self.module = _Scope(tree.body, None, 0)
        self.problems: list[Problem] = []
        self.class_scopes: dict[int, _Scope] = {}
        self.mro_cache: dict[tuple[str, object], list[object] | _Unresolved] = {}
        self.classes: list[_Local] = []
        self.locals: dict[int, _Local] = {}  # by id of the ClassDef
        for pos, stmt in enumerate(tree.body):
            self._find_classes(stmt, pos, conditional=False)

    def base_value(self, expr: ast.expr, pos: int) -> object:
        """The value of a base class expression (the evaluator's)."""
        raise NotImplementedError

    # ---- reporting ----

    def where(self, node: ast.AST | int) -> str:
        line = node if isinstance(node, int) else getattr(node, "lineno", 0)
        return f"{self.file}:{line}" if line else self.file

    def error(self, message: str, node: ast.AST | int) -> CodegenError:
        return CodegenError(message, self.where(node))

    def warn(self, message: str, node: ast.AST | int) -> None:
        self.problems.append(Problem(Level.WARNING, message, self.where(node)))

    # ---- classes ----

    def _find_classes(self, stmt: ast.stmt, pos: int, conditional: bool) -> None:
        if isinstance(stmt, ast.ClassDef):
            if len(self.classes) == MAX_CLASSES:
                raise self.error(
                    f"more than {MAX_CLASSES} classes in model.py (the limit of the static analysis)",
                    stmt,
                )
            self.classes.append(_Local(stmt, pos, conditional))
            self.locals[id(stmt)] = self.classes[-1]
            return
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        children: list[ast.stmt] = []
        for attr in ("body", "orelse", "finalbody"):
            children += [c for c in getattr(stmt, attr, None) or [] if isinstance(c, ast.stmt)]
        for handler in getattr(stmt, "handlers", None) or []:
            children += handler.body
        for case in getattr(stmt, "cases", None) or []:
            children += case.body
        for child in children:
            self._find_classes(child, pos, conditional=True)

    def class_scope(self, cls: _Local) -> _Scope:
        key = id(cls.node)
        if key not in self.class_scopes:
            self.class_scopes[key] = _Scope(cls.node.body, self.module, cls.pos)
        return self.class_scopes[key]

    def local_for(self, node: ast.ClassDef) -> _Local:
        if id(node) in self.locals:
            return self.locals[id(node)]
        raise _Unresolved(f"class {clip(node.name)} is not defined at module level", node)

    def bases(self, cls: object) -> list[object]:
        if isinstance(cls, _Known) and cls.kind == "base":
            return [_Known("base", b) for b in SDK_BASES[cls.name].bases]
        if isinstance(cls, _Builtin) and cls.name == "object":
            return []
        if not isinstance(cls, _Local):
            raise _Unresolved(f"{_describe(cls)} is not a class we can analyse")
        node = cls.node
        if node.keywords:
            raise _Unresolved(f"class {clip(node.name)} has keyword arguments (metaclass)", node)
        out: list[object] = []
        for expr in node.bases:
            base = self.base_value(expr, cls.pos)
            if isinstance(base, _Builtin) and base.name == "object":
                base = _Known("base", "object")
            if not (isinstance(base, _Local) or (isinstance(base, _Known) and base.kind == "base")):
                raise _Unresolved(
                    f"base class {shown(ast.unparse(expr))} of {clip(node.name)} cannot be resolved "
                    "statically (only classes defined in model.py and the SDK's model base classes "
                    "can be analysed)",
                    expr,
                )
            out.append(base)
        return out or [_Known("base", "object")]

    def mro(self, cls: object, depth: int = 0) -> list[object]:
        """C3 linearization, as Python computes `__mro__`; each class's once (and its failure)."""
        key = ("local", id(cls.node)) if isinstance(cls, _Local) else ("other", repr(cls))
        cached = self.mro_cache.get(key)
        if isinstance(cached, _Unresolved):
            raise _Unresolved(cached.detail, cached.node)
        if cached is not None:
            return cached
        if depth > MAX_DEPTH:
            raise _TooDeep("class hierarchy too deep")
        try:
            bases = self.bases(cls)
            seqs = [self.mro(b, depth + 1) for b in bases]
            merged = seqs[0] if len(bases) == 1 else _c3_merge([*seqs, bases])
            if merged is None:
                node = cls.node if isinstance(cls, _Local) else None
                raise _Unresolved("inconsistent base classes (Python raises TypeError: MRO)", node)
        except _TooDeep:
            raise
        except _Unresolved as exc:
            self.mro_cache[key] = exc
            raise
        self.mro_cache[key] = result = [cls, *merged]
        return result

    def is_model_class(self, cls: object) -> bool:
        return _Known("base", "ModelClass") in self.mro(cls)


def _c3_merge(seqs: Sequence[Sequence[object]]) -> list[object] | None:
    """Python's `__mro__` merge of the bases' linearizations and the base list, or None when
    Python raises TypeError. Each step takes the first head that is in no tail; a count of tail
    occurrences per class makes that test O(1) instead of a scan of every tail."""
    in_tails: Counter[object] = Counter(x for seq in seqs for x in seq[1:])
    heads = [0] * len(seqs)
    out: list[object] = []
    while True:
        candidate: object = None
        live = False
        for seq, head in zip(seqs, heads, strict=True):
            if head < len(seq):
                live = True
                if not in_tails[seq[head]]:
                    candidate = seq[head]
                    break
        else:
            return out if not live else None
        out.append(candidate)
        for i, seq in enumerate(seqs):
            if heads[i] < len(seq) and seq[heads[i]] == candidate:
                heads[i] += 1
                if heads[i] < len(seq):
                    in_tails[seq[heads[i]]] -= 1
