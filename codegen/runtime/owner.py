"""The PAT owner's user id, looked up at most once per client (the default deployment user)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing the runtime must not import asyncio
    import asyncio

__all__ = ["AsyncOwnerCache", "OwnerCache"]


class OwnerCache:
    """Thread-safe: concurrent first callers wait for one lookup; a failed lookup is not kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: str | None = None

    def get(self, lookup: Callable[[], str]) -> str:
        with self._lock:
            if self._value is None:
                self._value = lookup()
            return self._value


class AsyncOwnerCache:
    """Async-safe: concurrent first callers await one lookup task; a failed lookup is not
    kept. A call from another event loop than the pending lookup's starts its own."""

    def __init__(self) -> None:
        self._value: str | None = None
        self._task: asyncio.Task[str] | None = None

    async def get(self, lookup: Callable[[], Coroutine[Any, Any, str]]) -> str:
        import asyncio

        if self._value is not None:
            return self._value
        loop = asyncio.get_running_loop()
        task = self._task
        if task is None or task.get_loop() is not loop or _failed(task):
            task = self._task = loop.create_task(lookup())
            task.add_done_callback(_failed)  # retrieves the exception: never logged as lost
        # shield: a caller cancelled while waiting does not cancel the others' lookup
        self._value = await asyncio.shield(task)
        return self._value


def _failed(task: asyncio.Task[str]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)
