"""The library API (`parse_model`, `api.build`) over fuzzed documents, at a thousand documents a run.

What costs and proves nothing here is left out: black (a sample is checked with it), `format_source`'s
parse (the checks parse every module anyway, and fail on one that does not parse), re-reading the
runtime per build, planning again to get the plan. Documents are built several to a package (a
build's fixed cost, lock.json's hashes of the runtime and `__init__.py`, is paid once per package).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from unittest import mock

from codegen import api, package
from codegen.backends.python import PythonBackend
from codegen.errors import CodegenError, Problem
from codegen.naming import module_name
from codegen.parser import parse_model
from codegen.plan import ModulePlan, plan_module
from codegen.snapshot_format import Loaded

PACKAGE = "fuzzpkg"
WHERE = "fuzz.json"
T = TypeVar("T")

RUNTIME = PythonBackend().runtime_files()
REAL_PLAN_ALL = package.plan_all


@dataclass(frozen=True)
class Built:
    """One document's model in a built package (`files`, shared by the documents built with it)."""

    doc: Any
    plan: ModulePlan
    loaded: Loaded
    files: dict[str, bytes]

    @property
    def module(self) -> str:
        return self.files[f"{self.plan.module}.py"].decode()

    @property
    def example(self) -> str:
        return self.files[f"examples/{self.plan.module}.py"].decode()


def dumped(doc: Any, check: Callable[[], T]) -> T:
    """`check()`; any failure becomes an AssertionError that carries the document (its JSON is
    what a regression case in tests/hostile/ holds)."""
    try:
        return check()
    except Exception as exc:
        raise AssertionError(f"{type(exc).__name__}: {exc}\ndocument: {json.dumps(doc)}") from exc


def assert_clean(problems: Sequence[Problem | CodegenError]) -> None:
    """Errors and warnings are one printable line each; no error is an internal one (a module
    that does not parse is a `CodegenError` too, never a property of the input)."""
    for problem in problems:
        message = str(problem)
        assert message and "\n" not in message and message.isprintable(), repr(message)
        if isinstance(problem, CodegenError):
            assert "internal error" not in message, message


@contextmanager
def quick_build() -> Iterator[list[ModulePlan]]:
    """`api.build` without black and `format_source`, without re-reading the runtime; yields the
    plans the builds make (planning again, to check names against them, cost a sixth of the test)."""
    plans: list[ModulePlan] = []

    def plan_all(models: Any, known: Any = (), backend: Any = None) -> Any:
        planned = REAL_PLAN_ALL(models, known, backend)
        plans.extend(plan for plan, _ in planned)
        return planned

    def format_all(self: Any, jobs: Any, line_length: int = 0) -> list[str]:
        return [make()[0] for make in jobs]

    with (
        mock.patch.object(package, "plan_all", plan_all),
        mock.patch.multiple(
            PythonBackend, format_all=format_all, runtime_files=lambda self: RUNTIME
        ),
    ):
        yield plans


def parse(doc: Any) -> Loaded | None:
    """The document parsed, or None for a clean `CodegenError` (any other exception fails)."""
    try:
        spec, problems = parse_model(doc, WHERE, source=WHERE, need_ids=False)
    except CodegenError as exc:
        assert_clean([exc])
        return None
    assert_clean(problems)
    return Loaded(spec, doc, WHERE)


def build(models: list[Loaded], plans: list[ModulePlan] | None = None) -> list[Built] | None:
    """One package of `models`: a `Built` per model, or None for a clean `CodegenError`. With
    `plans` (from `quick_build`), the plans are those the build made."""
    if plans is not None:
        plans.clear()
    try:
        result = api.build(models, PACKAGE)
    except CodegenError as exc:
        assert_clean([exc])
        return None
    assert_clean(result.problems)
    if plans is None:
        plans = [plan_module(m.spec) for m in models]
    assert all(p.spec is m.spec for p, m in zip(plans, models, strict=True)), "plans out of order"
    return [Built(m.raw, p, m, result.files) for p, m in zip(plans, models, strict=True)]


def build_one(doc: Any) -> Built | None:
    """The library API on one document, as a user calls it (with black)."""
    loaded = parse(doc)
    built = None if loaded is None else build([loaded])
    return None if built is None else built[0]


def build_all(docs: Sequence[Any], plans: list[ModulePlan]) -> list[Built]:
    """Each document parsed, those that parse built several to a package (no two of one module
    name: they would be refused together); a package that cannot be built is built again one
    model at a time, so that every failure names its document. Inside `quick_build`."""
    groups: list[dict[str, Loaded]] = []
    for doc in docs:
        loaded = dumped(doc, functools.partial(parse, doc))
        if loaded is None:
            continue
        name = module_name(loaded.spec.ref.model_id)
        group = next((g for g in groups if name not in g), None)
        if group is None:
            groups.append(group := {})
        group[name] = loaded
    out: list[Built] = []
    for group in groups:
        models = list(group.values())
        try:
            together = build(models, plans)
        except Exception:
            together = None
        if together is not None:
            out.extend(together)
            continue
        for m in models:
            alone = dumped(m.raw, functools.partial(build, [m], plans))
            out.extend(alone or [])
    return out
