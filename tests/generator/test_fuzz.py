"""Random signature documents (fuzz_docs.py) through the library API (fuzz_build.py): each one is
either a clean `CodegenError` or a package whose module and example parse, carry no name or call that
came from input unchecked, and import without side effects; every module the templates laid out
themselves (no black pass) is compared with black's formatting of its plain rendering; a sample is
checked black-stable, another with mypy --strict.

The seed is printed; `pytest --hypothesis-seed=N` replays a run; a failure carries its document's
JSON.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
import keyword
import random
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import black
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from codegen import api, formatting
from codegen.formatting import Formatted
from codegen.literals import py_literal
from codegen.naming import PyIdent
from codegen.plan import CLASS_MEMBER_NAMES, METHOD_BODY_NAMES, ModulePlan
from codegen.render import module_source, raw_module_source
from codegen.snapshot_format import Loaded
from codegen.typemap import ANNOTATION_NAMES, MODULE_NAMES

from ..conftest import run_mypy
from . import mypy_cache
from .code_checks import (
    EXAMPLE_CALLS,
    MODULE_CALLS,
    MODULE_IMPORTS,
    check_injection_free,
    check_no_shadowing,
    generated_api,
)
from .code_scan import identifiers
from .fuzz_build import (
    PACKAGE,
    RUNTIME,
    WHERE,
    Built,
    build_all,
    build_one,
    dumped,
    quick_build,
)
from .fuzz_docs import document
from .fuzz_tape import DOCUMENT_BYTES, TAPE_SIZE
from .test_layout import swap_kinds

DOCUMENTS = 1000
LAYOUT_EVERY = 8  # one fuzzed module in 8 is compared with black's layout of it
PER_EXAMPLE = 10  # documents per hypothesis example (its own cost is paid per example)
BLACK_EVERY = 200  # black-stability of every 200th model (black is the slow part)
EXEC_EVERY = 1  # every model imported
MYPY_SAMPLE = 8

# Every identifier the templates write themselves, beyond typemap's and plan's reserved names; any
# other must be a name the plan made through a Namespace (a `PyIdent`) or a TypedDict key.
TEMPLATE_NAMES = frozenset(
    {
        *("client", "model", "deployment_id", "deployment_user_id", "compute_cluster_id", "main"),
        *("nodepool_id", "runner", "bind", "items", "unary", "server_stream", "bidi_stream"),
        *("unary_batch", "load", "user_id", "app_id", "model_id", "version_id", "total", "print"),
        *("json", "dumps", "numpy", "arange", "dtype", "float32", "reshape", "exc", "NDArray"),
        *("from_url", "box", "concepts", "image", "index", "time", "__name__", "__all__"),
        *ANNOTATION_NAMES,
        *MODULE_NAMES,
        *CLASS_MEMBER_NAMES,
        *METHOD_BODY_NAMES,
    }
)
# What running a generated module may do (sys.addaudithook): execute itself, and compile the
# TypedDict annotations `typing` turns into ForwardRefs. Nothing opens, spawns or connects.
QUIET_EVENTS = frozenset({"exec", "compile", "sys._getframe", "import"})
QUIET_IMPORTS = frozenset({"__future__", "typing", "collections.abc", "json", "numpy"})


def plan_names(plan: ModulePlan) -> set[str]:
    """The names the plan derived from input, each checked by `PyIdent` (and made unique by a
    `Namespace`), plus the example's loop variables built from them."""
    names: set[str] = {plan.module, plan.class_name, plan.async_class_name}
    names |= {td.name for td in plan.typed_dicts}
    for m in plan.methods:
        names |= {m.name, *(p.name for p in m.params)}
        if m.batch is not None:
            names.add(m.batch.name)
    assert all(isinstance(name, PyIdent) for name in names), names
    return names | {f"{m.name}_item" for m in plan.methods}


def typed_dict_keys(plan: ModulePlan) -> set[str]:
    """The NAMED_FIELDS keys written as class attributes: plain identifiers, never keywords."""
    keys = {key for td in plan.typed_dicts if td.class_syntax for key, _ in td.keys}
    for key in keys:
        assert key.isascii() and key.isidentifier() and not keyword.iskeyword(key), key
    return keys


def check_names(tree: ast.AST, plan: ModulePlan, what: str) -> None:
    """Every identifier is the templates' own or one the plan checked (`PyIdent`), except a class-syntax
    TypedDict's keys, which typemap admits only as plain lowercase identifiers."""
    allowed = TEMPLATE_NAMES | plan_names(plan) | typed_dict_keys(plan)
    # (imports are checked by `check_injection_free`; one assert: pytest rewrites each into slow code)
    odd = [n for node, n in identifiers(tree) if n not in allowed and type(node) is not ast.alias]
    assert not odd, f"{what}: identifiers {odd} not from the plan"


