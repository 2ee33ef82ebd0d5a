"""The generator's own code stays ruff-clean and `mypy --strict` clean (runs with `make test`)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_lint_and_format() -> None:
    check = _run("ruff", "check", "codegen", "tests", "bench")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run("ruff", "format", "--check", "codegen", "tests", "bench")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.slow
def test_mypy_strict_on_codegen() -> None:
    result = _run("mypy")  # [tool.mypy] in pyproject.toml: strict, files = codegen
    assert result.returncode == 0, result.stdout + result.stderr
