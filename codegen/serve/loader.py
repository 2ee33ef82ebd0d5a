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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..errors import CodegenError
from ..sources.ids import resolve_ref
from ..sources.local import find_model_file
from ..sources.local.directory import config_ids, read_config_yaml
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
    if not config_path.is_file():
        raise CodegenError(
            "config.yaml not found: a model directory needs config.yaml "
            "(model: {id}) and 1/model.py",
            str(config_path),
        )
    ids = config_ids(config_path, need_model=True)
    ref, _ = resolve_ref(ids, None, str(config_path), need_ids=True)
    model = read_config_yaml(config_path)["model"]
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

    where = str(model_file)
    builder = _attempt(
        "the SDK rejected the model directory",
        str(root),
        lambda: ModelBuilder(str(root.resolve()), download_validation_only=True),
    )
    model_class = _attempt(
        "cannot import the model", where, lambda: builder.load_model_class(mocking=False)
    )
    name = model_class.__name__
    model = _attempt(f"cannot create {name}()", where, model_class)
    _attempt(f"{name}.load_model() failed", where, model.load_model)
    if not method_names(model):
        raise CodegenError(f"{name} has no @ModelClass.method methods to serve", where)
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


def _attempt(what: str, where: str, call: Callable[[], Any]) -> Any:
    """`call()`; what it raises becomes a `CodegenError` saying `what` failed, and why."""
    try:
        return call()
    except Exception as exc:
        text = str(exc).strip()
        why = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        raise CodegenError(f"{what}: {why}", where) from exc
