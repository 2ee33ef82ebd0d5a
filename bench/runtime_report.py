"""bench_runtime.py's table: each figure's median with the spread of its repetitions, and each
generated client's ratio to the SDK with the spread of the per-repetition ratios (a repetition
measures every client in turn, so its ratio compares figures taken moments apart)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

__all__ = ["NETWORKED", "Row", "Samples", "fmt", "server_busy", "table"]

Samples = dict[str, dict[str, list[float]]]  # client name -> row key -> one value per repetition


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    higher_is_better: bool


def fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def table(rows: list[Row], samples: Samples) -> list[str]:
    """Markdown lines: one column per client (the SDK last), then one ratio column per generated
    client. A figure reads `median (min-max)`, a ratio `median ratio (per-repetition min-max)`."""
    names = list(samples)
    sdk = names[-1]
    head = ["row", *names, *(f"{n.removeprefix('generated ')} / SDK" for n in names[:-1])]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        if row.key not in samples[sdk]:
            continue  # not measured (--rows)
        better = "higher" if row.higher_is_better else "lower"
        cells = [f"{row.label} ({better} is better)"]
        for n in names:
            values = samples[n][row.key]
            spread = f" ({fmt(min(values))}-{fmt(max(values))})" if len(values) > 1 else ""
            cells.append(fmt(statistics.median(values)) + spread)
        base = samples[sdk][row.key]
        for n in names[:-1]:
            cells.append(_ratio(samples[n][row.key], base))
        out.append("| " + " | ".join(cells) + " |")
    return out


def _ratio(values: list[float], base: list[float]) -> str:
    median = statistics.median(base)
    if not median or not all(base):
        return "n/a"
    each = [v / b for v, b in zip(values, base, strict=True)]
    spread = f" ({min(each):.2f}-{max(each):.2f})" if len(each) > 1 else ""
    return f"{statistics.median(values) / median:.2f}x{spread}"


# The measures that keep the server busy (bench_runtime.Bench's method names).
NETWORKED = ("unary_cpu", "threads8", "threads32", "gather", "stream")


def server_busy(samples: Samples) -> list[str]:
    """Markdown lines: the server's CPU time per second of each networked measure, per client
    (median). Pinned, 100% means the server's CPU was full: that row measured the server at
    least as much as the client."""
    names = list(samples)
    keys = [k for k in NETWORKED if f"server:{k}" in samples[names[-1]]]
    if not keys:
        return []
    out = [
        "server CPU while each measure ran (CPU seconds per second, median):",
        "| measure | " + " | ".join(names) + " |",
        "|" + "---|" * (len(names) + 1),
    ]
    for key in keys:
        cells = [f"{statistics.median(samples[n][f'server:{key}']):.0%}" for n in names]
        out.append(f"| {key} | " + " | ".join(cells) + " |")
    return out
