"""Benchmark: generation through the CLI on a package of N models (copies of the bundled
signatures): cold (from the snapshots alone), then regenerate and check with nothing changed, each
beyond the CLI's own start-up (`--help`); openapi-python-client on an equivalent OpenAPI document
(one operation per method) in the same run; import cost of a generated client against the Clarifai
SDK. Prints figures; asserts nothing.

    make bench            # or: .venv/bin/python bench/bench_generate.py --copies 10 --runs 5

openapi-python-client is a bench-only tool: it is installed on first use into its own virtualenv
(bench/out/openapi-venv, pinned below) so that its dependencies never meet the project's pins.
Subprocesses run with bytecode caching on (a user's install has .pyc files), whatever
PYTHONDONTWRITEBYTECODE says here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.openapi_equivalent import openapi_document  # noqa: E402
from codegen import api, formatting  # noqa: E402
from codegen.lock import SNAPSHOT_DIR  # noqa: E402
from codegen.naming import module_name  # noqa: E402
from codegen.snapshot_format import Loaded, snapshot_bytes  # noqa: E402

OPENAPI_CLIENT = "openapi-python-client==0.29.1"
OPENAPI_VENV = ROOT / "bench" / "out" / "openapi-venv"
CLI = [sys.executable, "-m", "codegen"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def copies_of_signatures(copies: int) -> list[Loaded]:
    sources = sorted(p for p in (ROOT / "signatures").glob("*.json") if p.name != "index.json")
    loaded, _, _ = api.load_sources(sources)
    return [
        dataclasses.replace(
            item,
            spec=dataclasses.replace(
                item.spec,
                ref=dataclasses.replace(item.spec.ref, model_id=f"{item.spec.ref.model_id}-{i}"),
            ),
        )
        for i in range(copies)
        for item in loaded
    ]


def snapshots_only(out: Path, models: Sequence[Loaded]) -> None:
    """A package directory holding only its models' snapshots: generating it is a cold run."""
    shutil.rmtree(out, ignore_errors=True)
    (out / SNAPSHOT_DIR).mkdir(parents=True)
    for item in models:
        name = module_name(item.spec.ref.model_id)
        (out / SNAPSHOT_DIR / f"{name}.json").write_bytes(snapshot_bytes(item))


@dataclasses.dataclass(frozen=True)
class Took:
    wall: float
    cpu: float  # user + sys of the command and its children: less at the mercy of other load

    def __sub__(self, other: Took) -> Took:
        return Took(self.wall - other.wall, self.cpu - other.cpu)

    def per(self, n: int, unit: str) -> str:
        return f"{1000 * self.wall / n:.2f} ms/{unit} wall, {1000 * self.cpu / n:.2f} ms/{unit} CPU"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def seconds(cmd: Sequence[str], *, cwd: Path | None = None) -> Took:
    cpu0, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    took = Took(time.perf_counter() - t0, _children_cpu() - cpu0)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}... exit {done.returncode}: {done.stderr[-2000:]}")
    return took


def _machine() -> str:
    """Cores and load: cold generation formats in a process pool only with half a core idle
    (`formatting.workers_for`), and wall times under load say little (the CPU times less so)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{formatting.cpu_count()} cores, load average {load:.1f} (1 min)"


def median_seconds(cmd: Sequence[str], runs: int) -> Took:
    took = [seconds(cmd) for _ in range(runs)]
    return Took(statistics.median(t.wall for t in took), statistics.median(t.cpu for t in took))


def openapi_client() -> Path | None:
    """openapi-python-client's command, installed into its own venv on first use (None: cannot)."""
    exe = OPENAPI_VENV / "bin" / "openapi-python-client"
    if not exe.exists():
        print(f"  installing {OPENAPI_CLIENT} into {OPENAPI_VENV.relative_to(ROOT)} ...")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(OPENAPI_VENV)], check=True)
            pip = [str(OPENAPI_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
            subprocess.run([*pip, OPENAPI_CLIENT], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"  cannot install {OPENAPI_CLIENT}: {exc}")
            return None
    return exe


def bench_generate(copies: int, runs: int) -> None:
    models = copies_of_signatures(copies)
    n, methods = len(models), sum(len(item.spec.methods) for item in models)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "generated"
        snapshots_only(out, models)
        seconds([*CLI, "--help"])  # bytecode caches, warm disk
        start = median_seconds([*CLI, "--help"], runs)
        machine = _machine()  # as the cold run finds it
        cold = seconds([*CLI, "generate", "-o", str(out)])
        again = median_seconds([*CLI, "generate", "-o", str(out)], runs)
        check = median_seconds([*CLI, "check", "-o", str(out)], runs)
        print(f"generate: {n} models ({copies} copies of {n // copies}), {methods} methods")
        print(f"  {machine}")
        print(
            f"  CLI start-up (--help, median of {runs}): {1000 * start.wall:.0f} ms wall, "
            f"{1000 * start.cpu:.0f} ms CPU"
        )
        print(f"  cold: {cold.wall:.2f} s wall, {cold.cpu:.2f} s CPU")
        print(f"    {cold.per(n, 'model')}")
        print(f"    {cold.per(methods, 'method')}")
        for label, total in (("unchanged generate", again), ("unchanged check", check)):
            print(
                f"  {label} (median of {runs}): {1000 * total.wall:.0f} ms wall, "
                f"{1000 * total.cpu:.0f} ms CPU; beyond start-up {(total - start).per(n, 'model')}"
            )
        bench_openapi(models, Path(tmp), Took(cold.wall / methods, cold.cpu / methods))


def bench_openapi(models: Sequence[Loaded], tmp: Path, ours_per_method: Took) -> None:
    exe = openapi_client()
    if exe is None:
        return
    doc = tmp / "openapi.json"
    doc.write_text(json.dumps(openapi_document([item.spec for item in models])))
    operations = sum(len(item.spec.methods) for item in models)
    cmd = [str(exe), "generate", "--path", str(doc), "--meta", "none", "--overwrite"]
    total = seconds(cmd, cwd=tmp)
    print(f"openapi-python-client ({OPENAPI_CLIENT}, ruff post-hooks), same run:")
    print(f"  {operations} operations: {total.wall:.2f} s wall, {total.cpu:.2f} s CPU")
    print(f"    {total.per(operations, 'operation')}")
    ratio_wall = ours_per_method.wall / (total.wall / operations)
    ratio_cpu = ours_per_method.cpu / (total.cpu / operations)
    print(
        f"  clarifai-codegen cold / openapi-python-client, per method: {ratio_wall:.2f}x wall, "
        f"{ratio_cpu:.2f}x CPU"
    )


def _import_seconds(code: str, cwd: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_import() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        api.generate([ROOT / "signatures" / "hello-world.json"], Path(tmp) / "generated")
        base = _import_seconds("pass", Path(tmp))
        ours = _import_seconds("import generated.hello_world", Path(tmp))
        try:
            sdk = _import_seconds("from clarifai.client import Model", Path(tmp))
        except subprocess.CalledProcessError:
            sdk = float("nan")
    print("import (median of 5 fresh interpreters, interpreter start-up subtracted):")
    print(
        f"  generated client {1000 * (ours - base):.0f} ms; clarifai SDK {1000 * (sdk - base):.0f} ms"
    )
    print(f"  ratio SDK / generated = {(sdk - base) / max(ours - base, 1e-9):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=10, help="copies of the 12 signatures")
    parser.add_argument("--runs", type=int, default=5, help="runs per median")
    args = parser.parse_args()
    bench_generate(args.copies, args.runs)
    bench_import()


if __name__ == "__main__":
    main()
