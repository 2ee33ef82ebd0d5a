"""Project settings from `[tool.clarifai-codegen]` in the current project's pyproject.toml."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CodegenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KNOWN = {"models", "output", "line-length", "lang"}
LANGUAGES = ("python", "typescript")


@dataclass(frozen=True)
class Settings:
    models: tuple[str, ...] = ()
    output: str | None = None
    line_length: int | None = None
    path: Path | None = field(default=None, compare=False)
    lang: str | None = None


def load_settings(directory: Path | None = None) -> Settings:
    """Read the settings, or defaults when there is no pyproject.toml or no table for us.
    Unknown keys and wrong types are errors (a typo should not be silently ignored)."""
    path = (directory or Path.cwd()) / "pyproject.toml"
    if not path.is_file():
        return Settings()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise CodegenError("invalid TOML: nested too deeply", str(path)) from None
    except ValueError as exc:  # TOMLDecodeError, UnicodeDecodeError, int() past 4,300 digits
        raise CodegenError(f"invalid TOML: {exc}", str(path)) from None
    table = doc.get("tool", {}).get("clarifai-codegen")
    if table is None:
        return Settings(path=path)
    where = f"{path} [tool.clarifai-codegen]"
    if not isinstance(table, dict):
        raise CodegenError("must be a table", where)
    unknown = sorted(set(table) - KNOWN)
    if unknown:
        raise CodegenError(
            f"unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(KNOWN))}",
            where,
        )
    models = table.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise CodegenError("'models' must be a list of strings", where)
    output = table.get("output")
    if output is not None and not isinstance(output, str):
        raise CodegenError("'output' must be a string", where)
    line_length = table.get("line-length")
    if line_length is not None and (
        isinstance(line_length, bool)
        or not isinstance(line_length, int)
        or not 40 <= line_length <= 1000
    ):
        raise CodegenError("'line-length' must be an integer from 40 to 1000", where)
    lang = table.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise CodegenError(f"'lang' must be one of: {', '.join(LANGUAGES)}", where)
    return Settings(tuple(models), output, line_length, path, lang)


def output_dir(given: str | None, settings: Settings | None = None) -> str:
    """`-o DIR` if given, else `output` from the settings (read only then); an error if neither."""
    if given is not None:
        return given
    settings = settings or load_settings()
    if settings.output is None:
        raise CodegenError(
            "no output directory: pass -o DIR or set output in [tool.clarifai-codegen]"
        )
    return settings.output
