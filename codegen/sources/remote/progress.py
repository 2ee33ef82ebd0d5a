"""Per-model progress of a pull: a redrawn bar on a terminal, else one line per model."""

from __future__ import annotations

from typing import IO

from ...errors import printable
from ..ids import ref_text
from .fetch import FetchResult

__all__ = ["Progress"]


class Progress:
    """Per-model progress on `stream`: a redrawn bar on a terminal, else one line per model."""

    WIDTH = 20

    def __init__(self, total: int, stream: IO[str], is_tty: bool | None = None) -> None:
        self.total = total
        self.stream = stream
        if is_tty is None:
            try:
                is_tty = stream.isatty()
            except (AttributeError, ValueError, OSError):
                is_tty = False
        self.is_tty = is_tty
        self.done = 0
        self.failed = 0
        self._drawn = 0
        self._closed = False

    def update(self, result: FetchResult) -> None:
        self.done += 1
        name = ref_text(result.ref)
        if result.error is not None:
            self.failed += 1
            line = printable(f"FAIL {name}: {result.error.message}")
        else:
            n = result.method_count
            line = f"ok   {name} ({n} method{'s' if n != 1 else ''}) {result.seconds:.2f} s"
        if self.is_tty:
            if result.error is not None:  # keep failures on screen, above the bar
                self._clear()
                self.stream.write(line + "\n")
            self._draw()
            if self.done >= self.total:
                self.close()
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def _draw(self) -> None:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"[{bar}] {self.done}/{self.total} models"
        if self.failed:
            text += f" ({self.failed} failed)"
        pad = " " * max(0, self._drawn - len(text))
        self.stream.write("\r" + text + pad)
        self._drawn = len(text)

    def close(self) -> None:
        """End the bar's line (terminal mode); idempotent."""
        if self.is_tty and self._drawn and not self._closed:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0
        self._closed = True
