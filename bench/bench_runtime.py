"""Benchmark: the generated client (HTTP and gRPC, sync and async) against Clarifai's SDK 12.5.0, on
one local server, in one run. Prints a table of medians and each figure's ratio to the SDK, each
with its spread: a figure reads `median (min-max of the repetitions)`, a ratio `ratio of the
medians (min-max of the per-repetition ratios)`, so a ratio whose range straddles a threshold is
not decided. Asserts nothing about speed (it does stop if a client returns a wrong answer or if
any connection leaves the loopback).

    make bench                                   # or: .venv/bin/python bench/bench_runtime.py
    .venv/bin/python bench/bench_runtime.py --reps 5 --json figures.json
    .venv/bin/python bench/bench_runtime.py --quick   # a smoke run: tiny counts, one repetition
    .venv/bin/python bench/bench_runtime.py --rows concepts,async_rate --clients grpc
    .venv/bin/python bench/bench_runtime.py --no-pin  # the CPUs left to the scheduler

Set-up: `clarifai-codegen serve bench/models/bench-echo` runs in a subprocess (REST and gRPC on
127.0.0.1), so the server's CPU is not the client's; the client package is generated from that
model directory into a temporary directory. Every client talks to the same server: the generated
client to its REST routes (HTTP) or its gRPC service, the SDK (`clarifai.client.Model`) to its
gRPC service. Measurements are interleaved: each repetition runs every row for every client in
turn (the client order rotating between repetitions); a figure is the median of the repetitions
(9 by default).

CPU pinning (runtime_pin.py): the server runs on one CPU, this process (the clients, their
threads, gRPC's C-core threads, and the cold-start programs it starts) on another, so a throughput
row is bounded by one side's CPU rather than by how the scheduler shares two cores among them.
With fewer than two CPUs, or where affinity is refused, the run is unpinned; the line above the
table says which. Under the table, the server's CPU seconds per second during each networked
measure: near 100% (pinned), that row was bounded by the server, not by the client under test.

What each row measures, in the process running the clients:
- client CPU per unary call: `time.process_time()` (all threads of this process) around K
  sequential `predict(text)` calls, divided by K. Nothing subtracted.
- N threads sharing one client: N threads calling `predict` on one client, calls/s (wall time).
- async, gather of G calls: `asyncio.gather` of G `predict` calls on one async client (generated
  `AsyncClient`; the SDK's `async_predict`), calls/s (wall); the CPU row is process CPU / G of
  the same gather.
- S-item stream: `generate(n=S)` consumed to the end, items/s (wall).
- 1 MB image / 1000 Concepts, client encode+decode: an echo call (`predict_image`, `concepts`)
  through the client's own code with the wire replaced by memory (runtime_wire.py): the request
  is serialized to the bytes that would be sent and the response parsed from the bytes the server
  sent on a live call just before. Process CPU per call, in ms: argument checks, building and
  serializing the request, parsing and decoding the response (both sides include their fixed
  per-call cost: see the first row), no socket I/O. The SDK's encode is its `serialize` into the
  request proto plus `SerializeToString`; its decode `FromString` plus `deserialize`.
- cold start / peak memory: a fresh `python -c` that imports the client, builds it and calls
  `predict` once: wall time of the whole process, and its peak resident set (VmHWM, printed by
  the process as it ends). Each program ran once before (unmeasured; not with --quick), so
  bytecode caches are warm for every client alike; the bare interpreter's figures are printed
  under the table. The SDK's start includes the GetModel and GetModelVersion calls it makes
  before its first predict.

Only the loopback is used: runtime_guard.py refuses any other address in this process (sockets,
name lookups, gRPC channel targets); the cold-start programs run the same client code unguarded.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL_DIR = HERE / "models" / "bench-echo"
PACKAGE = "bench_client"

import runtime_guard  # noqa: E402  (stdlib only; install() runs before grpc users are imported)
from runtime_pin import pin  # noqa: E402
from runtime_report import NETWORKED, Row, Samples, server_busy, table  # noqa: E402
from runtime_server import child_env, generate_client, served  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Counts:
    reps: int = 9
    unary_calls: int = 1000
    thread_calls: int = 1280  # per measurement, split over the threads
    gather: int = 256
    stream_items: int = 10_000
    image_calls: int = 20
    concept_calls: int = 50
    image_bytes: int = 1024 * 1024
    concepts: int = 1000
    warm_cold: bool = True  # run each cold-start program once, unmeasured, before measuring


QUICK = Counts(
    reps=1,
    unary_calls=20,
    thread_calls=64,
    gather=32,
    stream_items=200,
    image_calls=2,
    concept_calls=2,
    warm_cold=False,
)


def rows(c: Counts) -> list[Row]:
    mb = c.image_bytes / (1024 * 1024)
    return [
        Row("unary_cpu", "client CPU per unary call, us", False),
        Row("threads8", "8 threads sharing one client, calls/s", True),
        Row("threads32", "32 threads sharing one client, calls/s", True),
        Row("async_rate", f"async, gather of {c.gather} calls, calls/s", True),
        Row("async_cpu", "async client CPU per call, us", False),
        Row("stream", f"{c.stream_items:,}-item stream, items/s", True),
        Row("image", f"{mb:g} MB image, client encode+decode, ms CPU", False),
        Row("concepts", f"{c.concepts} Concepts, client encode+decode, ms CPU", False),
        Row("cold_start", "cold start to first call, ms", False),
        Row("peak_rss", "peak memory of that process, MB", False),
    ]


# ------------------------------------------------------------------------------------ measures
Figures = dict[str, float]
# Linux: the peak resident set of this process (its own memory map, from exec on), in KiB.
_PRINT_PEAK = (
    "\nprint([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])\n"
)


@dataclasses.dataclass
class Bench:
    counts: Counts
    loop: asyncio.AbstractEventLoop
    work: Path
    image: bytes
    concepts: list[tuple[str, str, float]]

    def unary_cpu(self, d: Any) -> Figures:
        n = self.counts.unary_calls
        c0 = time.process_time()
        for _ in range(n):
            d.predict("hello")
        return {"unary_cpu": (time.process_time() - c0) / n * 1e6}

    def threads(self, d: Any, n_threads: int) -> float:
        per = max(1, self.counts.thread_calls // n_threads)
        start = threading.Barrier(n_threads + 1)
        errors: list[BaseException] = []

        def work() -> None:
            start.wait()
            try:
                for _ in range(per):
                    d.predict("hello")
            except BaseException as exc:
                errors.append(exc)

        pool = [threading.Thread(target=work) for _ in range(n_threads)]
        for t in pool:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in pool:
            t.join()
        wall = time.perf_counter() - t0
        if errors:
            raise errors[0]
        return n_threads * per / wall

    def threads8(self, d: Any) -> Figures:
        return {"threads8": self.threads(d, 8)}

    def threads32(self, d: Any) -> Figures:
        return {"threads32": self.threads(d, 32)}

    def gather_calls(self, d: Any, n: int) -> None:
        """`n` async `predict` calls at once, on the benchmark's event loop."""

        async def run() -> list[str]:
            return list(await asyncio.gather(*(d.apredict("hello") for _ in range(n))))

        if self.loop.run_until_complete(run()) != ["hello"] * n:
            raise RuntimeError(f"{d.name}: wrong async answers")

    def gather(self, d: Any) -> Figures:
        n = self.counts.gather
        c0, t0 = time.process_time(), time.perf_counter()
        self.gather_calls(d, n)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"async_rate": n / wall, "async_cpu": cpu / n * 1e6}

    def stream(self, d: Any) -> Figures:
        n = self.counts.stream_items
        t0 = time.perf_counter()
        got = d.stream_count(n)
        wall = time.perf_counter() - t0
        if got != n:
            raise RuntimeError(f"{d.name}: {got} stream items instead of {n}")
        return {"stream": n / wall}

    def in_memory(
        self, d: Any, call: Callable[[], Any], ok: Callable[[Any], bool], k: int
    ) -> float:
        """Process CPU seconds per replayed call (after one live call that records the answer
        and is checked by `ok`)."""
        d.tap.replay = None
        if not ok(call()):
            raise RuntimeError(f"{d.name}: the echo came back changed")
        d.tap.record_then_replay()
        c0 = time.process_time()
        for _ in range(k):
            call()
        cpu = (time.process_time() - c0) / k
        if d.tap.replayed != k:
            raise RuntimeError(f"{d.name}: calls bypassed the in-memory wire")
        return cpu

    def image_row(self, d: Any) -> Figures:
        image = d.make_image(self.image)
        call = lambda: d.wire_image(image)  # noqa: E731
        cpu = self.in_memory(d, call, self.image.__eq__, self.counts.image_calls)
        return {"image": cpu * 1e3}

    def concepts_row(self, d: Any) -> Figures:
        concepts = d.make_concepts(self.concepts)
        call = lambda: d.wire_concepts(concepts)  # noqa: E731

        def ok(got: list[tuple[str, str, float]]) -> bool:  # values travel as float32
            return len(got) == len(self.concepts) and all(
                a[:2] == b[:2] and abs(a[2] - b[2]) < 1e-6
                for a, b in zip(got, self.concepts, strict=True)
            )

        cpu = self.in_memory(d, call, ok, self.counts.concept_calls)
        return {"concepts": cpu * 1e3}

    def fresh(self, code: str) -> tuple[float, float]:
        """(wall seconds, peak RSS in MB) of `python -c code` in the work directory.

        The peak is the process's own VmHWM, printed as it ends: `ru_maxrss` of a child starts
        from the parent's RSS at fork (Linux keeps it across exec), i.e. this benchmark's."""
        # Bytecode caches are written (PYTHONDONTWRITEBYTECODE dropped), so that the warm-up
        # run leaves the generated package compiled, as the SDK's installed files are: with
        # the variable set, its modules were compiled from source on every measured start.
        env = {k: v for k, v in child_env().items() if k != "PYTHONDONTWRITEBYTECODE"}
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", code + _PRINT_PEAK],
                cwd=self.work,
                env=env,
                stdout=out,
                stderr=err,
                check=False,
            )
            wall = time.perf_counter() - t0
            out.seek(0)
            err.seek(0)
            peak = out.read().decode().split()
            if proc.returncode != 0 or not peak:
                tail = err.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"python -c failed ({proc.returncode}):\n{code}\n{tail}")
        return wall, int(peak[-1]) / 1024  # KiB

    def cold_start(self, d: Any) -> Figures:
        wall, rss = self.fresh(d.cold_code)
        return {"cold_start": wall * 1e3, "peak_rss": rss}

    def measures(self, keys: set[str] | None = None) -> list[Callable[[Any], Figures]]:
        """The measures giving any of the row `keys` (all by default)."""
        every = {
            ("unary_cpu",): self.unary_cpu,
            ("threads8",): self.threads8,
            ("threads32",): self.threads32,
            ("async_rate", "async_cpu"): self.gather,
            ("stream",): self.stream,
            ("image",): self.image_row,
            ("concepts",): self.concepts_row,
            ("cold_start", "peak_rss"): self.cold_start,
        }
        return [m for gives, m in every.items() if keys is None or keys.intersection(gives)]


