"""Model directories as Clarifai publishes them (tests/models/published/: config.yaml with only
`model.id`): `signature DIR --json` is what the SDK computes, field for field.

The expectation is committed beside each directory (`expected_signatures.json`) and recomputed here
with the SDK: `ModelBuilder.load_model_class(...)` + `_get_method_infos()` (the body of
`ModelBuilder.get_method_signatures`; the constructor is skipped because it validates the config
against the API), each signature through `MessageToDict(..., preserving_proto_field_name=True)`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import MODELS, run_cli
from .sdk_subprocess import run_sdk_script

PUBLISHED = MODELS / "published"
BROKEN = "indentation_error"
NAMES = sorted(p.name for p in PUBLISHED.iterdir() if p.is_dir() and p.name != BROKEN)
EXPECTED = "expected_signatures.json"
# mocking=False is `get_method_signatures(mocking=False)`. fastmcp is not a test dependency: that model
# is loaded as `clarifai model upload` loads it (third-party imports mocked), which gives the same
# answer because none of its annotations come from a mocked module.
MOCKED = {"mcp_fastmcp"}

_ORACLE = r"""
import importlib.util, json, sys, types
from unittest import mock
for name in ("cv2", "torch"):  # the SDK's visual_*_class modules import them at module level
    if importlib.util.find_spec(name) is None:
        sys.modules[name] = mock.MagicMock()
from google.protobuf.json_format import MessageToDict
from clarifai.runners.models.model_builder import ModelBuilder

out = {}
for folder, mocking in json.loads(sys.stdin.read()):
    fake = types.SimpleNamespace(folder=folder)
    fake._is_standard_or_clarifai = types.MethodType(ModelBuilder._is_standard_or_clarifai, fake)
    try:
        cls = ModelBuilder.load_model_class(fake, mocking=mocking)
        infos = cls._get_method_infos()
        out[folder] = [MessageToDict(i.signature, preserving_proto_field_name=True)
                       for i in infos.values() if i.signature is not None]
    except BaseException as exc:
        out[folder] = {"error": f"{type(exc).__name__}: {exc}"}
print("ORACLE:" + json.dumps(out))
"""


def sdk_signatures(cwd: Path) -> dict[str, Any]:
    """What the SDK computes for every published test directory (and the broken one)."""
    pytest.importorskip("clarifai.runners.models.model_builder")
    folders = [[str(PUBLISHED / n), n in MOCKED] for n in [*NAMES, BROKEN]]
    found = run_sdk_script(_ORACLE, folders, cwd)
    return {Path(k).name: v for k, v in found.items()}


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return sdk_signatures(tmp_path_factory.mktemp("published_oracle"))


def _expected(name: str) -> Any:
    return json.loads((PUBLISHED / name / EXPECTED).read_text(encoding="utf-8"))


def test_every_directory_has_only_a_model_id() -> None:
    assert len(NAMES) >= 8
    for name in [*NAMES, BROKEN]:
        text = (PUBLISHED / name / "config.yaml").read_text(encoding="utf-8")
        assert text == f'model:\n  id: "{name.replace("_", "-")}"\n', name


@pytest.mark.parametrize("name", NAMES)
def test_signature_json_equals_the_committed_expectation(name: str, tmp_path: Path) -> None:
    result = run_cli("signature", str(PUBLISHED / name), "--json", env={"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == _expected(name)


@pytest.mark.parametrize("name", NAMES)
def test_the_expectation_is_what_the_sdk_computes(name: str, sdk: dict[str, Any]) -> None:
    assert not isinstance(sdk[name], dict), sdk[name]  # the SDK loaded it
    assert sdk[name] == _expected(name)


def test_indentation_error_is_one_line_naming_file_and_line(sdk: dict[str, Any]) -> None:
    assert "IndentationError" in sdk[BROKEN]["error"]
    for command in ("signature", "methods", "example"):
        result = run_cli(command, str(PUBLISHED / BROKEN))
        assert result.returncode == 2
        model_py = PUBLISHED / BROKEN / "1" / "model.py"
        assert result.stderr == (
            f"error: {model_py}:12: invalid Python: expected an indented block after function "
            "definition on line 11\n"
        )


def test_a_legacy_runner_stores_no_signatures(tmp_path: Path) -> None:
    """A model without @ModelClass.method (an old-style runner): upload stores none, so `[]`."""
    root = tmp_path / "legacy"
    (root / "1").mkdir(parents=True)
    (root / "config.yaml").write_text('model:\n  id: "legacy"\n', encoding="utf-8")
    (root / "1" / "model.py").write_text(
        "from clarifai.runners.models.model_class import ModelClass\n\n\n"
        "class Old(ModelClass):\n    def predict(self, request):\n        return request\n",
        encoding="utf-8",
    )
    result = run_cli("signature", str(root), "--json", env={"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert "class Old has no @ModelClass.method methods" in result.stderr
    result = run_cli("methods", str(root), env={"HOME": str(tmp_path)})
    assert result.returncode == 2
    assert "the model has no method signatures" in result.stderr
