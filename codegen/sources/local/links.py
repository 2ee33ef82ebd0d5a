"""Symbolic links that leave a model directory.

The analysis reads only files inside the directory it is given: `config.yaml` or `model.py` that
resolve outside it (a link, or a link to `1/`) are errors. Other links leaving it (a helper module
imported relatively, a data directory) are warnings: the analysis never reads them, but
`clarifai model upload` packs what they point to (SDK 12.5.0 tars with `dereference=True`) and
`serve` imports or reads them. Dot-directories (`.git`, `.venv`, ...) are not looked into, nor more
than MAX_LINK_SCAN entries.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from ...errors import CodegenError, Level, Problem, shown

MAX_LINK_SCAN: Final = 10_000  # entries of a model directory checked for links
PATH_CHARS: Final = 200  # of a link's target, in a message


def _outside(root: Path, path: Path) -> Path | None:
    """Where `path` leads, if that is outside `root` (resolved; a loop leads nowhere)."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError):
        return None
    return None if target.is_relative_to(root.resolve()) else target


def check_inside(root: Path, path: Path) -> Path:
    """`path`, a file the analysis reads, unless it resolves outside `root`."""
    target = _outside(root, path)
    if target is not None:
        raise CodegenError(
            f"links outside the model directory (to {shown(str(target), PATH_CHARS)}); only files inside "
            "it are analysed: copy the file in",
            str(path),
        )
    return path


def link_warnings(root: Path) -> list[Problem]:
    """A warning for each other link in the directory that leads outside it, in path order."""
    problems: list[Problem] = []
    seen = 0
    for folder, dirs, files in os.walk(root):  # does not follow links to directories
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted([*dirs, *files]):
            seen += 1
            if seen > MAX_LINK_SCAN:
                return problems
            path = Path(folder, name)
            target = _outside(root, path) if path.is_symlink() else None
            if target is not None:
                problems.append(
                    Problem(
                        Level.WARNING,
                        f"links outside the model directory (to {shown(str(target), PATH_CHARS)}): the "
                        "analysis does not read it, but `clarifai model upload` packs what it "
                        "points to and `serve` uses it",
                        str(path),
                    )
                )
    return problems
