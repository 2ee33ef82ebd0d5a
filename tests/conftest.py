"""Shared fixtures. The oracle server (a local Clarifai REST API running real models) lives in
tests/oracle/; its fixtures are loaded here."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

pytest_plugins = ["tests.oracle.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = sorted(p for p in (ROOT / "signatures").glob("*.json") if p.name != "index.json")
MODELS = ROOT / "tests" / "models"  # model directories; published/: as Clarifai publishes them


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegen", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_mypy(
    *targets: str, cwd: Path, cache_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`mypy --strict` as users run it on generated code: Python 3.10, in `cwd`; no cache unless
    `cache_dir` (mypy checks every cached module against its source)."""
    cache = ("--cache-dir", str(cache_dir)) if cache_dir else ("--no-incremental",)
    strict = ("--strict", *cache, "--python-version", "3.10")
    return subprocess.run(
        [sys.executable, "-m", "mypy", *strict, *targets],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def generated_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh `generated` package, regenerated in a temp dir from nothing but the committed
    snapshots (generated/.codegen/), offline."""
    out = tmp_path_factory.mktemp("golden") / "generated"
    shutil.copytree(ROOT / "generated" / ".codegen", out / ".codegen")
    result = run_cli("generate", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


@contextmanager
def oracle_package(tmp_path_factory: pytest.TempPathFactory, package: str) -> Iterator[ModuleType]:
    """Generate the oracle models' clients as `package` in a temp dir and import it."""
    out = tmp_path_factory.mktemp(package) / package
    sources = [str(p) for p in sorted((ROOT / "tests" / "oracle" / "signatures").glob("*.json"))]
    result = run_cli("generate", *sources, "-o", str(out))
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
