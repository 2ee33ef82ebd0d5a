"""Reuse what the last run wrote instead of parsing, planning and rendering it again.

lock.json records the sha256 of every file a run wrote, with the generator's fingerprint (its own
files, black's and jinja2's versions), the line length and the package name. When those match this
run, a file whose inputs (for a model: its snapshot bytes) have the recorded sha256 renders to the
recorded bytes; if the file on disk still has that sha256 (no hand edit), its bytes are the
rendering, read instead of made. A model whose snapshot and files all match, and whose parsing and
planning warned of nothing, is not even parsed (`Known`). Anything else is rendered, so the output
is always byte-identical to a from-scratch run. The journal writes lock.json with the files, so
the two always agree.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CodegenError, Problem
from .lock import SNAPSHOT_DIR, generator_fingerprint, read_lock, sha256, snapshot_paths
from .reading import read_bytes
from .snapshot_format import Loaded, snapshot_bytes

MAX_OUTPUT_BYTES = 64 * 1024 * 1024  # a larger file on disk is rendered again, not read


@dataclass(frozen=True)
class Known:
    """A model of the package that nothing about has changed since the last run: its snapshot,
    module and example are the recorded ones and it gave no warning. Not parsed."""

    module: str
    key: str  # USER/APP/MODEL, as `Loaded.key`
    source: str
    entry: Mapping[str, Any]  # its lock.json entry, as recorded
    files: Mapping[str, bytes]  # its snapshot, module and example, as on disk


@dataclass
class Reuse:
    """The last run's files of package `root`, when it was made the way this run makes it."""

    root: Path
    recorded: Mapping[str, str] = field(default_factory=dict)  # file -> sha256 as last written
    models: Mapping[str, Any] = field(default_factory=dict)  # lock.json "models", as recorded
    known: list[Known] = field(default_factory=list)  # filled by `read_package`
    parsed: dict[str, int] = field(default_factory=dict)  # snapshot sha256 -> its parse warnings
    lang: str = "python"  # a model's files: its module and example in this language
    _folders: dict[str, Path | None] = field(default_factory=dict, init=False, repr=False)

    @functools.cached_property
    def _base(self) -> Path:
        return self.root.resolve()

    @classmethod
    def from_lock(cls, root: Path, line_length: int, package: str, lang: str = "python") -> Reuse:
        lock = read_lock(root)
        same = (
            lock.get("generator_sha256") == generator_fingerprint(lang)
            and lock.get("line_length") == line_length
            and lock.get("package") == package
            and lock.get("lang", "python") == lang
        )
        recorded, models = lock.get("sha256"), lock.get("models")
        if not (same and isinstance(recorded, dict) and isinstance(models, dict)):
            return cls(root, lang=lang)
        kept = {k: v for k, v in recorded.items() if isinstance(v, str)}
        return cls(root, kept, models, lang=lang)

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
                path = self._inside(rel)
                if path is None:  # `journal.target` refuses it
                    return None
                data = read_bytes(path, MAX_OUTPUT_BYTES)
            except (OSError, CodegenError):
                return None
            if sha256(data) != want:
                return None
            found[rel] = data
        return found

    def _inside(self, rel: str) -> Path | None:
        """`rel` under the package root, resolved; None if it leads out. Its folder is resolved
        once per run, then each file is one lstat (resolving each path costs an lstat per part)."""
        folder, _, name = rel.rpartition("/")
        if folder not in self._folders:
            resolved = (self._base / folder).resolve()
            self._folders[folder] = resolved if resolved.is_relative_to(self._base) else None
        base = self._folders[folder]
        if base is None:
            return None
        path = base / name
        if path.is_symlink() and not path.resolve().is_relative_to(self._base):
            return None
        return path

    def read_package(self, replaced: Collection[str]) -> tuple[list[Loaded], list[Problem]]:
        """The package's models from their snapshots, like `read_snapshots`, but those that are
        `Known` go to `self.known` unparsed (unless a new load of the same model, a key in
        `replaced`, takes their place). Records each parsed model's warnings."""
        paths = snapshot_paths(self.root)
        known = {path: self._known(path) for path in paths}
        items, problems = self._parse([path for path in paths if known[path] is None])
        keys = [k.key for k in known.values() if k is not None]
        if len(set(keys)) < len(keys) or set(keys) & {item.key for item in items}:
            # Two snapshots of one model (a copy): parse them all, `merge` keeps one as ever.
            return self._parse(paths)
        self.known = [k for k in known.values() if k is not None and k.key not in replaced]
        return items, problems

    def _parse(self, paths: Sequence[Path]) -> tuple[list[Loaded], list[Problem]]:
        items: list[Loaded] = []
        problems: list[Problem] = []
        if not paths:  # then no need for the parser (nor yaml) either
            return items, problems
        from .sources.snapshot import read_snapshot

        for path in paths:
            item, found = read_snapshot(path)
            items.append(item)
            problems.extend(found)
            self.parsed[sha256(snapshot_bytes(item))] = len(found)
        return items, problems

    def warnings(self, snapshot: bytes) -> int | None:
        """How many warnings parsing `snapshot` gives (as the next run reads it, whatever the
        source it was loaded from this time gave); None if it does not parse."""
        found = self.parsed.get(sha256(snapshot))
        if found is not None:
            return found
        from .sources.snapshot import from_snapshot

        try:
            parsed = from_snapshot(json.loads(snapshot.decode("utf-8")), "snapshot")
        except (CodegenError, ValueError, RecursionError):
            return None
        return None if parsed is None else len(parsed[1])

    def _known(self, path: Path) -> Known | None:
        module = path.stem
        entry = self.models.get(module)
        if not isinstance(entry, dict):
            return None
        warned = entry.get("warnings")
        if not (isinstance(warned, int) and not isinstance(warned, bool) and warned == 0):
            return None
        key, source = entry.get("model"), entry.get("source")
        if not isinstance(key, str) or not isinstance(source, str):
            return None
        try:
            snapshot = read_bytes(path, MAX_OUTPUT_BYTES)
        except CodegenError:
            return None
        rel = f"{SNAPSHOT_DIR}/{path.name}"
        ext = "ts" if self.lang == "typescript" else "py"
        found = self.files({rel: snapshot}, [f"{module}.{ext}", f"examples/{module}.{ext}"])
        if found is None:
            return None
        return Known(module, key, source, entry, {rel: snapshot, **found})
