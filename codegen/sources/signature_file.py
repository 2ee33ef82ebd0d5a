"""Source kind "signature file": a saved JSON document (any shape `parser` accepts, or a snapshot)."""

from __future__ import annotations

from pathlib import Path

from ..errors import CodegenError, Problem
from ..parser import extract_signatures, parse_model
from ..snapshot_format import Loaded
from ..spec import ModelRef
from .files import display_source, read_json
from .ids import parse_ref
from .snapshot import from_snapshot


def read_signature_file(
    path: Path, ref: ModelRef | None = None, *, need_ids: bool = True
) -> tuple[Loaded, list[Problem]]:
    """Parse a signature file. Ids come from `ref`, else the file, else an `index.json` beside it,
    else (without `need_ids`) placeholders. One of our snapshots keeps its ids and its source."""
    data = read_json(path)
    where = str(path)
    snapshot = from_snapshot(data, where, ref)
    if snapshot is not None:
        return snapshot
    if ref is None:
        _, ids, _ = extract_signatures(data, where)
        if not all(ids.get(k) for k in ("user_id", "app_id", "model_id")):
            ref = _index_ref(path)
    spec, problems = parse_model(data, where, ref, display_source(path), need_ids=need_ids)
    return Loaded(spec, data, display_source(path)), problems


def _index_ref(path: Path) -> ModelRef | None:
    """Ids for a file that lacks them, from an `index.json` beside it (the fixtures' format)."""
    index_path = path.with_name("index.json")
    if index_path == path or not index_path.is_file():
        return None
    index = read_json(index_path)
    entry = index.get(path.stem) if isinstance(index, dict) else None
    model = entry.get("model") if isinstance(entry, dict) else None
    if not isinstance(model, dict):
        return None
    ids = [model.get(k) for k in ("user_id", "app_id", "id")]
    if not all(isinstance(i, str) for i in ids):
        raise CodegenError(f"entry {path.stem!r} has incomplete model ids", str(index_path))
    return parse_ref("/".join(str(i) for i in ids), str(index_path))
