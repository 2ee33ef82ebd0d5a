"""The library API the CLI (and tests, and users) call: load signatures, build, write, check.

An output package is a function of its snapshots (`DIR/.codegen/`): generating a model adds or
replaces its snapshot and regenerates the whole package from all of them. Whatever reads the
snapshots and writes does so holding the package lock (`writer.exclusive`), so concurrent runs
see each other's models and a killed run is undone first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CodegenError, Problem
from .formatting import LINE_LENGTH, format_all
from .incremental import Known, Reuse
from .lock import LOCK_NAME, SNAPSHOT_DIR, lock_bytes, locked_line_length, model_entry
from .snapshot_format import Loaded, snapshot_bytes
from .sources.ids import parse_ref, ref_text
from .sources.outcome import Outcome
from .sources.remote.refs import looks_remote
from .sources.signature_file import read_signature_file
from .sources.snapshot import read_snapshots
from .spec import ModelRef
from .writer import changed_files, exclusive, removed_files, unified_diff, write_tree

if TYPE_CHECKING:
    from .plan import ModulePlan
    from .sources.remote.fetch import FetchResult
    from .sources.remote.settings import RemoteSettings


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


@dataclass
class Drift:
    """`check --remote` for one model: what changed since its snapshot (empty: nothing)."""

    module: str
    old: Loaded
    new: Loaded | None
    changes: list[str]
    error: CodegenError | None = None


def remote_sources(sources: Sequence[str | Path]) -> list[str]:
    """The sources that are pulled over the API (model URLs and `user/app/model[@version]`)."""
    return [str(s) for s in sources if looks_remote(str(s))]


def remote_settings(
    sources: Sequence[str | Path],
    pat: str | None = None,
    api_base: str | None = None,
    **limits: Any,
) -> RemoteSettings | None:
    """Settings for pulling the remote ones among `sources` (`RemoteSettings.from_env`), or None
    when nothing is pulled, so that offline work never reads (or rejects) CLARIFAI_API_BASE."""
    if not remote_sources(sources):
        return None
    from .sources.remote.settings import RemoteSettings

    return RemoteSettings.from_env(pat=pat, api_base=api_base, **limits)


def load_each(
    sources: Sequence[str | Path],
    refs: Sequence[ModelRef | None],
    *,
    remote: RemoteSettings | None = None,
    on_fetch: Callable[[FetchResult], None] | None = None,
    need_ids: bool = True,
) -> list[Outcome]:
    """One outcome per source, in order, each from its kind's entry point: model directories
    (`analyze_model_dir`) and signature files (`read_signature_file`) offline, model URLs over the
    API (`pull_models`, all of them concurrently). `refs[i]` supplies ids a file lacks (see
    `sources.ids`; without `need_ids`, placeholders stand in for unknown ids); a failure stops only
    its model."""
    outcomes: list[Outcome] = []
    pulls: list[int] = []
    for i, (source, ref) in enumerate(zip(sources, refs, strict=True)):
        text = str(source)
        outcomes.append(Outcome(None))
        if looks_remote(text):
            pulls.append(i)
            continue
        try:
            if Path(text).is_dir():
                from .sources.local.directory import analyze_model_dir

                item, found = analyze_model_dir(Path(text), ref, need_ids=need_ids)
            else:
                item, found = read_signature_file(Path(text), ref, need_ids=need_ids)
        except CodegenError as exc:
            outcomes[i].error = exc
            continue
        outcomes[i] = Outcome(item, found)
    if pulls:
        from .sources.remote.pull import pull_models

        pulled = pull_models([str(sources[i]) for i in pulls], remote, on_fetch)
        for i, outcome in zip(pulls, pulled, strict=True):
            outcomes[i] = outcome
    return outcomes


def load_outcomes(
    sources: Sequence[str | Path],
    *,
    ref: str | None = None,
    remote: RemoteSettings | None = None,
    on_fetch: Callable[[FetchResult], None] | None = None,
    need_ids: bool = True,
) -> list[Outcome]:
    """One outcome per source (`load_each`). `ref` (USER/APP/MODEL[@VERSION]) supplies ids for a
    single file that lacks them."""
    if ref is not None and len(sources) != 1:
        raise CodegenError("--ref applies to exactly one MODEL")
    model_ref = parse_ref(ref) if ref is not None else None
    return load_each(
        sources, [model_ref] * len(sources), remote=remote, on_fetch=on_fetch, need_ids=need_ids
    )


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
    outcomes = load_outcomes(sources, ref=ref, remote=remote, on_fetch=on_fetch, need_ids=need_ids)
    return (
        [o.loaded for o in outcomes if o.loaded is not None],
        [p for o in outcomes for p in o.problems],
        [o.error for o in outcomes if o.error is not None],
    )


def load_one(
    source: str, ref: str | None = None, remote: RemoteSettings | None = None
) -> tuple[Loaded, list[Problem]]:
    """One model for commands that call nothing (methods, signature, example): ids nobody gave
    become placeholders. Raises the model's error."""
    loaded, problems, failures = load_sources([source], ref=ref, remote=remote, need_ids=False)
    if failures:
        raise failures[0]
    return loaded[0], problems


