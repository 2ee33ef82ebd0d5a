"""What an output package remembers about how it was made, in `DIR/.codegen/`:

- `<module>.json`, one snapshot per model (its format: `snapshot_format`);
- `lock.json`: the generator and black versions, the line length, the sha256 of each model's
  normalized signatures, and every file the run wrote (so the next run removes the ones it no
  longer writes, and never any other).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .snapshot_format import Loaded, json_bytes

SNAPSHOT_DIR = ".codegen"
LOCK_NAME = "lock.json"


def lock_bytes(
    entries: Sequence[tuple[str, Loaded]], line_length: int, files: Sequence[str]
) -> bytes:
    from importlib.metadata import version

    models = {
        module: {
            "model": loaded.spec.ref.path,
            "version_id": loaded.spec.ref.version_id,
            "source": loaded.source,
            "signatures_sha256": loaded.spec.fingerprint(),
        }
        for module, loaded in entries
    }
    return json_bytes(
        {
            "generator": __version__,
            "black": version("black"),
            "line_length": line_length,
            "models": models,
            "files": sorted(files),
        }
    )


def locked_line_length(out_dir: Path) -> int | None:
    """The line length the package was generated with (so regenerating reproduces it)."""
    try:
        value = json.loads((out_dir / SNAPSHOT_DIR / LOCK_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    length = value.get("line_length") if isinstance(value, dict) else None
    return length if isinstance(length, int) and not isinstance(length, bool) else None


def locked_files(out_dir: Path) -> list[str]:
    """The files lock.json says the last run wrote, those that could be ours (`owned_path`)."""
    try:
        value = json.loads((out_dir / SNAPSHOT_DIR / LOCK_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    files = value.get("files") if isinstance(value, dict) else None
    if not isinstance(files, list):
        return []
    return [rel for rel in files if isinstance(rel, str) and owned_path(rel)]


def owned_path(rel: str) -> bool:
    """Whether `rel` has the shape of a file the generator writes (a module, an example, a runtime
    file, a snapshot, py.typed): a lock.json or journal naming anything else is not acted on."""
    return rel.endswith((".py", ".json", "py.typed")) and owned_dir(rel)


def owned_dir(rel: str) -> bool:
    parts = rel.split("/")
    return len(parts) <= 3 and all(_plain(part) for part in parts)


def _plain(part: str) -> bool:
    hidden = part.startswith(".") and part != SNAPSHOT_DIR
    return bool(part) and not hidden and not any(c in part for c in "\\\0:")


def snapshot_paths(out_dir: Path) -> list[Path]:
    folder = out_dir / SNAPSHOT_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if p.name != LOCK_NAME)
