"""The `clarifai-codegen` command: argument handling and output over `codegen.api`.

Heavy imports (black, jinja2, httpx) happen inside commands, so `--help` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .exits import EXIT_DRIFT, EXIT_INPUT, one_line_errors

if TYPE_CHECKING:
    from .errors import Problem
    from .snapshot_format import Loaded
    from .sources.remote.progress import Progress

_ref_option = click.option(
    "--ref",
    metavar="USER/APP/MODEL[@VERSION]",
    help="Model ids; override those of the file or config.yaml (generate needs ids).",
)

# (names, settings) of the options for pulling, in the order --help lists them
_REMOTE_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (
        ("--concurrency",),
        {"type": click.IntRange(1, 64), "default": 8, "help": "Models pulled at once."},
    ),
    (
        ("--api-base",),
        {"help": "API base URL (default: $CLARIFAI_API_BASE or https://api.clarifai.com)."},
    ),
    (("--pat",), {"envvar": None, "help": "Personal access token (default: $CLARIFAI_PAT)."}),
    (
        ("--timeout",),
        {"type": click.FloatRange(0.1, 600), "default": 30.0, "help": "Seconds per request."},
    ),
    (
        ("--max-attempts",),
        {
            "type": click.IntRange(1, 50),
            "default": 5,
            "help": "Requests per model at most (transient failures are retried).",
        },
    ),
    (
        ("--max-seconds",),
        {
            "type": click.FloatRange(0.1, 3600),
            "default": 60.0,
            "help": "Give up on a model after this long, retries included.",
        },
    ),
]


def _output_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(file_okay=False),
        help=f"{what} (default: output in [tool.clarifai-codegen]).",
    )


def _remote_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for names, settings in reversed(_REMOTE_OPTIONS):
        f = click.option(*names, show_default="default" in settings, **settings)(f)
    return f


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _progress(total: int) -> Progress | None:
    if not total:
        return None
    from .sources.remote.progress import Progress

    return Progress(total, sys.stderr, sys.stderr.isatty())


def _load_one(model: str, ref: str | None, pat: str | None, api_base: str | None) -> Loaded:
    from .api import load_one, remote_settings

    loaded, problems = load_one(model, ref, remote_settings([model], pat, api_base, concurrency=1))
    _report(problems)
    return loaded


def _version(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    """--version: the generator's, black's (it decides the bytes written) and Python's."""
    if not value or ctx.resilient_parsing:
        return
    import platform

    from .lock import dist_version

    black, python = dist_version("black"), platform.python_version()
    click.echo(f"clarifai-codegen {__version__} (black {black}, Python {python})")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
    help="Show the generator, black and Python versions and exit.",
)  # fmt: skip
def cli() -> None:
    """Typed Python clients for Clarifai models, generated from their method signatures.

    MODEL is a Clarifai model URL (https://clarifai.com/USER/APP/models/MODEL[/versions/V]),
    USER/APP/MODEL[@VERSION], or a saved signature JSON file (a GetModel or GetModelVersion
    response, a list of signatures, or the SDK's _GET_SIGNATURES object). Pulling a model needs
    CLARIFAI_PAT (or --pat); CLARIFAI_API_BASE changes the API address.
    """


def _model_command(f: Callable[..., Any]) -> Callable[..., Any]:
    f = _ref_option(f)
    f = click.option("--pat", help="Personal access token (default: $CLARIFAI_PAT).")(f)
    return click.option("--api-base", help="API base URL (default: $CLARIFAI_API_BASE).")(f)


@cli.command()
@click.argument("model")
@_model_command
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of one per line.")
def methods(
    model: str, ref: str | None, pat: str | None, api_base: str | None, as_json: bool
) -> None:
    """List the model's methods (like the SDK's available_methods())."""
    with one_line_errors():
        names = [m.name for m in _load_one(model, ref, pat, api_base).spec.methods]
        click.echo(json.dumps(names) if as_json else "\n".join(names))


