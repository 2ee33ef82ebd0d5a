"""`clarifai-codegen --version` and click's shell completion, as an app's toolchain uses them."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from codegen import __version__
from codegen.lock import dist_version

COMMAND = Path(sys.executable).parent / "clarifai-codegen"  # the installed console script


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_version_names_generator_black_and_python() -> None:
    result = _run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"clarifai-codegen {__version__} (black {dist_version('black')},"
        f" Python {platform.python_version()})\n"
    )


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files")],
)
def test_completion_script(shell: str, marker: str) -> None:
    result = _run(env={"_CLARIFAI_CODEGEN_COMPLETE": f"{shell}_source"})
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    assert "_CLARIFAI_CODEGEN_COMPLETE" in result.stdout


def test_completion_completes_commands() -> None:
    env = {"_CLARIFAI_CODEGEN_COMPLETE": "bash_complete", "COMP_WORDS": "clarifai-codegen ch",
           "COMP_CWORD": "1"}  # fmt: skip
    result = _run(env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["plain,check"]
