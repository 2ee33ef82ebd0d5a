"""The library API the CLI (and tests, and users) call: load signatures, build, write or check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import CodegenError, Level, Problem
from .plan import ModulePlan, plan_module
from .render import LINE_LENGTH, render_example, render_init, render_module
from .sources.snapshot import load_file, parse_ref
from .spec import ModelSpec
from .writer import changed_files, unified_diff, write_tree


@dataclass
class Result:
    files: dict[str, bytes]
    changed: list[str] = field(default_factory=list)
    diff: str = ""
    problems: list[Problem] = field(default_factory=list)


def display_source(path: Path) -> str:
    """How a source appears in generated headers: relative paths as given, absolute ones by name,
    so output does not depend on where the checkout lives."""
    return path.as_posix() if not path.is_absolute() else path.name


def load_models(
    sources: Sequence[str | Path], ref: str | None = None
) -> tuple[list[ModelSpec], list[Problem]]:
    if ref is not None and len(sources) != 1:
        raise CodegenError("--ref applies to exactly one MODEL")
    model_ref = parse_ref(ref) if ref is not None else None
    specs, problems = [], []
    for source in sources:
        path = Path(source)
        spec, found = load_file(path, model_ref, display_source(path))
        specs.append(spec)
        problems.extend(found)
    return specs, problems


def plan_all(specs: Sequence[ModelSpec]) -> list[ModulePlan]:
    plans: list[ModulePlan] = []
    owners: dict[str, ModelSpec] = {}
    for spec in specs:
        plan = plan_module(spec)
        other = owners.get(plan.module)
        if other is not None:
            raise CodegenError(
                f"models {other.ref.path} ({other.source}) and {spec.ref.path} ({spec.source}) "
                f"both map to module {plan.module!r}; generate them into different directories"
            )
        owners[plan.module] = spec
        plans.append(plan)
    return plans


def runtime_files() -> dict[str, bytes]:
    root = resources.files("codegen") / "runtime"
    out = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_file() and (entry.name.endswith(".py") or entry.name == "py.typed"):
            out[f"_runtime/{entry.name}"] = entry.read_bytes()
    return out


def build(specs: Sequence[ModelSpec], package: str, line_length: int = LINE_LENGTH) -> Result:
    """Render every file of the output package in memory (nothing is written here)."""
    plans = plan_all(specs)
    files: dict[str, bytes] = {
        "__init__.py": render_init(line_length).encode(),
        "py.typed": b"",
        "examples/__init__.py": b'"""Runnable examples, one per model."""\n',
        **runtime_files(),
    }
    problems: list[Problem] = []
    for plan in plans:
        files[f"{plan.module}.py"] = render_module(plan, line_length).encode()
        files[f"examples/{plan.module}.py"] = render_example(plan, package, line_length).encode()
        problems.extend(plan.problems)
    return Result(files=files, problems=problems)


def generate(
    sources: Sequence[str | Path],
    out_dir: str | Path,
    *,
    ref: str | None = None,
    check: bool = False,
    diff: bool = False,
    line_length: int = LINE_LENGTH,
) -> Result:
    """Generate a package into `out_dir` (or, with `check`, only report what would change)."""
    out = Path(out_dir)
    specs, problems = load_models(sources, ref)
    package = out.resolve().name if out.resolve().name.isidentifier() else "generated"
    result = build(specs, package, line_length)
    result.problems[:0] = problems
    result.changed = changed_files(out, result.files)
    if check or diff:
        result.diff = unified_diff(out, result.files, result.changed)
    if not check:
        write_tree(out, result.files, result.changed)
    return result


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.level is Level.ERROR for p in problems)
