"""What generated code may contain: the injection checks the hostile corpus and the fuzz test share.

Generated modules and examples may call only the generator's own names, import only what the templates
import, and carry the hostile markers only inside string literals.
"""

from __future__ import annotations

import ast
import bisect
import io
import json
import math
import tokenize
from typing import Any

from .code_scan import nodes_of, scan

MARKERS = ("PWNED", "__import__")  # hostile payloads carry these; they may only ever be string data


FORBIDDEN_NAMES = frozenset(
    {
        "os",
        "sys",
        "system",
        "subprocess",
        "__import__",
        "__builtins__",
        "exec",
        "eval",
        "open",
        "compile",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "input",
        "importlib",
        "builtins",
        "popen",
        "spawn",
    }
)
FORBIDDEN_NODES = frozenset(
    {ast.JoinedStr, ast.Lambda, ast.Global, ast.Nonlocal, ast.Delete, ast.NamedExpr}
)
MODULE_CALLS = frozenset(
    {
        "ModelRef",
        "signature.load",
        "_cast",
        "Client",
        "AsyncClient",
        "TypedDict",
        "self._client.unary",
        "self._client.server_stream",
        "self._client.bidi_stream",
        "self._client.unary_batch",
        "self._client.runner.bind",
    }
)
EXAMPLE_CALLS = frozenset(
    {
        "print",
        "main",
        "Text",
        "Concept",
        "Region",
        "Frame",
        "Image.from_url",
        "Audio.from_url",
        "Video.from_url",
        "numpy.arange",
        "numpy.arange().reshape",
        "json.dumps",
    }
)
MODULE_IMPORTS = {(0, "__future__"), (0, "typing"), (0, "collections.abc"), (1, "_runtime")}


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{dotted(node.func)}()"
    return f"<{type(node).__name__}>"


def assert_markers_only_in_strings(source: str, what: str) -> None:
    """Tokenize: the hostile markers may appear in STRING tokens only (not names, comments, ...)."""
    if not any(marker in source for marker in MARKERS):
        return  # (tokenizing is the slow part of these checks)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            continue
        for marker in MARKERS:
            assert marker not in tok.string, f"{what}: {marker!r} outside a string: {tok!r}"


def assert_markers_only_in_string_nodes(source: str, tree: ast.AST, what: str) -> None:
    """`assert_markers_only_in_strings` for a parsed module, without tokenizing all of it: a marker
    must lie in the source of a string constant, and only those sources are tokenized (a constant
    may be several literals, and comments, concatenated)."""
    if not any(marker in source for marker in MARKERS):
        return
    data = source.encode("utf-8", "surrogatepass")
    nodes = scan(tree).nodes
    if b"\r" in data or any(type(node) is ast.JoinedStr for node in nodes):
        assert_markers_only_in_strings(source, what)  # (positions would need more care)
        return
    starts = [0]
    for line in data.split(b"\n"):
        starts.append(starts[-1] + len(line) + 1)
    spans = sorted(
        (starts[n.lineno - 1] + n.col_offset, starts[n.end_lineno - 1] + n.end_col_offset)
        for n in nodes
        if type(n) is ast.Constant and isinstance(n.value, (str, bytes)) and n.end_lineno
    )
    found: set[tuple[int, int]] = set()
    for marker in (m.encode() for m in MARKERS):
        at = data.find(marker)
        while at >= 0:
            i = bisect.bisect_right(spans, (at, math.inf)) - 1
            span = spans[i] if i >= 0 else (0, 0)
            line = bisect.bisect_right(starts, at)
            assert span[0] <= at and at + len(marker) <= span[1], (
                f"{what}: {marker.decode()!r} outside a string, line {line}"
            )
            found.add(span)
            at = data.find(marker, at + 1)
    for start, end in found:
        literal = data[start:end].decode("utf-8", "surrogatepass")
        assert_markers_only_in_strings(f"({literal})\n", what)


_ALLOWED_IMPORTS = frozenset({"numpy", "numpy.typing", "json"})


