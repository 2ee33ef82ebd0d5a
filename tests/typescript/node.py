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

    def _command(self, script: str) -> list[str]:
        return [self.node, str(self.out / "tests" / "typescript" / "scripts" / f"{script}.js")]

    @staticmethod
    def _env(env: dict[str, str] | None) -> dict[str, str]:
        """The test's environment without CLARIFAI_* (a developer's PAT never reaches a script)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("CLARIFAI_")}
        return {**base, **(env or {})}

    def run(
        self, script: str, payload: Any, env: dict[str, str] | None = None, timeout: float = 60
    ) -> Any:
        """Run `scripts/<script>.js` with `payload` as one line of JSON on stdin; its JSON stdout."""
        result = subprocess.run(
            self._command(script),
            input=json.dumps(payload) + "\n",
            env=self._env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)

    def start(self, script: str, env: dict[str, str] | None = None) -> Running:
        """Start `scripts/<script>.js`, which answers each line of JSON with one (`Running`)."""
        return Running.start(self._command(script), self._env(env))


@dataclass
class Running:
    """A script serving requests: `ask(payload)` sends a line of JSON and reads the answer's."""

    proc: subprocess.Popen[str]

    @classmethod
    def start(cls, command: list[str], env: dict[str, str] | None = None) -> Running:
        """Start `command` (a node script) with `env` (default: the test's environment without
        CLARIFAI_*)."""
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=Node._env(None) if env is None else env,
            text=True,
        )
        return cls(proc)

    def ask(self, payload: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(payload) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            raise AssertionError(self.proc.stderr.read() if self.proc.stderr else "no answer")
        return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
