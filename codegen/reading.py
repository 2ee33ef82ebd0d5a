"""Reading one file, bounded: a light module (no yaml, no sources) so an unchanged run can use it."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import CodegenError

__all__ = ["read_bytes"]


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or a one-line error naming it (missing,
    too large, unreadable, or a FIFO / device / directory, whose reads may never end)."""
    where = str(path)
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise CodegenError("is a directory, not a signature file", where)
        if not stat.S_ISREG(mode):
            raise CodegenError("not a regular file", where)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb", buffering=0) as file:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):  # swapped since the stat above
                raise CodegenError("not a regular file", where)
            data = _read_upto(file, limit + 1, status.st_size + 1)
    except FileNotFoundError:
        raise CodegenError("no such file", where) from None
    except OSError as exc:
        raise CodegenError(f"cannot read: {exc.strerror}", where) from None
    except ValueError:  # an embedded NUL: no file can have this name
        raise CodegenError(
            "not a usable path (it contains a NUL)", where.replace("\0", "\\0")
        ) from None
    if len(data) > limit:
        mib, kib = divmod(limit, 1024 * 1024)
        size = f"{mib} MiB" if not kib else f"{limit // 1024} KiB"
        raise CodegenError(f"file is larger than {size}", where)
    return data


def _read_upto(file: BinaryIO, most: int, expect: int) -> bytes:
    """At most `most` bytes, to the end of `file`; `expect`: the size it likely has, so that
    the first read asks for no more (a read of `most` bytes allocates `most` bytes, 64 MiB for
    an output file: most of the time of a read), and the file may still grow meanwhile."""
    chunks: list[bytes] = []
    got, ask = 0, expect
    while got < most:
        chunk = file.read(min(ask, most - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        ask = 64 * 1024
    return b"".join(chunks)
