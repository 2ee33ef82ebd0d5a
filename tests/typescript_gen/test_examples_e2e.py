"""End to end (part of acceptance 3): every example of the golden TypeScript package, compiled by
tsc and run by node, calls every method of its model on a local server hosting the bundled models
(stub ModelClass models run through the SDK's wrappers): unary and server-streaming calls succeed;
a bidirectional one ends in `StreamingNotSupportedError`, which the example catches."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import ROOT
from .conftest import GOLDEN
from .tools import BIN, TSCONFIG, need_node

pytestmark = pytest.mark.slow  # one tsc compile, then node per example

oracle_server = pytest.importorskip("tests.oracle.server")
stub_models = pytest.importorskip("tests.oracle.stub_models")
EXAMPLES = sorted(p.stem for p in (GOLDEN / "examples").glob("*.ts"))


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    node = need_node()
    root = tmp_path_factory.mktemp("tsjs")
    shutil.copytree(GOLDEN, root / "src")
    config = json.loads(json.dumps(TSCONFIG))
    config["compilerOptions"].update({"noEmit": False, "outDir": str(root / "js")})
    config["include"] = ["src/**/*.ts"]
    (root / "tsconfig.json").write_text(json.dumps(config))
    (root / "package.json").write_text('{"type": "module"}\n')
    result = subprocess.run(
        [str(BIN / "tsc"), "-p", str(root)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return node, root / "js"


@pytest.fixture(scope="module")
def fixture_server() -> Iterator[object]:
    models, versions = stub_models.fixture_models(ROOT / "signatures")
    with oracle_server.OracleServer(models=models, versions=versions) as server:
        yield server


def test_there_is_an_example_per_model() -> None:
    modules = sorted(p.stem for p in GOLDEN.glob("*.ts") if p.stem != "index")
    assert EXAMPLES == modules and len(EXAMPLES) >= 12


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_against_a_local_server(
    name: str, compiled: tuple[str, Path], fixture_server: object
) -> None:
    node, js = compiled
    server: object = fixture_server
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLARIFAI_")}
    env |= {
        "CLARIFAI_PAT": server.pat,  # type: ignore[attr-defined]
        "CLARIFAI_API_BASE": server.base_url,  # type: ignore[attr-defined]
    }
    result = subprocess.run(
        [node, str(js / "examples" / f"{name}.js")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    source = (GOLDEN / "examples" / f"{name}.ts").read_text()
    calls = len(re.findall(r"\bmodel\.\w+\(", source))
    labels = {line.split(":", 1)[0] for line in result.stdout.splitlines() if ":" in line}
    assert len(labels) >= calls, result.stdout  # every method printed at least one result
    bidi = source.count("StreamingNotSupportedError)")
    unsupported = [line for line in result.stdout.splitlines() if "gRPC" in line or "HTTP" in line]
    assert len(unsupported) >= bidi, result.stdout
