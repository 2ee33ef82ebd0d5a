"""Reading the files a source names: bounded in size, every failure a one-line `CodegenError`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from ..errors import CodegenError

MAX_JSON_BYTES: Final = 16 * 1024 * 1024


def display_source(path: Path) -> str:
    """How a file source is recorded: relative paths as given, absolute ones by name, so output
    does not depend on where the checkout lives."""
    return path.as_posix() if not path.is_absolute() else path.name


def read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, or a one-line error naming it (missing, too large, unreadable)."""
    where = str(path)
    try:
        if path.stat().st_size > limit:
            mib, kib = divmod(limit, 1024 * 1024)
            size = f"{mib} MiB" if not kib else f"{limit // 1024} KiB"
            raise CodegenError(f"file is larger than {size}", where)
        return path.read_bytes()
    except FileNotFoundError:
        raise CodegenError("no such file", where) from None
    except IsADirectoryError:
        raise CodegenError("is a directory, not a signature file", where) from None
    except OSError as exc:
        raise CodegenError(f"cannot read: {exc.strerror}", where) from None


def read_json(path: Path) -> Any:
    """A JSON document of at most 16 MiB of UTF-8 text."""
    where = str(path)
    raw = read_bytes(path, MAX_JSON_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodegenError(f"not UTF-8 text (byte {exc.start})", where) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CodegenError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", where
        ) from None
    except RecursionError:
        raise CodegenError("JSON nested too deeply", where) from None