@cli.command()
@click.argument("model")
@click.argument("method", required=False)
@_model_command
@click.option("--json", "as_json", is_flag=True, help="The MethodSignature messages as stored.")
def signature(
    model: str, method: str | None, ref: str | None, pat: str | None, api_base: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Print each method's signature as valid Python (like method_signature()); --json: as stored."""
    with one_line_errors():
        from . import api

        if as_json:
            remote = api.remote_settings([model], pat, api_base, concurrency=1)
            found, problems = api.stored_signatures(model, ref, remote)
            _report(problems)
        else:
            found = api.python_signatures(_load_one(model, ref, pat, api_base))
        picked = api.pick_method(found, method, model)
        if as_json:  # ASCII escapes: valid JSON on any terminal, whatever the descriptions hold
            click.echo(json.dumps(picked[0] if method else picked, indent=2))
        else:
            click.echo("\n".join(picked))


_lang_option = click.option(
    "--lang",
    type=click.Choice(["python", "typescript"]),
    help="Target language (default: lang in [tool.clarifai-codegen], else the package's, else python).",
)


@cli.command()
@click.argument("model")
@_model_command
@click.option(
    "--package", default="generated", show_default=True, help="Package the example imports."
)
@_lang_option
def example(
    model: str, ref: str | None, pat: str | None, api_base: str | None, package: str,
    lang: str | None,
) -> None:  # fmt: skip
    """Print a typed, runnable example script (like generate_client_script())."""
    with one_line_errors():
        from .api import example_script
        from .settings import load_settings

        chosen = lang or load_settings().lang or "python"
        loaded = _load_one(model, ref, pat, api_base)
        click.echo(example_script(loaded, package, chosen), nl=False)


@cli.command()
@click.argument("models", nargs=-1)
@_output_option("Output package directory")
@_ref_option
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print a diff and exit 1 if the output would change.",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff of what changes.")
@click.option(
    "--line-length", type=click.IntRange(40, 1000), help="Line length for black (default 100)."
)
@_lang_option
@_remote_options
def generate(
    models: tuple[str, ...],
    out_dir: str | None,
    ref: str | None,
    check: bool,
    show_diff: bool,
    line_length: int | None,
    lang: str | None,
    pat: str | None,
    api_base: str | None,
    **limits: Any,
) -> None:
    """Generate a typed client package into DIR: one module and one example per model.

    With no MODEL, regenerate every model from the snapshots in DIR/.codegen/ (offline), plus any
    model listed in [tool.clarifai-codegen] that has no snapshot yet.
    """
    with one_line_errors():
        from . import api
        from .settings import load_settings, output_dir

        settings = load_settings()
        out = output_dir(out_dir, settings)
        sources = list(models) or api.unsnapshotted(out, settings.models)
        remote = api.remote_settings(sources, pat, api_base, **limits)
        progress = _progress(len(api.remote_sources(sources))) if remote else None
        result = api.generate(
            sources,
            out,
            ref=ref,
            check=check,
            diff=show_diff,
            line_length=line_length or settings.line_length,
            remote=remote,
            on_fetch=progress.update if progress else None,
            lang=lang or settings.lang,
        )
        _report(result.problems)
        if result.diff:
            click.echo(result.diff, nl=False)
        for failure in result.failures:
            click.echo(f"error: {failure}", err=True)
        if result.failures and len(result.failures) == len(sources):
            sys.exit(EXIT_INPUT)  # nothing given could be loaded: the errors say it all
        verb, remove = ("would change", "remove") if check else ("wrote", "removed")
        click.echo(
            f"{result.model_count} model(s): {verb} {len(result.changed)} file(s)"
            + (f", {remove} {len(result.removed)}" if result.removed else "")
            + f" in {out}"
            + (f"; {len(result.failures)} model(s) failed" if result.failures else ""),
            err=True,
        )
        if result.failures:
            sys.exit(EXIT_INPUT)
        if check and (result.changed or result.removed):
            sys.exit(EXIT_DRIFT)


@cli.command()
@_output_option("The generated package")
@click.option("--remote", is_flag=True, help="Re-pull every model and report signature changes.")
@click.option(
    "--update",
    is_flag=True,
    help="With --remote: apply the changes (new snapshots, regenerated code).",
)
@_remote_options
def check(
    out_dir: str | None,
    remote: bool,
    update: bool,
    pat: str | None,
    api_base: str | None,
    **limits: Any,
) -> None:
    """Exit 1 if DIR is not what its snapshots generate (with a diff), or with --remote, if any
    model's signatures changed on Clarifai (with what changed, per model)."""
    with one_line_errors():
        from . import api
        from .errors import CodegenError
        from .settings import load_settings, output_dir

        out = output_dir(out_dir)
        if update and not remote:
            raise CodegenError("--update needs --remote")
        if not remote:
            project = load_settings()
            result = api.generate(
                [], out, check=True, line_length=project.line_length, lang=project.lang
            )
            _report(result.problems)
            click.echo(result.diff, nl=False)
            differ = len(result.changed) + len(result.removed)
            click.echo(f"{differ} file(s) differ from the snapshots in {out}", err=True)
            sys.exit(EXIT_DRIFT if differ else 0)
        from .sources.remote.settings import RemoteSettings

        settings = RemoteSettings.from_env(pat=pat, api_base=api_base, **limits)
        drifts, problems = api.check_remote(out, remote=settings)
        _report(problems)
        failed = drifted = 0
        for d in drifts:
            if d.error is not None:
                failed += 1
                click.echo(f"{d.module}: error: {d.error}")
            elif d.changes:
                drifted += 1
                click.echo(f"{d.module} ({d.old.key}): {len(d.changes)} change(s)")
                for change in d.changes:
                    click.echo(f"  {change}")
            else:
                click.echo(f"{d.module} ({d.old.key}): unchanged")
        if update and drifted:
            result = api.update(drifts, out, load_settings().line_length)
            click.echo(
                f"updated {drifted} model(s): wrote {len(result.changed)} file(s) in {out}",
                err=True,
            )
            drifted = 0
        if failed:
            sys.exit(EXIT_INPUT)
        sys.exit(EXIT_DRIFT if drifted else 0)


from .serve.command import serve_command  # noqa: E402  (imports only click)

cli.add_command(serve_command)

main: Callable[..., Any] = cli
