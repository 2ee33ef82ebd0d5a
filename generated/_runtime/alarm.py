"""One event-loop timer for many waits' deadlines (asyncio).

A timer per wait (`loop.call_later`, then `cancel`) costs a handle, a heap push and, once
cancelled, a heap pop per wait. Here the timer is armed for the nearest deadline and moved only
when a nearer one comes: deadlines mostly come later and later (each call's `timeout` from its
start), so most waits arm nothing. When it rings, `check` expires the waits that are due and
returns the next deadline (None: none left).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

__all__ = ["Alarm"]


class Alarm:
    """A timer at the nearest of the deadlines given to `arm` (loop time)."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, check: Callable[[float], float | None]
    ) -> None:
        self.loop = loop
        self._check = check
        self._timer: asyncio.TimerHandle | None = None

    def arm(self, when: float) -> None:
        """Ring at `when` at the latest (earlier if a nearer deadline is armed)."""
        timer = self._timer
        if timer is not None:
            if timer.when() <= when:
                return
            timer.cancel()
        self._timer = self.loop.call_at(when, self._ring)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _ring(self) -> None:
        assert self._timer is not None
        due = self._timer.when()  # asyncio runs a timer once this time has come
        self._timer = None
        following = self._check(due)
        if following is not None:
            self.arm(following)
