"""Benchmark: generation cost per model and the share spent in black; import cost of a generated
client against the Clarifai SDK (same machine, same run). Prints figures; asserts nothing.

    make bench            # or: .venv/bin/python bench/bench_generate.py --copies 20
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import black  # noqa: E402

from codegen import api, render  # noqa: E402


def bench_generate(copies: int) -> None:
    sources = sorted(p for p in (ROOT / "signatures").glob("*.json") if p.name != "index.json")
    loaded, _, _ = api.load_sources(sources)
    specs = [item.spec for item in loaded]
    many = [
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
    black_seconds = 0.0
    real_format = black.format_str

    def timed_format(src: str, *, mode: black.Mode) -> str:
        nonlocal black_seconds
        t0 = time.perf_counter()
        try:
            return real_format(src, mode=mode)
        finally:
            black_seconds += time.perf_counter() - t0

    render.black.format_str = timed_format  # type: ignore[assignment]
    try:
        api.build(many[:2], "warmup")
        black_seconds = 0.0
        t0 = time.perf_counter()
        result = api.build(many, "generated")
        total = time.perf_counter() - t0
    finally:
        render.black.format_str = real_format  # type: ignore[assignment]
    lines = sum(v.count(b"\n") for k, v in result.files.items() if not k.startswith("_runtime/"))
    print(f"generate: {len(many)} models ({copies} copies of {len(specs)}), {lines} lines")
    print(f"  total {total:.2f} s, {1000 * total / len(many):.1f} ms/model")
    print(f"  black {black_seconds:.2f} s = {100 * black_seconds / total:.0f}% of the time")


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
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    bench_generate(args.copies)
    bench_import()


if __name__ == "__main__":
    main()
