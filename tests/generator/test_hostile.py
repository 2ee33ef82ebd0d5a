"""Hostile input: every file in tests/hostile/ either generates valid, injection-free code inside the output
directory, or fails with one clean `error:` line, a non-zero exit and the previous output left untouched.

Each corpus file declares its expected outcome in `EXPECTED` (tests/hostile_corpus.py), so a regression that flips an outcome
(a crash, a silently accepted bad file, a newly rejected good one) fails here.
"""

from __future__ import annotations

import ast
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codegen.literals import docstring, py_literal

from ..conftest import ROOT
from ..hostile_corpus import CORPUS, EXPECTED, HOSTILE, Fails, Ok

TIMEOUT = 60
MARKERS = ("PWNED", "__import__")  # hostile payloads carry these; they may only ever be string data


# --- what generated code may contain -------------------------------------------------------------

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
FORBIDDEN_NODES = (ast.JoinedStr, ast.Lambda, ast.Global, ast.Nonlocal, ast.Delete, ast.NamedExpr)
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


def identifiers(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node, node.id
        elif isinstance(node, ast.Attribute):
            yield node, node.attr
        elif isinstance(node, ast.arg):
            yield node, node.arg
        elif isinstance(node, ast.keyword) and node.arg:
            yield node, node.arg
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node, node.name
        elif isinstance(node, ast.alias):
            for part in node.name.split("."):
                yield node, part
            if node.asname:
                yield node, node.asname


def local_name_nodes(tree: ast.AST) -> set[int]:
    """Nodes where a name cannot reach a builtin: a parameter and its uses inside its function, a
    keyword argument's name, a method of a class, a key declared in a class body, `self.<member>` / `model.<member>`. A model's
    argument or method may be named `input` or `open` (its documented name); only these positions."""
    local: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.arg, ast.keyword)):
            local.add(id(node))
        elif isinstance(node, ast.ClassDef):
            methods = (ast.FunctionDef, ast.AsyncFunctionDef)
            local.update(id(stmt) for stmt in node.body if isinstance(stmt, methods))
            # A TypedDict key declared in the class body (`input: str`) names a dict key.
            local.update(
                id(stmt.target)
                for stmt in node.body
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            )
        elif isinstance(node, ast.Attribute) and dotted(node.value) in {"self", "model"}:
            local.add(id(node))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # generated code nests none
            a = node.args
            params = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}
            for stmt in node.body:
                local.update(
                    id(n) for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id in params
                )
    return local


def assert_markers_only_in_strings(source: str, what: str) -> None:
    """Tokenize: the hostile markers may appear in STRING tokens only (not names, comments, ...)."""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            continue
        for marker in MARKERS:
            assert marker not in tok.string, f"{what}: {marker!r} outside a string: {tok!r}"


