"""What a `multiprocessing` worker runs in tests/e2e/test_pickling.py (a small module, so that the
spawned workers import nothing heavy): call a model object it received pickled."""

from __future__ import annotations

import asyncio
import os
from typing import Any


def echo(task: tuple[Any, int]) -> tuple[int, int, str | None]:
    """`model.echo_int(i)` on an unpickled model object (sync or async); returns the value,
    the worker's pid and whether its CLARIFAI_PAT is set (the PAT came from here)."""
    model, i = task
    result = model.echo_int(i)
    if asyncio.iscoroutine(result):
        result = asyncio.run(_finish(model, result))
    else:
        model._client.close()
    return result, os.getpid(), "set" if os.environ.get("CLARIFAI_PAT") else None


async def _finish(model: Any, pending: Any) -> Any:
    try:
        return await pending
    finally:
        await model._client.aclose()
