"""The TypeScript runtime's source as shipped: no npm dependency at run time (only relative
`./x.js` and `node:` imports), small modules, prettier-formatted, in the wheel's package data."""

from __future__ import annotations

import re
import subprocess

from .node import ROOT, Node

RUNTIME = ROOT / "codegen" / "runtime_ts"
SOURCES = sorted(RUNTIME.glob("*.ts"))
IMPORT = re.compile(
    r"""(?:^|\s)(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']"""
)


def test_the_runtime_imports_only_itself_and_node() -> None:
    assert (RUNTIME / "index.ts") in SOURCES
    seen = set()
    for path in SOURCES:
        for m in IMPORT.finditer(path.read_text()):
            target = m.group(1) or m.group(2)
            seen.add(target)
            own = target.startswith("./") and target.endswith(".js")
            assert own or target.startswith("node:"), f"{path.name} imports {target!r}"
            if own:
                assert (RUNTIME / target[2:].replace(".js", ".ts")).exists(), (path.name, target)
    assert {"./client.js", "node:fs/promises"} <= seen  # the pattern does find imports


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in SOURCES}
    assert max(sizes.values()) <= 400, sizes


def test_the_wheel_ships_the_runtime() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    section = text.split("[tool.setuptools.package-data]", 1)[1].split("\n[", 1)[0]
    assert '"runtime_ts/*.ts"' in section, section


def test_the_runtime_is_prettier_formatted(ts: Node) -> None:
    prettier = ROOT / "node_modules" / ".bin" / "prettier"
    result = subprocess.run(
        [str(prettier), "--check", *map(str, SOURCES)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
