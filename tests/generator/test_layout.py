"""render_layout.py: a module the templates lay out themselves (`Formatted`, no black pass) is
byte-for-byte what black makes of the plain rendering, on every golden model and every generating
hostile-corpus file (tests/generator/test_fuzz.py does the same on every fuzzed module); a layout
that is not black's fails these checks (positive control)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codegen import render_layout
from codegen.errors import CodegenError
from codegen.formatting import Formatted, format_source
from codegen.package import plan_all
from codegen.plan import ModulePlan
from codegen.render import module_source, raw_module_source
from codegen.sources.signature_file import read_signature_file

from ..conftest import ROOT
from ..hostile_corpus import CORPUS, EXPECTED, Ok


def _plans(paths: list[Path]) -> Iterator[ModulePlan]:
    for path in paths:
        try:
            loaded, _ = read_signature_file(path, need_ids=False)
            planned = plan_all([loaded])
        except CodegenError:
            continue
        for plan, _ in planned:
            assert isinstance(plan, ModulePlan)
            yield plan


def fast_path_mismatches(plan: ModulePlan) -> tuple[bool, bool]:
    """(took the fast path, its bytes differ from black's formatting of the plain rendering)."""
    source, _ = module_source(plan)
    if not isinstance(source, Formatted):
        return False, False
    return True, str(source) != format_source(*raw_module_source(plan))


GOLDEN = sorted(p for p in (ROOT / "signatures").glob("*.json") if p.name != "index.json")
GENERATING = [p for p in CORPUS if isinstance(EXPECTED.get(p.name), Ok)]


def test_every_golden_module_takes_the_fast_path_and_is_blacks_layout() -> None:
    plans = list(_plans(GOLDEN))
    assert len(plans) == len(GOLDEN)
    for plan in plans:
        source, _ = module_source(plan)
        assert isinstance(source, Formatted), plan.module
        golden = (ROOT / "generated" / f"{plan.module}.py").read_text()
        assert str(source) == golden == format_source(*raw_module_source(plan)), plan.module


def test_every_hostile_module_on_the_fast_path_is_blacks_layout() -> None:
    fast = 0
    for plan in _plans(GENERATING):
        took, differs = fast_path_mismatches(plan)
        fast += took
        assert not differs, plan.spec.ref.path
    assert fast >= len(GENERATING) // 2  # most hostile models still need no black pass


def test_a_module_black_would_lay_out_otherwise_goes_through_black() -> None:
    """Lines over the limit that black could split are not vouched for."""
    layout = render_layout.Layout(True, 100)
    assert layout.vouch('    "key": "' + "x" * 200 + '",\n')
    assert layout.vouch("    name: str = '" + "x" * 200 + "',\n")
    assert not layout.vouch("    name: list[str] = ['" + "x" * 200 + "'],\n")
    assert not layout.vouch("x = f(" + "a, " * 60 + ")\n")
    assert layout.vouch('    """' + "x" * 200 + '"""\n')


def swap_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls laid out like collections (one argument per line where black keeps them on a line
    of their own) and collections like calls: a layout that is not black's."""
    real = render_layout.Piece.render

    def swapped(self: render_layout.Piece, depth: int, line_length: int, trailer: str = "") -> str:
        if self.kind != "def":
            other = "call" if self.kind == "atom" else "atom"
            self = render_layout.Piece(self.head, self.items, self.tail, other)  # type: ignore[arg-type]
        return real(self, depth, line_length, trailer)

    monkeypatch.setattr(render_layout.Piece, "render", swapped)


def test_the_checks_fail_on_a_layout_that_is_not_blacks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Positive control: a layout that is not black's is caught on the golden models."""
    swap_kinds(monkeypatch)
    results = [fast_path_mismatches(plan) for plan in _plans(GOLDEN)]
    assert any(took and differs for took, differs in results)


def test_another_line_length_goes_through_black() -> None:
    """The template's fixed lines are black's at 100 columns only: at 60 the module is rendered
    plain, and a source laid out for 100 is never passed off as formatted for 60."""
    plan = next(_plans(GOLDEN[:1]))
    source, where = module_source(plan, 60)
    assert not isinstance(source, Formatted)
    laid_out, _ = module_source(plan)
    assert isinstance(laid_out, Formatted)
    with pytest.raises(CodegenError, match="internal error"):
        format_source(laid_out, where, 60)


DOCSTRINGS = [
    "plain",
    "  leading spaces",
    'ends with a quote"',
    "ends with a backslash\\",
    "two lines\n  the second indented",
    "first\n\n    indented more\n  less",
    "tab\tinside\n\tand leading",
    "x" * 120,
    "first\n" + "y" * 96,  # literals.docstring closes a multi-line docstring on its own line
    "\u4e2d" * 60,  # 60 characters, 120 columns
    "escapes \x00 \u2028 \ufeff",
]


@pytest.mark.parametrize("depth", [0, 1, 2])
@pytest.mark.parametrize("text", DOCSTRINGS)
def test_docstrings_are_blacks(text: str, depth: int) -> None:
    from codegen.literals import docstring

    indent = "    " * depth
    literal = docstring(text, indent=indent)
    opening = "".join(f"{'    ' * d}class C{d}:\n" for d in range(depth))
    expected = format_source(f"{opening}{indent}{literal}\n", "doc")
    laid_out = render_layout.black_docstring(literal, depth, 100)
    assert f"{opening}{indent}{laid_out}\n" == expected


def test_the_layout_is_the_pinned_blacks_and_another_black_formats_every_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pins = (ROOT / "constraints.txt").read_text().splitlines()
    assert f"black=={render_layout.BLACK}" in pins
    plan = next(_plans(GOLDEN[:1]))
    monkeypatch.setattr(render_layout, "BLACK", "24.1.0")
    render_layout.black_is_ours.cache_clear()
    try:
        source, _ = module_source(plan)
    finally:
        render_layout.black_is_ours.cache_clear()
    assert not isinstance(source, Formatted)
