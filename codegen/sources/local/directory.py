"""Source kind "local model directory": `config.yaml` for the model's ids, `model.py` for its
signatures, analysed and never run (`codegen.serve.loader` is what runs one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv

from ...errors import CodegenError, Problem, shown
from ...naming import check_resource_id
from ...parser import parse_model
from ...snapshot_format import Loaded
from ...spec import ModelRef
from ..files import display_source, load_yaml, read_bytes
from ..ids import resolve_ref
from .analyzer import analyze_source
from .limits import MAX_CONFIG_BYTES, MAX_SOURCE_BYTES
from .links import check_inside, link_warnings


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


def read_config_yaml(config_path: Path) -> Any:
    """The parsed `config.yaml` (at most 1 MiB, no aliases); an error names the file and the line."""
    where = str(config_path)
    try:
        return load_yaml(read_bytes(config_path, MAX_CONFIG_BYTES))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CodegenError(f"invalid YAML: {problem}", where + line) from None
    except RecursionError:
        raise CodegenError("YAML nested too deeply", where) from None


def config_ids(config: Any, where: str, need_model: bool) -> dict[str, str]:
    """The ids a parsed `config.yaml` gives (keys user_id, app_id, model_id), each validated. A
    published example often has only `model.id`; `ids.resolve_ref` completes it."""
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
            raise CodegenError(f"key 'model.{key}' must be a string, got {shown(value)}", where)
        ids[name] = check_resource_id(value, what, f"{where}: model.{key}")
    return ids


def analyze_model_dir(
    path: str | Path, ref: ModelRef | None = None, *, need_ids: bool = True
) -> tuple[Loaded, list[Problem]]:
    """The model in a Clarifai model directory, parsed like any signature document."""
    signatures, model_ref, problems = model_dir_signatures(path, ref, need_ids=need_ids)
    source = display_source(Path(path))
    spec, found = parse_model(signatures, str(path), model_ref, source)
    return Loaded(spec, signatures, source), [*problems, *found]


def model_dir_signatures(
    path: str | Path, ref: ModelRef | None = None, *, need_ids: bool = True
) -> tuple[list[dict[str, Any]], ModelRef, list[Problem]]:
    """Method signatures (MessageToDict form, what the SDK would store: [] for a model with no
    methods), the model's ids and warnings. Ids: `ref`, else `config.yaml` completed as the SDK
    does (`ids.resolve_ref`), else placeholders unless `need_ids`."""
    root = Path(path)
    model_file = find_model_file(root)
    if model_file is None or not (root / "config.yaml").is_file():
        raise CodegenError(
            "not a Clarifai model directory (expected config.yaml and 1/model.py)", str(root)
        )
    config = check_inside(root, root / "config.yaml")
    source = read_bytes(check_inside(root, model_file), MAX_SOURCE_BYTES)
    found = config_ids(read_config_yaml(config), str(config), need_model=ref is None and need_ids)
    model_ref, problems = resolve_ref(found, ref, str(config), need_ids=need_ids)
    signatures, found_problems = analyze_source(source, str(model_file))
    return signatures, model_ref, [*problems, *link_warnings(root), *found_problems]
