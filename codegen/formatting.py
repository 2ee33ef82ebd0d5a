"""Generated source -> checked, black-formatted source; many at once on the machine's cores.

black is imported here only when something is formatted (it is most of the CLI's import time).
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .errors import CodegenError

if TYPE_CHECKING:
    import black

LINE_LENGTH = 100
POOL_MIN_FILES = 24  # below this, starting worker processes costs more than they save
FILES_PER_WORKER = 8


class Formatted(str):
    """Source already in black's layout for `line_length` (render_layout.py): `format_source`
    only checks that it parses."""

    line_length: int

    def __new__(cls, text: str, line_length: int) -> Formatted:
        self = super().__new__(cls, text)
        self.line_length = line_length
        return self

    def __reduce__(self) -> tuple[type[Formatted], tuple[str, int]]:  # to a pool's worker
        return (Formatted, (str(self), self.line_length))


@functools.cache
def _mode(line_length: int) -> black.Mode:
    import black

    return black.Mode(target_versions={black.mode.TargetVersion.PY310}, line_length=line_length)


def black_mode(line_length: int = LINE_LENGTH) -> black.Mode:
    """The mode every black pass here uses."""
    return _mode(line_length)


def black_once(source: str, line_length: int) -> str:
    """One pass of black over `source`. `black.format_str` makes a second pass whenever the
    first changed anything, for the rare code whose first-pass output black would format
    differently again (new trailing commas meeting optional parentheses); on generated code
    that is half of all the time a cold run takes. Skipping it is safe because black's output
    on what we generate is stable, so the second pass would return its input: the tests assert
    that stability (`black.format_str(out) == out`) on the golden package, on every model
    template shape and on the fuzzed packages. A pass is a function of its input, so reused
    and freshly formatted files stay byte-identical either way."""
    import black

    once = getattr(black, "_format_str_once", None)  # private; absent, the public two passes
    if once is None:
        return str(black.format_str(source, mode=_mode(line_length)))
    return str(once(source, mode=_mode(line_length)))


def _black_pass(source: str, line_length: int) -> str:
    """`black_once` with the cyclic garbage collector paused, then one young collection. Black's
    syntax tree (parents and children point at each other) is garbage once the pass returns:
    collected then, it costs a walk of that tree, where the collector left running goes off
    every few hundred allocations and walks the run's whole heap now and then (120 models
    cold: 0.70 s of collecting against 2.26 s)."""
    if not gc.isenabled():  # the caller's choice: leave it alone
        return black_once(source, line_length)
    gc.disable()
    try:
        return black_once(source, line_length)
    finally:
        gc.enable()
        gc.collect(0)


def format_source(source: str, where: str, line_length: int = LINE_LENGTH) -> str:
    """Black `source` (pinned black, explicit mode, no other fixers), then check that the result
    parses (black keeps code that does not: its own check of that is skipped, see `black_once`).
    A `Formatted` source for this line length is only checked."""
    if isinstance(source, Formatted):
        if source.line_length != line_length:
            raise CodegenError("internal error: laid out for another line length", where)
        _parse(source, where)
        return str(source)
    from black.parsing import InvalidInput

    try:
        formatted = _black_pass(source, line_length)
    except InvalidInput as exc:
        _parse(source, where)  # Python's reason, when it has one
        raise CodegenError("internal error: black cannot parse the generated code", where) from exc
    _parse(formatted, where)
    return formatted


def _parse(source: str, where: str) -> None:
    import ast

    try:
        ast.parse(source)
    except SyntaxError as exc:  # a generator bug, never a property of the input
        raise CodegenError(
            f"internal error: generated code does not parse ({exc.msg})", where
        ) from exc


def _format_job(job: tuple[str, str, int]) -> str:
    return format_source(*job)


def cpu_count() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_average() -> float:
    """Runnable processes over the last minute (0 where the system does not say)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def workers_for(files: int, cpus: int, load: float = 0.0) -> int:
    """Worker processes for formatting `files` sources (0: format in this process). Like
    `make -l`, no pool when the cores are already busy (under half a core idle): more processes
    would only contend for them, and forking costs CPU (measured on 2 cores: at load 1, 24
    models in 3.1 s with a pool against 5.6 s without; at load 8.5, 15.9 s against 10.9 s)."""
    idle = cpus - load
    if cpus < 2 or files < POOL_MIN_FILES or idle < 0.5:
        return 0
    return min(cpus, files // FILES_PER_WORKER, max(2, round(idle) + 1))


def format_all(
    jobs: Sequence[Callable[[], tuple[str, str]]], line_length: int = LINE_LENGTH
) -> list[str]:
    """`format_source` of the (source, where) each job makes, in order. With enough of them and
    more than one core, in a process pool that starts formatting while this process is still
    making the later sources. The result does not depend on the pool."""
    workers = workers_for(len(jobs), cpu_count(), load_average())
    if not workers:
        return [format_source(*make(), line_length) for make in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import black  # noqa: F401  (imported before forking, so workers start with it loaded)

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_format_job, (*make(), line_length)) for make in jobs]
        return [future.result() for future in futures]
