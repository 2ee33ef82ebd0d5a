"""Compile the TypeScript runtime (and the Node scripts of these tests) with the repository's pinned
`tsc`, and run the scripts under `node` with a JSON payload on stdin and a JSON answer on stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "node_modules" / ".bin" / "tsc"


def node_path() -> str | None:
    """The `node` executable, if there is one."""
    return shutil.which("node")


def compile_runtime(out: Path) -> None:
    """`tsc -p .` (the runtime and tests/typescript/scripts) into `out`, as ES modules."""
    if not TSC.exists():
        raise RuntimeError(f"{TSC} is missing: run `make node_modules/.installed` (npm ci)")
    result = subprocess.run(
        [str(TSC), "-p", str(ROOT), "--outDir", str(out), "--declaration", "false"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (out / "package.json").write_text('{"type": "module"}\n')


@dataclass(frozen=True)
class Node:
    """Runs the compiled scripts of tests/typescript/scripts/ (`out`: the compile's output)."""

    node: str
    out: Path

    @property
    def runtime(self) -> Path:
        return self.out / "codegen" / "runtime_ts"

    def run(
        self, script: str, payload: Any, env: dict[str, str] | None = None, timeout: float = 60
    ) -> Any:
        """Run `scripts/<script>.js` with `payload` as JSON on stdin; its JSON stdout."""
        path = self.out / "tests" / "typescript" / "scripts" / f"{script}.js"
        base = {k: v for k, v in os.environ.items() if not k.startswith("CLARIFAI_")}
        result = subprocess.run(
            [self.node, str(path)],
            input=json.dumps(payload),
            env={**base, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)