class Quiet:
    """An audit hook (they cannot be removed: one per process) that records events while on."""

    events: list[tuple[str, tuple[Any, ...]]] | None = None
    installed = False

    @classmethod
    @contextmanager
    def watch(cls) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True
        cls.events = []
        try:
            yield cls.events
        finally:
            cls.events = None

    @classmethod
    def _hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if cls.events is not None:
            cls.events.append((event, args))


def run_quietly(trees: dict[str, ast.Module], capsys: pytest.CaptureFixture[str]) -> None:
    """Execute the module and its example as `fuzzpkg.<module>` / `fuzzpkg.examples.<module>` (over the
    real `_runtime` imported once): no exception, no output, no event beyond QUIET_EVENTS."""
    codes = {name: compile(tree, name, "exec") for name, tree in trees.items()}
    capsys.readouterr()
    made = []
    try:
        with Quiet.watch() as events:
            for name, code in codes.items():
                module = types.ModuleType(name)
                module.__package__ = name.rpartition(".")[0]
                sys.modules[name] = module
                made.append(name)
                exec(code, module.__dict__)
    finally:
        for name in made:
            del sys.modules[name]
    for event, args in events:
        assert event in QUIET_EVENTS, f"importing {list(codes)} raised audit event {event} {args}"
        if event == "import":
            assert args[0] in QUIET_IMPORTS or args[0].startswith(PACKAGE), args
    out = capsys.readouterr()
    assert out.out == out.err == "", f"importing printed {out}"


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real package holding the runtime, importable as `fuzzpkg`."""
    root = tmp_path_factory.mktemp("fuzz")
    result = api.build([], PACKAGE)
    pkg = root / PACKAGE
    for rel, content in result.files.items():
        if rel.startswith("_runtime/") or rel in ("__init__.py", "examples/__init__.py"):
            (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
            (pkg / rel).write_bytes(content)
    sys.path.insert(0, str(root))
    try:
        for name in (f"{PACKAGE}.examples", "numpy", "json"):  # what examples import, loaded once
            __import__(name)
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def check_package(built: Built) -> dict[str, ast.Module]:
    """Parse, injection and name checks of the module and its example; their trees by module name."""
    plan = built.plan
    where = f"{plan.module}.py"
    tree = check_injection_free(built.module, where, set(MODULE_CALLS), MODULE_IMPORTS)
    check_no_shadowing(tree, where)
    cls, py_of, _ = generated_api(tree, where)
    allowed = set(EXAMPLE_CALLS) | {cls, "ModelRef"} | {f"model.{m}" for m in py_of.values()}
    example_imports = {(0, "__future__"), (2, "_runtime"), (2, plan.module), (0, "json")}
    example_tree = check_injection_free(built.example, "example", allowed, example_imports)
    check_names(tree, plan, where)
    check_names(example_tree, plan, f"examples/{where}")
    return {f"{PACKAGE}.{plan.module}": tree, f"{PACKAGE}.examples.{plan.module}": example_tree}


def check_quietly(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    run_quietly(check_package(built), capsys)


def check_black_stable(doc: Any) -> None:
    """The real build (with black): black leaves its output unchanged."""
    built = build_one(doc)
    assert built is not None
    mode = black.Mode(target_versions={black.mode.TargetVersion.PY310}, line_length=100)
    for rel, source in (("module", built.module), ("example", built.example)):
        assert black.format_str(source, mode=mode) == source, f"the {rel} is not black-stable"


def check_fast_layout(built: Built, compare: bool) -> bool:
    """A module the templates laid out themselves (`Formatted`) is black's formatting of the plain
    rendering, byte for byte (when `compare`: black costs ~30 ms a module, so a run compares a
    sample; the golden and hostile modules are all compared in test_layout.py). Whether it took
    that path."""
    source, where = module_source(built.plan)
    if not isinstance(source, Formatted):
        return False
    assert str(source) == built.module
    if not compare:
        return True
    raw, _ = raw_module_source(built.plan)
    assert formatting.format_source(raw, where) == built.module, "the fast layout is not black's"
    return True


def run_seeded(
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    documents: int,
    test: Callable[[list[Any]], None],
) -> Callable[[], None]:
    """`test` over `documents` random documents, PER_EXAMPLE per call, under a printed seed
    (`--hypothesis-seed` wins)."""
    chosen = request.config.getoption("hypothesis_seed", None)
    run_seed = int(chosen) if chosen is not None else random.SystemRandom().randrange(2**32)
    with capsys.disabled():
        print(f"\n{request.node.name}: seed {run_seed} (replay: --hypothesis-seed={run_seed})")
    configured = settings(
        max_examples=-(-documents // PER_EXAMPLE),
        deadline=None,
        derandomize=False,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
        # (the explain phase traces every line: minutes on Python < 3.12)
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )
    batch = st.lists(DOCUMENT_BYTES, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE)

    def run(tapes: list[bytes]) -> None:
        test([document(tape) for tape in tapes])

    return seed(run_seed)(configured(given(batch)(run)))


def check_documents(
    docs: list[Any], counts: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each document a clean error or a model whose module and example pass the checks; every
    EXEC_EVERY-th model imported, every BLACK_EVERY-th built again with black. Counts in `counts`."""
    counts["documents"] += len(docs)
    with quick_build() as plans:
        models = build_all(docs, plans)
    for built in models:
        counts["models"] += 1
        trees = dumped(built.doc, functools.partial(check_package, built))
        compare = counts["models"] % LAYOUT_EVERY == 0
        counts["fast"] += dumped(built.doc, functools.partial(check_fast_layout, built, compare))
        if counts["models"] % EXEC_EVERY == 0:
            counts["imported"] += 1
            dumped(built.doc, functools.partial(run_quietly, trees, capsys))
        if counts["models"] % BLACK_EVERY == 1:
            counts["black"] += 1
            dumped(built.doc, functools.partial(check_black_stable, built.doc))


