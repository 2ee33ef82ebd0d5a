"""The CLI: output formats, exit codes, --check/--diff, atomic failure, and a light --help."""

from __future__ import annotations

import ast
import json
import shutil
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


def test_a_failing_model_loses_nothing(tmp_path: Path) -> None:
    """A bad model is reported and exits 2; the previous output stays, the good models are written."""
    out = tmp_path / "pkg"
    assert run_cli("generate", HELLO, "-o", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"model": {"id": "x", "user_id": "u", "app_id": "a", "model_version": {"method_signatures": ['
    )
    result = run_cli("generate", ALL_TYPES, str(bad), "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}: invalid JSON at line 1 column 94: Expecting value",
        f"2 model(s): wrote 4 file(s) in {out}; 1 model(s) failed",
    ]
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert {p: b for p, b in after.items() if p in before and "lock.json" not in p.name} == {
        p: b for p, b in before.items() if "lock.json" not in p.name
    }
    assert (out / "all_types.py").exists() and not (out / "x.py").exists()


def test_an_error_before_writing_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    assert run_cli("generate", HELLO, "-o", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    clash = tmp_path / "clash.json"
    doc = json.loads((ROOT / HELLO).read_text())
    doc["model"]["user_id"] = "someone-else"
    clash.write_text(json.dumps(doc))
    result = run_cli("generate", ALL_TYPES, str(clash), "-o", str(out))
    assert result.returncode == 2 and "both map to module 'hello_world'" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    result = run_cli("generate", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o"))
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'nope.json'}: no such file\n"


def test_the_same_model_twice_is_generated_once(tmp_path: Path) -> None:
    result = run_cli("generate", HELLO, HELLO, "-o", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    assert "1 model(s)" in result.stderr


def test_regenerate_from_snapshots_offline_and_check(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert run_cli("generate", HELLO, ALL_TYPES, "-o", str(out)).returncode == 0
    (out / "hello_world.py").unlink()
    result = run_cli("check", "-o", str(out))
    assert result.returncode == 1 and "+++ b/hello_world.py" in result.stdout
    result = run_cli("generate", "-o", str(out))
    assert result.returncode == 0 and "2 model(s): wrote 1 file(s)" in result.stderr
    assert run_cli("check", "-o", str(out)).returncode == 0
    lock = json.loads((out / ".codegen" / "lock.json").read_text())
    assert sorted(lock["models"]) == ["all_types", "hello_world"]
    assert lock["black"] and lock["generator"]


def test_nothing_to_generate(tmp_path: Path) -> None:
    result = run_cli("generate", "-o", str(tmp_path / "empty"))
    assert result.returncode == 2 and "has no snapshots" in result.stderr


def test_help_does_not_import_black_or_jinja2() -> None:
    code = (
        "import sys; from codegen.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('black', 'jinja2') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_line_length_is_locked_and_reused(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert run_cli("generate", ALL_TYPES, "-o", str(out), "--line-length", "60").returncode == 0
    narrow = (out / "all_types.py").read_text()
    assert json.loads((out / ".codegen" / "lock.json").read_text())["line_length"] == 60
    result = run_cli("generate", "-o", str(out))
    assert result.returncode == 0 and "wrote 0 file(s)" in result.stderr
    assert (out / "all_types.py").read_text() == narrow


def test_model_directory_is_a_source(tmp_path: Path) -> None:
    """A local model directory is analysed statically (its code never runs) and snapshotted."""
    model_dir = tmp_path / "side_effects"
    shutil.copytree(ROOT / "tests" / "models" / "side_effects", model_dir)
    out = tmp_path / "pkg"
    result = run_cli("generate", str(model_dir), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    modules = [p.name for p in out.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg", "side_effects"]  # no side effect
    result = run_cli("check", "--remote", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0 and "unchanged" in result.stdout, result.stdout + result.stderr
