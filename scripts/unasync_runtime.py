"""Derive the sync runtime modules from their async sources (as httpcore does).

`python scripts/unasync_runtime.py` writes codegen/runtime/client.py and http.py from aclient.py and
ahttp.py; `--check` exits 1 when the committed files differ. The token rules are unasync's
(`async`/`await` dropped, `AsyncIterator` -> `Iterator`, ...) plus the names below; ruff then
sorts the imports and formats the result with the project's settings.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import unasync

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = ROOT / "codegen" / "runtime"
PAIRS = {"aclient.py": "client.py", "ahttp.py": "http.py"}
NAMES = {
    "AsyncCloser": "Closer",
    "AsyncConnections": "Connections",
    "AsyncHTTPConnection": "HTTPConnection",
    "AsyncResponse": "Response",
    "AsyncSlots": "Slots",
    "aiter_stream": "iter_stream",
    "handle_async_request": "handle_request",
    "AsyncBidiTransport": "BidiTransport",
    "AsyncClient": "Client",
    "AsyncGrpcTransport": "GrpcTransport",
    "AsyncHttpTransport": "HttpTransport",
    "AsyncOwnerCache": "OwnerCache",
    "AsyncSleep": "Sleep",
    "AsyncTransport": "Transport",
    "_aclose": "_close",
    "abidi_requests": "bidi_requests",
    "aclient": "client",
    "aclose": "close",
    "agrpc": "grpc",
    "ahttp": "http",
    "aiter_lines": "iter_lines",
    "aiter_raw": "iter_raw",
    "anext": "next",
    "aread": "read",
    "async_backend": "backend",
    "asyncio": "time",
    "send_all_async": "send_all",
}
HEADER = "# Generated from {source} by scripts/unasync_runtime.py: edit {source}, then run `make unasync`.\n"


def render() -> dict[str, str]:
    """The sync modules (name -> text) that the async sources produce."""
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        rules = []
        files = []
        for source, target in PAIRS.items():
            path = Path(tmp, source)
            shutil.copyfile(RUNTIME / source, path)
            rules.append(unasync.Rule(f"/{source}", f"/{target}", additional_replacements=NAMES))
            files.append(str(path))
        unasync.unasync_files(files, rules)
        targets = [str(Path(tmp, target)) for target in PAIRS.values()]
        ruff = [sys.executable, "-m", "ruff"]
        config = ["--config", str(ROOT / "pyproject.toml")]
        fix = [*ruff, "check", "--fix-only", "--quiet", "--select", "I,F401,UP,RUF022", *config]
        subprocess.run([*fix, *targets], check=True)
        subprocess.run([*ruff, "format", "--quiet", *config, *targets], check=True)
        for source, target in PAIRS.items():
            out[target] = HEADER.format(source=source) + Path(tmp, target).read_text()
    return out


def main(argv: list[str]) -> int:
    stale = []
    for name, text in render().items():
        path = RUNTIME / name
        if "--check" in argv:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"stale sync modules: {', '.join(stale)}; run `make unasync`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
