"""Source kind "snapshot": the models an output package was generated from, `DIR/.codegen/*.json`
(format: `snapshot_format`). Reading them needs nothing else, so regenerating is offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import CodegenError, Problem
from ..lock import SNAPSHOT_DIR, snapshot_paths
from ..parser import parse_model
from ..snapshot_format import SNAPSHOT_KEY, Loaded, unwrap_snapshot
from ..spec import ModelRef
from .files import read_json


def read_snapshots(out_dir: Path) -> tuple[list[Loaded], list[Problem]]:
    """Every model of the package in `out_dir` (none without `DIR/.codegen/`), and warnings."""
    items, problems = [], []
    for path in snapshot_paths(out_dir):
        item, found = read_snapshot(path)
        items.append(item)
        problems.extend(found)
    return items, problems


def read_snapshot(path: Path) -> tuple[Loaded, list[Problem]]:
    """The model in one snapshot file of a package, and its warnings."""
    where = str(path)
    item = from_snapshot(read_json(path), where)
    if item is None:
        raise CodegenError(
            f"not a snapshot (no {SNAPSHOT_KEY!r} key); {SNAPSHOT_DIR}/ holds only the "
            "generator's files",
            where,
        )
    return item


def from_snapshot(
    data: Any, where: str, ref: ModelRef | None = None
) -> tuple[Loaded, list[Problem]] | None:
    """The model in a snapshot document (its recorded ids unless `ref`), or None if `data` is not
    a snapshot."""
    snapshot = unwrap_snapshot(data, where)
    if snapshot is None:
        return None
    signatures, snap_ref, source = snapshot
    spec, problems = parse_model(signatures, where, ref or snap_ref, source)
    return Loaded(spec, signatures, source), problems
