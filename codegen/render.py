"""Render plans through Jinja, validate the source with `ast`, and format it with black."""

from __future__ import annotations

import ast
import functools

import black
import jinja2

from . import __version__
from .errors import CodegenError
from .examples import plan_example
from .literals import py_literal
from .plan import CAST, ModulePlan

LINE_LENGTH = 100


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pyrepr"] = py_literal
    env.globals["cast"] = CAST
    return env


def format_source(source: str, where: str, line_length: int = LINE_LENGTH) -> str:
    """Check that `source` parses, then black it (pinned black, explicit mode, no other fixers)."""
    try:
        ast.parse(source)
    except SyntaxError as exc:  # a generator bug, never a property of the input
        raise CodegenError(
            f"internal error: generated code does not parse ({exc.msg})", where
        ) from exc
    mode = black.Mode(target_versions={black.mode.TargetVersion.PY310}, line_length=line_length)
    formatted = black.format_str(source, mode=mode)
    if formatted != source:
        ast.parse(formatted)
    return formatted


def render_module(plan: ModulePlan, line_length: int = LINE_LENGTH) -> str:
    source = _env().get_template("module.py.jinja").render(plan=plan)
    return format_source(source, f"{plan.spec.ref.path} module", line_length)


def render_example(plan: ModulePlan, package: str, line_length: int = LINE_LENGTH) -> str:
    source = _env().get_template("example.py.jinja").render(example=plan_example(plan, package))
    return format_source(source, f"{plan.spec.ref.path} example", line_length)


def render_init(line_length: int = LINE_LENGTH) -> str:
    source = _env().get_template("init.py.jinja").render(version=__version__)
    return format_source(source, "__init__.py", line_length)


def render_signatures(plan: ModulePlan) -> list[str]:
    """One `def ...:` line per method, as the method would be called (no `self`)."""
    template = _env().get_template("signature.py.jinja")
    lines = []
    for method in plan.methods:
        formatted = format_source(template.render(method=method), method.wire, 1_000_000)
        lines.append(formatted.strip().removesuffix(" ..."))
    return lines
