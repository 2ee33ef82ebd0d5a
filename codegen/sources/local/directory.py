"""The model directory: `config.yaml` for the model's ids, `model.py` for its signatures."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import yaml  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv

from ...errors import CodegenError, Problem
from ...naming import check_resource_id
from ...spec import ModelRef
from ..ids import resolve_ref
from .analyzer import analyze_source

MAX_SOURCE_BYTES: Final = 4 * 1024 * 1024
MAX_CONFIG_BYTES: Final = 1024 * 1024


def find_model_file(path: str | Path) -> Path | None:
    """`model.py` then `1/model.py`, the order `ModelBuilder.load_model_class` tries them in."""
    root = Path(path)
    for candidate in (root / "model.py", root / "1" / "model.py"):
        if candidate.is_file():
            return candidate
    return None


def is_model_dir(path: str | Path) -> bool:
    """A directory with `config.yaml` and `1/model.py` (or `model.py`)."""
    root = Path(path)
    return root.is_dir() and (root / "config.yaml").is_file() and find_model_file(root) is not None


def _read(path: Path, limit: int) -> bytes:
    try:
        if path.stat().st_size > limit:
            raise CodegenError(f"file is larger than {limit // 1024} KiB", str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise CodegenError("no such file", str(path)) from None
    except OSError as exc:
        raise CodegenError(f"cannot read: {exc.strerror}", str(path)) from None


def _config_ids(config_path: Path, need_model: bool) -> dict[str, str]:
    """The ids `config.yaml` gives (keys user_id, app_id, model_id), each validated. A published
    example often has only `model.id`; `ids.resolve_ref` completes it."""
    where = str(config_path)
    raw = _read(config_path, MAX_CONFIG_BYTES)
    try:
        config = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CodegenError(f"invalid YAML: {problem}", where + line) from None
    except RecursionError:
        raise CodegenError("YAML nested too deeply", where) from None
    model = config.get("model") if isinstance(config, dict) else None
    if not isinstance(model, dict):
        if need_model:
            raise CodegenError("missing key 'model' (a mapping with at least id)", where)
        return {}
    ids: dict[str, str] = {}
    for key, name, what in (
        ("user_id", "user_id", "user id"),
        ("app_id", "app_id", "app id"),
        ("id", "model_id", "model id"),
    ):
        value = model.get(key)
        if value is None or value == "":  # published examples leave `user_id:` blank to fill in
            continue
        if not isinstance(value, str):
            raise CodegenError(f"key 'model.{key}' must be a string, got {value!r}", where)
        ids[name] = check_resource_id(value, what, f"{where}: model.{key}")
    return ids


def load_model_dir(
    path: str | Path, ref: ModelRef | None = None, *, need_ids: bool = True
) -> tuple[list[dict[str, Any]], ModelRef, list[Problem]]:
    """Method signatures (MessageToDict form), the model's ids and warnings, for a Clarifai model
    directory. Ids: `ref`, else `config.yaml` completed as the SDK does (`ids.resolve_ref`), else
    placeholders unless `need_ids`. `model.py` is parsed, never imported or executed."""
    root = Path(path)
    if not root.is_dir():
        raise CodegenError("not a directory", str(root))
    config = root / "config.yaml"
    found = _config_ids(config, need_model=ref is None and need_ids)
    model_ref, problems = resolve_ref(found, ref, str(config), need_ids=need_ids)
    model_file = find_model_file(root)
    if model_file is None:
        raise CodegenError("no model.py or 1/model.py", str(root))
    signatures, found_problems = analyze_source(
        _read(model_file, MAX_SOURCE_BYTES), str(model_file)
    )
    return signatures, model_ref, [*problems, *found_problems]
