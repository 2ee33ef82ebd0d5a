"""Target languages. The pipeline (`package.build`, `api`) calls a `Backend`; each language owns
its naming rules, type map, templates, formatter and runtime copy behind it.

A third language is one more module here with a `Backend` (plan a `ModelSpec`, render a model's
files, its fixed files, format) registered in `BACKENDS`, and its templates in `templates/<lang>/`;
nothing in the Python or TypeScript back end changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from ..errors import CodegenError, Problem

if TYPE_CHECKING:  # an unchanged run imports neither the IR nor the runtime it pulls in
    from ..spec import ModelSpec

Job = Callable[[], tuple[str, str]]  # makes (unformatted source, where)


class ModelPlan(Protocol):
    @property
    def module(self) -> str: ...
    @property
    def problems(self) -> tuple[Problem, ...]: ...


class Backend(Protocol):
    lang: str

    def plan(self, spec: ModelSpec) -> ModelPlan: ...
    def runtime_files(self) -> dict[str, bytes]: ...
    def package_files(self) -> dict[str, Job]: ...
    def model_files(self, plan: ModelPlan, package: str, line_length: int) -> dict[str, Job]: ...
    def outputs(self, module: str) -> list[str]: ...
    def format_all(self, jobs: Sequence[Job], line_length: int) -> list[str]: ...
    def example(self, spec: ModelSpec, package: str) -> str: ...


LANGUAGES = ("python", "typescript")


def get_backend(lang: str) -> Backend:
    if lang == "python":
        from .python import PythonBackend

        return PythonBackend()
    if lang == "typescript":
        from .typescript import TypeScriptBackend

        return TypeScriptBackend()
    raise CodegenError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
