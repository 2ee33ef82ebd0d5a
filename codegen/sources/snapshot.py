"""Signatures from saved JSON files (any shape `parser` accepts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import CodegenError, Problem
from ..lock import Loaded, unwrap_snapshot
from ..naming import check_resource_id
from ..parser import extract_signatures, parse_model
from ..spec import ModelRef

MAX_BYTES = 16 * 1024 * 1024


def parse_ref(text: str, where: str = "--ref") -> ModelRef:
    """`user/app/model[@version]` -> ModelRef (ids validated)."""
    main, at, version = text.partition("@")
    if at and not version:
        raise CodegenError(f"empty version after '@' in {text!r}", where)
    parts = main.split("/")
    if len(parts) != 3:
        raise CodegenError(f"expected USER/APP/MODEL[@VERSION], got {text!r}", where)
    user, app, model = (
        check_resource_id(p, what, where)
        for p, what in zip(parts, ("user id", "app id", "model id"), strict=True)
    )
    version_id = check_resource_id(version, "version id", where) if version else None
    return ModelRef(user, app, model, version_id)


def read_json(path: Path) -> Any:
    where = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CodegenError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB", where)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodegenError("no such file", where) from None
    except IsADirectoryError:
        raise CodegenError("is a directory, not a signature file", where) from None
    except UnicodeDecodeError as exc:
        raise CodegenError(f"not UTF-8 text (byte {exc.start})", where) from None
    except OSError as exc:
        raise CodegenError(f"cannot read: {exc.strerror}", where) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CodegenError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", where
        ) from None
    except RecursionError:
        raise CodegenError("JSON nested too deeply", where) from None


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


def load_file(
    path: Path, ref: ModelRef | None = None, source: str | None = None, *, need_ids: bool = True
) -> tuple[Loaded, list[Problem]]:
    """Parse a signature file or one of our snapshots. Ids come from `ref`, else the file, else an
    `index.json` beside it, else (without `need_ids`) placeholders."""
    data = read_json(path)
    where = str(path)
    snapshot = unwrap_snapshot(data, where)
    if snapshot is not None:  # our own snapshot: it knows its ids and its original source
        data, snap_ref, source = snapshot
        ref = ref or snap_ref
    elif ref is None:
        _, ids, _ = extract_signatures(data, where)
        if not all(ids.get(k) for k in ("user_id", "app_id", "model_id")):
            ref = _index_ref(path)
    source = source or where
    spec, problems = parse_model(data, where, ref, source, need_ids=need_ids)
    return Loaded(spec, data, source), problems
