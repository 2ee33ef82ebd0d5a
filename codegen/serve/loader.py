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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..errors import CodegenError
from ..sources.ids import resolve_ref
from ..sources.local import find_model_file
from ..sources.local.directory import config_ids, read_config_yaml
from ..spec import ModelRef

if TYPE_CHECKING:  # registry imports clarifai-grpc: only once the SDK is known to be there
    from .registry import ServedModel

__all__ = ["SDK_HINT", "load_models", "require_sdk"]

SDK_HINT: Final = "the serve command needs the clarifai SDK: pip install 'clarifai-codegen[serve]'"


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


def load_models(dirs: Iterable[str | Path]) -> list[ServedModel]:
    """Read every `config.yaml` first (fail fast, no duplicates), then load every model."""
    require_sdk()
    configs = [_read_config(Path(d)) for d in dirs]
    if not configs:
        raise CodegenError("no model directory to serve")
    seen: dict[str, Path] = {}
    for ref, _, root in configs:
        if ref.path in seen:
            raise CodegenError(
                f"{seen[ref.path]} and {root} both declare {ref.path}", "config.yaml"
            )
        seen[ref.path] = root
    return [_load(*config) for config in configs]


def _read_config(root: Path) -> tuple[ModelRef, dict[str, Any], Path]:
    """The ids in `DIR/config.yaml` and its `model` mapping; a clear error if missing."""
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
    config = read_config_yaml(config_path)
    ids = config_ids(config, str(config_path), need_model=True)
    ref, _ = resolve_ref(ids, None, str(config_path), need_ids=True)
    return ref, config["model"], root


def _load(ref: ModelRef, config: dict[str, Any], root: Path) -> ServedModel:
    """Import the directory's `ModelClass` with the SDK, create it and call `load_model()`."""
    from clarifai.runners.models.model_builder import ModelBuilder
    from google.protobuf.json_format import MessageToDict

    from .registry import ServedModel

    model_file = find_model_file(root)
    if model_file is None:
        raise CodegenError("no 1/model.py (or model.py) in the model directory", str(root))
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
    signatures = {  # proto-style methods have none
        method: MessageToDict(info.signature, preserving_proto_field_name=True)
        for method, info in model._get_method_infos().items()
        if info.signature is not None
    }
    if not signatures:
        raise CodegenError(f"{name} has no @ModelClass.method methods to serve", where)
    # a stable 32-hex version id: it changes when the method signatures change
    blob = json.dumps([ref.path, list(signatures.values())], sort_keys=True).encode()
    model_type, description = config.get("model_type_id"), config.get("description")
    return ServedModel(
        ref=ref,
        model=model,
        version_id=hashlib.sha256(blob).hexdigest()[:32],
        model_type_id=model_type if isinstance(model_type, str) and model_type else "any-to-any",
        description=_description(description, model),
        methods=tuple(signatures),
    )


def _description(configured: Any, model: Any) -> str:
    """`model.description` from config.yaml, else the first paragraph of the class docstring."""
    if isinstance(configured, str) and configured.strip():
        return configured.strip()
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
