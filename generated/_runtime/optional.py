"""Lazy imports of optional dependencies (numpy, Pillow, clarifai-grpc)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["import_optional"]

_PIP_NAMES = {"numpy": "numpy", "PIL.Image": "pillow", "clarifai_grpc": "clarifai-grpc"}


def import_optional(module: str, purpose: str) -> Any:
    """Import `module`, or raise ImportError saying which package `purpose` needs."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        package = _PIP_NAMES.get(module, module.split(".")[0])
        raise ImportError(f"{purpose} needs {package}: pip install {package}") from e
