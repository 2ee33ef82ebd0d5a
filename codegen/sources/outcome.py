"""What loading one source gave: the model, or the error that stopped it (and warnings either way)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CodegenError, Problem
from ..snapshot_format import Loaded


@dataclass
class Outcome:
    loaded: Loaded | None
    problems: list[Problem] = field(default_factory=list)
    error: CodegenError | None = None
