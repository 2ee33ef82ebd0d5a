"""The library API the CLI (and tests, and users) call: load signatures, build, write, check.

An output package is a function of its snapshots (`DIR/.codegen/`): generating a model adds or
replaces its snapshot and regenerates the whole package from all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CodegenError, Problem
from .lock import (
    LOCK_NAME,
    SNAPSHOT_DIR,
    Loaded,
    lock_bytes,
    locked_line_length,
    snapshot_bytes,
    snapshot_paths,
)
from .plan import ModulePlan, plan_module
from .render import LINE_LENGTH, render_example, render_init, render_module
from .sources.snapshot import load_file, parse_ref
from .spec import ModelRef
from .writer import changed_files, unified_diff, write_tree

if TYPE_CHECKING:
    from .sources.remote import FetchResult, RemoteSettings


@dataclass
class Result:
    files: dict[str, bytes]
    changed: list[str] = field(default_factory=list)
    diff: str = ""
    problems: list[Problem] = field(default_factory=list)
    failures: list[CodegenError] = field(default_factory=list)  # models that could not be loaded
    models: list[Loaded] = field(default_factory=list)


@dataclass
class Drift:
    """`check --remote` for one model: what changed since its snapshot (empty: nothing)."""

    module: str
    old: Loaded
    new: Loaded | None
    changes: list[str]
    error: CodegenError | None = None


def display_source(path: Path) -> str:
    """How a file source is recorded: relative paths as given, absolute ones by name, so output
    does not depend on where the checkout lives."""
    return path.as_posix() if not path.is_absolute() else path.name


def is_remote(text: str) -> bool:
    if Path(text).exists() or text.endswith(".json"):
        return False
    from .sources import remote

    return bool(remote.looks_remote(text))


@dataclass
class Outcome:
    """What loading one source gave: the model, or the error that stopped it."""

    loaded: Loaded | None
    problems: list[Problem] = field(default_factory=list)
    error: CodegenError | None = None


def load_each(
    sources: Sequence[str | Path],
    refs: Sequence[ModelRef | None],
    *,
    remote: RemoteSettings | None = None,
    on_fetch: Callable[[FetchResult], None] | None = None,
    need_ids: bool = True,
) -> list[Outcome]:
    """One outcome per source, in order: files and directories offline, model URLs over the API
    (all of them concurrently). `refs[i]` supplies ids a file lacks (see `sources.ids`; without
    `need_ids`, placeholders stand in for unknown ids); a failure stops only its model."""
    outcomes: list[Outcome] = []
    remote_items: list[tuple[int, str]] = []
    for i, (source, ref) in enumerate(zip(sources, refs, strict=True)):
        text = str(source)
        outcomes.append(Outcome(None))
        if is_remote(text):
            remote_items.append((i, text))
            continue
        try:
            if Path(text).is_dir():
                item, found = load_directory(Path(text), ref, need_ids=need_ids)
            else:
                item, found = load_file(
                    Path(text), ref, display_source(Path(text)), need_ids=need_ids
                )
        except CodegenError as exc:
            outcomes[i].error = exc
            continue
        outcomes[i] = Outcome(item, found)
    if remote_items:
        from .parser import parse_model
        from .sources import remote as remote_mod

        settings = remote or remote_mod.RemoteSettings.from_env()
        model_refs = [remote_mod.parse_model_ref(text) for _, text in remote_items]
        for (i, text), result in zip(
            remote_items, remote_mod.fetch_many(model_refs, settings, on_fetch), strict=True
        ):
            if result.error is not None:
                outcomes[i].error = result.error
                continue
            try:
                spec, found = parse_model(result.body, result.url, result.ref, text)
            except CodegenError as exc:
                outcomes[i].error = exc
                continue
            outcomes[i] = Outcome(Loaded(spec, result.body, text), found)
    return outcomes


def load_sources(
    sources: Sequence[str | Path],
    *,
    ref: str | None = None,
    remote: RemoteSettings | None = None,
    on_fetch: Callable[[FetchResult], None] | None = None,
    need_ids: bool = True,
) -> tuple[list[Loaded], list[Problem], list[CodegenError]]:
    """Load every source. Returns (loaded, warnings, failures); a failing model does not stop the
    others. `ref` (USER/APP/MODEL[@VERSION]) supplies ids for a single file that lacks them."""
    if ref is not None and len(sources) != 1:
        raise CodegenError("--ref applies to exactly one MODEL")
    model_ref = parse_ref(ref) if ref is not None else None
    outcomes = load_each(
        sources, [model_ref] * len(sources), remote=remote, on_fetch=on_fetch, need_ids=need_ids
    )
    return (
        [o.loaded for o in outcomes if o.loaded is not None],
        [p for o in outcomes for p in o.problems],
        [o.error for o in outcomes if o.error is not None],
    )


def load_directory(
    path: Path, ref: ModelRef | None = None, *, need_ids: bool = True
) -> tuple[Loaded, list[Problem]]:
    """A local Clarifai model directory (config.yaml + 1/model.py), analysed without running it."""
    from .parser import parse_model
    from .sources.local import is_model_dir, load_model_dir

    if not is_model_dir(path):
        raise CodegenError(
            "not a Clarifai model directory (expected config.yaml and 1/model.py)", str(path)
        )
    signatures, model_ref, problems = load_model_dir(path, ref, need_ids=need_ids)
    source = display_source(path)
    spec, found = parse_model(signatures, str(path), model_ref, source)
    return Loaded(spec, signatures, source), [*problems, *found]


def signature_document(
    source: str, ref: str | None = None, remote: RemoteSettings | None = None
) -> tuple[Any, str, list[Problem]]:
    """(signature document, where, warnings) of one source, ids not needed. A model directory's
    signatures come straight from the analysis, so a directory with no methods gives [] (the
    SDK's answer) rather than the generator's error."""
    from .sources.local import is_model_dir, load_model_dir

    path = Path(source)
    if not is_remote(source) and path.is_dir():
        if not is_model_dir(path):
            raise CodegenError(
                "not a Clarifai model directory (expected config.yaml and 1/model.py)", str(path)
            )
        model_ref = parse_ref(ref) if ref is not None else None
        signatures, _, problems = load_model_dir(path, model_ref, need_ids=False)
        return signatures, display_source(path), problems
    loaded, problems, failures = load_sources([source], ref=ref, remote=remote, need_ids=False)
    if failures:
        raise failures[0]
    return loaded[0].raw, loaded[0].source, problems


def load_snapshots(out_dir: Path) -> tuple[list[Loaded], list[Problem]]:
    items, problems = [], []
    for path in snapshot_paths(out_dir):
        item, found = load_file(path)
        items.append(item)
        problems.extend(found)
    return items, problems


def merge(existing: Sequence[Loaded], new: Sequence[Loaded]) -> list[Loaded]:
    """The package's models: the existing ones, each replaced by a newer load of the same model."""
    by_key = {item.key: item for item in existing}
    for item in new:
        by_key[item.key] = item
    return sorted(by_key.values(), key=lambda item: item.key)


def plan_all(models: Sequence[Loaded]) -> list[tuple[ModulePlan, Loaded]]:
    plans: list[tuple[ModulePlan, Loaded]] = []
    owners: dict[str, Loaded] = {}
    for item in models:
        plan = plan_module(item.spec)
        other = owners.get(plan.module)
        if other is not None:
            raise CodegenError(
                f"models {other.key} ({other.source}) and {item.key} ({item.source}) both map "
                f"to module {plan.module!r}; generate them into different directories"
            )
        owners[plan.module] = item
        plans.append((plan, item))
    return plans


def runtime_files() -> dict[str, bytes]:
    root = resources.files("codegen") / "runtime"
    out = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_file() and (entry.name.endswith(".py") or entry.name == "py.typed"):
            out[f"_runtime/{entry.name}"] = entry.read_bytes()
    return out


def build(models: Sequence[Loaded], package: str, line_length: int = LINE_LENGTH) -> Result:
    """Render every file of the output package in memory (nothing is written here)."""
    plans = plan_all(models)
    files: dict[str, bytes] = {
        "__init__.py": render_init(line_length).encode(),
        "py.typed": b"",
        "examples/__init__.py": b'"""Runnable examples, one per model."""\n',
        **runtime_files(),
    }
    problems: list[Problem] = []
    for plan, item in plans:
        files[f"{plan.module}.py"] = render_module(plan, line_length).encode()
        files[f"examples/{plan.module}.py"] = render_example(plan, package, line_length).encode()
        files[f"{SNAPSHOT_DIR}/{plan.module}.json"] = snapshot_bytes(item)
        problems.extend(plan.problems)
    files[f"{SNAPSHOT_DIR}/{LOCK_NAME}"] = lock_bytes(
        [(str(p.module), item) for p, item in plans], line_length
    )
    return Result(files=files, problems=problems, models=list(models))


def package_name(out: Path) -> str:
    name = out.resolve().name
    return name if name.isidentifier() else "generated"


def write(out: Path, result: Result, *, check: bool = False, diff: bool = False) -> Result:
    result.changed = changed_files(out, result.files)
    if check or diff:
        result.diff = unified_diff(out, result.files, result.changed)
    if not check:
        write_tree(out, result.files, result.changed)
    return result


def generate(
    sources: Sequence[str | Path],
    out_dir: str | Path,
    *,
    ref: str | None = None,
    check: bool = False,
    diff: bool = False,
    line_length: int | None = None,
    remote: RemoteSettings | None = None,
    on_fetch: Callable[[FetchResult], None] | None = None,
) -> Result:
    """Generate (or with `check`, compare) the package in `out_dir` from its snapshots plus
    `sources`. With no sources, everything comes from the snapshots: offline."""
    out = Path(out_dir)
    line_length = line_length or locked_line_length(out) or LINE_LENGTH
    existing, problems = load_snapshots(out)
    new, found, failures = load_sources(sources, ref=ref, remote=remote, on_fetch=on_fetch)
    if not sources and not existing:
        raise CodegenError(
            f"nothing to generate: {out / SNAPSHOT_DIR} has no snapshots; give MODEL arguments"
        )
    models = merge(existing, new)
    if not models:
        result = Result(files={}, failures=failures)
    else:
        result = build(models, package_name(out), line_length)
        write(out, result, check=check, diff=diff)
    result.problems[:0] = [*problems, *found]
    result.failures = failures
    return result


def check_remote(
    out_dir: str | Path,
    *,
    remote: RemoteSettings | None = None,
    on_fetch: Callable[[FetchResult], None] | None = None,
) -> tuple[list[Drift], list[Problem]]:
    """Re-pull every model of the package (or re-read its source file) and compare signatures."""
    from .drift import diff_specs

    out = Path(out_dir)
    existing, problems = load_snapshots(out)
    if not existing:
        raise CodegenError(f"{out / SNAPSHOT_DIR} has no snapshots to check")
    sources: list[str] = []
    for item in existing:
        if is_remote(item.source):
            from .sources.remote import model_url

            sources.append(model_url(item.spec.ref) if item.spec.ref.version_id else item.source)
        else:
            sources.append(item.source)
    # Files and directories keep the ids they were generated with (a directory's may have come from
    # the environment); URLs carry their own.
    refs = [
        None if is_remote(source) else parse_ref(_ref_text(item))
        for item, source in zip(existing, sources, strict=True)
    ]
    drifts: list[Drift] = []
    outcomes = load_each(sources, refs, remote=remote, on_fetch=on_fetch)
    for item, outcome in zip(existing, outcomes, strict=True):
        problems.extend(outcome.problems)
        module = str(plan_module(item.spec).module)
        new = outcome.loaded
        changes = diff_specs(item.spec, new.spec) if new is not None else []
        drifts.append(Drift(module, item, new, changes, outcome.error))
    return drifts, problems


def _ref_text(item: Loaded) -> str:
    ref = item.spec.ref
    return ref.path + (f"@{ref.version_id}" if ref.version_id else "")


def update(drifts: Sequence[Drift], out_dir: str | Path, line_length: int | None = None) -> Result:
    """Apply `check --remote` results: new snapshots for drifted models, then regenerate."""
    out = Path(out_dir)
    line_length = line_length or locked_line_length(out) or LINE_LENGTH
    existing, problems = load_snapshots(out)
    fresh = [d.new for d in drifts if d.new is not None and d.changes]
    result = build(merge(existing, fresh), package_name(out), line_length)
    write(out, result)
    result.problems[:0] = problems
    return result
