"""One workspace per session for the generated TypeScript: the golden package regenerated from
its snapshots (plus the negative type tests), and every generating hostile corpus file's package;
`tsc` and `prettier` run once over all of it (each takes seconds to start)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from codegen import api
from codegen.errors import CodegenError

from ..conftest import ROOT
from ..hostile_corpus import CORPUS, EXPECTED
from .tools import HERE, need_node, prettier_unformatted, project, tsc

GOLDEN = ROOT / "generated-ts"


@dataclass
class Workspace:
    root: Path
    node: str = ""
    outcomes: dict[str, str] = field(default_factory=dict)  # corpus file -> "" or its error
    warnings: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # tsc's
    unformatted: list[str] = field(default_factory=list)  # prettier's

    @property
    def golden(self) -> Path:
        return self.root / "generated-ts"  # the package name lock.json records

    def hostile(self, name: str) -> Path:
        return self.root / "hostile" / Path(name).stem.replace("-", "_")


def regenerate(out: Path) -> None:
    """`generated-ts/` regenerated into `out` from its snapshots alone."""
    (out / ".codegen").mkdir(parents=True)
    for snapshot in (GOLDEN / ".codegen").glob("*.json"):
        if snapshot.name != "lock.json":
            shutil.copy(snapshot, out / ".codegen" / snapshot.name)
    api.generate([], out, lang="typescript")


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    node = need_node()
    ws = Workspace(tmp_path_factory.mktemp("tsgen"), node)
    regenerate(ws.golden)
    shutil.copytree(HERE / "negative", ws.golden / "negative")
    for path in CORPUS:
        out = ws.hostile(path.name)
        try:
            result = api.generate([str(path)], out, ref=EXPECTED[path.name].ref, lang="typescript")
        except CodegenError as exc:
            ws.outcomes[path.name] = str(exc)
            continue
        failure = result.failures[0] if result.failures else None
        ws.outcomes[path.name] = "" if failure is None else str(failure)
        ws.warnings[path.name] = [str(p) for p in result.problems]
        if failure is None:  # one runtime for tsc to check (the same files in every package)
            shutil.rmtree(out / "_runtime")
            (out / "_runtime").symlink_to(ws.golden / "_runtime", target_is_directory=True)
    project(ws.root)
    ws.errors = tsc(ws.root)
    ws.unformatted = prettier_unformatted(ws.root)
    return ws
