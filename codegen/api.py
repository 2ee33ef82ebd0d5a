"""The library API the CLI (and tests, and users) call: load signatures, build, write, check.

An output package is a function of its snapshots (`DIR/.codegen/`): generating a model adds or
replaces its snapshot and regenerates the whole package from all of them. Whatever reads the
snapshots and writes does so holding the package lock (`writer.exclusive`), so concurrent runs
see each other's models and a killed run is undone first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CodegenError, Level, Problem
from .formatting import LINE_LENGTH
from .incremental import Reuse
from .lock import (
    LOCK_NAME,
    SNAPSHOT_DIR,
    BlackMismatch,
    black_mismatch,
    formatters,
    locked_lang,
    locked_line_length,
)
from .package import Result, build
from .snapshot_format import Loaded
from .writer import changed_files, exclusive, removed_files, unified_diff, write_tree

if TYPE_CHECKING:
    from .sources.outcome import Outcome
    from .sources.remote.fetch import FetchResult
    from .sources.remote.settings import RemoteSettings
    from .spec import ModelRef


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
    if not sources:
        return []
    from .sources.remote.refs import looks_remote

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
    if not sources:
        return []
    from .sources.outcome import Outcome
    from .sources.remote.refs import looks_remote
    from .sources.signature_file import read_signature_file

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
    model_ref = None
    if ref is not None:
        from .sources.ids import parse_ref

        model_ref = parse_ref(ref)
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
    from .sources.ids import parse_ref
    from .sources.remote.refs import looks_remote

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


def example_script(loaded: Loaded, package: str, lang: str = "python") -> str:
    """A typed, runnable example script for the model (like the SDK's generate_client_script())."""
    from .backends import get_backend

    return get_backend(lang).example(loaded.spec, package)


def package_lang(out: Path, lang: str | None) -> str:
    """`lang` if given, else the language the package was generated in, else Python."""
    from .backends import get_backend

    chosen = lang or locked_lang(out) or "python"
    get_backend(chosen)  # an unknown language is an error
    return chosen


def unsnapshotted(out_dir: str | Path, models: Sequence[str]) -> list[str]:
    """The configured `models` that have no snapshot in `out_dir` yet."""
    if not models:
        return []
    from .sources.snapshot import read_snapshots

    known = {item.source for item in read_snapshots(Path(out_dir))[0]}
    return [m for m in models if m not in known]


def merge(existing: Sequence[Loaded], new: Sequence[Loaded]) -> list[Loaded]:
    """The package's models: the existing ones, each replaced by a newer load of the same model."""
    by_key = {item.key: item for item in existing}
    for item in new:
        by_key[item.key] = item
    return sorted(by_key.values(), key=lambda item: item.key)


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
    lang: str | None = None,
) -> Result:
    """Generate (or with `check`, compare) the package in `out_dir` from its snapshots plus
    `sources`. With no sources, everything comes from the snapshots: offline. Sources are loaded
    before taking the package lock (pulling may take a while), the snapshots after. `lang`:
    python or typescript (default: the package's, else python)."""
    out = Path(out_dir)
    if lang is not None:
        package_lang(out, lang)  # an unknown language fails before anything is loaded
    outcomes = load_outcomes(sources, ref=ref, remote=remote, on_fetch=on_fetch)
    new = [o.loaded for o in outcomes if o.loaded is not None]
    found = [p for o in outcomes for p in o.problems]
    failures = [o.error for o in outcomes if o.error is not None]
    with exclusive(out, create=bool(new) and not check):
        chosen = package_lang(out, lang)
        # Another black's output would show as drift (a lock of a language black does not
        # format names no black, so `black_mismatch` says nothing for it).
        formatted = "black" in formatters(chosen)
        mismatch = black_mismatch(out, regenerating=not check) if formatted else None
        if mismatch is not None:
            if check:
                raise BlackMismatch(mismatch, str(out / SNAPSHOT_DIR / LOCK_NAME))
            found.insert(0, Problem(Level.WARNING, mismatch, str(out / SNAPSHOT_DIR / LOCK_NAME)))
        length = line_length or locked_line_length(out) or LINE_LENGTH
        package = package_name(out)
        reuse = Reuse.from_lock(out, length, package, chosen)
        existing, problems = reuse.read_package({item.key for item in new})
        if not sources and not existing and not reuse.known:
            raise CodegenError(
                f"nothing to generate: {out / SNAPSHOT_DIR} has no snapshots; give MODEL arguments"
            )
        models = merge(existing, new)
        if not models and not reuse.known:
            result = Result(files={}, failures=failures)
        else:
            result = build(models, package, length, reuse, chosen)
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
    from .backends import get_backend
    from .drift import diff_specs
    from .sources.ids import parse_ref, ref_text
    from .sources.remote.refs import looks_remote
    from .sources.snapshot import read_snapshots

    out = Path(out_dir)
    backend = get_backend(package_lang(out, None))
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
        module = str(backend.plan(item.spec).module)
        new = outcome.loaded
        changes = diff_specs(item.spec, new.spec) if new is not None else []
        drifts.append(Drift(module, item, new, changes, outcome.error))
    return drifts, problems


def update(drifts: Sequence[Drift], out_dir: str | Path, line_length: int | None = None) -> Result:
    """Apply `check --remote` results: new snapshots for drifted models, then regenerate."""
    from .sources.snapshot import read_snapshots

    out = Path(out_dir)
    fresh = [d.new for d in drifts if d.new is not None and d.changes]
    with exclusive(out, create=True):
        existing, problems = read_snapshots(out)
        length = line_length or locked_line_length(out) or LINE_LENGTH
        package = package_name(out)
        lang = package_lang(out, None)
        reuse = Reuse.from_lock(out, length, package, lang)
        result = build(merge(existing, fresh), package, length, reuse, lang)
        write(out, result)
    result.problems[:0] = problems
    return result