def check_injection_free(
    source: str, what: str, allowed_calls: set[str], imports: set[Any]
) -> ast.Module:
    tree = ast.parse(source)
    assert_markers_only_in_strings(source, what)
    local = local_name_nodes(tree)
    for node, name in identifiers(tree):
        if id(node) not in local:
            assert name not in FORBIDDEN_NAMES, f"{what}: forbidden identifier {name!r}"
        assert name.isascii() and name.isidentifier(), f"{what}: odd identifier {name!r}"
    for node in ast.walk(tree):
        assert not isinstance(node, FORBIDDEN_NODES), f"{what}: unexpected {type(node).__name__}"
        if isinstance(node, ast.Call):
            callee = dotted(node.func)
            assert callee in allowed_calls, f"{what}: unexpected call {callee}(...)"
        if isinstance(node, ast.ImportFrom):
            assert (node.level, node.module) in imports, (
                f"{what}: unexpected import {ast.unparse(node)}"
            )
            if node.module == "__future__":
                assert [a.name for a in node.names] == ["annotations"]
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name in {"numpy", "numpy.typing", "json"}, (
                    f"{what}: import {alias.name}"
                )
        # a statement that is only an expression: a docstring or a call
        if isinstance(node, ast.Expr):
            ok = isinstance(node.value, ast.Call) or (
                isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
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
                        used |= {n.id for n in ast.walk(arg.annotation) if isinstance(n, ast.Name)}
                for default in [*a.defaults, *a.kw_defaults]:
                    if default is not None:
                        used |= {n.id for n in ast.walk(default) if isinstance(n, ast.Name)}
                if stmt.returns is not None:
                    used |= {n.id for n in ast.walk(stmt.returns) if isinstance(n, ast.Name)}
                clash = used & members
                assert not clash, (
                    f"{what}: {cls.name}.{stmt.name} uses {sorted(clash)}, shadowed by class members"
                )
                members.add(stmt.name)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                used = {n.id for n in ast.walk(stmt.annotation) if isinstance(n, ast.Name)}
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
        subs = [
            n
            for n in ast.walk(fn.body[1])
            if isinstance(n, ast.Subscript) and dotted(n.value) == "_METHODS"
        ]
        assert len(subs) == 1, f"{what}: {fn.name} must look up exactly one signature"
        wire = str_const(subs[0].slice)
        calls = {dotted(n.func) for n in ast.walk(fn.body[1]) if isinstance(n, ast.Call)}
        if "self._client.unary_batch" in calls:
            assert wire not in batches, f"{what}: two batch methods call {wire!r}"
            batches[wire] = _batch_keys(fn, what)
            continue
        assert wire not in py_of, f"{what}: two methods call {wire!r}"
        py_of[wire] = fn.name
        dicts = [n for n in ast.walk(fn.body[1]) if isinstance(n, ast.Dict)]
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


def _batch_keys(fn: ast.FunctionDef | ast.AsyncFunctionDef, what: str) -> list[tuple[str, str]]:
    """A batch method takes only `items` and passes (item key -> wire name, defaults) dicts of
    string constants and literal values."""
    a = fn.args
    assert [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]] == ["self", "items"], what
    dicts = [n for n in ast.walk(fn.body[1]) if isinstance(n, ast.Dict)]
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


# --- running the CLI -----------------------------------------------------------------------------


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "codegen", *args]


