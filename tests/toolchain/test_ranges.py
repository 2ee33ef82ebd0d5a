"""The dependency ranges are true (issue 12, acceptance 1): the built wheel installs in fresh
virtualenvs with the oldest and with the newest release of each dependency the ranges allow, and
there `generate`, `check` and a generated client's calls (unary, stream, `timeout` as a deadline,
which reaches into httpcore's pools) work against servers on 127.0.0.1.

Needs the package index (pip's cache makes repeats cheap)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from codegen.lock import dist_version

from ..conftest import ROOT, run_cli
from ..oracle.server import OracleServer
from ..oracle.stub_models import fixture_models
from ..runtime.faultserver import FaultServer, drip_body

BOUNDED = ("black", "httpx", "click", "jinja2", "pyyaml")
HERE = Path(__file__).resolve().parent
PIP_TIMEOUT = 600


def oldest_python() -> str:
    """The oldest Python the package allows (3.10, where tomli is needed) when this machine has
    it, else this one."""
    found = [
        shutil.which("python3.10"),
        *map(str, Path.home().glob(".pyenv/versions/3.10*/bin/python3.10")),
    ]
    for python in filter(None, found):
        probe = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == "(3, 10)":
            return python
    return sys.executable


def requirements() -> dict[str, Requirement]:
    """[project.dependencies] of pyproject.toml, by canonical name."""
    import tomllib

    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = [Requirement(text) for text in doc["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def lower_bounds() -> dict[str, str]:
    out = {}
    for name in BOUNDED:
        spec = requirements()[name].specifier
        lower = [s.version for s in spec if s.operator == ">="]
        assert len(lower) == 1 and any(s.operator == "<" for s in spec), (name, str(spec))
        out[name] = lower[0]
    return out


def test_every_runtime_dependency_is_a_range_not_a_pin() -> None:
    for name, req in requirements().items():
        ops = {s.operator for s in req.specifier}
        assert ops == {">=", "<"}, f"{name}: {req.specifier}"
    assert set(lower_bounds()) == set(BOUNDED)


def _run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built from a copy (a build leaves files in its source tree)."""
    src = tmp_path_factory.mktemp("src") / "clarifai-codegen"
    skip = (".*", "build", "dist", "*.egg-info", "__pycache__", "tests", "generated", "bench")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*skip, "demo", "signatures"))
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src, cwd=src,
         timeout=PIP_TIMEOUT)  # fmt: skip
    (found,) = dist.glob("clarifai_codegen-*.whl")
    return found


@pytest.fixture(scope="module")
def api() -> Iterator[OracleServer]:
    models, versions = fixture_models(ROOT / "signatures")
    with OracleServer(models=models, versions=versions) as server:
        yield server


def _pip(venv: Path, *args: str | Path, cwd: Path) -> str:
    """This interpreter's pip acting on `venv` (made --without-pip: ensurepip costs ~10 s)."""
    python = venv / "bin" / "python"
    return _run(sys.executable, "-m", "pip", "--python", python, *args, cwd=cwd,
                timeout=PIP_TIMEOUT)  # fmt: skip


def _installed(venv: Path, cwd: Path) -> dict[str, str]:
    listed = json.loads(_pip(venv, "list", "--format=json", cwd=cwd))
    return {canonicalize_name(p["name"]): p["version"] for p in listed}


def _assert_newest(venv: Path, cwd: Path) -> None:
    """No bounded dependency has a newer release that its range allows."""
    reqs = requirements()
    for entry in json.loads(_pip(venv, "list", "--outdated", "--format=json", cwd=cwd)):
        name = canonicalize_name(entry["name"])
        if name in BOUNDED:
            assert entry["latest_version"] not in reqs[name].specifier, entry


@pytest.mark.slow
@pytest.mark.parametrize("end", ["oldest", "newest"])
def test_the_wheel_works_at_both_ends_of_the_ranges(
    end: str, wheel: Path, api: OracleServer, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    python = oldest_python() if end == "oldest" else sys.executable
    _run(python, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    bounds = lower_bounds() if end == "oldest" else {}
    if bounds and python != sys.executable:  # Python 3.10: tomli too
        (tomli,) = [s.version for s in requirements()["tomli"].specifier if s.operator == ">="]
        bounds["tomli"] = tomli
    pins = [f"{name}=={v}" for name, v in bounds.items()]
    _pip(venv, "install", "-q", wheel, *pins, cwd=tmp_path)
    _pip(venv, "check", cwd=tmp_path)
    installed = _installed(venv, tmp_path)
    if end == "oldest":
        assert {name: installed[name] for name in bounds} == bounds
    else:
        _assert_newest(venv, tmp_path)

    # every fixture model (all the templates' paths), regenerated from the golden snapshots
    work = tmp_path / "app"
    shutil.copytree(ROOT / "generated" / ".codegen", work / "pkg" / ".codegen")
    tool = venv / "bin" / "clarifai-codegen"
    _run(tool, "generate", "-o", "pkg", cwd=work)
    _run(tool, "check", "-o", "pkg", cwd=work)
    env = {"CLARIFAI_PAT": api.pat, "CLARIFAI_API_BASE": api.base_url, "PYTHONPATH": str(work)}
    with FaultServer(drip_body(0.2)) as drip:
        out = _run(
            venv / "bin" / "python", HERE / "client_call.py", drip.base_url, cwd=work, env=env
        )
    assert "predict: " in out and "generate: [" in out, out
    deadline = out.split("deadline: ", 1)[1]
    assert float(deadline.split(" s", 1)[0]) < 3.0, out

    if installed["black"] != dist_version("black"):
        # written by the venv's black, checked by this one's: said so in one line, no diff
        result = run_cli("check", "-o", str(work / "pkg"))
        assert result.returncode == 1 and result.stdout == ""
        assert f"written by black {installed['black']}" in result.stderr, result.stderr
        assert run_cli("generate", "-o", str(work / "pkg")).returncode == 0
        assert run_cli("check", "-o", str(work / "pkg")).returncode == 0
