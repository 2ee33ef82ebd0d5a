"""What the README and the generated package say about requirements is what pyproject.toml declares."""

from __future__ import annotations

import ast
import re

from packaging.specifiers import SpecifierSet

from ..conftest import ROOT
from .test_ranges import BOUNDED, requirements

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _stated(name: str, text: str) -> list[SpecifierSet]:
    return [SpecifierSet(s) for s in re.findall(rf"`{name}(>=[0-9.]+,<[0-9.]+)", text)]


def test_the_package_docstring_states_pyprojects_httpx_range() -> None:
    declared = requirements()["httpx"].specifier
    tree = ast.parse((ROOT / "generated" / "__init__.py").read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree) or ""
    stated = [SpecifierSet(s) for s in re.findall(r"httpx(>=[0-9.]+,<[0-9.]+)", docstring)]
    assert stated == [declared], docstring


def test_the_readme_states_pyprojects_ranges() -> None:
    for name in BOUNDED:
        stated = _stated(name, README)
        assert stated and all(s == requirements()[name].specifier for s in stated), name
