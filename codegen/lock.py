"""What an output package remembers about how it was made, in `DIR/.codegen/`:

- `<module>.json`, one snapshot per model: where its signatures came from (a model URL or a file), the
  resolved ids, and the signature document exactly as received. Regenerating needs nothing else, so
  `clarifai-codegen generate -o DIR` works offline.
- `lock.json`: the generator and black versions and the sha256 of each model's normalized signatures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CodegenError
from .spec import ModelRef, ModelSpec

SNAPSHOT_DIR = ".codegen"
LOCK_NAME = "lock.json"
SNAPSHOT_KEY = "clarifai_codegen_snapshot"
SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Loaded:
    """A parsed model together with the document it was parsed from."""

    spec: ModelSpec
    raw: Any  # the signature document as received (any accepted shape)
    source: str  # a model URL or a file path, as given

    @property
    def key(self) -> str:
        return self.spec.ref.path


def _dump(value: Any, sort_keys: bool = True) -> bytes:
    text = json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "surrogatepass")


def ref_json(ref: ModelRef) -> dict[str, str | None]:
    return {
        "user_id": ref.user_id,
        "app_id": ref.app_id,
        "model_id": ref.model_id,
        "version_id": ref.version_id,
    }


def snapshot_bytes(loaded: Loaded) -> bytes:
    return _dump(
        {
            SNAPSHOT_KEY: SNAPSHOT_VERSION,
            "source": loaded.source,
            "ref": ref_json(loaded.spec.ref),
            "signatures": loaded.raw,
        },
        sort_keys=False,  # the order of methods (e.g. keys of a _GET_SIGNATURES object) matters
    )


def unwrap_snapshot(data: Any, where: str) -> tuple[Any, ModelRef, str] | None:
    """(signature document, ref, source) if `data` is one of our snapshots, else None."""
    if not isinstance(data, Mapping) or SNAPSHOT_KEY not in data:
        return None
    if data.get(SNAPSHOT_KEY) != SNAPSHOT_VERSION:
        raise CodegenError(f"unsupported snapshot version {data.get(SNAPSHOT_KEY)!r}", where)
    ref = data.get("ref")
    source = data.get("source")
    if not isinstance(ref, Mapping) or not isinstance(source, str) or "signatures" not in data:
        raise CodegenError("a snapshot needs 'ref', 'source' and 'signatures'", where)
    from .naming import check_resource_id  # local: naming imports errors only, no cycle

    ids = []
    for key in ("user_id", "app_id", "model_id"):
        value = ref.get(key)
        if not isinstance(value, str):
            raise CodegenError(f"snapshot ref has no {key}", where)
        ids.append(check_resource_id(value, key, where))
    version = ref.get("version_id")
    if version is not None and not isinstance(version, str):
        raise CodegenError("snapshot version_id must be a string or null", where)
    version = check_resource_id(version, "version_id", where) if version else None
    return data["signatures"], ModelRef(ids[0], ids[1], ids[2], version), source


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
    return _dump(
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
