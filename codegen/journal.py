"""Change the files of a package all at once or not at all, with an undo journal in
`DIR/.codegen/.staging/`:

1. stage: each new content to `n<i>`, each file about to be replaced or removed hard-linked (or
   copied) to `o<i>` / `d<j>`, all fsynced; then `journal.json` (which files are written, which of
   them existed, which are removed, which directories get made), renamed into place last;
2. apply: rename each `n<i>` over its file, remove the files that go, fsync the directories;
3. commit: remove `journal.json`; then the staging directory.

A run that stops before the journal is in place changed nothing: the next run deletes the staging
directory. One that stops between 1 and 3 (an OSError: at once; `kill -9`: in the next run) is
undone from the backups, so the package is the old one again. After 3 it is the new one. Every
run starts with `recover`, under the package lock (`dirlock`).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CodegenError
from .lock import SNAPSHOT_DIR, owned_dir, owned_path
from .naming import safe_path

STAGING = ".staging"
JOURNAL = "journal.json"
_VERSION = 1


@dataclass(frozen=True)
class Journal:
    writes: list[tuple[str, bool]]  # (relative path, whether a file was there before)
    removes: list[str]
    dirs: list[str]  # directories the writes need, made while applying; parents first

    def to_bytes(self) -> bytes:
        value = {"version": _VERSION, "writes": self.writes, "removes": self.removes}
        return json.dumps({**value, "dirs": self.dirs}).encode()


def staging_dir(root: Path) -> Path:
    return root / SNAPSHOT_DIR / STAGING


def target(root: Path, rel: str) -> Path:
    return safe_path(root, *rel.split("/"))


def apply_changes(
    root: Path, files: Mapping[str, bytes], writes: Sequence[str], removes: Sequence[str]
) -> None:
    """Write `files[rel]` for each of `writes` and delete `removes`, all or nothing. Needs the
    package lock and no staging directory (`recover` first)."""
    staging = staging_dir(root)
    staging.mkdir(parents=True)
    try:
        journal = _stage(root, staging, files, writes, removes)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _apply(root, staging, journal)
        os.unlink(staging / JOURNAL)  # the commit point
    except BaseException:
        with suppress(OSError):  # if undoing fails too, the journal stays for the next run
            _undo(root, staging, journal)
        raise
    with suppress(OSError):
        _fsync_dir(staging)
        shutil.rmtree(staging)  # if this fails, the next run deletes the rest


def recover(root: Path) -> None:
    """Undo a run that was stopped between staging and commit, and delete its staging directory."""
    staging = staging_dir(root)
    if not os.path.lexists(staging):
        return
    if os.path.lexists(staging / JOURNAL):
        _undo(root, staging, _read(staging / JOURNAL, root))
    else:
        shutil.rmtree(staging)


def _stage(
    root: Path,
    staging: Path,
    files: Mapping[str, bytes],
    writes: Sequence[str],
    removes: Sequence[str],
) -> Journal:
    entries: list[tuple[str, bool]] = []
    dirs: list[str] = []
    for i, rel in enumerate(writes):
        path = target(root, rel)
        _write_new(staging / f"n{i}", files[rel], path)
        existed = os.path.lexists(path)
        if existed:
            _backup(path, staging / f"o{i}")
        entries.append((rel, existed))
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in dirs and not (root / folder).is_dir():
                dirs.append(folder)
    for j, rel in enumerate(removes):
        _backup(target(root, rel), staging / f"d{j}")
    journal = Journal(entries, list(removes), dirs)
    _write_new(staging / "journal.tmp", journal.to_bytes(), staging / JOURNAL)
    _fsync_dir(staging)
    os.replace(staging / "journal.tmp", staging / JOURNAL)
    _fsync_dir(staging)
    return journal


def _apply(root: Path, staging: Path, journal: Journal) -> None:
    touched = {root}
    for folder in journal.dirs:
        path = target(root, folder)
        path.mkdir(exist_ok=True)
        touched.add(path.parent)
    for i, (rel, _) in enumerate(journal.writes):
        path = target(root, rel)
        with _naming(path):
            os.replace(staging / f"n{i}", path)
        touched.add(path.parent)
    for rel in journal.removes:
        path = target(root, rel)
        with suppress(FileNotFoundError), _naming(path):
            os.unlink(path)
        touched.add(path.parent)
    for folder_path in touched:
        _fsync_dir(folder_path)


def _undo(root: Path, staging: Path, journal: Journal) -> None:
    """Put back every file the journal's run changed (idempotent: a step done is not redone),
    then drop the journal and the staging directory."""
    touched = set()
    for i, (rel, existed) in enumerate(journal.writes):
        if os.path.lexists(staging / f"n{i}"):
            continue  # never applied
        path = target(root, rel)
        backup = staging / f"o{i}"
        if not existed:
            with suppress(FileNotFoundError):
                os.unlink(path)
        elif os.path.lexists(backup):  # else restored already
            os.replace(backup, path)
        touched.add(path.parent)
    for j, rel in enumerate(journal.removes):
        backup = staging / f"d{j}"
        if os.path.lexists(backup):
            path = target(root, rel)
            os.replace(backup, path)
            touched.add(path.parent)
    for folder in reversed(journal.dirs):
        with suppress(OSError):  # not empty: someone else's files; gone: undone already
            target(root, folder).rmdir()
    for path in touched:
        with suppress(FileNotFoundError):
            _fsync_dir(path)
    os.unlink(staging / JOURNAL)
    _fsync_dir(staging)
    shutil.rmtree(staging)


def _read(path: Path, root: Path) -> Journal:
    """The journal a killed run left; anything else is refused, never acted on."""
    bad = CodegenError(f"not a journal this generator wrote; delete {path.parent}", str(path))
    try:
        value: Any = json.loads(path.read_bytes())
    except ValueError:
        raise bad from None
    if not isinstance(value, dict) or value.get("version") != _VERSION:
        raise bad
    writes, removes, dirs = value.get("writes"), value.get("removes"), value.get("dirs")
    if not (isinstance(writes, list) and isinstance(removes, list) and isinstance(dirs, list)):
        raise bad
    entries = []
    for entry in writes:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], bool)):
            raise bad
        entries.append((entry[0], entry[1]))
    for rel in [rel for rel, _ in entries] + removes:
        if not isinstance(rel, str) or not owned_path(rel):
            raise bad
        target(root, rel)
    for rel in dirs:
        if not isinstance(rel, str) or not owned_dir(rel):
            raise bad
    return Journal(entries, removes, dirs)


def _write_new(path: Path, data: bytes, name: Path) -> None:
    """`data` into the new file `path`, on disk (fsync) before this returns; a failure to write
    names `name`, the package file it is for."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        os.chmod(path, 0o644)  # whatever the umask, as before
        with _naming(name):
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
    finally:
        os.close(fd)


def _backup(path: Path, backup: Path) -> None:
    """A second name for the file at `path`: a hard link, or a copy where links are refused."""
    try:
        os.link(path, backup)
    except OSError:
        with _naming(path):
            data = path.read_bytes()
        _write_new(backup, data, path)


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """An OSError inside names `path` (a package file rather than a staged one, or a descriptor)."""
    try:
        yield
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _fsync_dir(path: Path) -> None:
    """Make the directory's entries durable (POSIX; elsewhere renames are durable on return)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # a filesystem that cannot sync directories
            raise
    finally:
        os.close(fd)
