"""Helpers for the write-path tests (atomic writes, the package lock, the kill loop).

`python -m tests.writes` is the kill loop's fork server: it imports codegen once and memoizes
`api.build` (pure in-memory rendering, keyed by the models' snapshot bytes, so any other input
still renders), then for each JSON command line `{"args": [...], "kill_after": seconds|null}` forks a child
that runs the real CLI with those arguments, SIGKILLs it after `kill_after` seconds if it
still runs, and prints `{"status": <exit code, -9 if killed>, "ms": <its duration>}`. A command
without `kill_after` runs in the server itself, so what it renders stays cached. A child starts in
about a millisecond, so a loop can kill many 40-model generates at random moments.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen import api
from codegen.snapshot_format import Loaded, snapshot_bytes

STAGING = (".codegen", ".staging")


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path (hidden ones included; no bytecode caches)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def leftovers(root: Path) -> list[str]:
    """What a write may leave behind: its staging directory and temporary files."""
    found = [p for p in root.rglob("*") if p.name.endswith(".tmp") or p.name == STAGING[1]]
    return sorted(p.relative_to(root).as_posix() for p in found)


def restore(root: Path, files: dict[str, bytes]) -> None:
    """Make `root` hold exactly `files` (a `tree`)."""
    if root.exists():
        shutil.rmtree(root)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def tiny_models(folder: Path, count: int, version: int, prefix: str = "tiny") -> list[str]:
    """`count` small signature files (one method each); `version` changes every model's
    signature, so two versions differ in every module, example and snapshot."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        fields: list[dict[str, Any]] = [{"name": "text", "type": 1, "required": True}]
        fields += [
            {"name": f"p{k}", "type": 3, "default": str(k), "is_param": True}
            for k in range(version)
        ]
        doc = {
            "model": {
                "id": f"{prefix}-{i:02d}",
                "user_id": "u",
                "app_id": "a",
                "model_version": {
                    "method_signatures": [
                        {
                            "name": "predict",
                            "method_type": 1,
                            "input_fields": fields,
                            "output_fields": [{"name": "return", "type": 1}],
                        }
                    ]
                },
            }
        }
        path = folder / f"{prefix}-{i:02d}.json"
        path.write_text(json.dumps(doc))
        paths.append(str(path))
    return paths


def memoized_build(cache: dict[Any, api.Result] | None = None) -> Callable[..., api.Result]:
    """`api.build` with a cache (shared when `cache` is given): rendering is pure and the key is
    every model's snapshot bytes (and the files of those reused unparsed), so a cached result is
    exactly what it would render."""
    real = api.build
    cache = {} if cache is None else cache

    def build(
        models: Sequence[Loaded],
        package: str,
        line_length: int = 100,
        reuse: Any = None,
        lang: str = "python",
    ) -> api.Result:
        known = [] if reuse is None else list(reuse.known)
        reused = tuple(sorted(item for k in known for item in k.files.items()))
        key = (package, line_length, tuple(snapshot_bytes(m) for m in models), reused, lang)
        if key not in cache:
            cache[key] = real(models, package, line_length, reuse, lang)
        done = cache[key]
        return api.Result(
            files=dict(done.files),
            problems=list(done.problems),
            models=list(done.models),
            known=known,
        )

    return build


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Ran:
    """The CLI in this process (click's CliRunner): the code `python -m codegen` runs, without an
    interpreter's start-up, which takes seconds on a loaded machine."""
    from click.testing import CliRunner

    from codegen.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return Ran(result.exit_code, result.stdout, result.stderr)


def _run_cli(args: list[str]) -> int:
    from codegen.cli import cli

    try:
        cli.main(args, prog_name="clarifai-codegen", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _quietly(args: list[str]) -> int:
    """The CLI in this process (so the build cache keeps what it renders), output discarded."""
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        return _run_cli(args)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def _killed(args: list[str], delay: float) -> int:
    """The CLI in a forked child, SIGKILLed after `delay` seconds unless it ended first."""
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            code = _run_cli(args)
        except BaseException:
            code = 99
        os._exit(code)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)  # a zombie until reaped below: never another process
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def serve() -> None:
    api.build = memoized_build()  # type: ignore[assignment]
    for line in sys.stdin:
        command = json.loads(line)
        start = time.monotonic()
        if command.get("kill_after") is None:
            status = _quietly(command["args"])
        else:
            status = _killed(command["args"], command["kill_after"])
        ms = (time.monotonic() - start) * 1000
        print(json.dumps({"status": status, "ms": ms}), flush=True)


if __name__ == "__main__":
    serve()
