"""`kill -9` at random moments of a 40-model generate never leaves a mixed package: after each kill
the real `check` (which first finishes or undoes what the killed run left) passes, and the package
is byte for byte the old one or the new one, with nothing left behind."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .writes import STAGING, leftovers, run, tiny_models, tree

KILLS = 30


class Forker:
    """The fork server of tests/writes.py: runs the CLI in forked children, killed on request."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.writes"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, kill_after: float | None = None) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"args": list(args), "kill_after": kill_after}) + "\n")
        self.proc.stdin.flush()
        reply: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return reply

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def forker() -> Iterator[Forker]:
    server = Forker()
    try:
        yield server
    finally:
        server.close()


def reset(root: Path, now: dict[str, bytes], wanted: dict[str, bytes]) -> None:
    """Make `root` (holding `now`) hold `wanted`, touching only the files that differ."""
    for rel in now.keys() - wanted.keys():
        (root / rel).unlink()
    for rel, data in wanted.items():
        if now.get(rel) != data:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)


@pytest.mark.slow
def test_kill_9_never_leaves_a_mixed_package(tmp_path: Path, forker: Forker) -> None:
    old_sources = tiny_models(tmp_path / "v1", 40, version=1)
    new_sources = tiny_models(tmp_path / "v2", 40, version=2)  # every module, example, snapshot
    out = tmp_path / "pkg"
    assert forker.run("generate", *old_sources, "-o", str(out))["status"] == 0
    old = tree(out)
    assert forker.run("generate", *new_sources, "-o", str(out))["status"] == 0
    new = tree(out)
    assert forker.run("check", "-o", str(out))["status"] == 0
    reset(out, new, old)
    duration = forker.run("generate", *new_sources, "-o", str(out))["ms"] / 1000
    assert tree(out) == new
    reset(out, new, old)

    seed = random.randrange(2**32)
    print(f"kill loop seed {seed}; a whole run takes {duration * 1000:.0f} ms")
    rng = random.Random(seed)
    outcomes = {"old": 0, "new": 0, "interrupted": 0}
    kills = i = 0
    while kills < KILLS and i < 2 * KILLS:
        # first spread evenly over the whole run, then anywhere in its first 80%
        spot = (i + rng.random()) / KILLS if i < KILLS else 0.8 * rng.random()
        delay, i = duration * spot, i + 1
        status = forker.run("generate", *new_sources, "-o", str(out), kill_after=delay)["status"]
        kills += status == -9
        outcomes["interrupted"] += bool(leftovers(out))
        check = forker.run("check", "-o", str(out))["status"]
        after = tree(out)
        where = f"seed {seed}, run {i} killed after {delay * 1000:.1f} ms (status {status})"
        assert check == 0, f"check failed after the kill: {where}"
        assert after in (old, new), f"mixed package: {where}"
        assert leftovers(out) == [], where
        outcomes["old" if after == old else "new"] += 1
        reset(out, after, old)
    print(f"{kills} kills in {i} runs: {outcomes}")
    assert kills >= KILLS and outcomes["interrupted"] > 0, outcomes


def test_a_killed_cli_run_is_repaired_by_the_next(tmp_path: Path) -> None:
    """The same without the fork server: the real command, killed once it has begun writing."""
    old_sources = tiny_models(tmp_path / "v1", 3, version=1)
    new_sources = tiny_models(tmp_path / "v2", 3, version=2)
    out = tmp_path / "pkg"
    assert run("generate", *old_sources, "-o", str(out)).returncode == 0
    old = tree(out)
    assert run("generate", *new_sources, "-o", str(out)).returncode == 0
    new = tree(out)
    reset(out, new, old)
    cmd = [sys.executable, "-m", "codegen", "generate", *new_sources, "-o", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    staging = out.joinpath(*STAGING)
    while proc.poll() is None and not staging.exists():
        time.sleep(0.0005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert run("check", "-o", str(out)).returncode == 0
    assert leftovers(out) == []
    assert tree(out) in (old, new)
