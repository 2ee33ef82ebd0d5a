"""Writes are atomic per package: an OS error at any step (full disk, read-only directory, a failed
rename) is one `error: <path>: <what>` line, exit 2, and leaves the old package exactly as it was;
what a killed run left is undone by the next run; files a previous run wrote and this one no
longer produces are removed, files it did not write never are."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen import api

from .conftest import ROOT
from .writes import STAGING, leftovers, memoized_build, restore, run, tiny_models, tree

HELLO = str(ROOT / "signatures" / "hello-world.json")
ALL_TYPES = str(ROOT / "signatures" / "synthetic__all-types.json")
MUTATING = ("open", "write", "fsync", "replace", "rename", "link", "unlink", "mkdir", "rmdir")


@pytest.fixture
def packages(tmp_path: Path) -> tuple[Path, list[str], dict[str, bytes]]:
    """A generated package (3 models, version 1) and the sources of version 2 of its models."""
    out = tmp_path / "pkg"
    old_sources = tiny_models(tmp_path / "v1", 3, version=1)
    assert run("generate", *old_sources, "-o", str(out)).returncode == 0
    return out, tiny_models(tmp_path / "v2", 3, version=2), tree(out)


_BUILDS: dict[Any, api.Result] = {}


@pytest.fixture(autouse=True)
def fast_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs render each set of models once per module."""
    monkeypatch.setattr(api, "build", memoized_build(_BUILDS))


class Faults:
    """Counts calls to the os functions that change the disk and fails those `fail` picks."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: Callable[[int], bool], code: int):
        self.calls = 0
        for name in MUTATING:
            monkeypatch.setattr(os, name, self._wrap(getattr(os, name), fail, code))

    def _wrap(self, real: Callable[..., Any], fail: Callable[[int], bool], code: int) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if real is _OPEN and not _writes(*args, **kwargs):  # reading a source changes nothing
                return real(*args, **kwargs)
            self.calls += 1
            if fail(self.calls):
                raise OSError(code, os.strerror(code))
            return real(*args, **kwargs)

        return call


_OPEN = os.open


def _writes(path: Any, flags: int, *args: Any, **kwargs: Any) -> bool:
    return bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))


def without_staging(files: dict[str, bytes]) -> dict[str, bytes]:
    prefix = "/".join(STAGING) + "/"
    return {rel: data for rel, data in files.items() if not rel.startswith(prefix)}


def test_every_failing_step_leaves_the_old_package(
    packages: tuple[Path, list[str], dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """An injected OSError at the k-th change to the disk, for every k of a whole run: exit 2 with
    one line and the old package, or (a failure after the commit point, while cleaning up) exit 0
    with the new one; either way the next run leaves nothing behind."""
    out, new_sources, old = packages
    with monkeypatch.context() as m:
        counter = Faults(m, lambda n: False, errno.EIO)
        assert run("generate", *new_sources, "-o", str(out)).returncode == 0
    new, total = tree(out), counter.calls
    assert total > 20
    print(f"{total} changes to the disk")
    for k in range(1, total + 1):
        restore(out, old)
        with monkeypatch.context() as m:
            Faults(m, lambda n, k=k: n == k, errno.ENOSPC)
            ran = run("generate", *new_sources, "-o", str(out))
            code, stderr = ran.returncode, ran.stderr
        if code == 2:
            assert stderr.count("\n") == 1 and stderr.startswith("error: "), (k, stderr)
            assert stderr.endswith(": no space left on device\n"), (k, stderr)
            assert tree(out) == old and leftovers(out) == [], k
            continue
        assert code == 0, (k, stderr)  # failed after the commit point, cleaning up
        assert without_staging(tree(out)) == new, k
        assert run("check", "-o", str(out)).returncode == 0
        assert tree(out) == new and leftovers(out) == [], k


def test_every_step_failing_from_then_on_is_undone_by_the_next_run(
    packages: tuple[Path, list[str], dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every change to the disk fails from the k-th on (so undoing fails too): one line, exit 2,
    and the next run (`check`) puts the old package back."""
    out, new_sources, old = packages
    with monkeypatch.context() as m:
        counter = Faults(m, lambda n: False, errno.EIO)
        assert run("generate", *new_sources, "-o", str(out)).returncode == 0
    new, total = tree(out), counter.calls
    for k in range(1, total + 1, 3):
        restore(out, old)
        with monkeypatch.context() as m:
            Faults(m, lambda n, k=k: n >= k, errno.EROFS)
            ran = run("generate", *new_sources, "-o", str(out))
            code, stderr = ran.returncode, ran.stderr
        assert code in (0, 2), (k, stderr)
        if code == 2:
            assert stderr.count("\n") == 1 and stderr.endswith(": read-only file system\n"), k
        assert run("check", "-o", str(out)).returncode == 0, k
        assert leftovers(out) == [] and tree(out) == (new if code == 0 else old), k