def run(cmd: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLARIFAI_")}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def popen(cmd: list[str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLARIFAI_")}
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def snapshot(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            assert not path.is_symlink(), f"symlink written: {path}"
            assert path.resolve().is_relative_to(root.resolve()), f"escapes {root}: {path}"
            if path.is_file():
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def assert_no_pwned(*roots: Path) -> None:
    for root in roots:
        assert not (root / "PWNED").exists(), f"PWNED created in {root}"
    for root in roots[:1]:
        assert not list(root.rglob("PWNED")), "PWNED created"


@pytest.fixture(scope="session")
def previous_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package generated earlier (plus a user's file) that a failed run must leave byte-for-byte intact."""
    out = tmp_path_factory.mktemp("previous") / "out"
    result = run(cli("generate", "signatures/hello-world.json", "-o", str(out)))
    assert result.returncode == 0, result.stderr
    (out / "SENTINEL.txt").write_text("user file; must survive\n")
    return out


def prepare(tmp_path: Path, previous: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    return out, snapshot(out)


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_hostile_file(path: Path, tmp_path: Path, previous_output: Path) -> None:
    expected = EXPECTED.get(path.name)
    assert expected is not None, f"declare the expected outcome of {path.name} in EXPECTED"
    rel = path.relative_to(ROOT).as_posix()
    out, before = prepare(tmp_path, previous_output)
    ref_args = ["--ref", expected.ref] if expected.ref else []
    if isinstance(expected, Fails):
        check_failure(
            rel, expected, run(cli("generate", rel, "-o", str(out), *ref_args)), out, before
        )
    else:
        check_success(path, rel, expected, out, before, ref_args)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], (
        "something was written outside DIR"
    )
    assert_no_pwned(tmp_path, ROOT, HOSTILE)


def check_failure(
    rel: str,
    expected: Fails,
    result: subprocess.CompletedProcess[str],
    out: Path,
    before: dict[str, bytes],
) -> None:
    assert result.returncode == 2, (
        f"exit {result.returncode} (2 = input error, 3 = crash): {result.stderr}"
    )
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), (
        f"want exactly one error line, got {result.stderr!r}"
    )
    line = lines[0]
    assert line.startswith("error: "), line
    assert expected.message in line, f"expected {expected.message!r} in {line!r}"
    assert (expected.names or rel) in line, (
        f"the error should name {expected.names or rel}: {line!r}"
    )
    assert result.stdout == ""
    assert snapshot(out) == before, "a failed run changed the output directory"


def check_success(
    path: Path, rel: str, expected: Ok, out: Path, before: dict[str, bytes], ref_args: list[str]
) -> None:
    # generate and signature run side by side (they share nothing), to keep the suite quick
    gen = popen(cli("generate", rel, "-o", str(out), *ref_args))
    sig = popen(cli("signature", rel, *ref_args))
    _, gen_err = gen.communicate(timeout=TIMEOUT)
    sig_out, sig_err = sig.communicate(timeout=TIMEOUT)

    assert gen.returncode == 0, f"generate failed ({gen.returncode}): {gen_err}"
    stderr_lines = gen_err.splitlines()
    # the package already held hello-world (from its snapshot), so two models are generated
    assert stderr_lines and stderr_lines[-1].startswith("2 model(s): wrote "), gen_err
    for line in stderr_lines[:-1]:
        assert line.startswith("warning: "), f"unexpected stderr line {line!r}"
    for warning in expected.warnings:
        assert warning in gen_err, f"expected a warning containing {warning!r}:\n{gen_err}"

    after = snapshot(out)
    assert set(before) <= set(after), f"files removed: {sorted(set(before) - set(after))}"
    changed = sorted(
        n for n in after if before.get(n) != after[n] and not n.startswith("_runtime/")
    )
    modules = [n for n in changed if "/" not in n and n.endswith(".py")]
    assert len(modules) == 1, f"expected exactly one new module and its example, changed: {changed}"
    module = modules[0].removesuffix(".py")
    assert set(changed) == {
        f"{module}.py",
        f"examples/{module}.py",
        f".codegen/{module}.json",
        ".codegen/lock.json",
    }, changed
    assert (out / ".codegen" / f"{module}.json").resolve().is_relative_to(out.resolve())
    assert not [n for n in after if n.endswith(".tmp")], "temporary files left behind"
    for name, content in after.items():
        if name.endswith(".py"):
            ast.parse(content.decode("utf-8"), name)

    source = after[f"{module}.py"].decode()
    tree = check_injection_free(source, f"{module}.py", set(MODULE_CALLS), MODULE_IMPORTS)
    check_no_shadowing(tree, f"{module}.py")
    cls_name, py_of, args_of = generated_api(tree, f"{module}.py")
    declared = wire_names(json.loads(path.read_text(encoding="utf-8")))
    assert {w: [a for a, _ in args] for w, args in args_of.items()} == declared, (
        "wire names not preserved"
    )
    for wire, py in expected.methods:
        assert py_of.get(wire) == py, f"method {wire!r}: expected {py!r}, got {py_of.get(wire)!r}"
    for wire, pairs in expected.params:
        assert args_of[wire] == list(pairs), f"arguments of {wire!r}"
    for stmt in tree.body:  # functional TypedDicts: every key and annotation is a string constant
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and dotted(stmt.value.func) == "TypedDict"
        ):
            name, fields = stmt.value.args
            str_const(name)
            assert isinstance(fields, ast.Dict)
            for key, value in zip(fields.keys, fields.values, strict=True):
                str_const(key), str_const(value)

    example = after[f"examples/{module}.py"].decode()
    allowed = set(EXAMPLE_CALLS) | {cls_name} | {f"model.{m}" for m in py_of.values()}
    check_injection_free(
        example, f"examples/{module}.py", allowed, {(0, "__future__"), (2, "_runtime"), (2, module)}
    )
    init = after["__init__.py"].decode()
    check_injection_free(init, "__init__.py", set(), {(1, "_runtime")})

    assert sig.returncode == 0, f"signature failed: {sig_err}"
    sig_lines = sig_out.splitlines()
    assert len(sig_lines) == len(py_of)
    for line in sig_lines:
        assert line.startswith("def ") and line.endswith(":"), line
        ast.parse(line + " ...")
        assert_markers_only_in_strings(line + " ...\n", "signature")

    if (out / "_runtime" / "__init__.py").is_file():
        code = f"import {out.name}.{module}, {out.name}.examples.{module}"
        result = run([sys.executable, "-c", code], cwd=out.parent)
        assert result.returncode == 0, f"generated package does not import:\n{result.stderr}"
        assert_no_pwned(out.parent)


# --- corpus bookkeeping --------------------------------------------------------------------------


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20


