"""reading.read_bytes sizes its first read by the file's size, yet reads a file that grew since
to the end, and still stops at the limit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from codegen import reading
from codegen.errors import CodegenError

REAL_FSTAT = os.fstat


def _stale_fstat(size: int) -> Any:
    """os.fstat as it was when the file had `size` bytes (it grew between fstat and read)."""

    def fstat(fd: int) -> Any:
        status = REAL_FSTAT(fd)
        return os.stat_result((*status[:6], size, *status[7:10]))

    return fstat


@pytest.mark.parametrize("size", [0, 1, 10, 199_999, 200_000, 10**6])
def test_every_byte_whatever_the_size_says(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f"
    data = bytes(range(256)) * 800  # 204,800 bytes: the first read and several more
    path.write_bytes(data)
    with mock.patch.object(reading.os, "fstat", _stale_fstat(size)):
        assert reading.read_bytes(path, len(data)) == data


def test_a_file_that_grew_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 300_000)
    with (
        mock.patch.object(reading.os, "fstat", _stale_fstat(10)),
        pytest.raises(CodegenError, match="file is larger than 200 KiB"),
    ):
        reading.read_bytes(path, 200 * 1024)


def test_a_read_asks_for_no_more_than_the_file_holds(tmp_path: Path) -> None:
    """A read of `limit` bytes would allocate `limit` bytes (64 MiB for an output file)."""
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1000)
    asked: list[int] = []
    real = reading._read_upto

    def spy(file: Any, most: int, expect: int) -> bytes:
        class Reader:
            def read(self, n: int) -> bytes:
                asked.append(n)
                return bytes(file.read(n))

        return real(Reader(), most, expect)  # type: ignore[arg-type]

    with mock.patch.object(reading, "_read_upto", spy):
        assert reading.read_bytes(path, 64 * 1024 * 1024) == b"x" * 1000
    assert max(asked) <= 64 * 1024
