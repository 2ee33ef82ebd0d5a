"""Every file of an output package, in memory: the runtime copy, each model's module, example
and snapshot, `__init__.py` and lock.json. What the last run wrote and would write the same is
read back instead of rendered (`incremental.Reuse`); the rest is rendered and formatted, on the
machine's cores when there is enough of it (`formatting.format_all`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backends import Backend, Job, ModelPlan, get_backend
from .errors import CodegenError, Problem
from .formatting import LINE_LENGTH
from .incremental import Known, Reuse
from .lock import LOCK_NAME, SNAPSHOT_DIR, lock_bytes, model_entry
from .snapshot_format import Loaded, snapshot_bytes


@dataclass
class Result:
    files: dict[str, bytes]
    changed: list[str] = field(default_factory=list)  # written (or, with check, to write)
    removed: list[str] = field(default_factory=list)  # files the last run wrote, now gone
    diff: str = ""
    problems: list[Problem] = field(default_factory=list)
    failures: list[CodegenError] = field(default_factory=list)  # models that could not be loaded
    models: list[Loaded] = field(default_factory=list)
    known: list[Known] = field(default_factory=list)  # models reused unparsed (`incremental`)
    unchanged: set[str] = field(default_factory=set)  # files known to be as on disk (reused)

    @property
    def model_count(self) -> int:
        return len(self.models) + len(self.known)


def plan_all(
    models: Sequence[Loaded], known: Sequence[Known] = (), backend: Backend | None = None
) -> list[tuple[ModelPlan, Loaded]]:
    plans: list[tuple[ModelPlan, Loaded]] = []
    if not models:  # every model is `Known`: nothing to plan (nor to import the planner for)
        return plans
    backend = backend or get_backend("python")
    owners: dict[str, tuple[str, str]] = {k.module: (k.key, k.source) for k in known}
    for item in models:
        plan = backend.plan(item.spec)
        other = owners.get(plan.module)
        if other is not None:
            raise CodegenError(
                f"models {other[0]} ({other[1]}) and {item.key} ({item.source}) both map "
                f"to module {plan.module!r}; generate them into different directories"
            )
        owners[plan.module] = (item.key, item.source)
        plans.append((plan, item))
    return plans


def runtime_files() -> dict[str, bytes]:
    """The Python runtime copy (`_runtime/`)."""
    return {k: v for k, v in get_backend("python").runtime_files().items() if k.startswith("_")}


def build(
    models: Sequence[Loaded],
    package: str,
    line_length: int = LINE_LENGTH,
    reuse: Reuse | None = None,
    lang: str = "python",
) -> Result:
    """Render every file of the output package in memory (nothing is written here). With `reuse`,
    its `known` models join `models`, and files the last run made from the same inputs, unchanged
    on disk, are read instead of rendered."""
    backend = get_backend(lang)
    reuse = reuse or Reuse(Path())
    plans = plan_all(models, reuse.known, backend)
    files: dict[str, bytes] = dict(backend.runtime_files())
    todo: dict[str, Job] = {}
    unchanged: set[str] = set()
    entries: dict[str, Mapping[str, Any]] = {k.module: k.entry for k in reuse.known}
    problems: list[Problem] = []

    def add(inputs: dict[str, bytes], outputs: Mapping[str, Job]) -> None:
        found = reuse.files(inputs, list(outputs))
        if found is None:
            todo.update(outputs)
        else:
            files.update(found)
            unchanged.update(found)

    for rel, job in backend.package_files().items():
        files[rel] = b""  # filled in below, in this order
        add({}, {rel: job})
    for known in reuse.known:
        files.update(known.files)
        unchanged.update(known.files)
    for plan, item in plans:
        outputs = backend.model_files(plan, package, line_length)
        files.update(dict.fromkeys(outputs, b""))  # filled in below, in this order
        snapshot = f"{SNAPSHOT_DIR}/{plan.module}.json"
        files[snapshot] = snapshot_bytes(item)
        add({snapshot: files[snapshot]}, outputs)
        problems.extend(plan.problems)
        warned = reuse.warnings(files[snapshot])
        count = None if warned is None else warned + len(plan.problems)
        entries[str(plan.module)] = model_entry(item, count)
    formatted = backend.format_all(list(todo.values()), line_length)
    files.update((rel, text.encode()) for rel, text in zip(todo, formatted, strict=True))
    lock = f"{SNAPSHOT_DIR}/{LOCK_NAME}"
    files[lock] = lock_bytes(entries, line_length, files, package, lang)
    return Result(
        files=files,
        problems=problems,
        models=list(models),
        known=list(reuse.known),
        unchanged=unchanged,
    )