def stored_signatures(
    source: str, ref: str | None = None, remote: RemoteSettings | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Each method's MethodSignature message as stored (MessageToDict form), by method name; ids
    not needed. A model directory's come straight from the analysis, so a directory with no
    methods gives none (the SDK's answer) rather than the generator's error."""
    from .proto_json import stored_signatures as stored

    if not looks_remote(source) and Path(source).is_dir():
        from .sources.files import display_source
        from .sources.local.directory import model_dir_signatures

        model_ref = parse_ref(ref) if ref is not None else None
        raw, _, problems = model_dir_signatures(source, model_ref, need_ids=False)
        where = display_source(Path(source))
    else:
        loaded, problems = load_one(source, ref, remote)
        raw, where = loaded.raw, loaded.source
    sigs, found = stored(raw, where)
    return {s["name"]: s for s in sigs}, [*problems, *found]


def python_signatures(loaded: Loaded) -> dict[str, str]:
    """Each method's signature as valid Python (like the SDK's method_signature()), by method name."""
    from .plan import plan_module
    from .render import render_signatures

    plan = plan_module(loaded.spec)
    return dict(zip([m.wire for m in plan.methods], render_signatures(plan), strict=True))


def pick_method(found: dict[str, Any], method: str | None, source: str) -> list[Any]:
    """The one `method` asked for, else all of them; an unknown method is an error naming the rest."""
    if method is None:
        return list(found.values())
    if method not in found:
        raise CodegenError(f"no method {method!r}; the model has: {', '.join(found)}", source)
    return [found[method]]


def example_script(loaded: Loaded, package: str) -> str:
    """A typed, runnable example script for the model (like the SDK's generate_client_script())."""
    from .plan import plan_module
    from .render import render_example

    return render_example(plan_module(loaded.spec), package)


def unsnapshotted(out_dir: str | Path, models: Sequence[str]) -> list[str]:
    """The configured `models` that have no snapshot in `out_dir` yet."""
    if not models:
        return []
    known = {item.source for item in read_snapshots(Path(out_dir))[0]}
    return [m for m in models if m not in known]


def merge(existing: Sequence[Loaded], new: Sequence[Loaded]) -> list[Loaded]:
    """The package's models: the existing ones, each replaced by a newer load of the same model."""
    by_key = {item.key: item for item in existing}
    for item in new:
        by_key[item.key] = item
    return sorted(by_key.values(), key=lambda item: item.key)


def plan_all(
    models: Sequence[Loaded], known: Sequence[Known] = ()
) -> list[tuple[ModulePlan, Loaded]]:
    plans: list[tuple[ModulePlan, Loaded]] = []
    if not models:  # every model is `Known`: nothing to plan (nor to import the planner for)
        return plans
    from .plan import plan_module

    owners: dict[str, tuple[str, str]] = {k.module: (k.key, k.source) for k in known}
    for item in models:
        plan = plan_module(item.spec)
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
    root = resources.files("codegen") / "runtime"
    out = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_file() and (entry.name.endswith(".py") or entry.name == "py.typed"):
            out[f"_runtime/{entry.name}"] = entry.read_bytes()
    return out


# The templates (render, jinja2) are imported only when something is rendered.
def _init_source() -> tuple[str, str]:
    from .render import init_source

    return init_source()


def _module_source(plan: ModulePlan) -> tuple[str, str]:
    from .render import module_source

    return module_source(plan)


def _example_source(plan: ModulePlan, package: str) -> tuple[str, str]:
    from .render import example_source

    return example_source(plan, package)


def build(
    models: Sequence[Loaded],
    package: str,
    line_length: int = LINE_LENGTH,
    reuse: Reuse | None = None,
) -> Result:
    """Render every file of the output package in memory (nothing is written here). With `reuse`,
    its `known` models join `models`, and files the last run made from the same inputs, unchanged
    on disk, are read instead of rendered."""
    reuse = reuse or Reuse(Path())
    plans = plan_all(models, reuse.known)
    files: dict[str, bytes] = {
        "__init__.py": b"",
        "py.typed": b"",
        "examples/__init__.py": b'"""Runnable examples, one per model."""\n',
        **runtime_files(),
    }
    todo: dict[str, Callable[[], tuple[str, str]]] = {}
    unchanged: set[str] = set()
    entries: dict[str, Mapping[str, Any]] = {k.module: k.entry for k in reuse.known}
    problems: list[Problem] = []

    def add(inputs: dict[str, bytes], outputs: Mapping[str, Callable[[], tuple[str, str]]]) -> None:
        found = reuse.files(inputs, list(outputs))
        if found is None:
            todo.update(outputs)
        else:
            files.update(found)
            unchanged.update(found)

    add({}, {"__init__.py": _init_source})
    for known in reuse.known:
        files.update(known.files)
        unchanged.update(known.files)
    for plan, item in plans:
        outputs: dict[str, Callable[[], tuple[str, str]]] = {
            f"{plan.module}.py": functools.partial(_module_source, plan),
            f"examples/{plan.module}.py": functools.partial(_example_source, plan, package),
        }
        files.update(dict.fromkeys(outputs, b""))  # filled in below, in this order
        snapshot = f"{SNAPSHOT_DIR}/{plan.module}.json"
        files[snapshot] = snapshot_bytes(item)
        add({snapshot: files[snapshot]}, outputs)
        problems.extend(plan.problems)
        warned = reuse.warnings(files[snapshot])
        count = None if warned is None else warned + len(plan.problems)
        entries[str(plan.module)] = model_entry(item, count)
    formatted = format_all([make() for make in todo.values()], line_length)
    files.update((rel, text.encode()) for rel, text in zip(todo, formatted, strict=True))
    lock = f"{SNAPSHOT_DIR}/{LOCK_NAME}"
    files[lock] = lock_bytes(entries, line_length, files, package)
    return Result(
        files=files,
        problems=problems,
        models=list(models),
        known=list(reuse.known),
        unchanged=unchanged,
    )


def package_name(out: Path) -> str:
    name = out.resolve().name
    return name if name.isidentifier() else "generated"


def write(out: Path, result: Result, *, check: bool = False, diff: bool = False) -> Result:
    """Compare `result` with `out` and (unless `check`) make `out` what it says, as one change.
    Call inside `exclusive(out, ...)`."""
    compare = {rel: data for rel, data in result.files.items() if rel not in result.unchanged}
    result.changed = changed_files(out, compare)
    result.removed = removed_files(out, result.files)
    if check or diff:
        result.diff = unified_diff(out, result.files, result.changed, result.removed)
    if not check:
        write_tree(out, result.files, result.changed, result.removed)
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
    `sources`. With no sources, everything comes from the snapshots: offline. Sources are loaded
    before taking the package lock (pulling may take a while), the snapshots after."""
    out = Path(out_dir)
    outcomes = load_outcomes(sources, ref=ref, remote=remote, on_fetch=on_fetch)
    new = [o.loaded for o in outcomes if o.loaded is not None]
    found = [p for o in outcomes for p in o.problems]
    failures = [o.error for o in outcomes if o.error is not None]
    with exclusive(out, create=bool(new) and not check):
        length = line_length or locked_line_length(out) or LINE_LENGTH
        package = package_name(out)
        reuse = Reuse.from_lock(out, length, package)
        existing, problems = reuse.read_package({item.key for item in new})
        if not sources and not existing and not reuse.known:
            raise CodegenError(
                f"nothing to generate: {out / SNAPSHOT_DIR} has no snapshots; give MODEL arguments"
            )
        models = merge(existing, new)
        if not models and not reuse.known:
            result = Result(files={}, failures=failures)
        else:
            result = build(models, package, length, reuse)
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
    from .plan import plan_module

    out = Path(out_dir)
    with exclusive(out, create=False):
        existing, problems = read_snapshots(out)
    if not existing:
        raise CodegenError(f"{out / SNAPSHOT_DIR} has no snapshots to check")
    sources: list[str] = []
    for item in existing:
        pinned = looks_remote(item.source) and item.spec.ref.version_id
        sources.append(item.spec.ref.url if pinned else item.source)
    # Files and directories keep the ids they were generated with (a directory's may have come from
    # the environment); URLs carry their own.
    refs = [
        None if looks_remote(source) else parse_ref(ref_text(item.spec.ref))
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


def update(drifts: Sequence[Drift], out_dir: str | Path, line_length: int | None = None) -> Result:
    """Apply `check --remote` results: new snapshots for drifted models, then regenerate."""
    out = Path(out_dir)
    fresh = [d.new for d in drifts if d.new is not None and d.changes]
    with exclusive(out, create=True):
        existing, problems = read_snapshots(out)
        length = line_length or locked_line_length(out) or LINE_LENGTH
        package = package_name(out)
        result = build(
            merge(existing, fresh), package, length, Reuse.from_lock(out, length, package)
        )
        write(out, result)
    result.problems[:0] = problems
    return result
