"""Runs on one output directory are serialized: a second `generate` waits for the first, then
re-reads the snapshots, so both runs' models end up in the package; a run that cannot get the lock
in time fails with one line and writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from codegen import api, dirlock

from .conftest import ROOT
from .writes import leftovers, memoized_build, run, tiny_models, tree

_BUILDS: dict[Any, api.Result] = {}


@pytest.fixture(autouse=True)
def fast_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs render each set of models once per module."""
    monkeypatch.setattr(api, "build", memoized_build(_BUILDS))


def lock_models(out: Path) -> list[str]:
    return sorted(json.loads((out / ".codegen" / "lock.json").read_text())["models"])


def test_concurrent_generates_keep_every_model(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "codegen", "generate", *sources, "-o", str(out)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sources in (
            tiny_models(tmp_path / "a", 4, 1, prefix="a"),
            tiny_models(tmp_path / "b", 4, 1, prefix="b"),
        )
    ]
    for proc in runs:
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
    assert lock_models(out) == [f"{p}_{i:02d}" for p in "ab" for i in range(4)]
    assert run("check", "-o", str(out)).returncode == 0
    assert leftovers(out) == []


def test_a_waiting_run_rereads_the_snapshots(tmp_path: Path) -> None:
    """While the lock is held, another run waits; a snapshot added meanwhile is in its result."""
    out = tmp_path / "pkg"
    first, second, third = (tiny_models(tmp_path / p, 1, 1, prefix=p)[0] for p in "abc")
    assert run("generate", first, "-o", str(out)).returncode == 0
    with dirlock.package_lock(out, create=False):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "codegen", "generate", second, "-o", str(out)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        assert waiting.poll() is None, "the second run did not wait for the lock"
        assert run("generate", third, "-o", str(tmp_path / "other")).returncode == 0
        snapshot = tmp_path / "other" / ".codegen" / "c_00.json"
        (out / ".codegen" / "c_00.json").write_bytes(snapshot.read_bytes())
    _, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert lock_models(out) == ["a_00", "b_00", "c_00"]
    assert run("check", "-o", str(out)).returncode == 0


def test_no_lock_in_time_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pkg"
    first, second = (tiny_models(tmp_path / p, 1, 1, prefix=p)[0] for p in "ab")
    assert run("generate", first, "-o", str(out)).returncode == 0
    before = tree(out)
    monkeypatch.setattr(dirlock, "WAIT_SECONDS", 0.3)
    with dirlock.package_lock(out, create=False):
        result = run("generate", second, "-o", str(out))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {out / '.codegen'}: another clarifai-codegen run is writing this package "
        "(waited 0.3 s)\n"
    )
    assert tree(out) == before


def test_the_lock_leaves_no_file_and_no_directory(tmp_path: Path) -> None:
    """The lock is on DIR/.codegen itself; a failed run into a new directory removes what it made."""
    out = tmp_path / "new" / "pkg"
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": {"id": "x", "user_id": "u", "app_id": "a"}}')
    result = run("generate", str(bad), "-o", str(out))
    assert result.returncode == 2
    assert not (tmp_path / "new").exists()
    good = tiny_models(tmp_path / "a", 1, 1)[0]
    assert run("generate", good, "-o", str(out)).returncode == 0
    assert sorted(p.name for p in (out / ".codegen").iterdir()) == ["lock.json", "tiny_00.json"]


class TestLockFile:
    """Where flock is missing or refused: a lock file made with O_EXCL, holding the pid."""

    @pytest.fixture(autouse=True)
    def no_flock(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(dirlock, "flock", None)

    def test_taken_and_released(self, tmp_path: Path) -> None:
        (tmp_path / ".codegen").mkdir()
        lock = tmp_path / ".codegen" / dirlock.LOCK_FILE
        with dirlock.package_lock(tmp_path, create=False):
            assert lock.read_text() == str(os.getpid())
        assert not lock.exists()

    def test_a_live_holder_is_waited_for(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (tmp_path / ".codegen").mkdir()
        holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        try:
            (tmp_path / ".codegen" / dirlock.LOCK_FILE).write_text(str(holder.pid))
            monkeypatch.setattr(dirlock, "WAIT_SECONDS", 0.3)
            with pytest.raises(dirlock.CodegenError) as caught:
                with dirlock.package_lock(tmp_path, create=False):
                    pass
            assert f"held by process {holder.pid}" in str(caught.value)
        finally:
            holder.kill()
            holder.wait()

    def test_a_dead_holder_is_stale(self, tmp_path: Path) -> None:
        (tmp_path / ".codegen").mkdir()
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout.strip()  # fmt: skip
        lock = tmp_path / ".codegen" / dirlock.LOCK_FILE
        lock.write_text(gone)
        with dirlock.package_lock(tmp_path, create=False):
            assert lock.read_text() == str(os.getpid())
        assert not lock.exists()
