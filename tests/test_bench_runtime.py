"""bench/bench_runtime.py: a smoke run prints every row for every client (so the benchmark cannot rot
unnoticed), and its network guard refuses anything but the loopback."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import grpc
import grpc.aio
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CLIENTS = ["generated HTTP", "generated gRPC", "SDK (gRPC)"]
ROWS = [  # (key in --json, what the row's label starts with)
    ("unary_cpu", "client CPU per unary call, us"),
    ("threads8", "8 threads sharing one client, calls/s"),
    ("threads32", "32 threads sharing one client, calls/s"),
    ("async_rate", "async, gather of 32 calls, calls/s"),
    ("async_cpu", "async client CPU per call, us"),
    ("stream", "200-item stream, items/s"),
    ("image", "1 MB image, client encode+decode, ms CPU"),
    ("concepts", "1000 Concepts, client encode+decode, ms CPU"),
    ("cold_start", "cold start to first call, ms"),
    ("peak_rss", "peak memory of that process, MB"),
]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


@pytest.mark.slow
def test_quick_run_prints_every_row_for_every_client(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "bench_runtime.py"), "--quick", "--json", str(figures)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = list(itertools.takewhile(lambda line: line.startswith("|"), lines[first:]))
    assert _cells(table[0]) == ["row", *CLIENTS, "HTTP / SDK", "gRPC / SDK"]
    body = table[2:]
    assert len(body) == len(ROWS), proc.stdout
    for (_, label), line in zip(ROWS, body, strict=True):
        cells = _cells(line)
        assert cells[0].startswith(label), line
        assert all(float(c.replace(",", "")) > 0 for c in cells[1:4]), line
        assert all(re.fullmatch(r"\d+\.\d\dx", c) for c in cells[4:]), line
    assert "network: every connection went to the loopback" in proc.stdout
    assert "CPU pinning: " in proc.stdout
    assert "server CPU while each measure ran" in proc.stdout
    medians = json.loads(figures.read_text())["medians"]
    assert sorted(medians) == sorted(CLIENTS)
    busy = ["server:gather", "server:stream", "server:threads32", "server:threads8"]
    for client in CLIENTS:  # each row's figure, and the server's CPU share of each network row
        assert sorted(medians[client]) == sorted(
            [key for key, _ in ROWS] + busy + ["server:unary_cpu"]
        )


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, list[Any]]:
    """A fresh runtime_guard installed over recorders (monkeypatch undoes it all afterwards): a
    call the guard lets through is recorded, never sent."""
    passed: list[Any] = []
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: passed.append(addr))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, addr: passed.append(addr))
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: passed.append(host))
    for module in (grpc, grpc.aio):
        for name in ("insecure_channel", "secure_channel"):
            monkeypatch.setattr(module, name, lambda target, *a, **k: passed.append(target))
    sys.modules.pop("runtime_guard", None)
    module = importlib.import_module("runtime_guard")
    monkeypatch.setitem(sys.modules, "runtime_guard", module)
    module.install()
    return module, passed


def test_guard_lets_the_loopback_through(guard: tuple[ModuleType, list[Any]]) -> None:
    module, passed = guard
    with socket.socket() as s:
        s.connect(("127.0.0.1", 9))
    socket.getaddrinfo("localhost", 80)
    grpc.insecure_channel("127.0.0.1:50051")
    grpc.aio.insecure_channel("dns:///localhost:50051")
    grpc.insecure_channel("[::1]:50051")
    assert passed == [
        ("127.0.0.1", 9),
        "localhost",
        "127.0.0.1:50051",
        "dns:///localhost:50051",
        "[::1]:50051",
    ]
    ok, line = module.report()
    assert ok and "1 sockets, 3 grpc channels" in line


def _connect(address: tuple[str, int]) -> None:
    with socket.socket() as s:
        s.connect(address)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: _connect(("192.0.2.1", 443)),
        lambda: socket.getaddrinfo("api.clarifai.com", 443),
        lambda: grpc.insecure_channel("api.clarifai.com:443"),
        lambda: grpc.secure_channel("dns:///api.clarifai.com:443", None),
        lambda: grpc.aio.insecure_channel("192.0.2.1:80"),
    ],
)
def test_guard_refuses_and_reports_anything_else(
    guard: tuple[ModuleType, list[Any]], attempt: Any
) -> None:
    module, passed = guard
    with pytest.raises(OSError, match="bench network guard"):
        attempt()
    assert passed == []
    ok, line = module.report()
    assert not ok and "REFUSED" in line


@pytest.fixture
def pin_module(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("runtime_pin")


def _affinity(
    monkeypatch: pytest.MonkeyPatch, allowed: set[int], refuse: bool = False
) -> list[tuple[int, frozenset[int]]]:
    """A fake affinity API (nothing real is pinned): `allowed` CPUs; each set call recorded, or
    refused with PermissionError."""
    calls: list[tuple[int, frozenset[int]]] = []

    def setaffinity(pid: int, cpus: Any) -> None:
        if refuse:
            raise PermissionError(1, "Operation not permitted")
        calls.append((pid, frozenset(cpus)))

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(allowed), raising=False)
    monkeypatch.setattr(os, "sched_setaffinity", setaffinity, raising=False)
    return calls


def test_pinning_puts_the_server_and_the_clients_on_two_cpus(
    pin_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _affinity(monkeypatch, {0, 1, 2, 3})
    pinning = pin_module.pin()
    assert (pinning.server, pinning.client) == ({0}, {3})
    assert calls and all(cpus == {3} for _, cpus in calls)  # every thread of this process
    assert "server on CPU 0, clients on 3" in pinning.note
    calls.clear()
    with pinning.spawning_server():
        assert calls == [(0, {0})]  # a process started here inherits the server's CPU
    assert calls == [(0, {0}), (0, {3})]


@pytest.mark.parametrize(
    ("allowed", "refuse", "why"),
    [({0, 1}, True, "sched_setaffinity refused"), ({5}, False, "1 CPU available")],
)
def test_pinning_falls_back_to_an_unpinned_run(
    pin_module: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    allowed: set[int],
    refuse: bool,
    why: str,
) -> None:
    calls = _affinity(monkeypatch, allowed, refuse)
    pinning = pin_module.pin()
    assert (pinning.server, pinning.client) == (None, None)
    assert why in pinning.note and "CPU pinning: none" in pinning.note
    with pinning.spawning_server():
        pass
    assert calls == []


def test_pinning_falls_back_where_the_os_has_no_affinity(
    pin_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "sched_setaffinity", raising=False)
    pinning = pin_module.pin()
    assert pinning.server is None and "no sched_setaffinity" in pinning.note


def test_table_shows_each_figure_and_ratio_with_its_spread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    report = importlib.import_module("runtime_report")
    samples = {
        "generated gRPC": {"rate": [900.0, 1200.0, 1000.0]},
        "SDK (gRPC)": {"rate": [1000.0, 1000.0, 1250.0]},
    }
    lines = report.table([report.Row("rate", "calls/s", True)], samples)
    assert _cells(lines[0]) == ["row", "generated gRPC", "SDK (gRPC)", "gRPC / SDK"]
    # medians 1,000 and 1,000; per-repetition ratios 0.90, 1.20, 0.80
    assert _cells(lines[2])[1:] == ["1,000 (900-1,200)", "1,000 (1,000-1,250)", "1.00x (0.80-1.20)"]
    one = {name: {"rate": rows["rate"][:1]} for name, rows in samples.items()}
    assert _cells(report.table([report.Row("rate", "calls/s", True)], one)[2])[1:] == [
        "900",
        "1,000",
        "0.90x",
    ]


def test_json_floor_prints_every_step_against_the_sdk() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH / "json_floor.py"), "--calls", "1", "--reps", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = {_cells(line)[0]: _cells(line)[1:] for line in proc.stdout.splitlines()[3:]}
    for label in (
        "SDK (gRPC): encode+decode",
        "floor: encode+decode (the sum)",
        "runtime: whole call (Client.unary, httpx in memory)",
    ):
        ms, ratio = rows[label]
        assert float(ms) > 0 and re.fullmatch(r"\d+\.\d\dx", ratio), proc.stdout
    assert rows["SDK (gRPC): encode+decode"][1] == "1.00x"
