"""How a `grpc.aio` call ended: its statuses, and the server's one behind grpc.aio's failed-write
INTERNAL (grpc/grpc#36066), so the async transport reports what the sync one does."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

__all__ = ["Cancelled", "Status", "Statuses", "real_status", "status_part"]


class Status(Exception):
    """A call's final status, reported like a `grpc.RpcError` (for `rpc_error`)."""

    def __init__(self, code: Any, details: str) -> None:
        super().__init__(details)
        self._code = code
        self._details = details

    def code(self) -> Any:
        return self._code

    def details(self) -> str:
        return self._details


class Cancelled(Status):
    """A call cancelled under us (the channel was closed)."""


# What grpc.aio reports when a write fails because the server has just ended the call
# (grpc/grpc#36066): it replaces the status the server sent, which `Statuses` keeps.
WRITE_RACE_DETAILS = "Internal error from Core"
WRITE_RACE_WAIT = 1.0  # seconds to wait for the server's status when it comes after


class Statuses:
    """Every status grpc.aio sets on a call, in order (a done callback of the call)."""

    def __init__(self) -> None:
        self.seen: list[Status] = []

    def __call__(self, call: Any) -> None:
        try:  # called inside grpc.aio: must not raise
            code, details = now(call.code()), now(call.details())
            if code is not None:
                self.seen.append(Status(code, str(details or "")))
        except Exception:
            pass

    def server_status(self) -> Status | None:
        """The first status that is not grpc.aio's failed-write INTERNAL."""
        for status in self.seen:
            if status.details() != WRITE_RACE_DETAILS:
                return status
        return None


async def real_status(statuses: Statuses, exc: Any) -> Any:
    """The status a bidi call really ended with.

    When the server ends a call while a request is being written, grpc.aio may replace
    the status the server sent by INTERNAL "Internal error from Core" (grpc/grpc#36066);
    the server's status was recorded before (or arrives a moment after). The sync
    transport sees the server's status: so do retries and messages here.
    """
    if isinstance(exc, Status) or status_part(exc, "details") != WRITE_RACE_DETAILS:
        return exc
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WRITE_RACE_WAIT
    while (status := statuses.server_status()) is None and loop.time() < deadline:
        await asyncio.sleep(0.005)
    return exc if status is None else status


def now(coro: Coroutine[Any, Any, Any]) -> Any:
    """The result of a coroutine that completes without suspending (None if it would not)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    return None


def status_part(exc: Any, name: str) -> Any:
    """`exc.code()` or `exc.details()` of a `grpc.RpcError` or `_Status`; None if it has none."""
    try:
        return getattr(exc, name)()
    except Exception:
        return None
