"""Lazy imports of optional dependencies (numpy, Pillow, clarifai-grpc)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["import_optional"]

_PIP_NAMES = {
    "numpy": "numpy",
    "PIL.Image": "pillow",
    "clarifai_grpc": "clarifai-grpc",
    "grpc": "grpcio",
    "google": "protobuf",
}


def import_optional(
    module: str, purpose: str, *, package: str | None = None, install: str | None = None
) -> Any:
    """Import `module`, or raise ImportError saying which package `purpose` needs.

    `package` names it (default: the package providing `module`); `install` is what to
    `pip install` (default: that package).
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".")[0]
        package = package or _PIP_NAMES.get(module) or _PIP_NAMES.get(top, top)
        raise ImportError(f"{purpose} needs {package}: pip install {install or package}") from e
