"""The snapshot of one model, `DIR/.codegen/<module>.json`: where its signatures came from (a model
URL or a file), the resolved ids, and the signature document exactly as received. Regenerating needs
nothing else, so `clarifai-codegen generate -o DIR` works offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import CodegenError

if TYPE_CHECKING:  # imported where a snapshot is read: a run that reads none needs no IR
    from .spec import ModelRef, ModelSpec

__all__ = [
    "SNAPSHOT_KEY",
    "SNAPSHOT_VERSION",
    "Loaded",
    "json_bytes",
    "ref_json",
    "snapshot_bytes",
    "unwrap_snapshot",
]

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


def json_bytes(value: Any, sort_keys: bool = True) -> bytes:
    """The bytes of a `.codegen/` JSON file: indented, UTF-8, newline-terminated. A lone surrogate
    (valid in JSON, not in UTF-8) is written as its JSON escape, so the file reads back the same."""
    text = json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "backslashreplace")  # only strings can hold one: `\ud800`


def ref_json(ref: ModelRef) -> dict[str, str | None]:
    return {
        "user_id": ref.user_id,
        "app_id": ref.app_id,
        "model_id": ref.model_id,
        "version_id": ref.version_id,
    }


def snapshot_bytes(loaded: Loaded) -> bytes:
    return json_bytes(
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
    from .naming import check_resource_id
    from .spec import ModelRef

    if not isinstance(data, Mapping) or SNAPSHOT_KEY not in data:
        return None
    if data.get(SNAPSHOT_KEY) != SNAPSHOT_VERSION:
        raise CodegenError(f"unsupported snapshot version {data.get(SNAPSHOT_KEY)!r}", where)
    ref = data.get("ref")
    source = data.get("source")
    if not isinstance(ref, Mapping) or not isinstance(source, str) or "signatures" not in data:
        raise CodegenError("a snapshot needs 'ref', 'source' and 'signatures'", where)
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
