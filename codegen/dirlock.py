"""One run at a time per output package: an exclusive lock on `DIR/.codegen/`, held from reading
the snapshots to the last rename, so a run that waited sees what the run before it wrote.

On POSIX it is `flock` on the directory itself: the kernel drops it when its holder exits or is
killed (`kill -9` included), so it never goes stale and leaves no file. Where flock is missing
(Windows) or refused (some network filesystems), a lock file `DIR/.codegen/.lock` made with O_EXCL
holds the holder's pid and is removed on release; a lock file whose process is gone (POSIX), or
that never got a pid, is stale and taken over. A run waits up to `WAIT_SECONDS` for the lock,
then fails with one line.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .errors import CodegenError
from .lock import SNAPSHOT_DIR

try:
    import fcntl

    flock: Callable[[int, int], None] | None = fcntl.flock
    _EXCLUSIVE = fcntl.LOCK_EX | fcntl.LOCK_NB
except ImportError:  # pragma: no cover - Windows
    flock, _EXCLUSIVE = None, 0

LOCK_FILE = ".lock"
WAIT_SECONDS = 120.0
_POLL_SECONDS = 0.05
_PIDLESS_STALE_SECONDS = 10.0  # a lock file still without a pid: its maker died at birth
_BUSY = {errno.EWOULDBLOCK, errno.EAGAIN}
_UNSUPPORTED = {errno.ENOLCK, errno.EBADF, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


class _NoFlock(Exception):
    """flock is refused on this filesystem: use a lock file."""


@dataclass(frozen=True)
class _Held:
    release: Callable[[], None]
    fd: int | None = None  # flock's descriptor of the directory; None for a lock file

    def is_at(self, folder: Path) -> bool:
        """Whether the locked directory is still the one at `folder` (the run we waited for may
        have removed it)."""
        if self.fd is None:
            return True
        try:
            return os.path.samestat(os.fstat(self.fd), os.stat(folder))
        except FileNotFoundError:
            return False


@contextmanager
def package_lock(out: Path, *, create: bool) -> Iterator[bool]:
    """Hold the lock on the package `out` for the `with` body (yields True). With `create`,
    `out/.codegen/` is made first, and removed again (with the parents made for it) if the body
    leaves it empty; without, a package with no `.codegen/` has nothing to protect and is not
    locked (yields False)."""
    folder = out / SNAPSHOT_DIR
    made: list[Path] = []
    while True:
        if create:
            made = _make(folder, out) or made
        elif not folder.is_dir():
            yield False
            return
        held = _acquire(folder)
        if held.is_at(folder):
            break
        held.release()
    try:
        yield True
    finally:
        for path in made:  # deepest first, while still locked; stops at the first not empty
            try:
                path.rmdir()
            except OSError:
                break
        held.release()


def _make(folder: Path, out: Path) -> list[Path]:
    """Make `folder` and its missing parents; return the ones made, deepest first."""
    missing = []
    path = folder
    while not os.path.lexists(path) and path != path.parent:
        missing.append(path)
        path = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(out)) from exc
    return missing


def _acquire(folder: Path) -> _Held:
    deadline = time.monotonic() + WAIT_SECONDS
    use_file = flock is None
    while True:
        held: _Held | None
        if not use_file:
            try:
                held = _try_flock(folder)
            except _NoFlock:
                use_file = True
                continue
        else:
            held = _try_lock_file(folder)
        if held is not None:
            return held
        if time.monotonic() >= deadline:
            raise CodegenError(_busy_message(folder, use_file), str(folder))
        time.sleep(_POLL_SECONDS)


def _busy_message(folder: Path, use_file: bool) -> str:
    message = f"another clarifai-codegen run is writing this package (waited {WAIT_SECONDS:g} s"
    if use_file:
        path = folder / LOCK_FILE
        message += f"; held by process {_holder(path)}; if it is not running, delete {path}"
    return message + ")"


def _try_flock(folder: Path) -> _Held | None:
    assert flock is not None
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        flock(fd, _EXCLUSIVE)
    except OSError as exc:
        os.close(fd)
        if exc.errno in _BUSY:
            return None
        if exc.errno in _UNSUPPORTED:
            raise _NoFlock from exc
        raise
    return _Held(lambda: os.close(fd), fd)


def _try_lock_file(folder: Path) -> _Held | None:
    path = folder / LOCK_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        if _stale(path):
            with suppress(FileNotFoundError):
                os.unlink(path)
        return None
    try:
        os.write(fd, str(os.getpid()).encode())
    except OSError:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)

    def release() -> None:
        with suppress(FileNotFoundError):
            os.unlink(path)

    return _Held(release)


def _holder(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and len(text) < 20 else None


def _stale(path: Path) -> bool:
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return False
    pid = _holder(path)
    if pid is None:
        return age > _PIDLESS_STALE_SECONDS
    if os.name != "posix":
        return False  # no portable liveness test: the error says which file to delete
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
