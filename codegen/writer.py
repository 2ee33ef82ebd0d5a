"""Write a generated tree atomically, or compare it with what is on disk (--check / --diff)."""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .naming import safe_path


def _target(root: Path, rel: str) -> Path:
    return safe_path(root, *rel.split("/"))


def changed_files(root: Path, files: Mapping[str, bytes]) -> list[str]:
    """Relative paths whose content on disk differs from `files` (new files included), sorted."""
    changed = []
    for rel in sorted(files):
        path = _target(root, rel)
        try:
            if path.read_bytes() == files[rel]:
                continue
        except OSError:
            pass
        changed.append(rel)
    return changed


def unified_diff(root: Path, files: Mapping[str, bytes], rels: list[str]) -> str:
    chunks: list[str] = []
    for rel in rels:
        path = _target(root, rel)
        try:
            old = path.read_bytes().decode("utf-8", "replace").splitlines(keepends=True)
        except OSError:
            old = []
        new = files[rel].decode("utf-8", "replace").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}"))
    return "".join(chunks)


def write_tree(root: Path, files: Mapping[str, bytes], rels: list[str]) -> None:
    """Write `rels` (a subset of `files`) so that a failure leaves every old file intact:
    all new contents go to temporary files first, then each is renamed over its target."""
    root.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for rel in rels:
            path = _target(root, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(files[rel])
            os.chmod(tmp, 0o644)
            staged.append((tmp, path))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
