"""The hostile corpus past parsing: every generating file (tests/hostile_corpus.py) gives code that
`mypy --strict` accepts (a default or a `Literal` Python parses but mypy rejects is a bug), and a package
that regenerates from its snapshots alone. All of them in one package, through the library API."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from codegen import api
from codegen.sources.ids import parse_ref
from codegen.spec import ModelRef

from ..conftest import run_mypy
from ..hostile_corpus import EXPECTED, HOSTILE_OK

PACKAGE = "hostile_pkg"


def corpus_ref(path: Path) -> ModelRef | None:
    """The `--ref` a file is generated with; files that share one get their own model id here."""
    ref = EXPECTED[path.name].ref
    return dataclasses.replace(parse_ref(ref), model_id=path.stem) if ref else None


@pytest.fixture(scope="module")
def corpus_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / PACKAGE
    outcomes = api.load_each(HOSTILE_OK, [corpus_ref(p) for p in HOSTILE_OK])
    assert [o.error for o in outcomes if o.error] == []
    models = [o.loaded for o in outcomes if o.loaded is not None]
    assert len({m.key for m in models}) == len(HOSTILE_OK)
    api.write(out, api.build(models, PACKAGE))
    return out


@pytest.mark.slow
def test_corpus_code_passes_mypy_strict(corpus_package: Path) -> None:
    modules = sorted(p.stem for p in corpus_package.glob("*.py") if p.name != "__init__.py")
    assert len(modules) == len(HOSTILE_OK)
    result = run_mypy("-p", PACKAGE, cwd=corpus_package.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_corpus_package_regenerates_from_its_snapshots(corpus_package: Path) -> None:
    """Snapshots keep the documents as received, lone surrogates included (as JSON escapes)."""
    result = api.generate([], corpus_package, check=True)
    assert result.failures == [] and result.changed == [], result.diff
