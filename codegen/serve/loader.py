"""Load a Clarifai model directory with the SDK's own code, ready to serve.

`config.yaml` gives the ids the model is served under (`model.id`, and `model.user_id` / `model.app_id`
completed as `generate` completes them: `CLARIFAI_USER_ID` or the CLI context, app `main`);
`1/model.py` (or `model.py`) is imported by `clarifai.runners.models.model_builder.ModelBuilder`,
exactly as `clarifai model local-runner` / the SDK's `ModelServer` do: **without** the upload-time
import mocking, so the model's real dependencies are used, and `load_model()` is called.

The SDK is imported lazily; without it, a clear error says which extra to install.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv

from ..errors import CodegenError
from ..naming import check_resource_id
from ..sources.ids import resolve_ref
from ..sources.local import find_model_file
from ..spec import ModelRef

__all__ = [
    "SDK_HINT",
    "ModelConfig",
    "instantiate",
    "method_names",
    "model_description",
    "read_config",
    "require_sdk",
    "run_model_dir",
    "version_id_for",
]

SDK_HINT: Final = "the serve command needs the clarifai SDK: pip install 'clarifai-codegen[serve]'"
MAX_CONFIG_BYTES: Final = 1024 * 1024


@dataclass(frozen=True)
class ModelConfig:
    """What `config.yaml` says about the model."""

    ref: ModelRef
    model_type_id: str
    description: str
    path: Path


def require_sdk() -> None:
    """Raise `CodegenError(SDK_HINT)` unless the clarifai SDK (and clarifai-grpc) can be imported."""
    try:
        import clarifai.runners.models.model_builder  # noqa: F401
        import clarifai_grpc.grpc.api.service_pb2  # noqa: F401
    except ImportError as exc:
        missing = getattr(exc, "name", None) or ""
        if missing.split(".")[0] in ("clarifai", "clarifai_grpc", "grpc", "google"):
            raise CodegenError(SDK_HINT) from None
        raise CodegenError(f"{SDK_HINT} (importing it failed: {exc})") from None


def read_config(path: str | Path) -> ModelConfig:
    """The ids (and model type, description) in `DIR/config.yaml`; a clear error if missing."""
    root = Path(path)
    if not root.exists():
        raise CodegenError("no such directory", str(root))
    if not root.is_dir():
        raise CodegenError("not a directory (expected a Clarifai model directory)", str(root))
    config_path = root / "config.yaml"
    where = str(config_path)
    if not config_path.is_file():
        raise CodegenError(
            "config.yaml not found: a model directory needs config.yaml "
            "(model: {id}) and 1/model.py",
            where,
        )
    try:
        if config_path.stat().st_size > MAX_CONFIG_BYTES:
            raise CodegenError(f"file is larger than {MAX_CONFIG_BYTES // 1024} KiB", where)
        config = yaml.safe_load(config_path.read_bytes())
    except OSError as exc:
        raise CodegenError(f"cannot read: {exc.strerror}", where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CodegenError(f"invalid YAML: {problem}", where + line) from None
    if not isinstance(config, dict) or not isinstance(config.get("model"), dict):
        raise CodegenError("missing key 'model' (a mapping with at least id)", where)
    model = config["model"]
    found: dict[str, str] = {}
    for key, name, what in (
        ("user_id", "user_id", "user id"),
        ("app_id", "app_id", "app id"),
        ("id", "model_id", "model id"),
    ):
        value = model.get(key)
        if value is None or value == "":  # published examples leave `user_id:` blank
            continue
        if not isinstance(value, str):
            raise CodegenError(f"key 'model.{key}' must be a string, got {value!r}", where)
        found[name] = check_resource_id(value, what, f"{where}: model.{key}")
    ref, _ = resolve_ref(found, None, where, need_ids=True)
    model_type = model.get("model_type_id")
    description = model.get("description")
    return ModelConfig(
        ref=ref,
        model_type_id=model_type if isinstance(model_type, str) and model_type else "any-to-any",
        description=description if isinstance(description, str) else "",
        path=root,
    )


def run_model_dir(path: str | Path) -> tuple[ModelRef, Any]:
    """`(ids from config.yaml, a running ModelClass instance)` for a Clarifai model directory.

    The SDK's `ModelBuilder` imports `model.py` (no import mocking: the real dependencies are
    used), instantiates the single `ModelClass` subclass and calls its `load_model()`.
    """
    config = read_config(path)
    return config.ref, instantiate(config)


def instantiate(config: ModelConfig) -> Any:
    """Import the model directory's `ModelClass` with the SDK, create it and call `load_model()`."""
    root = config.path
    model_file = find_model_file(root)
    if model_file is None:
        raise CodegenError("no 1/model.py (or model.py) in the model directory", str(root))
    require_sdk()
    from clarifai.runners.models.model_builder import ModelBuilder

    try:
        builder = ModelBuilder(str(root.resolve()), download_validation_only=True)
    except Exception as exc:
        raise CodegenError(
            f"the SDK rejected the model directory: {_describe(exc)}", str(root)
        ) from exc
    try:
        model_class = builder.load_model_class(mocking=False)
    except Exception as exc:
        raise CodegenError(f"cannot import the model: {_describe(exc)}", str(model_file)) from exc
    try:
        model = model_class()
    except Exception as exc:
        raise CodegenError(
            f"cannot create {model_class.__name__}(): {_describe(exc)}", str(model_file)
        ) from exc
    try:
        model.load_model()
    except Exception as exc:
        raise CodegenError(
            f"{model_class.__name__}.load_model() failed: {_describe(exc)}", str(model_file)
        ) from exc
    if not method_names(model):
        raise CodegenError(
            f"{model_class.__name__} has no @ModelClass.method methods to serve", str(model_file)
        )
    return model


def method_names(model: Any) -> list[str]:
    """The model's methods that have a signature (proto-style methods have none)."""
    infos = model._get_method_infos()
    return [name for name, info in infos.items() if info.signature is not None]


def version_id_for(ref: ModelRef, model: Any) -> str:
    """A stable 32-hex version id: changes when the model's method signatures change."""
    from google.protobuf.json_format import MessageToDict

    infos = model._get_method_infos()
    sigs = [
        MessageToDict(info.signature, preserving_proto_field_name=True)
        for info in infos.values()
        if info.signature is not None
    ]
    blob = json.dumps([ref.path, sigs], sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def model_description(config: ModelConfig, model: Any) -> str:
    """`model.description` from config.yaml, else the first paragraph of the class docstring."""
    if config.description.strip():
        return config.description.strip()
    own = type(model).__dict__.get("__doc__")
    doc = inspect.cleandoc(own) if isinstance(own, str) else ""
    return doc.split("\n\n", 1)[0].strip()


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