def in_namespace(script: str) -> subprocess.CompletedProcess[str]:
    """`script` (sh) as root of a new user and mount namespace: it may mount a small tmpfs or a
    read-only bind mount that vanish with it. Skips where unprivileged namespaces are refused."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not permitted here")
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120
    )


def generate_in_mount(
    tmp_path: Path, mount: str, new_sources: list[str], old: dict[str, bytes]
) -> None:
    """Run `generate` on a copy of the package inside `mount` (sh commands mounting `$M`), copy
    what it left back out, and check: one line, exit 2, the old package, nothing left behind."""
    mnt, after = tmp_path / "mnt", tmp_path / "after"
    restore(tmp_path / "src", old)
    mnt.mkdir()
    gen = " ".join([sys.executable, "-m", "codegen", "generate", *new_sources, "-o", "$M/pkg"])
    result = in_namespace(
        f"set -e; M={mnt}; {mount}\n"
        f"cd {ROOT}; set +e; {gen} 2>{tmp_path}/stderr; echo $? >{tmp_path}/rc\n"
        f"cp -a $M/pkg {after}"
    )
    assert result.returncode == 0, result.stderr
    stderr = (tmp_path / "stderr").read_text()
    assert (tmp_path / "rc").read_text().strip() == "2", stderr
    assert stderr.count("\n") == 1 and stderr.startswith(f"error: {mnt}/pkg"), stderr
    assert tree(after) == old and leftovers(after) == []
    return None


def test_a_full_disk(packages: tuple[Path, list[str], dict[str, bytes]], tmp_path: Path) -> None:
    """A real ENOSPC: a 1 MiB tmpfs, filled up but for 24 KiB after the old package is copied in."""
    _, new_sources, old = packages
    mount = (
        "mount -t tmpfs -o size=1m tmpfs $M; "
        f"cp -a {tmp_path}/src $M/pkg; "
        "dd if=/dev/zero of=$M/fill bs=4k 2>/dev/null || true; truncate -s -24K $M/fill"
    )
    generate_in_mount(tmp_path, mount, new_sources, old)
    assert "no space left on device" in (tmp_path / "stderr").read_text()


def test_a_read_only_file_system(
    packages: tuple[Path, list[str], dict[str, bytes]], tmp_path: Path
) -> None:
    _, new_sources, old = packages
    mount = (
        f"mount -t tmpfs tmpfs $M; cp -a {tmp_path}/src $M/pkg; "
        "mount --bind $M $M; mount -o remount,bind,ro $M"
    )
    generate_in_mount(tmp_path, mount, new_sources, old)
    assert "read-only file system" in (tmp_path / "stderr").read_text()


def test_a_file_too_large(packages: tuple[Path, list[str], dict[str, bytes]]) -> None:
    """RLIMIT_FSIZE makes writing past 1 KiB fail with EFBIG, at the OS level, without privileges."""
    out, new_sources, old = packages
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))\n"
        "from codegen.cli import main\n"
        "main(sys.argv[1:], prog_name='clarifai-codegen')\n"
    )
    result = subprocess.run(
        [sys.executable, "-B", "-c", code, "generate", *new_sources, "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.endswith(": file too large\n") and result.stderr.count("\n") == 1
    assert tree(out) == old and leftovers(out) == []


def as_other_user() -> tuple[list[str], int]:
    """The command prefix that runs as a user chmod restricts, and that user's id: this one
    unless it is root (root ignores file modes), else `setpriv` to nobody; skips if neither."""
    if os.geteuid() != 0:
        return [], os.geteuid()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod does not restrict root")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], 65534


def test_a_read_only_directory(tmp_path: Path) -> None:
    """The package directory, a subdirectory with a new file, or .codegen/ (chmod 0o555)."""
    prefix, nobody = as_other_user()
    base = Path(tempfile.mkdtemp())  # pytest's base directory is closed to other users
    try:
        base.chmod(0o755)
        sources = tiny_models(base / "v1", 2, 1), tiny_models(base / "v2", 3, 2)  # + examples/
        assert run("generate", *sources[0], "-o", str(base / "template")).returncode == 0
        for read_only in (".", "examples", ".codegen"):
            out = base / read_only.strip(".").ljust(1, "_") / "pkg"
            shutil.copytree(base / "template", out)
            for path in [out, *out.rglob("*")]:
                os.chown(path, nobody, nobody)
            (out / read_only).chmod(0o555)
            cmd = [*prefix, sys.executable, "-B", "-m", "codegen", "generate", *sources[1]]
            result = subprocess.run(
                [*cmd, "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 2, (read_only, result.stderr)
            assert result.stderr.endswith(": permission denied\n"), result.stderr
            assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {out}")
            assert tree(out) == tree(base / "template") and leftovers(out) == [], read_only
    finally:
        for path in base.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_an_output_below_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run("generate", HELLO, "-o", str(tmp_path / "file" / "pkg"))
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'file' / 'pkg'}: not a directory\n"


def test_files_a_previous_run_wrote_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    assert run("generate", HELLO, ALL_TYPES, "-o", str(out)).returncode == 0
    lock_path = out / ".codegen" / "lock.json"
    lock = json.loads(lock_path.read_text())
    lock["files"].append("_runtime/retry.py")  # as if an older generator had written it
    lock_path.write_text(json.dumps(lock))
    for rel in ("_runtime/retry.py", "mine.py", "examples/mine.py"):
        (out / rel).write_text("x = 1\n")
    (out / ".codegen" / "hello_world.json").unlink()  # how a model is removed

    result = run("check", "-o", str(out))
    assert result.returncode == 1
    assert "--- a/hello_world.py\n+++ /dev/null\n" in result.stdout
    assert "--- a/_runtime/retry.py\n+++ /dev/null\n" in result.stdout

    result = run("generate", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "1 model(s): wrote 1 file(s), removed 3 in" in result.stderr  # the lock, 3 gone
    for rel in ("hello_world.py", "examples/hello_world.py", "_runtime/retry.py"):
        assert not (out / rel).exists(), rel
    for rel in ("mine.py", "examples/mine.py", "all_types.py"):
        assert (out / rel).exists(), rel
    assert run("check", "-o", str(out)).returncode == 0


def test_only_plausible_generated_paths_are_ever_removed(tmp_path: Path) -> None:
    """A lock.json that lists other paths (edited, or planted in a cloned repo) removes nothing."""
    out = tmp_path / "sub" / "pkg"
    assert run("generate", HELLO, "-o", str(out)).returncode == 0
    lock_path = out / ".codegen" / "lock.json"
    lock = json.loads(lock_path.read_text())
    planted = ["../outside.py", "../../sub/outside.py", "notes.txt", "/etc/hostname", "a/b/c/d.py"]
    lock["files"] += planted
    lock_path.write_text(json.dumps(lock))
    (out.parent / "outside.py").write_text("keep")
    (out / "notes.txt").write_text("keep")
    (out / "a" / "b" / "c").mkdir(parents=True)
    (out / "a" / "b" / "c" / "d.py").write_text("keep")
    result = run("generate", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert (out.parent / "outside.py").read_text() == "keep"
    assert (out / "notes.txt").read_text() == "keep"
    assert (out / "a" / "b" / "c" / "d.py").read_text() == "keep"


def test_a_mixed_package_fails_check_and_the_next_run_repairs_it(
    packages: tuple[Path, list[str], dict[str, bytes]], tmp_path: Path
) -> None:
    """Snapshots, modules and lock.json must agree: new snapshots beside old modules, or an old
    lock.json beside new snapshots, fail `check`; the next `generate` rebuilds from the snapshots."""
    out, new_sources, old = packages
    assert run("generate", *new_sources, "-o", str(out)).returncode == 0
    new = tree(out)
    half_new = {**old, **{r: b for r, b in new.items() if r.startswith(".codegen/tiny_00")}}
    old_lock = {**new, ".codegen/lock.json": old[".codegen/lock.json"]}
    for mixed in (half_new, old_lock):
        restore(out, mixed)
        result = run("check", "-o", str(out))
        assert result.returncode == 1, result.stderr
        assert run("generate", "-o", str(out)).returncode == 0
        assert run("check", "-o", str(out)).returncode == 0


def test_the_next_run_removes_what_a_killed_run_staged(
    packages: tuple[Path, list[str], dict[str, bytes]],
) -> None:
    out, _, old = packages
    staging = out.joinpath(*STAGING)
    staging.mkdir()
    (staging / "n0").write_text("half written")
    result = run("check", "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree(out) == old and leftovers(out) == []


def test_a_planted_journal_is_refused_not_acted_on(
    packages: tuple[Path, list[str], dict[str, bytes]],
) -> None:
    """A journal naming files the generator never writes (edited, or planted in a cloned repo)
    stops the run with one line; nothing is deleted."""
    out, _, _ = packages
    (out / "notes.txt").write_text("keep")
    staging = out.joinpath(*STAGING)
    staging.mkdir()
    journal = {"version": 1, "writes": [["notes.txt", False]], "removes": [], "dirs": []}
    (staging / "journal.json").write_text(json.dumps(journal))
    result = run("check", "-o", str(out))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {staging / 'journal.json'}: not a journal this generator wrote; delete {staging}\n"
    )
    assert (out / "notes.txt").read_text() == "keep"


def test_an_os_error_anywhere_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The net in exits.py: an OSError outside the write path is `error: <path>: <what>`, exit 2."""

    def unreadable(out: object, models: object) -> list[str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".codegen"))

    monkeypatch.setattr(api, "unsnapshotted", unreadable)
    result = run("generate", "-o", str(tmp_path))
    assert (result.returncode, result.stderr) == (
        2,
        f"error: {tmp_path / '.codegen'}: permission denied\n",
    )
