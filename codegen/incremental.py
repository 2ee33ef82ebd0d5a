"""Reuse what the last run wrote instead of rendering it again.

lock.json records the sha256 of every file a run wrote, with the generator's fingerprint (its own
files, black's and jinja2's versions), the line length and the package name. When those match this
run, a file whose inputs (for a model: its snapshot bytes) have the recorded sha256 renders to the
recorded bytes; if the file on disk still has that sha256 (no hand edit), its bytes are the
rendering, read instead of made. Anything else is rendered, so the output is always byte-identical
to a from-scratch run. The journal writes lock.json with the files, so the two always agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .journal import target
from .lock import generator_fingerprint, read_lock, sha256


@dataclass(frozen=True)
class Reuse:
    """The last run's files of package `root`, when it was made the way this run makes it."""

    root: Path
    recorded: Mapping[str, str] = field(default_factory=dict)  # file -> sha256 as last written

    @classmethod
    def from_lock(cls, root: Path, line_length: int, package: str) -> Reuse:
        lock = read_lock(root)
        same = (
            lock.get("generator_sha256") == generator_fingerprint()
            and lock.get("line_length") == line_length
            and lock.get("package") == package
        )
        recorded = lock.get("sha256") if same else None
        if not isinstance(recorded, dict):
            return cls(root)
        return cls(root, {k: v for k, v in recorded.items() if isinstance(v, str)})

    def files(self, inputs: Mapping[str, bytes], outputs: Sequence[str]) -> dict[str, bytes] | None:
        """The bytes on disk of `outputs`, if the last run made them from `inputs` (each written
        then with the bytes this run writes) and they are unchanged since; else None."""
        if not self.recorded:
            return None
        for rel, data in inputs.items():
            if self.recorded.get(rel) != sha256(data):
                return None
        found: dict[str, bytes] = {}
        for rel in outputs:
            want = self.recorded.get(rel)
            if want is None:
                return None
            try:
                data = target(self.root, rel).read_bytes()
            except OSError:
                return None
            if sha256(data) != want:
                return None
            found[rel] = data
        return found
