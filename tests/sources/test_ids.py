"""Where a model's ids come from: `methods`, `signature` and `example` need none; `generate` takes
them from --ref, config.yaml, CLARIFAI_USER_ID or the Clarifai CLI's current context, app `main`."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from codegen.cli import cli
from codegen.sources.local import is_model_dir

from ..conftest import MODELS, SIGNATURES, run_mypy
from ..hostile_corpus import HOSTILE_OK

MODEL_DIRS = sorted(
    p
    for p in [*MODELS.iterdir(), *(MODELS / "published").iterdir()]
    if is_model_dir(p) and p.name != "indentation_error"
)
DIRECTORY = MODELS / "published" / "llm_params"  # config.yaml: model.id only
PAT = "pat-0123456789abcdef-SECRET"


def invoke(home: Path, *args: str, user: str | None = None) -> Result:
    """Run the CLI in process with HOME (the Clarifai CLI config) and CLARIFAI_USER_ID set."""
    env = {"HOME": str(home), "CLARIFAI_USER_ID": user, "CLARIFAI_PAT": None}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def bare_files(tmp_path: Path) -> list[Path]:
    """Every bundled signature file, copied without the index.json that gives their ids."""
    out = tmp_path / "bare"
    out.mkdir()
    return [Path(shutil.copy(p, out / p.name)) for p in SIGNATURES]


def test_commands_that_call_nothing_need_no_ids(tmp_path: Path, bare_files: list[Path]) -> None:
    sources = [*SIGNATURES, *bare_files, *HOSTILE_OK, *MODEL_DIRS]
    assert len(MODEL_DIRS) >= 17
    for source in map(str, sources):
        for command in ("methods", "signature", "example"):
            result = invoke(tmp_path, command, source)
            assert result.exit_code == 0, (command, source, result.output)
        ast.parse(invoke(tmp_path, "example", source).stdout)
        if source not in map(str, HOSTILE_OK):  # (one of them is not storable: test_proto_json)
            stored = invoke(tmp_path, "signature", source, "--json")
            assert stored.exit_code == 0 and json.loads(stored.stdout), (source, stored.output)


def test_example_marks_the_ids_to_replace(tmp_path: Path, bare_files: list[Path]) -> None:
    nsfw = next(p for p in bare_files if p.name.startswith("image-classifier"))
    text = invoke(tmp_path, "example", str(nsfw)).stdout
    assert "replace YOUR_... with them" in text
    assert (
        'ModelRef(user_id="YOUR_USER_ID", app_id="YOUR_APP_ID", model_id="YOUR_MODEL_ID")' in text
    )
    text = invoke(tmp_path, "example", str(DIRECTORY)).stdout  # the model id is known
    assert 'ModelRef(user_id="YOUR_USER_ID", app_id="main", model_id="llm-params")' in text
    known = invoke(tmp_path, "example", str(DIRECTORY), user="alice").stdout
    assert "YOUR_" not in known and "model = LlmParams()" in known


def test_placeholder_example_is_typed_python(tmp_path: Path) -> None:
    """The example with placeholders type-checks (mypy --strict) inside a generated package."""
    pkg = tmp_path / "pkg"
    result = invoke(
        tmp_path, "generate", str(DIRECTORY), "-o", str(pkg), "--ref", "u/main/llm-params"
    )
    assert result.exit_code == 0, result.output
    example = invoke(tmp_path, "example", str(DIRECTORY), "--package", "pkg").stdout
    assert "YOUR_USER_ID" in example
    (pkg / "examples" / "llm_params.py").write_text(example, encoding="utf-8")
    proc = run_mypy("-p", "pkg.examples", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _snapshot_ref(out: Path) -> dict[str, str | None]:
    snapshot = json.loads((out / ".codegen" / "llm_params.json").read_text(encoding="utf-8"))
    ref: dict[str, str | None] = snapshot["ref"]
    return ref


def _cli_config(home: Path, text: str) -> Path:
    path = home / ".config" / "clarifai" / "config"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


CLI_CONFIG = f"""\
current_context: work
contexts:
  personal:
    env:
      CLARIFAI_PAT: {PAT}
      CLARIFAI_USER_ID: somebody-else
  work:
    env:
      CLARIFAI_API_BASE: https://api.clarifai.com
      CLARIFAI_PAT: {PAT}
      CLARIFAI_USER_ID: carol
