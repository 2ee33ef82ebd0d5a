"""The benchmark's server and client package: `clarifai-codegen serve` in a subprocess (so its CPU
is not the client's) and `clarifai-codegen generate` of the same model directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from queue import Empty, Queue
from typing import IO

__all__ = ["Server", "child_env", "generate_client", "served"]

ROOT = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    """The environment of every subprocess: no CLARIFAI_* settings leak in from the caller."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CLARIFAI_")}


Spawning = Callable[[], AbstractContextManager[None]]


class Server:
    """`clarifai-codegen serve DIR --port 0 --grpc-port 0 --quiet`, started at construction, inside
    `spawning()` (runtime_pin.py's `Pinning.spawning_server` puts it on its own CPU)."""

    def __init__(self, model_dir: Path, err: IO[bytes], spawning: Spawning = nullcontext) -> None:
        self._err = err
        self._lines: Queue[str | None] = Queue()
        ports = ["--port", "0", "--grpc-port", "0"]
        with spawning():
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "codegen", "serve", str(model_dir), *ports, "--quiet"],
                cwd=ROOT,
                env=child_env(),
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def urls(self, timeout: float = 120.0) -> tuple[str, str]:
        """(REST URL, gRPC URL) from the banner, once the server listens."""
        rest = grpc = None
        deadline = time.monotonic() + timeout
        while rest is None or grpc is None:
            try:
                line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except Empty:
                line = None
            if line is None:
                self._err.seek(0)
                tail = self._err.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"clarifai-codegen serve did not start:\n{tail}")
            if m := re.match(r"serving .* at (http://127\.0\.0\.1:\d+)$", line.strip()):
                rest = m.group(1)
            elif m := re.match(r"gRPC at (127\.0\.0\.1:\d+) ", line):
                grpc = f"http://{m.group(1)}"
        return rest, grpc

    def cpu_seconds(self) -> float | None:
        """The server's CPU time so far (user + system, all threads; Linux), else None."""
        try:
            fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        self._proc.terminate()  # SIGTERM: serve stops its servers and exits
        try:
            self._proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


@contextmanager
def served(model_dir: Path, spawning: Spawning = nullcontext) -> Iterator[Server]:
    with tempfile.TemporaryFile() as err:
        server = Server(model_dir, err, spawning)
        try:
            yield server
        finally:
            server.stop()


def generate_client(model_dir: Path, out: Path) -> None:
    """`clarifai-codegen generate DIR -o OUT`: the model directory's signatures by static
    analysis, the same ones the server reports."""
    cmd = [sys.executable, "-m", "codegen", "generate", str(model_dir), "-o", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, env=child_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"generate failed:\n{proc.stderr}")