def warm_up(bench: Bench, drivers: list[Any]) -> None:
    """Open every connection and check every client once (nothing here is measured)."""
    for d in drivers:
        bench.loop.run_until_complete(d.open_async())
        for _ in range(10):
            if d.predict("hello") != "hello":
                raise RuntimeError(f"{d.name}: wrong answer")
        if d.stream_count(10) != 10:
            raise RuntimeError(f"{d.name}: wrong stream")
        bench.gather_calls(d, 8)
        if bench.counts.warm_cold:
            bench.fresh(d.cold_code)


def parse_args(argv: list[str] | None) -> tuple[Counts, argparse.Namespace]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, default=None, help="repetitions (default 9; --quick: 1)")
    ap.add_argument("--quick", action="store_true", help="smoke run: tiny counts, one repetition")
    ap.add_argument("--no-pin", action="store_true", help="leave the CPUs to the scheduler")
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    ap.add_argument("--rows", default=None, help="only these rows (keys, comma-separated)")
    ap.add_argument(
        "--clients", default=None, help="only these of http,grpc (the SDK always runs: the base)"
    )
    args = ap.parse_args(argv)
    keys = {r.key for r in rows(Counts())}
    args.rows = None if args.rows is None else set(args.rows.split(","))
    if args.rows is not None and not args.rows <= keys:
        ap.error(f"--rows: unknown {sorted(args.rows - keys)}; known: {', '.join(sorted(keys))}")
    args.clients = ["http", "grpc"] if args.clients is None else args.clients.split(",")
    if not set(args.clients) <= {"http", "grpc"}:
        ap.error("--clients: http, grpc or both")
    counts = QUICK if args.quick else Counts()
    if args.reps is not None:
        counts = dataclasses.replace(counts, reps=max(1, args.reps))
    if args.rows is not None and not args.rows & {"cold_start", "peak_rss"}:
        counts = dataclasses.replace(counts, warm_cold=False)
    return counts, args


