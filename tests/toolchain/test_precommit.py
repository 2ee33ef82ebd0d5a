"""The hooks of .pre-commit-hooks.yaml, run as an app runs them (issue 12, acceptance 2): a temporary
git repository whose pyproject.toml configures a package, and `pre-commit try-repo <this checkout>`
(which installs the hook environment from the package index, black pinned by the hook)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ..conftest import ROOT, run_cli

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _try_repo(app: Path, home: Path, *hook: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` of this checkout (uncommitted changes included) on every file."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), *hook, "--all-files"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _constrained(name: str) -> str:
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.lower().startswith(f"{name}=="):
            return line
    raise AssertionError(f"{name} is not in constraints.txt")


def test_the_hooks_pin_the_black_of_constraints_and_of_the_golden_lock() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["clarifai-codegen-check", "clarifai-codegen-generate"]
    black = _constrained("black")
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert black in hook["additional_dependencies"]
    lock = json.loads((ROOT / "generated" / ".codegen" / "lock.json").read_text(encoding="utf-8"))
    assert f"black=={lock['black']}" == black


@pytest.mark.slow
def test_try_repo_passes_on_a_fresh_package_and_names_a_hand_edited_file(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    _git("init", "-q", cwd=app)
    _git("config", "user.email", "dev@example.com", cwd=app)
    _git("config", "user.name", "dev", cwd=app)
    (app / "pyproject.toml").write_text('[tool.clarifai-codegen]\noutput = "src/client"\n')
    hello = str(ROOT / "signatures" / "hello-world.json")
    result = run_cli("generate", hello, "-o", "src/client", cwd=app)
    assert result.returncode == 0, result.stderr
    _git("add", "-A", cwd=app)
    _git("commit", "-q", "--no-gpg-sign", "-m", "client", cwd=app)
    home = tmp_path / "pre-commit-home"

    result = _try_repo(app, home, "clarifai-codegen-check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clarifai-codegen check" in result.stdout and "Passed" in result.stdout

    module = app / "src" / "client" / "hello_world.py"
    pristine = module.read_bytes()
    module.write_bytes(pristine.replace(b"def predict(", b"def predict_renamed(", 1))
    _git("add", "-A", cwd=app)
    result = _try_repo(app, home)  # both hooks: check fails naming the file, generate repairs it
    assert result.returncode == 1, result.stdout + result.stderr
    assert "+++ b/hello_world.py" in result.stdout
    assert "1 file(s) differ from the snapshots in src/client" in result.stdout
    assert "files were modified by this hook" in result.stdout
    assert module.read_bytes() == pristine
