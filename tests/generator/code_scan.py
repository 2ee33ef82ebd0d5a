"""One walk over a parsed module for the checks in code_checks.py: its nodes, its identifiers, and
where a name is local. The fuzz test checks a thousand modules a run: this walk was most of it."""

from __future__ import annotations

import ast
from typing import Any


def nodes_of(node: ast.AST) -> list[ast.AST]:
    """`ast.walk`'s nodes in its order, as a list (twice as fast)."""
    out = [node]
    for node in out:  # (grows while read)
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                out.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                out.append(value)
    return out


_NAMED = {
    ast.Name: "id",
    ast.Attribute: "attr",
    ast.arg: "arg",
    ast.keyword: "arg",
    ast.FunctionDef: "name",
    ast.AsyncFunctionDef: "name",
    ast.ClassDef: "name",
}
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NO_PARAMS: frozenset[str] = frozenset()


_CONTEXTS = (ast.Load, ast.Store, ast.Del)  # (leaves no check looks at)


class Scan:
    """One pass over a module: its nodes (but the Load / Store / Del markers), its identifiers, and
    the nodes where a name cannot reach a builtin (`local`): a parameter and its uses inside its
    function, a keyword argument's name, a method of a class, a key declared in a class body,
    `self.<member>` / `model.<member>`. A model's argument or method may be named `input` or `open`
    (its documented name); only in these positions. The checks of a thousand fuzzed modules are
    mostly this walk: made once per module, and tuned (no `id()`: an audit event)."""

    __slots__ = ("identifiers", "local", "nodes")

    def __init__(self, tree: ast.AST) -> None:
        self.nodes: list[ast.AST] = []
        self.identifiers: list[tuple[ast.AST, str]] = []
        self.local: set[ast.AST] = set()
        nodes, names, local = self.nodes, self.identifiers, self.local
        todo: list[tuple[Any, frozenset[str]]] = [(tree, _NO_PARAMS)]
        while todo:
            node, params = todo.pop()
            nodes.append(node)
            kind = type(node)
            if kind is ast.Constant:
                continue
            if kind is ast.Name:
                names.append((node, node.id))
                if node.id in params:  # a parameter of the enclosing function
                    local.add(node)
                continue
            field = _NAMED.get(kind)
            if field is not None:
                name = getattr(node, field)
                if name is not None:  # (None: `**kwargs` in a call)
                    names.append((node, name))
                if kind is ast.arg or kind is ast.keyword:
                    local.add(node)
                elif kind is ast.Attribute:
                    value = node.value
                    if type(value) is ast.Name and value.id in ("self", "model"):
                        local.add(node)
                elif kind is ast.ClassDef:  # its methods, and the keys a TypedDict body declares
                    for stmt in node.body:
                        if isinstance(stmt, _FUNCTIONS):
                            local.add(stmt)
                        elif isinstance(stmt, ast.AnnAssign) and type(stmt.target) is ast.Name:
                            local.add(stmt.target)
                else:  # a function: its body sees its parameters (and those of enclosing ones)
                    a = node.args
                    inner = params | {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
                    todo.extend((stmt, inner) for stmt in node.body)
            elif kind is ast.alias:
                names.extend((node, part) for part in node.name.split("."))
                if node.asname:
                    names.append((node, node.asname))
            for name in node._fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    if name == "body" and kind in _FUNCTIONS:
                        continue
                    todo.extend((v, params) for v in value if isinstance(v, ast.AST))
                elif isinstance(value, ast.AST) and not isinstance(value, _CONTEXTS):
                    todo.append((value, params))


def scan(tree: ast.AST) -> Scan:
    """The `Scan` of `tree`, made once per tree."""
    found: Scan | None = tree.__dict__.get("_scan")
    if found is None:
        found = tree.__dict__["_scan"] = Scan(tree)
    return found


def identifiers(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """(node, name) of every identifier: names, attributes, parameters, keyword arguments, defined
    functions and classes, the parts of imported names."""
    return scan(tree).identifiers
