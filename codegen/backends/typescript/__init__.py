"""The TypeScript back end: `plan.py` (names, types, lines broken as prettier breaks them),
templates/typescript/, and the runtime copy (`codegen/runtime_ts/`). No formatter runs: the
templates emit prettier-stable text (tests check it with the pinned prettier)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ... import __version__
from ...spec import ModelSpec
from .. import Job, ModelPlan
from .plan import TsModulePlan, plan_module


@functools.cache
def _env() -> Any:
    from ...templating import environment

    return environment("typescript")


def _module(plan: TsModulePlan) -> tuple[str, str]:
    return _env().get_template("module.ts.jinja").render(plan=plan), f"{plan.spec.ref.path} module"


def _example(plan: TsModulePlan, package: str) -> tuple[str, str]:
    from .examples import example_lines

    lines = example_lines(plan, package)
    text = _env().get_template("example.ts.jinja").render(lines=lines)
    return text, f"{plan.spec.ref.path} example"


def _index() -> tuple[str, str]:
    return _env().get_template("index.ts.jinja").render(version=__version__), "index.ts"


class TypeScriptBackend:
    lang = "typescript"

    def plan(self, spec: ModelSpec) -> ModelPlan:
        return plan_module(spec)

    def runtime_files(self) -> dict[str, bytes]:
        root = Path(__file__).parent.parent.parent / "runtime_ts"
        return {
            f"_runtime/{entry.name}": entry.read_bytes()
            for entry in sorted(root.iterdir(), key=lambda e: e.name)
            if entry.is_file() and entry.name.endswith(".ts")
        }

    def package_files(self) -> dict[str, Job]:
        return {"index.ts": _index}

    def model_files(self, plan: ModelPlan, package: str, line_length: int) -> dict[str, Job]:
        assert isinstance(plan, TsModulePlan)
        return {
            f"{plan.module}.ts": functools.partial(_module, plan),
            f"examples/{plan.module}.ts": functools.partial(_example, plan, package),
        }

    def outputs(self, module: str) -> list[str]:
        return [f"{module}.ts", f"examples/{module}.ts"]

    def format_all(self, jobs: Sequence[Job], line_length: int) -> list[str]:
        """The templates' text as is (prettier-stable by construction; see `layout`)."""
        return [make()[0] for make in jobs]

    def example(self, spec: ModelSpec, package: str) -> str:
        return _example(plan_module(spec), package)[0]
