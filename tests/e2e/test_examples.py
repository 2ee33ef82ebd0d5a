"""Every generated example script runs against a local server hosting the bundled fixture models
(stub ModelClass models rebuilt from their signatures, run through the SDK's wrappers)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from ..conftest import ROOT
from ..oracle.server import OracleServer
from ..oracle.stub_models import fixture_models

GENERATED = ROOT / "generated"
EXAMPLES = sorted(p.stem for p in (GENERATED / "examples").glob("*.py") if p.stem != "__init__")


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[OracleServer]:
    models, versions = fixture_models(ROOT / "signatures")
    with OracleServer(models=models, versions=versions) as server:
        yield server


def test_there_is_an_example_per_model() -> None:
    modules = sorted(p.stem for p in GENERATED.glob("*.py") if p.stem != "__init__")
    assert EXAMPLES == modules and len(EXAMPLES) >= 12


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_against_a_local_server(name: str, fixture_server: OracleServer) -> None:
    env = {
        **os.environ,
        "CLARIFAI_PAT": fixture_server.pat,
        "CLARIFAI_API_BASE": fixture_server.base_url,
    }
    result = subprocess.run(
        [sys.executable, "-m", f"generated.examples.{name}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    source = (GENERATED / "examples" / f"{name}.py").read_text()
    calls = len(re.findall(r"\bmodel\.\w+\(", source))
    labels = {line.split(":", 1)[0] for line in result.stdout.splitlines()}
    assert len(labels) == calls, result.stdout  # every method printed at least one result
    for line in result.stdout.splitlines():
        assert "Error" not in line or "gRPC" in line or "grpc" in line, line