def check_injection_free(
    source: str, what: str, allowed_calls: set[str], imports: set[Any]
) -> ast.Module:
    tree = ast.parse(source)
    assert_markers_only_in_string_nodes(source, tree, what)
    found = scan(tree)
    local = found.local
    for node, name in found.identifiers:
        if name in FORBIDDEN_NAMES:
            assert node in local, f"{what}: forbidden identifier {name!r}"
        assert name.isascii() and name.isidentifier(), f"{what}: odd identifier {name!r}"
    for node in found.nodes:
        kind = type(node)
        assert kind not in FORBIDDEN_NODES, f"{what}: unexpected {kind.__name__}"
        if kind is ast.Call:
            callee = dotted(node.func)
            assert callee in allowed_calls, f"{what}: unexpected call {callee}(...)"
        elif kind is ast.ImportFrom:
            assert (node.level, node.module) in imports, (
                f"{what}: unexpected import {ast.unparse(node)}"
            )
            if node.module == "__future__":
                assert [a.name for a in node.names] == ["annotations"]
        elif kind is ast.Import:
            for alias in node.names:
                assert alias.name in _ALLOWED_IMPORTS, f"{what}: import {alias.name}"
        elif kind is ast.Expr:  # a statement that is only an expression: a docstring or a call
            value = node.value
            ok = type(value) is ast.Call or (
                type(value) is ast.Constant and isinstance(value.value, str)
            )
            assert ok, f"{what}: unexpected expression statement {ast.unparse(node)[:80]}"
    return tree


def check_no_shadowing(tree: ast.Module, what: str) -> None:
    """In a class body, no member may shadow a name that a later annotation or default uses
    (mypy, like Python without `from __future__ import annotations`, looks in the class body first)."""
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        members: set[str] = set()
        for stmt in cls.body:
            used: set[str] = set()
            if isinstance(stmt, ast.FunctionDef):
                a = stmt.args
                for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
                    if arg.annotation is not None:
                        used |= {n.id for n in nodes_of(arg.annotation) if isinstance(n, ast.Name)}
                for default in [*a.defaults, *a.kw_defaults]:
                    if default is not None:
                        used |= {n.id for n in nodes_of(default) if isinstance(n, ast.Name)}
                if stmt.returns is not None:
                    used |= {n.id for n in nodes_of(stmt.returns) if isinstance(n, ast.Name)}
                clash = used & members
                assert not clash, (
                    f"{what}: {cls.name}.{stmt.name} uses {sorted(clash)}, shadowed by class members"
                )
                members.add(stmt.name)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                used = {n.id for n in nodes_of(stmt.annotation) if isinstance(n, ast.Name)}
                clash = used & members
                assert not clash, (
                    f"{what}: {cls.name}.{stmt.target.id} uses {sorted(clash)}, shadowed"
                )
                members.add(stmt.target.id)


def str_const(node: ast.AST | None) -> str:
    assert isinstance(node, ast.Constant) and isinstance(node.value, str), (
        ast.dump(node) if node else node
    )
    return node.value


def generated_api(
    tree: ast.Module, what: str
) -> tuple[str, dict[str, str], dict[str, list[tuple[str, str]]]]:
    """(class name, {wire method: python method}, {wire method: [(wire arg, python arg)]}) read back from
    the module's AST, checking on the way that the class, `_METHODS` and every call agree."""
    methods_json: dict[str, Any] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and [dotted(t) for t in stmt.targets] == ["_METHODS"]:
            assert isinstance(stmt.value, ast.Call) and dotted(stmt.value.func) == "signature.load"
            table = stmt.value.args[0]
            assert isinstance(table, ast.Dict)
            for key, value in zip(table.keys, table.values, strict=True):
                wire = str_const(key)
                assert wire not in methods_json, f"{what}: _METHODS has {wire!r} twice"
                methods_json[wire] = json.loads(str_const(value))
                assert methods_json[wire]["name"] == wire
    classes = [
        n
        for n in tree.body
        if isinstance(n, ast.ClassDef)
        and any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in n.body)
    ]
    assert len(classes) == 2, f"{what}: expected a model class and its async twin"
    assert classes[1].name == f"Async{classes[0].name}", f"{what}: async class name"
    results = [_class_api(cls, methods_json, what) for cls in classes]
    assert results[0] == results[1], f"{what}: the sync and async classes disagree"
    return classes[0].name, *results[0]


