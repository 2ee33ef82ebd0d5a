"""What an output package remembers about how it was made, in `DIR/.codegen/`:

- `<module>.json`, one snapshot per model (its format: `snapshot_format`);
- `lock.json`: the generator and black versions and the sha256 of each model's normalized signatures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .snapshot_format import Loaded, json_bytes

SNAPSHOT_DIR = ".codegen"
LOCK_NAME = "lock.json"


def lock_bytes(entries: Sequence[tuple[str, Loaded]], line_length: int) -> bytes:
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


def snapshot_paths(out_dir: Path) -> list[Path]:
    folder = out_dir / SNAPSHOT_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if p.name != LOCK_NAME)
