"""CPU pinning for bench_runtime.py: the server subprocess on one CPU, the benchmark process (its
clients, their threads, gRPC's C-core threads, the cold-start programs it starts) on another.

Unpinned, the client process, its threads and the server share the machine's cores by scheduling
luck, and throughput rows swing by up to 2x between runs. Pinned, each row is bounded by one
side's CPU. Where the process may use fewer than two CPUs, or the OS refuses affinity (or has no
`sched_setaffinity`, as on macOS), the run goes unpinned and `Pinning.note` says so.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["Pinning", "pin"]


@dataclasses.dataclass(frozen=True)
class Pinning:
    """The CPU sets of the server and of this process (None: unpinned), and a line saying so."""

    server: frozenset[int] | None
    client: frozenset[int] | None
    note: str

    @contextmanager
    def spawning_server(self) -> Iterator[None]:
        """While inside, this thread runs on the server's CPU, so a process it starts (the server)
        inherits that CPU at fork, with every thread it will have; the thread is back on the
        client's CPU afterwards."""
        if self.server is None or self.client is None:
            yield
            return
        os.sched_setaffinity(0, self.server)
        try:
            yield
        finally:
            os.sched_setaffinity(0, self.client)


def _unpinned(why: str) -> Pinning:
    return Pinning(None, None, f"CPU pinning: none ({why}); figures swing more")


def _set_process(cpus: frozenset[int]) -> None:
    """Every thread of this process on `cpus` (the call sets one thread's mask; threads started
    later inherit their starter's)."""
    tasks = Path("/proc/self/task")
    tids = [int(t.name) for t in tasks.iterdir()] if tasks.is_dir() else [0]
    for tid in tids:
        try:
            os.sched_setaffinity(tid, cpus)
        except ProcessLookupError:  # a thread that ended meanwhile
            pass


def pin(enabled: bool = True) -> Pinning:
    """Pin this process to its last allowed CPU and plan the server on its first, if possible."""
    if not enabled:
        return _unpinned("--no-pin")
    if not hasattr(os, "sched_setaffinity") or not hasattr(os, "sched_getaffinity"):
        return _unpinned("this OS has no sched_setaffinity")
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except OSError as exc:
        return _unpinned(f"sched_getaffinity refused: {exc}")
    if len(allowed) < 2:
        return _unpinned(f"{len(allowed)} CPU available, 2 needed")
    server, client = frozenset(allowed[:1]), frozenset(allowed[-1:])
    try:
        _set_process(client)
    except OSError as exc:
        try:  # undo a partial pinning
            _set_process(frozenset(allowed))
        except OSError:
            pass
        return _unpinned(f"sched_setaffinity refused: {exc}")
    return Pinning(
        server, client, f"CPU pinning: server on CPU {allowed[0]}, clients on {allowed[-1]}"
    )
