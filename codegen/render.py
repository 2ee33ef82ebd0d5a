"""Render plans through Jinja into source text (formatted by `formatting`).

jinja2 is imported only when something is rendered.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from . import __version__
from .examples import plan_example
from .formatting import LINE_LENGTH, Formatted, format_source
from .plan import CAST, ModulePlan
from .render_layout import Layout, black_is_ours

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "LINE_LENGTH",
    "example_source",
    "format_source",
    "init_source",
    "module_source",
    "raw_module_source",
    "render_example",
    "render_init",
    "render_module",
    "render_signatures",
]


@functools.cache
def _env() -> jinja2.Environment:
    from .templating import environment

    env = environment("python")
    env.globals["cast"] = CAST
    return env


def module_source(plan: ModulePlan, line_length: int = LINE_LENGTH) -> tuple[str, str]:
    """(source, where) of a model's module: `Formatted` (in black's layout, no black pass needed)
    when the template's fast layout vouches for every line, else unformatted. The fast layout is
    black's at the default line length, for the pinned black release only."""
    if line_length == LINE_LENGTH and plan.methods and black_is_ours():
        layout = Layout(True, line_length)
        source = _module(plan, layout)
        if layout.vouch(source):
            return Formatted(source, line_length), _where(plan)
    return raw_module_source(plan, line_length)


def raw_module_source(plan: ModulePlan, line_length: int = LINE_LENGTH) -> tuple[str, str]:
    """(unformatted source, where) of a model's module: what black formats when the fast layout
    does not vouch."""
    return _module(plan, Layout(False, line_length)), _where(plan)


def _module(plan: ModulePlan, layout: Layout) -> str:
    return _env().get_template("module.py.jinja").render(plan=plan, L=layout)


def _where(plan: ModulePlan) -> str:
    return f"{plan.spec.ref.path} module"


def example_source(plan: ModulePlan, package: str) -> tuple[str, str]:
    """(unformatted source, where) of a model's example script."""
    source = _env().get_template("example.py.jinja").render(example=plan_example(plan, package))
    return source, f"{plan.spec.ref.path} example"


def init_source() -> tuple[str, str]:
    return _env().get_template("init.py.jinja").render(version=__version__), "__init__.py"


def render_module(plan: ModulePlan, line_length: int = LINE_LENGTH) -> str:
    return format_source(*module_source(plan, line_length), line_length)


def render_example(plan: ModulePlan, package: str, line_length: int = LINE_LENGTH) -> str:
    return format_source(*example_source(plan, package), line_length)


def render_init(line_length: int = LINE_LENGTH) -> str:
    return format_source(*init_source(), line_length)


def render_signatures(plan: ModulePlan) -> list[str]:
    """One `def ...:` line per method, as the method would be called (no `self`)."""
    template = _env().get_template("signature.py.jinja")
    lines = []
    for method in plan.methods:
        source = template.render(method=method, L=Layout(False, 1_000_000))
        formatted = format_source(source, method.wire, 1_000_000)
        lines.append(formatted.strip().removesuffix(" ..."))
    return lines
