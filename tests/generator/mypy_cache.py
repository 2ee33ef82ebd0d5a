"""A mypy cache of the runtime kept between test runs, for the fuzz test's mypy sample.

Of `mypy --strict` over eight random models and the runtime (~8 s), the runtime and the stubs it
and the examples import (httpx, numpy) are ~85%, and they are the same in every run. The cache
lives in the system's temporary directory under a key of everything it depends on; a run works on
a private copy and publishes it once, by a rename, if none is there yet. mypy checks each cached
module against its source, so a stale entry is checked again, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path

CACHES = Path(tempfile.gettempdir()) / "clarifai-codegen-test-mypy"


def cache_key(runtime: Mapping[str, bytes], package: str) -> str:
    digest = hashlib.sha256(f"{sys.version}\0{version('mypy')}\0{package}\0".encode())
    for name in ("numpy", "httpx"):
        digest.update(f"{name}=={version(name)}\0".encode())
    for rel, data in sorted(runtime.items()):
        digest.update(rel.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()[:24]


def private_copy(key: str, into: Path) -> Path:
    """A cache directory for one run: a copy of the shared one, if there is one."""
    shared = CACHES / key
    if shared.is_dir():
        try:
            os.utime(shared)  # (recently used: kept by `publish`)
            shutil.copytree(shared, into)
        except OSError:  # (being published, or removed: start cold)
            shutil.rmtree(into, ignore_errors=True)
    return into


KEEP = 4  # caches kept (one per runtime: worktrees and branches differ)


def publish(key: str, cache: Path) -> None:
    """Share a run's cache, unless one is shared already (a rename: readers never see half); keep
    the KEEP most recently used."""
    shared = CACHES / key
    if shared.exists():
        return
    CACHES.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=CACHES, prefix=".staging-"))
    try:
        shutil.copytree(cache, staging / key)
        os.rename(staging / key, shared)
    except OSError:  # another run published first
        pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    caches = [p for p in CACHES.iterdir() if not p.name.startswith(".")]
    for old in sorted(caches, key=_used, reverse=True)[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def _used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
