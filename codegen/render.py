"""Render plans through Jinja into source text (formatted by `formatting`).

jinja2 is imported only when something is rendered.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from . import __version__
from .examples import plan_example
from .formatting import LINE_LENGTH, format_source
from .literals import py_literal
from .plan import CAST, ModulePlan

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "LINE_LENGTH",
    "example_source",
    "format_source",
    "init_source",
    "module_source",
    "render_example",
    "render_init",
    "render_module",
    "render_signatures",
]


@functools.cache
def _env() -> jinja2.Environment:
    from .templating import environment

    env = environment("python")
    env.filters["pyrepr"] = py_literal
    env.globals["cast"] = CAST
    return env


def module_source(plan: ModulePlan) -> tuple[str, str]:
    """(unformatted source, where) of a model's module."""
    source = _env().get_template("module.py.jinja").render(plan=plan)
    return source, f"{plan.spec.ref.path} module"


def example_source(plan: ModulePlan, package: str) -> tuple[str, str]:
    """(unformatted source, where) of a model's example script."""
    source = _env().get_template("example.py.jinja").render(example=plan_example(plan, package))
    return source, f"{plan.spec.ref.path} example"


def init_source() -> tuple[str, str]:
    return _env().get_template("init.py.jinja").render(version=__version__), "__init__.py"


def render_module(plan: ModulePlan, line_length: int = LINE_LENGTH) -> str:
    return format_source(*module_source(plan), line_length)


def render_example(plan: ModulePlan, package: str, line_length: int = LINE_LENGTH) -> str:
    return format_source(*example_source(plan, package), line_length)


def render_init(line_length: int = LINE_LENGTH) -> str:
    return format_source(*init_source(), line_length)


def render_signatures(plan: ModulePlan) -> list[str]:
    """One `def ...:` line per method, as the method would be called (no `self`)."""
    template = _env().get_template("signature.py.jinja")
    lines = []
    for method in plan.methods:
        formatted = format_source(template.render(method=method), method.wire, 1_000_000)
        lines.append(formatted.strip().removesuffix(" ..."))
    return lines
