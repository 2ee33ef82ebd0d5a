"""Golden record: the committed generated/ is exactly what the bundled signatures produce, and it
type-checks under mypy --strict (examples included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import ROOT, SIGNATURES, run_cli, run_mypy

GENERATED = ROOT / "generated"


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".mypy_cache" not in p.parts
    }


def test_generated_matches_byte_for_byte(generated_copy: Path) -> None:
    committed, fresh = tree(GENERATED), tree(generated_copy)
    assert sorted(committed) == sorted(fresh), "files differ; run `make generate`"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert not stale, f"stale generated files {stale}; run `make generate`"


def test_check_mode_passes_on_the_committed_tree() -> None:
    result = run_cli("check", "-o", "generated")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_snapshots_are_what_the_bundled_signatures_generate(tmp_path: Path) -> None:
    """The committed snapshots came from signatures/*.json: regenerating from those files gives
    the same package."""
    rel = [str(p.relative_to(ROOT)) for p in SIGNATURES]
    out = tmp_path / "generated"
    result = run_cli("generate", *rel, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert tree(out) == tree(GENERATED)


@pytest.mark.slow
def test_generated_passes_mypy_strict(generated_copy: Path) -> None:
    result = run_mypy("-p", "generated", cwd=generated_copy.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_output_is_black_stable(generated_copy: Path) -> None:
    import black

    mode = black.Mode(target_versions={black.mode.TargetVersion.PY310}, line_length=100)
    for path in generated_copy.rglob("*.py"):
        if "_runtime" in path.parts:
            continue
        source = path.read_text()
        assert black.format_str(source, mode=mode) == source, path
