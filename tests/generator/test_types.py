"""Type-level behaviour of generated code: what mypy must reject (negative tests, mypy-protobuf style)
and what an IDE must offer (jedi completion and signature help)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ..conftest import ROOT, run_mypy

NEGATIVE = ROOT / "tests" / "typing" / "negative.py"
_EXPECT = re.compile(r"#\s*E:\s*([\w-]+)")
_ERROR = re.compile(r"^negative\.py:(\d+): error: .*\[([\w-]+)\]$")


@pytest.mark.slow
def test_mypy_rejects_exactly_the_marked_lines(generated_copy: Path) -> None:
    work = generated_copy.parent
    shutil.copy(NEGATIVE, work / "negative.py")
    expected = {
        i: m.group(1)
        for i, line in enumerate(NEGATIVE.read_text().splitlines(), start=1)
        if (m := _EXPECT.search(line))
    }
    result = run_mypy("negative.py", cwd=work)
    got: dict[int, set[str]] = {}
    for line in result.stdout.splitlines():
        if m := _ERROR.match(line):
            got.setdefault(int(m.group(1)), set()).add(m.group(2))
    missing = {n: code for n, code in expected.items() if code not in got.get(n, set())}
    unexpected = {n: codes for n, codes in got.items() if n not in expected}
    assert not missing and not unexpected, result.stdout


def _script(generated_copy: Path, source: str) -> object:
    jedi = pytest.importorskip("jedi")
    project = jedi.Project(path=generated_copy.parent)
    return jedi.Script(source, path=generated_copy.parent / "use.py", project=project)


def test_ide_completes_every_method(generated_copy: Path) -> None:
    source = "from generated.all_types import AllTypes\nmodel = AllTypes()\nmodel."
    script = _script(generated_copy, source)
    names = {c.name for c in script.complete(3, len("model."))}  # type: ignore[attr-defined]
    assert {"scalars", "media", "containers", "tuned", "frames", "echo_stream"} <= names


def test_ide_signature_help_shows_real_parameters(generated_copy: Path) -> None:
    source = "from generated.all_types import AllTypes\nmodel = AllTypes()\nmodel.tuned("
    script = _script(generated_copy, source)
    signatures = script.get_signatures(3, len("model.tuned("))  # type: ignore[attr-defined]
    assert signatures, "no signature help"
    params = [p.name for p in signatures[0].params]
    assert params == ["prompt", "temperature", "effort", "top_k"]
    assert "Literal" in signatures[0].to_string() and "top_k: int=40" in signatures[0].to_string()
    docs = script.help(3, len("model.tu"))  # type: ignore[attr-defined]
    assert any("Inference params" in d.docstring() for d in docs)
