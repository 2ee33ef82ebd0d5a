"""Pulling models from a (fake) Clarifai API with the CLI: same output as from saved files,
snapshots that regenerate offline, drift detection with `check --remote`, and a PAT that never leaks."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT, run_cli
from ..fake_api import DEFAULT_PAT, FakeClarifai

HELLO_URL = "https://clarifai.com/runners-examples/main/models/hello-world"
HELLO_VERSION = json.loads((ROOT / "signatures" / "hello-world.json").read_text())["model"][
    "model_version"
]["id"]
TYPES_URL = "https://clarifai.com/clarifai-codegen/fixtures/models/all-types"


@pytest.fixture
def api() -> Any:
    with FakeClarifai() as fake:
        yield fake


def env(api: FakeClarifai, pat: str = DEFAULT_PAT) -> dict[str, str]:
    return {"CLARIFAI_API_BASE": api.base_url, "CLARIFAI_PAT": pat}


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_url_generates_the_same_module_as_the_saved_response(
    api: FakeClarifai, tmp_path: Path
) -> None:
    result = run_cli("generate", HELLO_URL, "-o", str(tmp_path / "a" / "pkg"), env=env(api))
    assert result.returncode == 0, result.stderr
    assert (
        run_cli(
            "generate", "signatures/hello-world.json", "-o", str(tmp_path / "b" / "pkg")
        ).returncode
        == 0
    )
    a, b = files(tmp_path / "a" / "pkg"), files(tmp_path / "b" / "pkg")
    for name in ("hello_world.py", "examples/hello_world.py"):
        assert a[name] == b[name], name
    snapshot = json.loads(a[".codegen/hello_world.json"])
    assert snapshot["source"] == HELLO_URL
    assert snapshot["ref"] == {
        "user_id": "runners-examples",
        "app_id": "main",
        "model_id": "hello-world",
        "version_id": None,
    }
    assert api.hits["/v2/users/runners-examples/apps/main/models/hello-world"] == 1


def test_pinned_version_and_short_form(api: FakeClarifai, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    result = run_cli(
        "generate",
        f"runners-examples/main/hello-world@{HELLO_VERSION}",
        "-o",
        str(out),
        env=env(api),
    )
    assert result.returncode == 0, result.stderr
    assert f'version_id="{HELLO_VERSION}"' in (out / "hello_world.py").read_text()
    assert (
        api.hits[
            f"/v2/users/runners-examples/apps/main/models/hello-world/versions/{HELLO_VERSION}"
        ]
        == 1
    )


def test_snapshots_regenerate_offline_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    with FakeClarifai() as api:
        result = run_cli("generate", HELLO_URL, TYPES_URL, "-o", str(out), env=env(api))
        assert result.returncode == 0, result.stderr
    before = files(out)
    for p in list(out.iterdir()):
        if p.name != ".codegen":
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    result = run_cli(
        "generate",
        "-o",
        str(out),
        env={"CLARIFAI_API_BASE": "http://127.0.0.1:9", "CLARIFAI_PAT": ""},
    )
    assert result.returncode == 0, result.stderr
    assert files(out) == before


def _served(api: FakeClarifai) -> dict[str, Any]:
    doc = json.loads((ROOT / "signatures" / "hello-world.json").read_text())
    return copy.deepcopy(doc)


def test_check_remote_names_each_change_and_update_applies_them(
    api: FakeClarifai, tmp_path: Path
) -> None:
    out = tmp_path / "pkg"
    assert run_cli("generate", HELLO_URL, "-o", str(out), env=env(api)).returncode == 0
    result = run_cli("check", "--remote", "-o", str(out), env=env(api))
    assert (result.returncode, result.stdout) == (
        0,
        "hello_world (runners-examples/main/hello-world): unchanged\n",
    )

    doc = _served(api)
    methods = doc["model"]["model_version"]["method_signatures"]
    predict = next(m for m in methods if m["name"] == "predict")
    predict["input_fields"].append(
        {"name": "temperature", "type": 4, "default": "0.5", "is_param": True}
    )
    predict["input_fields"][1]["default"] = "7"  # number_of_letters 3 -> 7
    doc["model"]["model_version"]["method_signatures"] = [m for m in methods if m["name"] != "s"]
    api.set_body("runners-examples", "main", "hello-world", doc)

    result = run_cli("check", "--remote", "-o", str(out), env=env(api))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "hello_world (runners-examples/main/hello-world): 3 change(s)"
    assert "  - method 's' removed" in lines
    assert "  + method 'predict': parameter 'temperature' added (FLOAT, default 0.5)" in lines
    assert "  ~ method 'predict': parameter 'number_of_letters': default 3 -> 7" in lines
    assert "hello_world.py" not in result.stdout  # a semantic report, not a text diff
    before = (out / "hello_world.py").read_text()

    result = run_cli("check", "--remote", "--update", "-o", str(out), env=env(api))
    assert result.returncode == 0, result.stderr
    after = (out / "hello_world.py").read_text()
    assert after != before and "temperature: float = 0.5" in after and "def s(" not in after
    result = run_cli("check", "--remote", "-o", str(out), env=env(api))
    assert result.returncode == 0 and "unchanged" in result.stdout
    assert run_cli("check", "-o", str(out)).returncode == 0


def test_many_models_one_failing(api: FakeClarifai, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    missing = "https://clarifai.com/runners-examples/main/models/no-such-model"
    result = run_cli("generate", HELLO_URL, missing, TYPES_URL, "-o", str(out), env=env(api))
    assert result.returncode == 2
    assert (out / "hello_world.py").exists() and (out / "all_types.py").exists()
    lines = result.stderr.splitlines()
    assert any(line.startswith("ok ") and "hello-world" in line for line in lines), lines
    assert any(line.startswith("FAIL") and "no-such-model" in line for line in lines), lines
    assert any(line.startswith("error: ") and "not found" in line for line in lines), lines
    assert lines[-1].endswith("1 model(s) failed")


FAULTS = ["401", "403", "404", "429", "503", "drop", "truncate", "failure", "html401"]


@pytest.mark.parametrize("fault", FAULTS)
def test_the_pat_never_leaks(fault: str, api: FakeClarifai, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    api.inject(fault, times=None, retry_after=0.01) if fault == "429" else api.inject(
        fault, times=None
    )
    result = run_cli(
        "generate", HELLO_URL, "-o", str(out), env={**env(api), "CLARIFAI_CODEGEN_DEBUG": ""}
    )
    assert result.returncode != 0
    texts = [result.stdout, result.stderr]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in tmp_path.rglob("*") if p.is_file()]
    for text in texts:
        assert DEFAULT_PAT not in text
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr


def test_the_pat_is_not_in_successful_output(api: FakeClarifai, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    result = run_cli("generate", HELLO_URL, "-o", str(out), env=env(api))
    drift = run_cli("check", "--remote", "-o", str(out), env=env(api))
    for text in [
        result.stdout,
        result.stderr,
        drift.stdout,
        drift.stderr,
        *(p.read_text() for p in out.rglob("*") if p.is_file()),
    ]:
        assert DEFAULT_PAT not in text


def test_missing_pat_is_a_clear_error(api: FakeClarifai, tmp_path: Path) -> None:
    result = run_cli(
        "generate",
        HELLO_URL,
        "-o",
        str(tmp_path / "o"),
        env={"CLARIFAI_API_BASE": api.base_url, "CLARIFAI_PAT": ""},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no Clarifai PAT: set CLARIFAI_PAT or pass --pat"


def test_methods_and_signature_pull_too(api: FakeClarifai) -> None:
    result = run_cli("methods", HELLO_URL, env=env(api))
    assert result.stdout.splitlines() == ["predict", "generate", "s"]
    result = run_cli("signature", "runners-examples/main/hello-world", "predict", env=env(api))
    assert result.stdout == "def predict(prompt: str, *, number_of_letters: int = 3) -> str:\n"


def test_pyproject_settings(api: FakeClarifai, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.clarifai-codegen]\nmodels = ["{HELLO_URL}"]\noutput = "clients"\nline-length = 88\n'
    )
    result = run_cli("generate", cwd=tmp_path, env={**env(api), "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "clients" / "hello_world.py").exists()
    assert run_cli("check", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)}).returncode == 0
    (tmp_path / "pyproject.toml").write_text('[tool.clarifai-codegen]\noutptu = "x"\n')
    result = run_cli("generate", cwd=tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert "unknown key(s) 'outptu'" in result.stderr


def test_retry_limits_are_configurable(api: FakeClarifai, tmp_path: Path) -> None:
    api.inject("503", times=None)
    result = run_cli(
        "generate",
        HELLO_URL,
        "-o",
        str(tmp_path / "o"),
        "--max-attempts",
        "2",
        "--max-seconds",
        "5",
        env=env(api),
    )
    assert result.returncode == 2
    assert "gave up after 2 attempts" in result.stderr
    assert api.hits["/v2/users/runners-examples/apps/main/models/hello-world"] == 2
