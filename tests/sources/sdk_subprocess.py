"""Run an SDK script in a fresh interpreter: the oracle of the model-directory tests.

A subprocess in a temp working directory keeps the SDK's import-time side effects (model.py is
executed) and its global patches (json encoder, sys.modules) out of the test process. The script
reads its request as JSON on stdin and prints one line `ORACLE:<json>`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_sdk_script(script: str, request: Any, cwd: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("ORACLE:"))
    found: dict[str, Any] = json.loads(line.removeprefix("ORACLE:"))
    return found