"""


def _no_pat_anywhere(result: Result, out: Path) -> None:
    assert PAT not in result.output
    for path in out.rglob("*"):
        if path.is_file():
            assert PAT.encode() not in path.read_bytes(), path


def test_generate_without_any_user_id_names_the_three_ways(tmp_path: Path) -> None:
    result = invoke(tmp_path, "generate", str(DIRECTORY), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: {DIRECTORY / 'config.yaml'}: no model.user_id, and no user id elsewhere: pass "
        "--ref USER/APP/MODEL, set CLARIFAI_USER_ID, or choose a Clarifai CLI context that has "
        "one (~/.config/clarifai/config, `clarifai login`)"
    ]
    assert not (tmp_path / "out").exists()


def test_generate_takes_the_user_id_from_the_environment(tmp_path: Path) -> None:
    _cli_config(tmp_path, CLI_CONFIG)  # the environment wins over the file, as in the SDK
    out = tmp_path / "out"
    result = invoke(tmp_path, "generate", str(DIRECTORY), "-o", str(out), user="alice")
    assert result.exit_code == 0, result.output
    assert _snapshot_ref(out) == {
        "user_id": "alice",
        "app_id": "main",
        "model_id": "llm-params",
        "version_id": None,
    }
    assert 'user_id="alice"' in (out / "llm_params.py").read_text(encoding="utf-8")


def test_generate_takes_the_user_id_from_the_cli_config_current_context(tmp_path: Path) -> None:
    _cli_config(tmp_path, CLI_CONFIG)
    out = tmp_path / "out"
    result = invoke(tmp_path, "generate", str(DIRECTORY), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert _snapshot_ref(out)["user_id"] == "carol"
    assert _snapshot_ref(out)["app_id"] == "main"
    _no_pat_anywhere(result, out)


def test_ref_overrides_everything(tmp_path: Path) -> None:
    _cli_config(tmp_path, CLI_CONFIG)
    out = tmp_path / "out"
    result = invoke(
        tmp_path,
        "generate",
        str(DIRECTORY),
        "-o",
        str(out),
        "--ref",
        "bob/app/llm-params",
        user="alice",
    )
    assert result.exit_code == 0, result.output
    assert _snapshot_ref(out)["user_id"] == "bob" and _snapshot_ref(out)["app_id"] == "app"
    _no_pat_anywhere(result, out)


def test_config_yaml_ids_come_before_the_environment(tmp_path: Path) -> None:
    model = tmp_path / "llm_params"
    shutil.copytree(DIRECTORY, model)
    (model / "config.yaml").write_text(
        'model:\n  id: "llm-params"\n  user_id: "dave"\n  app_id: ""\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    result = invoke(tmp_path, "generate", str(model), "-o", str(out), user="alice")
    assert result.exit_code == 0, result.output
    assert _snapshot_ref(out)["user_id"] == "dave" and _snapshot_ref(out)["app_id"] == "main"


@pytest.mark.parametrize(
    ("config", "stderr"),
    [
        (
            f"current_context: work\ncontexts:\n  work:\n    env:\n      CLARIFAI_USER_ID: {PAT}/x\n",
            "the current context's user id is not a valid Clarifai id",
        ),
        (
            f"current_context: work\ncontexts: [\n  {PAT}\n",
            "ignored the Clarifai CLI config: invalid YAML",
        ),
        (
            f"current_context: gone\ncontexts:\n  work:\n    env:\n      CLARIFAI_PAT: {PAT}\n",
            "no model.user_id, and no user id elsewhere",
        ),
    ],
)
def test_a_bad_cli_config_never_shows_its_secrets(tmp_path: Path, config: str, stderr: str) -> None:
    path = _cli_config(tmp_path, config)
    out = tmp_path / "out"
    result = invoke(tmp_path, "generate", str(DIRECTORY), "-o", str(out))
    assert result.exit_code == 2
    assert stderr in result.stderr
    assert str(path) in result.stderr or "no model.user_id" in stderr
    _no_pat_anywhere(result, out)
