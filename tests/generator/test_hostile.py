"""Hostile input: every file in tests/hostile/ either generates valid, injection-free code inside the output
directory, or fails with one clean `error:` line, a non-zero exit and the previous output left untouched.

Each corpus file declares its expected outcome in `EXPECTED` (tests/hostile_corpus.py), so a regression that flips an outcome
(a crash, a silently accepted bad file, a newly rejected good one) fails here.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..hostile_corpus import CORPUS, EXPECTED, HOSTILE, Fails, Ok
from .code_checks import (
    EXAMPLE_CALLS,
    MODULE_CALLS,
    MODULE_IMPORTS,
    assert_markers_only_in_strings,
    check_injection_free,
    check_no_shadowing,
    dotted,
    generated_api,
    str_const,
    wire_names,
)

TIMEOUT = 60


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
    check_injection_free(init, "__init__.py", {"AttributeError"}, {(1, "_runtime"), (0, "typing")})

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


# --- the checks themselves: they accept what the templates emit, and catch injected code -------


def test_checks_accept_the_bundled_models(generated_copy: Path) -> None:
    """Positive control: the allowlists (code_checks) match the templates (else every hostile case is
    moot)."""
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
