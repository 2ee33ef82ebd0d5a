"""A regeneration or check reuses what the last run wrote (lock.json: sha256 of every file, the
generator's fingerprint) and gives exactly the bytes of a from-scratch run; a hand edit is still
caught, and a changed generator renders everything again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from codegen import formatting, incremental, lock
from codegen.backends import python as python_backend
from codegen.templating import template_root

from ..conftest import ROOT, run_cli
from ..writes import run, tiny_models, tree

HELLO = str(ROOT / "signatures" / "hello-world.json")
ALL_TYPES = str(ROOT / "signatures" / "synthetic__all-types.json")


@pytest.fixture
def rendered() -> Iterator[list[str]]:
    """The modules rendered (not reused) while the test runs."""
    names: list[str] = []
    real = python_backend._module_source

    def spy(plan: Any, line_length: int) -> tuple[str, str]:
        names.append(str(plan.module))
        return real(plan, line_length)

    with mock.patch.object(python_backend, "_module_source", spy):
        yield names


def test_an_unchanged_package_renders_nothing(tmp_path: Path, rendered: list[str]) -> None:
    out = tmp_path / "pkg"
    sources = tiny_models(tmp_path / "v1", 3, version=1)
    assert run("generate", *sources, "-o", str(out)).returncode == 0
    assert sorted(rendered) == ["tiny_00", "tiny_01", "tiny_02"]
    before = tree(out)
    rendered.clear()
    for args in (["generate"], ["check"], ["generate", sources[1]]):
        result = run(*args, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert rendered == [], args
    assert "3 model(s): wrote 0 file(s)" in result.stderr
    assert tree(out) == before


def test_incremental_equals_from_scratch(tmp_path: Path, rendered: list[str]) -> None:
    """v1 of three models, then v2 of one of them: only that one is rendered, and the package is
    byte for byte the one a single run over the same models writes."""
    v1 = tiny_models(tmp_path / "v1", 3, version=1)
    v2 = tiny_models(tmp_path / "v2", 3, version=2)
    step = tmp_path / "step" / "pkg"
    assert run("generate", *v1, "-o", str(step)).returncode == 0
    rendered.clear()
    assert run("generate", v2[1], "-o", str(step)).returncode == 0
    assert rendered == ["tiny_01"]
    cold = tmp_path / "cold" / "pkg"
    assert run("generate", v1[0], v2[1], v1[2], "-o", str(cold)).returncode == 0
    assert tree(step) == tree(cold)


@pytest.mark.parametrize("seed", ["0", "4242"])
def test_incremental_equals_from_scratch_whatever_the_hash_seed(tmp_path: Path, seed: str) -> None:
    env = {"PYTHONHASHSEED": seed}
    step, cold = tmp_path / "step" / "pkg", tmp_path / "cold" / "pkg"
    assert run_cli("generate", HELLO, "-o", str(step), env=env).returncode == 0
    assert run_cli("generate", ALL_TYPES, "-o", str(step), env=env).returncode == 0
    again = run_cli("generate", "-o", str(step), env=env)
    assert again.returncode == 0 and "wrote 0 file(s)" in again.stderr
    assert run_cli("generate", ALL_TYPES, HELLO, "-o", str(cold)).returncode == 0
    assert tree(step) == tree(cold)


@pytest.mark.parametrize("rel", ["tiny_00.py", "examples/tiny_00.py"])
def test_check_catches_a_hand_edit(tmp_path: Path, rel: str, rendered: list[str]) -> None:
    out = tmp_path / "pkg"
    assert (
        run("generate", *tiny_models(tmp_path / "v1", 2, version=1), "-o", str(out)).returncode == 0
    )
    before = tree(out)
    with (out / rel).open("a") as file:
        file.write("# edited by hand\n")
    rendered.clear()
    result = run("check", "-o", str(out))
    assert result.returncode == 1
    assert f"--- a/{rel}" in result.stdout and "-# edited by hand" in result.stdout
    assert rendered == ["tiny_00"]  # the edited model only
    assert run("generate", "-o", str(out)).returncode == 0
    assert tree(out) == before


def test_a_reformatted_snapshot_is_parsed_and_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    assert (
        run("generate", *tiny_models(tmp_path / "v1", 2, version=1), "-o", str(out)).returncode == 0
    )
    before = tree(out)
    snapshot = out / ".codegen" / "tiny_01.json"
    snapshot.write_text(json.dumps(json.loads(snapshot.read_text())))
    result = run("check", "-o", str(out))
    assert result.returncode == 1 and "+++ b/.codegen/tiny_01.json" in result.stdout
    assert run("generate", "-o", str(out)).returncode == 0
    assert tree(out) == before


def test_another_generator_renders_everything(tmp_path: Path, rendered: list[str]) -> None:
    """A template edit changes the fingerprint (simulated here): nothing of the last run is reused,
    and the output is the same bytes when the templates did not change what they print."""
    out = tmp_path / "pkg"
    assert (
        run("generate", *tiny_models(tmp_path / "v1", 2, version=1), "-o", str(out)).returncode == 0
    )
    before = tree(out)
    rendered.clear()
    other = "0" * 64
    with (
        mock.patch.object(incremental, "generator_fingerprint", lambda lang="python": other),
        mock.patch.object(lock, "generator_fingerprint", lambda lang="python": other),
    ):
        assert run("generate", "-o", str(out)).returncode == 0
    assert sorted(rendered) == ["tiny_00", "tiny_01"]
    assert json.loads((out / ".codegen" / "lock.json").read_text())["generator_sha256"] == other
    rendered.clear()
    assert run("generate", "-o", str(out)).returncode == 0
    assert sorted(rendered) == ["tiny_00", "tiny_01"]
    assert tree(out) == before


@pytest.mark.parametrize(
    ("change", "renders"),
    [
        (lambda lk: lk.update(package="other"), True),
        (lambda lk: lk.update(sha256="not a mapping"), True),
        (lambda lk: lk.update(models=[]), True),
        (lambda lk: lk["sha256"].update({".codegen/tiny_00.json": "0" * 64}), True),
        # parsed again (its warnings are not known), its files still reused
        (lambda lk: lk["models"]["tiny_00"].update(warnings=None), False),
    ],
)
def test_a_lock_that_does_not_match_is_not_trusted(
    tmp_path: Path, change: Any, renders: bool, rendered: list[str]
) -> None:
    out = tmp_path / "pkg"
    assert (
        run("generate", *tiny_models(tmp_path / "v1", 2, version=1), "-o", str(out)).returncode == 0
    )
    before = tree(out)
    path = out / ".codegen" / "lock.json"
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))
    rendered.clear()
    result = run("generate", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert ("tiny_00" in rendered) == renders
    assert tree(out) == before


def test_a_copied_snapshot_is_one_model_as_before(tmp_path: Path) -> None:
    """Two snapshots of the same model (one copied by hand) are one model, the later file's, as
    when every snapshot is parsed: no clash between the reused one and the copy."""
    out = tmp_path / "pkg"
    assert (
        run("generate", *tiny_models(tmp_path / "v1", 2, version=1), "-o", str(out)).returncode == 0
    )
    before = tree(out)
    shutil.copy(out / ".codegen" / "tiny_00.json", out / ".codegen" / "zz_copy.json")
    result = run("generate", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "2 model(s): wrote 0 file(s)" in result.stderr
    assert {rel: data for rel, data in tree(out).items() if "zz_copy" not in rel} == before


def test_another_line_length_renders_everything(tmp_path: Path, rendered: list[str]) -> None:
    out, cold = tmp_path / "a" / "pkg", tmp_path / "b" / "pkg"
    sources = tiny_models(tmp_path / "v1", 2, version=1)
    assert run("generate", *sources, "-o", str(out)).returncode == 0
    rendered.clear()
    assert run("generate", "-o", str(out), "--line-length", "60").returncode == 0
    assert sorted(rendered) == ["tiny_00", "tiny_01"]
    assert run("generate", *sources, "-o", str(cold), "--line-length", "60").returncode == 0
    assert tree(out) == tree(cold)


def test_a_model_with_warnings_is_parsed_every_time(tmp_path: Path) -> None:
    """Its warnings are printed by every run, not only by the one that rendered it."""
    doc = json.loads(Path(tiny_models(tmp_path / "v1", 1, version=1)[0]).read_text())
    doc["model"]["model_version"]["method_signatures"][0]["input_fields"][0]["name"] = "self"
    source = tmp_path / "warns.json"
    source.write_text(json.dumps(doc))
    out = tmp_path / "pkg"
    first = run("generate", str(source), "-o", str(out))
    warnings = [line for line in first.stderr.splitlines() if line.startswith("warning:")]
    assert first.returncode == 0 and warnings, first.stderr
    for args in (["generate"], ["check"]):
        again = run(*args, "-o", str(out))
        assert again.returncode == 0
        assert [ln for ln in again.stderr.splitlines() if ln.startswith("warning:")] == warnings
    assert json.loads((out / ".codegen" / "lock.json").read_text())["models"]["tiny_00"][
        "warnings"
    ] == len(warnings)


def test_the_lock_records_each_files_sha256(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    assert run("generate", HELLO, "-o", str(out)).returncode == 0
    value = json.loads((out / ".codegen" / "lock.json").read_text())
    files = {rel: data for rel, data in tree(out).items() if rel != ".codegen/lock.json"}
    assert value["sha256"] == {rel: lock.sha256(data) for rel, data in files.items()}
    assert value["package"] == "pkg" and value["models"]["hello_world"]["warnings"] == 0
    assert value["generator_sha256"] == lock.generator_fingerprint()


def test_the_fingerprint_covers_templates_and_code_but_not_serve(tmp_path: Path) -> None:
    root, templates = tmp_path / "codegen", tmp_path / "templates"
    shutil.copytree(Path(lock.__file__).parent, root, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(template_root(), templates)
    first = lock.fingerprint_of(root, templates)
    (root / "serve" / "server.py").write_text("# not part of generating\n")
    assert lock.fingerprint_of(root, templates) == first
    edits = [
        templates / "python" / "module.py.jinja",
        templates / "typescript" / "module.ts.jinja",
        root / "plan.py",
        root / "runtime" / "encoders.py",
        root / "runtime_ts" / "index.ts",
        root / "backends" / "typescript" / "layout.py",
    ]
    for path in edits:
        with path.open("a") as file:
            file.write("\n")
        changed = lock.fingerprint_of(root, templates)
        assert changed != first, path
        first = changed


def test_formatting_in_a_pool_gives_the_same_bytes() -> None:
    jobs = [(f"x = [{i},{i}]\ndef f( a ):\n  return a\n", f"job {i}") for i in range(30)]
    serial = [formatting.format_source(source, where) for source, where in jobs]
    with (
        mock.patch.object(formatting, "cpu_count", lambda: 2),
        mock.patch.object(formatting, "load_average", lambda: 0.0),
    ):
        assert formatting.workers_for(len(jobs), 2) == 2
        assert formatting.format_all([lambda job=job: job for job in jobs]) == serial


def test_the_pool_is_used_only_when_it_pays() -> None:
    assert formatting.workers_for(formatting.POOL_MIN_FILES - 1, 8) == 0
    assert formatting.workers_for(1000, 1) == 0  # one core
    assert formatting.workers_for(1000, 2, load=1.6) == 0  # under half a core idle
    assert formatting.workers_for(1000, 2, load=1.0) == 2
    assert formatting.workers_for(1000, 8, load=5.0) == 4
    assert formatting.workers_for(formatting.POOL_MIN_FILES, 8) == 3  # 8 files per worker


def test_reuse_never_reads_through_a_link_out_of_the_package(tmp_path: Path) -> None:
    root, outside = tmp_path / "pkg", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    data = b"x = 1\n"
    for folder in (root, outside):
        (folder / "m.py").write_bytes(data)
    (root / "out.py").symlink_to(outside / "m.py")
    (root / "in.py").symlink_to(root / "m.py")  # stays inside: as good as the file
    (root / "examples").symlink_to(outside)
    names = ["m.py", "out.py", "in.py", "examples/m.py"]
    reuse = incremental.Reuse(root, dict.fromkeys(names, lock.sha256(data)))
    assert reuse.files({}, ["m.py", "in.py"]) == {"m.py": data, "in.py": data}
    assert reuse.files({}, ["out.py"]) is None
    assert reuse.files({}, ["examples/m.py"]) is None
    assert reuse.files({}, ["m.py"]) == {"m.py": data}  # the folders' answers are kept apart


# What a run over an unchanged package must not import: the formatter, the templates, the parser
# (and yaml), the IR and the runtime it subclasses.
HEAVY = (
    "black",
    "jinja2",
    "yaml",
    "codegen.render",
    "codegen.parser",
    "codegen.spec",
    "codegen.runtime",
)


@pytest.mark.parametrize("command", ["generate", "check"])
def test_an_unchanged_run_imports_nothing_heavy(tmp_path: Path, command: str) -> None:
    out = tmp_path / "pkg"
    assert run_cli("generate", HELLO, "-o", str(out)).returncode == 0
    code = (
        "import sys\nfrom codegen.cli import cli\n"
        f"try:\n    cli([{command!r}, '-o', {str(out)!r}])\nexcept SystemExit as exit:\n"
        "    print('EXIT', exit.code)\n"
        f"print('HEAVY', sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "EXIT 0" in result.stdout and "HEAVY []" in result.stdout, result.stdout + result.stderr
