"""The Python back end: `plan.py`, `render.py` (templates/python/), black (`formatting.py`) and
the runtime copy (`codegen/runtime/`)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..formatting import format_all
from . import Job, ModelPlan

if TYPE_CHECKING:  # not imported by an unchanged run, which plans nothing
    from ..plan import ModulePlan
    from ..spec import ModelSpec


def _init_source() -> tuple[str, str]:
    from ..render import init_source

    return init_source()


def _module_source(plan: ModulePlan, line_length: int) -> tuple[str, str]:
    from ..render import module_source

    return module_source(plan, line_length)


def _example_source(plan: ModulePlan, package: str) -> tuple[str, str]:
    from ..render import example_source

    return example_source(plan, package)


class PythonBackend:
    lang = "python"

    def plan(self, spec: ModelSpec) -> ModelPlan:
        from ..plan import plan_module

        return plan_module(spec)

    def runtime_files(self) -> dict[str, bytes]:
        root = Path(__file__).parent.parent / "runtime"  # a directory, as the fingerprint reads it
        out = {
            "py.typed": b"",
            "examples/__init__.py": b'"""Runnable examples, one per model."""\n',
        }
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.is_file() and (entry.name.endswith(".py") or entry.name == "py.typed"):
                out[f"_runtime/{entry.name}"] = entry.read_bytes()
        return out

    def package_files(self) -> dict[str, Job]:
        return {"__init__.py": _init_source}

    def model_files(self, plan: ModelPlan, package: str, line_length: int) -> dict[str, Job]:
        return {
            f"{plan.module}.py": functools.partial(_module_source, plan, line_length),  # type: ignore[arg-type]
            f"examples/{plan.module}.py": functools.partial(_example_source, plan, package),  # type: ignore[arg-type]
        }

    def outputs(self, module: str) -> list[str]:
        return [f"{module}.py", f"examples/{module}.py"]

    def format_all(self, jobs: Sequence[Job], line_length: int) -> list[str]:
        return format_all(list(jobs), line_length)

    def example(self, spec: ModelSpec, package: str) -> str:
        from ..plan import plan_module
        from ..render import render_example

        return render_example(plan_module(spec), package)