def test_every_expectation_has_a_file() -> None:
    assert sorted(EXPECTED) == [p.name for p in CORPUS]


# --- a hostile file *name* -----------------------------------------------------------------------

EVIL_NAME = "evil \"\"\" \\ ' name\n__import__('os').system('touch PWNED') #.json"


def test_hostile_source_file_name_stays_data(tmp_path: Path) -> None:
    """The source path is quoted in generated headers: a name with quotes, backslash, newline and code."""
    src = tmp_path / "in" / EVIL_NAME
    src.parent.mkdir()
    shutil.copy(ROOT / "signatures" / "hello-world.json", src)
    out = tmp_path / "out"
    result = run(cli("generate", str(src), "-o", str(out)))
    assert result.returncode == 0, result.stderr
    for name, content in snapshot(out).items():
        if name.endswith(".py") and not name.startswith("_runtime/"):
            source = content.decode()
            ast.parse(source)
            assert_markers_only_in_strings(source, name)
    assert_no_pwned(tmp_path)


def test_hostile_source_file_name_in_an_error_is_one_line(
    tmp_path: Path, previous_output: Path
) -> None:
    src = tmp_path / "in" / EVIL_NAME
    src.parent.mkdir()
    shutil.copy(HOSTILE / "truncated.json", src)
    out, before = prepare(tmp_path, previous_output)
    result = run(cli("generate", str(src), "-o", str(out)))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), f"not one line: {result.stderr!r}"
    assert "invalid JSON" in lines[0]
    assert snapshot(out) == before


# --- the two functions that turn third-party text into code --------------------------------------

NASTY = [
    "",
    " ",
    "x",
    '"',
    '""',
    '"""',
    '""""',
    '"' * 7,
    "'",
    "'''",
    "\\",
    "\\\\",
    'a\\"b',
    'ends "',
    "ends \\",
    '\\"""',
    '"""\nimport os\n"""',
    "\n",
    "\n\n",
    "a\n",
    "\na",
    "a\nb\n\nc",
    "\r",
    "\r\n",
    "a\rb\r\nc",
    "\t",
    "a\tb",
    "\x00",
    "\x01\x1f\x7f\x85\x9f",
    "\u2028\u2029",
    "\ufeff",
    "\ud800",
    "\udfff x \ud83d",
    "é 名前 größe 😀",
    "\\N{BULLET}",
    "\\x41\\u0041\\U00000041",
    "{{ x }} {% y %}",
    "# comment",
    "'''\"\"\"'''",
    "\" + __import__('os').system('touch PWNED') + \"",
    "\"\"\"); __import__('os').system('touch PWNED')  #",
    "\\\n",
    "x\\\ny",
    "  lead and trail  ",
    "a" * 5000,
    '"' * 1000,
    "\\" * 999,
]
ALPHABET = [
    '"',
    "'",
    "\\",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x0c",
    "\u2028",
    "\ufeff",
    "\ud800",
    "é",
    "名",
    "{",
    "}",
    "#",
    " ",
    "a",
    "N",
    "x",
    "u",
    "0",
]


def fuzz_strings(count: int = 1500, seed: int = 20240501) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 24))) for _ in range(count)
    ]


def one_string_token(literal: str) -> bool:
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(literal).readline)
        if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
    ]
    return len(tokens) == 1 and tokens[0].type == tokenize.STRING


