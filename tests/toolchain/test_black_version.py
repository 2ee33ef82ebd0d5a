"""black's output may differ between releases: a package written by another black than the installed
one is reported as such, in one line, not as a formatting diff (issue 12, acceptance 3)."""

from __future__ import annotations

import json
from pathlib import Path

from codegen.lock import dist_version

from ..conftest import run_cli

HELLO = "signatures/hello-world.json"
INSTALLED = dist_version("black")


def _package(tmp_path: Path) -> Path:
    out = tmp_path / "pkg"
    result = run_cli("generate", HELLO, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _lock_written_by(out: Path, black: str) -> None:
    path = out / ".codegen" / "lock.json"
    lock = json.loads(path.read_text(encoding="utf-8"))
    assert lock["black"] == INSTALLED
    lock["black"] = black
    path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")


def test_check_names_both_versions_in_one_line_without_a_diff(tmp_path: Path) -> None:
    out = _package(tmp_path)
    _lock_written_by(out, "24.1.0")
    result = run_cli("check", "-o", str(out))
    assert result.returncode == 1
    assert result.stdout == ""  # no formatting diff
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert "black 24.1.0" in line and f"black {INSTALLED}" in line
    assert "pip install black==24.1.0" in line and "generate" in line
    assert str(out / ".codegen" / "lock.json") in line


def test_generate_check_says_the_same(tmp_path: Path) -> None:
    out = _package(tmp_path)
    _lock_written_by(out, "24.1.0")
    result = run_cli("generate", "--check", "-o", str(out))
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "black 24.1.0" in result.stderr


def test_generate_warns_in_one_line_and_regenerates_then_check_passes(tmp_path: Path) -> None:
    out = _package(tmp_path)
    _lock_written_by(out, "24.1.0")
    result = run_cli("generate", "-o", str(out))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "written by" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: "), result.stderr
    assert "black 24.1.0" in warnings[0] and f"black {INSTALLED}" in warnings[0]
    assert f"regenerating with black {INSTALLED}" in warnings[0]
    assert "pip install black==24.1.0" in warnings[0]
    assert json.loads((out / ".codegen" / "lock.json").read_text())["black"] == INSTALLED
    result = run_cli("check", "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "written by" not in result.stderr


def test_a_hostile_version_in_the_lock_is_not_echoed_raw(tmp_path: Path) -> None:
    out = _package(tmp_path)
    _lock_written_by(out, "1.0\n\x1b[31m; rm -rf /")
    result = run_cli("check", "-o", str(out))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "\x1b" not in result.stderr and "pip install black==" not in result.stderr


def test_same_black_and_a_hand_edit_still_show_the_diff(tmp_path: Path) -> None:
    out = _package(tmp_path)
    module = out / "hello_world.py"
    module.write_text(module.read_text() + "x = 1\n")
    result = run_cli("check", "-o", str(out))
    assert result.returncode == 1
    assert "+++ b/hello_world.py" in result.stdout
    assert "written by" not in result.stderr


def test_a_typescript_package_does_not_depend_on_black(tmp_path: Path) -> None:
    """black formats only Python: a TypeScript lock names no black, its fingerprint leaves black out,
    and `check` passes."""
    from unittest import mock

    from codegen import lock as lock_module
    from codegen.templating import template_root

    out = tmp_path / "ts"
    result = run_cli("generate", HELLO, "-o", str(out), "--lang", "typescript")
    assert result.returncode == 0, result.stderr
    lock = json.loads((out / ".codegen" / "lock.json").read_text(encoding="utf-8"))
    assert "black" not in lock and lock["lang"] == "typescript"

    def fingerprints(black: str) -> list[str]:
        root = Path(lock_module.__file__).parent
        versions = {"black": black}
        with mock.patch.object(lock_module, "dist_version", lambda n: versions.get(n, "1")):
            return [
                lock_module.fingerprint_of(root, template_root(), lang)
                for lang in ("python", "typescript")
            ]

    assert lock["generator_sha256"] == lock_module.generator_fingerprint("typescript")
    (py_a, ts_a), (py_b, ts_b) = fingerprints("24.1.0"), fingerprints("26.10.1")
    assert ts_a == ts_b and py_a != py_b
    result = run_cli("check", "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
