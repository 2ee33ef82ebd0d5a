"""Model references: a Clarifai model URL or `user/app/model[@version]` -> ModelRef, and back."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from ...errors import CodegenError
from ...spec import ModelRef
from ..ids import make_ref

__all__ = ["looks_remote", "model_url", "parse_model_ref"]

_URL_SHAPE = (
    "https://clarifai.com/USER/APP/models/MODEL[/versions/VERSION] or USER/APP/MODEL[@VERSION]"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_BARE_HOST = re.compile(r"^(?:[A-Za-z0-9\-]+\.)*clarifai\.com(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)
_SHORT_FORM = re.compile(r"^[A-Za-z0-9][^/\s@]*/[^/\s@]+/[^/\s@]+(?:@[^/\s@]*)?$")


def looks_remote(text: str) -> bool:
    """Is `text` a model URL or `user/app/model[@version]` rather than a local file or directory?"""
    if not text or text.lower().endswith(".json"):
        return False
    try:
        if Path(text).exists():
            return False
    except (OSError, ValueError):  # too long for the OS, an embedded NUL: not a usable path
        pass
    if text.lower().startswith(("https://", "http://")) or _BARE_HOST.match(text):
        return True
    return _SHORT_FORM.match(text) is not None


def parse_model_ref(text: str) -> ModelRef:
    """A model URL or `user/app/model[@version]` -> ModelRef (ids validated); else a CodegenError."""
    where = text
    raw = text.strip()
    if not raw:
        raise CodegenError(f"empty model reference: expected {_URL_SHAPE}")
    if _SCHEME.match(raw) or _BARE_HOST.match(raw):
        return _parse_url(raw if _SCHEME.match(raw) else f"https://{raw}", where)
    main, at, version = raw.partition("@")
    if at and not version:
        raise CodegenError("empty version after '@'", where)
    parts = main.split("/")
    if len(parts) != 3 or any(not p for p in parts):
        raise CodegenError(f"not a model reference: expected {_URL_SHAPE}", where)
    return make_ref(parts[0], parts[1], parts[2], version if at else None, where)


def _parse_url(url: str, where: str) -> ModelRef:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise CodegenError(f"not a valid URL ({exc})", where) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise CodegenError(f"not a model URL: expected {_URL_SHAPE}", where)
    path = parts.path
    if path.endswith("/"):
        path = path[:-1]
    segments = path.split("/")[1:] if path.startswith("/") else []
    if len(segments) in (4, 6) and segments[2] in ("workflows", "modules", "datasets", "pipelines"):
        kind = segments[2].rstrip("s")
        raise CodegenError(f"this is a {kind} URL, not a model URL: expected {_URL_SHAPE}", where)
    shape_ok = (len(segments) == 4 and segments[2] == "models") or (
        len(segments) == 6 and segments[2] == "models" and segments[4] == "versions"
    )
    if not shape_ok or any(not s for s in segments):
        raise CodegenError(f"not a model URL: expected {_URL_SHAPE}", where)
    version = segments[5] if len(segments) == 6 else None
    return make_ref(segments[0], segments[1], segments[3], version, where)


def model_url(ref: ModelRef) -> str:
    """The model's canonical page: `https://clarifai.com/{user}/{app}/models/{model}[/versions/{v}]`."""
    return ref.url