def _class_api(
    cls: ast.ClassDef, methods_json: dict[str, Any], what: str
) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    py_of: dict[str, str] = {}
    args_of: dict[str, list[tuple[str, str]]] = {}
    batches: dict[str, list[tuple[str, str]]] = {}
    for fn in cls.body:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name == "__init__":
            continue
        # A generated method is exactly: docstring, return <client call>.
        assert len(fn.body) == 2 and isinstance(fn.body[1], ast.Return), f"{what}: {fn.name} body"
        str_const(fn.body[0].value if isinstance(fn.body[0], ast.Expr) else None)
        body = nodes_of(fn.body[1])
        subs = [n for n in body if isinstance(n, ast.Subscript) and dotted(n.value) == "_METHODS"]
        assert len(subs) == 1, f"{what}: {fn.name} must look up exactly one signature"
        wire = str_const(subs[0].slice)
        calls = {dotted(n.func) for n in body if isinstance(n, ast.Call)}
        if "self._client.unary_batch" in calls:
            assert wire not in batches, f"{what}: two batch methods call {wire!r}"
            batches[wire] = _batch_keys(fn, body, what)
            continue
        assert wire not in py_of, f"{what}: two methods call {wire!r}"
        py_of[wire] = fn.name
        dicts = [n for n in body if isinstance(n, ast.Dict)]
        assert len(dicts) == 1, f"{what}: {fn.name} must pass one args dict"
        pairs = []
        for key, value in zip(dicts[0].keys, dicts[0].values, strict=True):
            assert isinstance(value, ast.Name), f"{what}: {fn.name} passes a non-name value"
            pairs.append((str_const(key), value.id))
        a = fn.args
        params = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
        assert params[0] == "self" and not a.vararg and not a.kwarg
        passed = [p for _, p in pairs]  # in wire order; the signature puts keyword-only ones last
        assert sorted(passed) == sorted(params[1:]) and len(set(passed)) == len(passed), (
            f"{what}: {fn.name} does not pass every argument exactly once"
        )
        assert len({w for w, _ in pairs}) == len(pairs), f"{what}: {fn.name} duplicate wire names"
        assert [w for w, _ in pairs] == [i["name"] for i in methods_json[wire]["inputs"]]
        args_of[wire] = pairs
    assert set(py_of) == set(methods_json), f"{what}: class methods and _METHODS disagree"
    unary = {w for w, m in methods_json.items() if m.get("kind", "unary") == "unary"}
    assert set(batches) == unary, f"{what}: batch methods and unary methods disagree"
    for wire, keys in batches.items():  # item keys are the method's parameters, to its wire names
        assert sorted(keys) == sorted((p, w) for w, p in args_of[wire]), f"{what}: {wire} batch"
    return py_of, args_of


def _batch_keys(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, body: list[ast.AST], what: str
) -> list[tuple[str, str]]:
    """A batch method takes only `items` and passes (item key -> wire name, defaults) dicts of
    string constants and literal values."""
    a = fn.args
    assert [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]] == ["self", "items"], what
    dicts = [n for n in body if isinstance(n, ast.Dict)]
    assert len(dicts) >= 2, f"{what}: {fn.name} must pass its keys and defaults"
    keys, defaults = dicts[0], dicts[1]
    pairs = [(str_const(k), str_const(v)) for k, v in zip(keys.keys, keys.values, strict=True)]
    for key in defaults.keys:
        assert str_const(key) in {k for k, _ in pairs}, f"{what}: {fn.name} default for ?"
    for value in defaults.values:
        ast.literal_eval(value)  # defaults are literals, never code
    return pairs


def wire_names(doc: Any) -> dict[str, list[str]]:
    """The method and argument names the input file declares (for the shapes the corpus uses)."""
    if isinstance(doc, list):
        sigs = doc
    elif "model" in doc:
        sigs = doc["model"]["model_version"]["method_signatures"]
    else:  # _GET_SIGNATURES: {name: signature}
        sigs = [{"name": k, **v} for k, v in doc.items()]
    return {s["name"]: [f["name"] for f in s.get("input_fields", [])] for s in sigs}
