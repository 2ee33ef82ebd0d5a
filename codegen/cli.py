"""The `clarifai-codegen` command: a thin click shell over `codegen.api`.

Heavy imports (black, jinja2) happen inside commands, so `--help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from . import __version__

if TYPE_CHECKING:
    from .errors import Problem

EXIT_DRIFT = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3

_ref_option = click.option(
    "--ref",
    metavar="USER/APP/MODEL[@VERSION]",
    help="Model ids for a signature file that does not carry them.",
)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn library errors into one-line messages and exit codes (no tracebacks)."""
    from .errors import CodegenError

    try:
        yield
    except CodegenError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except Exception as exc:  # a bug: say so plainly; CLARIFAI_CODEGEN_DEBUG=1 shows the traceback
        if os.environ.get("CLARIFAI_CODEGEN_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _load_one(model: str, ref: str | None) -> Any:
    from .api import load_models
    from .plan import plan_module

    specs, problems = load_models([model], ref)
    _report(problems)
    return plan_module(specs[0])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clarifai-codegen")
def cli() -> None:
    """Typed Python clients for Clarifai models, generated from their method signatures.

    MODEL is a saved signature JSON file (a GetModel or GetModelVersion response, a list of
    signatures, or the SDK's _GET_SIGNATURES object).
    """


@cli.command()
@click.argument("model")
@_ref_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of one per line.")
def methods(model: str, ref: str | None, as_json: bool) -> None:
    """List the model's methods (like the SDK's available_methods())."""
    with _errors():
        from .api import load_models

        specs, problems = load_models([model], ref)
        _report(problems)
        names = [m.name for m in specs[0].methods]
        click.echo(json.dumps(names) if as_json else "\n".join(names))


@cli.command()
@click.argument("model")
@click.argument("method", required=False)
@_ref_option
def signature(model: str, method: str | None, ref: str | None) -> None:
    """Print each method's signature as one line of valid Python (like method_signature())."""
    with _errors():
        from .errors import CodegenError
        from .render import render_signatures

        plan = _load_one(model, ref)
        lines = dict(zip([m.wire for m in plan.methods], render_signatures(plan), strict=True))
        if method is not None:
            if method not in lines:
                raise CodegenError(
                    f"no method {method!r}; the model has: {', '.join(lines)}", model
                )
            click.echo(lines[method])
        else:
            click.echo("\n".join(lines.values()))


@cli.command()
@click.argument("model")
@_ref_option
@click.option(
    "--package", default="generated", show_default=True, help="Package the example imports."
)
def example(model: str, ref: str | None, package: str) -> None:
    """Print a typed, runnable example script (like generate_client_script())."""
    with _errors():
        from .render import render_example

        click.echo(render_example(_load_one(model, ref), package), nl=False)


@cli.command()
@click.argument("models", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Output package directory.",
)
@_ref_option
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print a diff and exit 1 if the output would change.",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of what changes.")
@click.option("--line-length", default=100, show_default=True, type=click.IntRange(40, 1000))
def generate(
    models: tuple[str, ...],
    out_dir: str,
    ref: str | None,
    check: bool,
    show_diff: bool,
    line_length: int,
) -> None:
    """Generate a typed client package (one module and one example per model) into DIR."""
    with _errors():
        from . import api

        result = api.generate(
            models, out_dir, ref=ref, check=check, diff=show_diff, line_length=line_length
        )
        _report(result.problems)
        if result.diff:
            click.echo(result.diff, nl=False)
        verb = "would change" if check else "wrote"
        click.echo(
            f"{len(models)} model(s): {verb} {len(result.changed)} file(s) in {out_dir}", err=True
        )
        if check and result.changed:
            sys.exit(EXIT_DRIFT)


main: Callable[..., Any] = cli
