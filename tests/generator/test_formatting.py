"""formatting.py: one black pass gives black's own (two-pass) result on generated code, and every
source that does not parse, before or after black, is a one-line `CodegenError`."""

from __future__ import annotations

import gc
from unittest import mock

import black
import pytest
from black.parsing import InvalidInput

from codegen import formatting
from codegen.errors import CodegenError
from codegen.package import plan_all
from codegen.render import example_source, raw_module_source
from codegen.sources.signature_file import read_signature_file

from ..conftest import ROOT

# Two models between them use every template shape: all DataTypes, stream kinds, batches.
MODELS = ("synthetic__all-types.json", "hello-world.json")


def _sources() -> list[tuple[str, str]]:
    loaded = [read_signature_file(ROOT / "signatures" / name)[0] for name in MODELS]
    return [
        source(plan) if source is raw_module_source else source(plan, "generated")
        for plan, _ in plan_all(loaded)
        for source in (raw_module_source, example_source)
    ]


@pytest.mark.parametrize("line_length", [100, 60])
def test_one_pass_is_blacks_result(line_length: int) -> None:
    """Also at 60 columns, where black splits (and adds trailing commas) far more."""
    mode = black.Mode(target_versions={black.mode.TargetVersion.PY310}, line_length=line_length)
    for source, where in _sources() if line_length == 100 else _sources()[:2]:
        formatted = formatting.format_source(source, where, line_length)
        assert formatted != source, where  # black had work to do: the second pass would run
        assert formatted == black.format_str(source, mode=mode), where


def test_without_blacks_private_pass_the_public_api_gives_the_same() -> None:
    source, where = _sources()[0]
    expected = formatting.format_source(source, where)
    with mock.patch.object(black, "_format_str_once", None):
        assert formatting.format_source(source, where) == expected


@pytest.mark.parametrize(
    "source",
    [
        "def f(:\n    pass\n",  # neither black nor Python parses it
        "f() = 1\n",  # black keeps it, Python does not compile it
    ],
)
def test_code_that_does_not_parse_is_one_codegen_error(source: str) -> None:
    with pytest.raises(CodegenError, match="generated code does not parse") as caught:
        formatting.format_source(source, "m.py")
    assert "\n" not in str(caught.value) and "m.py" in str(caught.value)


def test_code_only_black_rejects_is_a_codegen_error() -> None:
    def refuse(source: str, line_length: int) -> str:
        raise InvalidInput("cannot parse")

    with (
        mock.patch.object(formatting, "black_once", refuse),
        pytest.raises(CodegenError, match="black cannot parse the generated code"),
    ):
        formatting.format_source("x = 1\n", "m.py")


def _syntax_trees_alive() -> int:
    from blib2to3.pytree import Node

    return sum(isinstance(o, Node) for o in gc.get_objects())


def test_blacks_syntax_tree_is_freed_as_soon_as_it_is_garbage() -> None:
    """Freed at once (one young collection), not left for the collector to find on its own,
    and the collector is left as it was found, also when black fails."""
    source, where = _sources()[0]
    gc.collect()
    assert gc.isenabled() and _syntax_trees_alive() == 0
    formatting.format_source(source, where)
    assert gc.isenabled() and _syntax_trees_alive() == 0
    with pytest.raises(CodegenError):
        formatting.format_source("def f(:\n", where)
    assert gc.isenabled()
    gc.disable()
    try:
        formatting.format_source(source, where)
        assert not gc.isenabled()
    finally:
        gc.enable()
