"""Reading the files a source names: bounded in size, every failure a one-line `CodegenError`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import yaml  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv

from ..errors import CodegenError
from ..reading import read_bytes as read_bytes

MAX_JSON_BYTES: Final = 16 * 1024 * 1024
MAX_YAML_INT_CHARS: Final = (
    4300  # Python's own limit for int("..."); sexagesimal ints are quadratic
)


def display_source(path: Path) -> str:
    """How a file source is recorded: relative paths as given, absolute ones by name, so output
    does not depend on where the checkout lives."""
    return path.as_posix() if not path.is_absolute() else path.name


def read_json(path: Path) -> Any:
    """A JSON document of at most 16 MiB of UTF-8 text."""
    where = str(path)
    raw = read_bytes(path, MAX_JSON_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodegenError(f"not UTF-8 text (byte {exc.start})", where) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CodegenError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", where
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise CodegenError(f"invalid JSON: {exc}", where) from None
    except RecursionError:
        raise CodegenError("JSON nested too deeply", where) from None


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster


class _Loader(_BaseLoader):  # type: ignore[misc]
    """`yaml.safe_load`'s loader, with every value Python cannot build a `ConstructorError` at its
    line (the SDK's load raises ValueError there)."""

    def construct_yaml_int(self, node: Any) -> Any:
        if len(node.value) > MAX_YAML_INT_CHARS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"integer too long (over {MAX_YAML_INT_CHARS} characters)",
                node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, TypeError):  # e.g. 2001-13-45, !!int abc
            kind = str(node.tag).rpartition(":")[2]
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid {kind} value", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _refuse_aliases(root: Any) -> None:
    """An alias composes to a node met a second time. Refused: a few hundred bytes of aliases to
    aliases expand to gigabytes for anything that walks the value (a bomb)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases are not supported (the node anchored here is reused)",
                node.start_mark,
            )
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))


def load_yaml(raw: bytes) -> Any:
    """`yaml.safe_load(raw)` (as the SDK reads its files) without aliases. Raises `yaml.YAMLError`
    (with `problem_mark` where known), or `RecursionError` for nesting too deep."""
    loader = _Loader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()
