"""The CLI: output formats, exit codes, --check/--diff, atomic failure, and a light --help."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, run_cli

ALL_TYPES = "signatures/synthetic__all-types.json"
HELLO = "signatures/hello-world.json"


def test_methods_one_per_line_and_json() -> None:
    result = run_cli("methods", HELLO)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["predict", "generate", "s"]
    result = run_cli("methods", HELLO, "--json")
    assert json.loads(result.stdout) == ["predict", "generate", "s"]


def test_signature_lines_are_valid_python_with_real_defaults() -> None:
    result = run_cli("signature", "signatures/docs__example-multimodal-llm.json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line in lines:
        ast.parse(line + " ...")
    assert 'reasoning_effort: str = "low"' in lines[0]
    assert "max_tokens: int = 512" in lines[0]
    assert "image: Image | None = None" in lines[0]


def test_signature_of_one_method_and_unknown_method() -> None:
    result = run_cli("signature", HELLO, "s")
    assert (
        result.stdout
        == "def s(input_iterator: Iterable[str], *, number_of_letters: int = 3) -> Iterator[str]:\n"
    )
    result = run_cli("signature", HELLO, "nope")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {HELLO}: no method 'nope'; the model has: predict, generate, s"
    )


def test_example_is_a_formatted_script() -> None:
    result = run_cli("example", ALL_TYPES)
    assert result.returncode == 0, result.stderr
    tree = ast.parse(result.stdout)
    assert any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)
    assert "from ..all_types import AllTypes" in result.stdout


def test_generate_check_and_diff(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    result = run_cli("generate", HELLO, "-o", str(out), "--check")
    assert result.returncode == 1
    assert "+++ b/hello_world.py" in result.stdout
    assert not out.exists(), "--check must write nothing"

    assert run_cli("generate", HELLO, "-o", str(out)).returncode == 0
    result = run_cli("generate", HELLO, "-o", str(out), "--check")
    assert (result.returncode, result.stdout) == (0, "")

    module = out / "hello_world.py"
    module.write_text(
        module.read_text().replace("number_of_letters: int = 3", "number_of_letters: int = 4")
    )
    result = run_cli("generate", HELLO, "-o", str(out), "--check")
    assert result.returncode == 1
    assert (
        "-        number_of_letters: int = 4" in result.stdout
        or "number_of_letters: int = 4" in result.stdout
    )
    result = run_cli("generate", HELLO, "-o", str(out), "--diff")
    assert result.returncode == 0 and "hello_world.py" in result.stdout
    assert run_cli("generate", HELLO, "-o", str(out), "--check").returncode == 0


def test_a_failing_model_leaves_previous_output_intact(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    assert run_cli("generate", HELLO, "-o", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"model": {"id": "x", "user_id": "u", "app_id": "a", "model_version": {"method_signatures": ['
    )
    result = run_cli("generate", ALL_TYPES, HELLO, str(bad), "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}: invalid JSON at line 1 column 94: Expecting value"
    ]
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    result = run_cli("generate", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o"))
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'nope.json'}: no such file\n"


def test_module_name_collision_is_reported(tmp_path: Path) -> None:
    result = run_cli("generate", HELLO, HELLO, "-o", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "both map to module 'hello_world'" in result.stderr


def test_help_does_not_import_black_or_jinja2() -> None:
    code = (
        "import sys; from codegen.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('black', 'jinja2') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr
