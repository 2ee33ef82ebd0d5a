"""The generated package (the golden one, with the every-type oracle model added: every DataType)
and its examples compile under a user's strictest settings (`tools.USER_STRICT`), with both ES
module resolutions a Node or bundler project uses, not only under the settings of our own tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codegen import api

from ..conftest import ROOT
from .conftest import GOLDEN
from .tools import TSCONFIG, USER_STRICT, need_node, tsc

pytestmark = pytest.mark.slow  # one tsc run per module setting

MODULES = {
    "nodenext": {"module": "NodeNext", "moduleResolution": "NodeNext"},
    "bundler": {"module": "ES2022", "moduleResolution": "Bundler"},
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_node()
    root = tmp_path_factory.mktemp("tsuser")
    shutil.copytree(GOLDEN, root / "pkg")
    every_type = ROOT / "tests" / "oracle" / "signatures" / "every-type.json"
    api.generate([str(every_type)], root / "pkg", lang="typescript")
    (root / "package.json").write_text('{"type": "module"}\n')
    return root


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_package_compiles_under_a_users_strict_tsconfig(package: Path, module: str) -> None:
    options = {**TSCONFIG["compilerOptions"], **USER_STRICT, **MODULES[module]}
    config = {"compilerOptions": options, "include": ["pkg/**/*.ts"]}
    (package / "tsconfig.json").write_text(json.dumps(config, indent=2))
    assert (package / "pkg" / "examples" / "every_type.ts").exists()
    assert tsc(package) == []