@pytest.mark.slow
def test_random_documents_give_clean_code_or_clean_errors(
    request: pytest.FixtureRequest, fuzz_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counts = dict.fromkeys(["documents", "models", "imported", "black", "fast"], 0)
    started = time.process_time()
    run_seeded(request, capsys, DOCUMENTS, lambda docs: check_documents(docs, counts, capsys))()
    with capsys.disabled():
        print(f"fuzz: {counts}, {time.process_time() - started:.1f} s CPU")
    assert counts["documents"] >= DOCUMENTS
    assert counts["models"] >= DOCUMENTS // 4, "the strategies mostly make unusable documents"
    assert counts["fast"] >= counts["models"] // 2, "most modules need no black pass"


BAD_LITERALS = {
    "code": (lambda value: f"__import__('os').getcwd({value!r})", "'__import__'"),
    "syntax": (lambda value: f"{value!r} +", "SyntaxError"),
}


@pytest.mark.parametrize("bad", sorted(BAD_LITERALS))
def test_the_checks_fail_when_a_literal_becomes_code(
    bad: str, fuzz_root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Positive control: with defaults written as code (or as broken code), the documents that have
    one fail the fuzz checks, with their JSON in the message."""
    emit, expected = BAD_LITERALS[bad]
    for name, module in list(sys.modules.items()):
        if name.startswith("codegen.") and getattr(module, "py_literal", None) is py_literal:
            monkeypatch.setattr(module, "py_literal", emit)
    docs = [document(random.Random(n).randbytes(TAPE_SIZE)) for n in range(40)]
    counts = dict.fromkeys(["documents", "models", "imported", "black", "fast"], 0)
    with pytest.raises(AssertionError, match=expected) as failed:
        check_documents(docs, counts, capsys)
    assert "\ndocument: " in str(failed.value)


@pytest.mark.slow
def test_a_sample_of_random_packages_passes_mypy(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The MYPY_SAMPLE largest of 100 random packages, their modules and examples in one package
    over one runtime."""
    models: list[tuple[int, Loaded]] = []

    def collect(docs: list[Any]) -> None:
        with quick_build() as plans:
            for built in build_all(docs, plans):  # each its own module, whatever its model id
                ref = dataclasses.replace(built.loaded.spec.ref, model_id=f"fuzz-{len(models)}")
                spec = dataclasses.replace(built.loaded.spec, ref=ref)
                models.append((len(built.module), Loaded(spec, built.doc, WHERE)))

    run_seeded(request, capsys, 100, collect)()
    sample = [loaded for _, loaded in sorted(models, key=lambda m: m[0])[-MYPY_SAMPLE:]]
    assert len(sample) == MYPY_SAMPLE
    with quick_build():
        api.write(tmp_path / "typed", api.build(sample, "typed"))
    key = mypy_cache.cache_key(RUNTIME, "typed")
    cache = mypy_cache.private_copy(key, tmp_path / "mypy-cache")
    checked = run_mypy("-p", "typed", cwd=tmp_path, cache_dir=cache)
    assert checked.returncode == 0, checked.stdout + json.dumps([m.key for m in sample])
    mypy_cache.publish(key, cache)


def test_the_layout_check_fails_on_a_layout_that_is_not_blacks(
    fuzz_root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Positive control: with the fast layout not black's, the fuzzed modules fail its check."""
    swap_kinds(monkeypatch)
    monkeypatch.setattr(sys.modules[__name__], "LAYOUT_EVERY", 1)
    docs = [document(random.Random(n).randbytes(TAPE_SIZE)) for n in range(40)]
    counts = dict.fromkeys(["documents", "models", "imported", "black", "fast"], 0)
    with pytest.raises(AssertionError, match="the fast layout is not black's") as failed:
        check_documents(docs, counts, capsys)
    assert "\ndocument: " in str(failed.value)