def _indented(text: str, indent: str) -> str:
    """Lines after the first get `indent`; empty lines stay empty (no trailing whitespace)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(indent + line if line else line for line in rest)])


@pytest.mark.parametrize("indent", ["", "    ", "        "])
def test_docstring_round_trips(indent: str) -> None:
    for raw in NASTY + fuzz_strings():
        literal = docstring(raw, indent)
        # lone surrogates cannot be compiled into a docstring; the generator writes U+FFFD instead
        text = "".join("\ufffd" if 0xD800 <= ord(ch) < 0xE000 else ch for ch in raw)
        assert literal.startswith('"""') and literal.endswith('"""'), repr(literal)
        assert one_string_token(literal), repr(literal)
        assert not any(
            (ord(ch) < 0x20 and ch != "\n")
            or ch in "\r\u2028\u2029\ufeff"
            or 0xD800 <= ord(ch) < 0xE000
            for ch in literal
        ), f"raw control character in {literal!r}"
        expected = _indented(text.replace("\t", "    "), indent)
        if "\n" in text:
            expected += "\n" + indent
        node = ast.parse(literal, mode="eval").body
        assert isinstance(node, ast.Constant) and node.value == expected, (text, literal)
        assert ast.literal_eval(literal) == expected
        # and as the docstring of a function at that indentation
        body = indent if indent else "    "
        fn = f"def f():\n{body}{docstring(text, body)}\n{body}return 1\n"
        tree = ast.parse(fn)
        assert ast.get_docstring(tree.body[0], clean=False) == _indented(
            text.replace("\t", "    "), body
        ) + ("\n" + body if "\n" in text else "")
        assert_markers_only_in_strings(fn, "docstring")


def test_py_literal_round_trips() -> None:
    values: list[Any] = [
        None,
        True,
        False,
        0,
        -1,
        2**64,
        int("9" * 4300),
        -int("9" * 4300),
        0.0,
        -0.0,
        1e308,
        5e-324,
        0.1,
        b"",
        bytes(range(256)),
        b'"""\\\'',
        [],
        {},
        (),
        (1,),
        [None, [[]]],
        {"k": ["v", 1, 2.5, None, True]},
        {1: 2, "a": (b"x",)},
        {"class": "def", "\\": '"'},
    ]
    values += NASTY + fuzz_strings(500)
    values += [[s, {s: s}] for s in fuzz_strings(100, seed=7)]
    for value in values:
        literal = py_literal(value)
        node = ast.parse(literal, mode="eval").body
        assert not isinstance(node, (ast.Call, ast.Name, ast.Attribute)), literal
        assert ast.literal_eval(literal) == value
        assert "\n" not in literal and "\r" not in literal, (
            f"a literal must fit on one line: {literal!r}"
        )
        assert_markers_only_in_strings(literal + "\n", "py_literal")


class EvilRepr:
    def __repr__(self) -> str:
        return "__import__('os').system('touch PWNED')"


class FakeStr(str):
    def __repr__(self) -> str:
        return "'something else'"


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        10**5000 - 1,
        EvilRepr(),
        [EvilRepr()],
        FakeStr("x"),
        frozenset({1}),
        object(),
        {"k": float("nan")},
    ],
    ids=[
        "nan",
        "inf",
        "-inf",
        "5000-digit-int",
        "evil-repr",
        "nested-evil-repr",
        "lying-str-repr",
        "frozenset",
        "object",
        "nested-nan",
    ],
)
def test_py_literal_refuses_what_does_not_round_trip(value: Any) -> None:
    with pytest.raises(ValueError):
        py_literal(value)


# --- the checks themselves: they accept what the templates emit, and catch injected code -------


def test_checks_accept_the_bundled_models(generated_copy: Path) -> None:
    """Positive control: the allowlists above match the templates (else every hostile case is moot)."""
    modules = sorted(p for p in generated_copy.glob("*.py") if p.name != "__init__.py")
    assert modules
    for path in modules:
        tree = check_injection_free(path.read_text(), path.name, set(MODULE_CALLS), MODULE_IMPORTS)
        check_no_shadowing(tree, path.name)
        cls_name, py_of, _ = generated_api(tree, path.name)
        example = (generated_copy / "examples" / path.name).read_text()
        allowed = set(EXAMPLE_CALLS) | {cls_name} | {f"model.{m}" for m in py_of.values()}
        check_injection_free(
            example,
            f"examples/{path.name}",
            allowed,
            {(0, "__future__"), (2, "_runtime"), (2, path.stem)},
        )


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system('touch PWNED')",
        "open('PWNED', 'w')",
        "print(eval('1'))",
        "x = f'{PWNED}'",
        "import subprocess",
        "from os import system",
        "exec_ = (lambda: None)",
        "def PWNED(): ...",
        "# PWNED",
        "self_x = getattr(object, 'x')",
    ],
)
def test_checks_catch_injected_code(generated_copy: Path, payload: str) -> None:
    """Negative control: the same checks reject a bundled module with one line of injected code."""
    path = generated_copy / "hello_world.py"
    source = path.read_text() + "\n" + payload + "\n"
    with pytest.raises(AssertionError):
        tree = check_injection_free(source, path.name, set(MODULE_CALLS), MODULE_IMPORTS)
        generated_api(tree, path.name)
