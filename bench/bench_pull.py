"""Benchmark: pulling signatures for many models, sequentially and concurrently, from the fake Clarifai API
(tests/fake_api.py) with a fixed per-request latency. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_pull.py            # 100 models, 50 ms latency, concurrency 8
    .venv/bin/python bench/bench_pull.py --models 200 --latency 0.02 --concurrency 16

The goal: with concurrency C, the wall time stays within 1.5x of the ideal `models x latency / C`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codegen.sources.remote.fetch_many import fetch_many  # noqa: E402
from codegen.sources.remote.settings import RemoteSettings  # noqa: E402
from codegen.spec import ModelRef  # noqa: E402
from tests.fake_api import FakeClarifai, default_models  # noqa: E402


def serve_copies(api: FakeClarifai, count: int) -> list[ModelRef]:
    """`count` models under distinct ids, cycling through the saved signature files."""
    bodies = [body for _, _, _, body in default_models().values()]
    refs = []
    for i in range(count):
        ref = ModelRef("bench", "pull", f"model-{i:04d}")
        api.add_model(ref.user_id, ref.app_id, ref.model_id, bodies[i % len(bodies)])
        refs.append(ref)
    return refs


def timed(refs: list[ModelRef], settings: RemoteSettings) -> float:
    t0 = time.perf_counter()
    results = fetch_many(refs, settings)
    seconds = time.perf_counter() - t0
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"  {len(failed)} failed, e.g. {failed[0].error}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()

    with FakeClarifai(defaults=False) as api:
        refs = serve_copies(api, args.models)
        api.latency = args.latency
        base = RemoteSettings(pat=api.pat, api_base=api.base_url, timeout=10.0)
        sequential = timed(refs, dataclasses.replace(base, concurrency=1))
        concurrent = timed(refs, dataclasses.replace(base, concurrency=args.concurrency))
        requests = api.total_hits()

    ideal = args.models * args.latency / args.concurrency
    print(f"models: {args.models}, latency: {args.latency * 1000:.0f} ms, requests: {requests}")
    print(f"sequential (concurrency 1):  {sequential:7.3f} s")
    print(f"concurrent (concurrency {args.concurrency}):  {concurrent:7.3f} s")
    print(
        f"ideal {args.models} x {args.latency * 1000:.0f} ms / {args.concurrency}:      {ideal:7.3f} s"
    )
    print(f"concurrent / ideal:          {concurrent / ideal:7.2f}x  (goal: within 1.5x)")
    print(f"speed-up over sequential:    {sequential / concurrent:7.2f}x")


if __name__ == "__main__":
    main()
