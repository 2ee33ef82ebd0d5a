"""`clarifai-codegen serve`: a local Clarifai API (REST + gRPC, see `server.py`) running model
directories with the clarifai SDK's own code, so a generated client works unchanged against it.

Needs the clarifai SDK (`pip install 'clarifai-codegen[serve]'`), imported only when serving. The
names below are imported on first use, so `codegen.serve.command` (the click command) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loader import SDK_HINT, read_config, run_model_dir
    from .server import DEFAULT_PORT, ServeHandle, banner, run_forever, serve

__all__ = [
    "DEFAULT_PORT",
    "SDK_HINT",
    "ServeHandle",
    "banner",
    "read_config",
    "run_forever",
    "run_model_dir",
    "serve",
]

_HOME = dict.fromkeys(("SDK_HINT", "read_config", "run_model_dir"), "loader") | dict.fromkeys(
    ("DEFAULT_PORT", "ServeHandle", "banner", "run_forever", "serve"), "server"
)  # the module of each name in __all__


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