def main(argv: list[str] | None = None) -> int:
    counts, args = parse_args(argv)
    pinning = pin(not args.no_pin)
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # no C-core INFO lines (GOAWAY at close)
    runtime_guard.install()
    load_before = os.getloadavg()
    from runtime_clients import GeneratedDriver, SdkDriver

    rng = random.Random(10)
    image = rng.randbytes(counts.image_bytes)  # incompressible, as an encoded image is
    concepts = [(f"id-{i}", f"concept {i}", rng.random()) for i in range(counts.concepts)]
    samples: Samples = {}
    baseline: list[tuple[float, float]] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-runtime-") as tmp,
        served(MODEL_DIR, pinning.spawning_server) as server,
    ):
        work = Path(tmp)
        generate_client(MODEL_DIR, work / PACKAGE)  # while the server starts
        rest, grpc = server.urls()
        sys.path.insert(0, str(work))
        rt = importlib.import_module(f"{PACKAGE}._runtime")
        module = importlib.import_module(f"{PACKAGE}.bench_echo")
        urls = {"http": rest, "grpc": grpc}
        drivers = [GeneratedDriver(rt, module, t, urls[t]) for t in args.clients]
        drivers.append(SdkDriver(grpc))
        loop = asyncio.new_event_loop()
        bench = Bench(counts, loop, work, image, concepts)
        try:
            warm_up(bench, drivers)
            for rep in range(counts.reps):
                print(f"repetition {rep + 1}/{counts.reps}", file=sys.stderr, flush=True)
                order = drivers[rep % len(drivers) :] + drivers[: rep % len(drivers)]
                for measure in bench.measures(args.rows):
                    for d in order:
                        s0, t0 = server.cpu_seconds(), time.perf_counter()
                        figures = measure(d)
                        s1, wall = server.cpu_seconds(), time.perf_counter() - t0
                        if s0 is not None and s1 is not None and measure.__name__ in NETWORKED:
                            figures[f"server:{measure.__name__}"] = (s1 - s0) / wall
                        for key, value in figures.items():
                            samples.setdefault(d.name, {}).setdefault(key, []).append(value)
                baseline.append(bench.fresh("pass"))
        finally:
            for d in drivers:
                loop.run_until_complete(d.aclose())
                d.close()
            loop.close()
    samples = {d.name: samples[d.name] for d in drivers}  # the SDK last
    medians = {n: {k: statistics.median(v) for k, v in s.items()} for n, s in samples.items()}
    local, network = runtime_guard.report()
    load_after = os.getloadavg()
    print(
        f"bench_runtime: medians of {counts.reps} interleaved repetitions; clarifai SDK "
        f"{importlib.import_module('clarifai').__version__}; Python {sys.version.split()[0]}; "
        f"{os.cpu_count()} CPUs; load average {load_before[0]:.2f} -> {load_after[0]:.2f}"
    )
    print(pinning.note)
    print(*table(rows(counts), samples), sep="\n")
    print(*server_busy(samples), sep="\n")
    wall, rss = (statistics.median(x) for x in zip(*baseline, strict=True))
    print(f"interpreter alone (python -c pass): {wall * 1e3:.0f} ms, {rss:.1f} MB")
    print(network)
    if args.json is not None:
        figures = {"counts": dataclasses.asdict(counts), "medians": medians, "samples": samples}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if local else 1


if __name__ == "__main__":
    sys.exit(main())
