"""docs/ci.md: the GitHub Actions workflow and the plain-shell recipe say what the issue asks, and the
commands they run are real (the black read from lock.json is the lock's)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ..conftest import ROOT

DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC, re.DOTALL)


def _workflow() -> dict[Any, Any]:
    (text,) = _blocks("yaml")
    doc = yaml.safe_load(text)
    assert isinstance(doc, dict)
    return doc


def test_the_workflow_runs_offline_check_always_and_remote_with_the_secret() -> None:
    flow = _workflow()
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers and triggers["schedule"][0]["cron"]
    (job,) = flow["jobs"].values()
    assert job["env"]["CLARIFAI_PAT"] == "${{ secrets.CLARIFAI_PAT }}"
    runs = [step.get("run", "") for step in job["steps"]]
    assert "clarifai-codegen check" in runs
    remote = next(s for s in job["steps"] if s.get("run") == "clarifai-codegen check --remote")
    assert remote["if"] == "env.CLARIFAI_PAT != ''"


def test_the_shell_recipe_is_bash_and_installs_the_locks_black(tmp_path: Path) -> None:
    (shell,) = _blocks("sh")
    assert subprocess.run(["bash", "-n"], input=shell, text=True, timeout=30).returncode == 0
    assert re.search(r"^clarifai-codegen check( +#.*)?$", shell, re.MULTILINE)
    assert re.search(r"^ +clarifai-codegen check --remote( +#.*)?$", shell, re.MULTILINE)
    line = next(s for s in shell.splitlines() if s.startswith("black=$("))
    script = f'LOCK=generated/.codegen/lock.json\n{line}\necho "$black"\n'
    out = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    lock = yaml.safe_load((ROOT / "generated" / ".codegen" / "lock.json").read_text())
    assert out.stdout.strip() == lock["black"], out.stderr


def test_the_readme_links_the_hook_the_recipe_and_completion() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/ci.md)" in readme
    assert "`.pre-commit-hooks.yaml`" in readme and "id: clarifai-codegen-check" in readme
    assert 'eval "$(_CLARIFAI_CODEGEN_COMPLETE=bash_source clarifai-codegen)"' in readme
