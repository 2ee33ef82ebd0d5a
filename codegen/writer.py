"""Write a generated package as one change, or compare it with what is on disk (--check / --diff).

A run holds the package lock (`dirlock`) from reading the snapshots to its last write, and starts
by undoing whatever a killed run left (`journal.recover`). The files whose content changes, and
the files lock.json says the last run wrote that this run no longer produces, then change all at
once (`journal.apply_changes`). OS errors end as one-line `CodegenError`s naming the path.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .dirlock import package_lock
from .errors import CodegenError
from .journal import apply_changes, recover, target
from .lock import locked_files


@contextmanager
def exclusive(out: Path, *, create: bool) -> Iterator[None]:
    """The `with` body runs alone on package `out`, after a killed run's changes are undone.
    `create`: make `out/.codegen/` to lock it (else a package without one is not locked)."""
    try:
        with package_lock(out, create=create) as locked:
            if locked:
                recover(out)
            yield
    except OSError as exc:
        raise os_error(exc) from exc


def os_error(exc: OSError) -> CodegenError:
    """`error: <path>: <what>`, e.g. `error: out/x.py: no space left on device`."""
    what = exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename
    return CodegenError(what[:1].lower() + what[1:], "" if where is None else os.fsdecode(where))


def changed_files(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """Relative paths whose content on disk differs from `files` (new files included), sorted."""
    changed = []
    for rel in sorted(files):
        try:
            if target(root, rel).read_bytes() == files[rel]:
                continue
        except OSError:
            pass
        changed.append(rel)
    return changed


def removed_files(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """Files the last run wrote (lock.json) that `files` no longer has and that are still there."""
    return sorted(
        rel for rel in locked_files(root) if rel not in files and target(root, rel).is_file()
    )


def unified_diff(
    root: Path, files: Mapping[str, bytes], changed: list[str], removed: list[str]
) -> str:
    chunks: list[str] = []
    for rel in sorted([*changed, *removed]):
        try:
            old = target(root, rel).read_bytes().decode("utf-8", "replace")
        except OSError:
            old = ""
        new = files[rel].decode("utf-8", "replace") if rel in files else ""
        chunks.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{rel}",
                f"b/{rel}" if rel in files else "/dev/null",
            )
        )
    return "".join(chunks)


def write_tree(
    root: Path, files: Mapping[str, bytes], changed: list[str], removed: list[str]
) -> None:
    """Write `changed` (a subset of `files`) and delete `removed`, as one change (see
    `journal`); call inside `exclusive(root)`."""
    if changed or removed:
        apply_changes(root, files, changed, removed)
