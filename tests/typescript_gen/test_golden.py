"""Acceptance 1: the golden TypeScript package regenerates byte for byte from its snapshots, is
prettier-stable, and passes `tsc --strict` with its examples and the negative type tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..writes import tree
from .conftest import GOLDEN, Workspace, regenerate

pytestmark = pytest.mark.slow  # tsc and prettier over every package: a minute under load


def test_golden_regenerates_byte_for_byte(workspace: Workspace) -> None:
    fresh = {k: v for k, v in tree(workspace.golden).items() if not k.startswith("negative/")}
    committed = tree(GOLDEN)
    assert sorted(fresh) == sorted(committed), "files differ; run `make generate`"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale generated-ts files {stale}; run `make generate`"


def test_output_is_deterministic(tmp_path: Path) -> None:
    regenerate(tmp_path / "a" / "pkg")
    regenerate(tmp_path / "b" / "pkg")
    assert tree(tmp_path / "a" / "pkg") == tree(tmp_path / "b" / "pkg")


def test_golden_and_examples_pass_tsc_strict(workspace: Workspace) -> None:
    mine = [e for e in workspace.errors if e.startswith("generated-ts/")]
    assert not mine, "\n".join(mine)
    assert list((workspace.golden / "examples").glob("*.ts")), "the examples are type-checked"


def test_negative_type_tests_are_checked_by_the_compiler(workspace: Workspace) -> None:
    """Each `@ts-expect-error` line must be an error (tsc reports an unused directive), so a
    clean compile (above) means every wrong call is rejected."""
    text = (workspace.golden / "negative" / "negative.ts").read_text()
    assert len(re.findall(r"// @ts-expect-error\n", text)) == 8
    assert not [e for e in workspace.errors if "negative" in e]


def test_golden_is_prettier_stable(workspace: Workspace) -> None:
    mine = [f for f in workspace.unformatted if f.startswith("generated-ts/")]
    assert not mine, f"prettier would rewrite {mine}"
