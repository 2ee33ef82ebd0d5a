"""The `clarifai-codegen` command: a thin click shell over `codegen.api`.

Heavy imports (black, jinja2, httpx) happen inside commands, so `--help` stays fast.
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
    from .lock import Loaded
    from .sources.remote import RemoteSettings

EXIT_DRIFT = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3

_ref_option = click.option(
    "--ref",
    metavar="USER/APP/MODEL[@VERSION]",
    help="Model ids; override those of the file or config.yaml (generate needs ids).",
)


def _remote_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--max-seconds",
        type=click.FloatRange(0.1, 3600),
        default=60.0,
        show_default=True,
        help="Give up on a model after this long, retries included.",
    )(f)
    f = click.option(
        "--max-attempts",
        type=click.IntRange(1, 50),
        default=5,
        show_default=True,
        help="Requests per model at most (transient failures are retried).",
    )(f)
    f = click.option(
        "--timeout",
        type=click.FloatRange(0.1, 600),
        default=30.0,
        show_default=True,
        help="Seconds per request.",
    )(f)
    f = click.option("--pat", envvar=None, help="Personal access token (default: $CLARIFAI_PAT).")(
        f
    )
    f = click.option(
        "--api-base", help="API base URL (default: $CLARIFAI_API_BASE or https://api.clarifai.com)."
    )(f)
    return click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=8,
        show_default=True,
        help="Models pulled at once.",
    )(f)


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


def _remote(
    pat: str | None, api_base: str | None, concurrency: int, **limits: Any
) -> RemoteSettings:
    from .sources.remote import RemoteSettings

    return RemoteSettings.from_env(pat=pat, api_base=api_base, concurrency=concurrency, **limits)


def _progress(total: int) -> Any:
    from .sources.remote import Progress

    return Progress(total, sys.stderr, sys.stderr.isatty())


def _load_one(model: str, ref: str | None, pat: str | None, api_base: str | None) -> Loaded:
    from .api import load_sources

    remote = _remote(pat, api_base, 1) if _maybe_remote(model) else None
    # need_ids=False: these commands call nothing, so ids nobody gave become placeholders
    loaded, problems, failures = load_sources([model], ref=ref, remote=remote, need_ids=False)
    _report(problems)
    if failures:
        raise failures[0]
    return loaded[0]


def _maybe_remote(model: str) -> bool:
    from .api import is_remote

    return is_remote(model)


def _out_dir(out_dir: str | None) -> str:
    from .errors import CodegenError
    from .settings import load_settings

    if out_dir is not None:
        return out_dir
    settings = load_settings()
    if settings.output is None:
        raise CodegenError(
            "no output directory: pass -o DIR or set output in [tool.clarifai-codegen]"
        )
    return settings.output


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clarifai-codegen")
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
    with _errors():
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
    with _errors():
        from .api import signature_document
        from .errors import CodegenError
        from .plan import plan_module
        from .proto_json import stored_signatures
        from .render import render_signatures

        if as_json:
            remote = _remote(pat, api_base, 1) if _maybe_remote(model) else None
            raw, where, problems = signature_document(model, ref, remote)
            sigs, found_problems = stored_signatures(raw, where)
            _report([*problems, *found_problems])
            found: dict[str, Any] = {s["name"]: s for s in sigs}
        else:
            plan = plan_module(_load_one(model, ref, pat, api_base).spec)
            found = dict(zip([m.wire for m in plan.methods], render_signatures(plan), strict=True))
        if method is not None and method not in found:
            raise CodegenError(f"no method {method!r}; the model has: {', '.join(found)}", model)
        if as_json:  # ASCII escapes: valid JSON on any terminal, whatever the descriptions hold
            click.echo(json.dumps(found[method] if method else list(found.values()), indent=2))
        else:
            click.echo(found[method] if method else "\n".join(found.values()))


@cli.command()
@click.argument("model")
@_model_command
@click.option(
    "--package", default="generated", show_default=True, help="Package the example imports."
)
def example(
    model: str, ref: str | None, pat: str | None, api_base: str | None, package: str
) -> None:
    """Print a typed, runnable example script (like generate_client_script())."""
    with _errors():
        from .plan import plan_module
        from .render import render_example

        plan = plan_module(_load_one(model, ref, pat, api_base).spec)
        click.echo(render_example(plan, package), nl=False)


@cli.command()
@click.argument("models", nargs=-1)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Output package directory (default: output in [tool.clarifai-codegen]).",
)
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
@_remote_options
def generate(
    models: tuple[str, ...],
    out_dir: str | None,
    ref: str | None,
    check: bool,
    show_diff: bool,
    line_length: int | None,
    pat: str | None,
    api_base: str | None,
    concurrency: int,
    timeout: float,
    max_attempts: int,
    max_seconds: float,
) -> None:
    """Generate a typed client package into DIR: one module and one example per model.

    With no MODEL, regenerate every model from the snapshots in DIR/.codegen/ (offline), plus any
    model listed in [tool.clarifai-codegen] that has no snapshot yet.
    """
    with _errors():
        from pathlib import Path

        from . import api
        from .lock import snapshot_paths
        from .settings import load_settings
        from .sources.snapshot import load_file

        settings = load_settings()
        out = _out_dir(out_dir)
        sources = list(models)
        if not sources and settings.models:
            known = {load_file(p)[0].source for p in snapshot_paths(Path(out))}
            sources = [m for m in settings.models if m not in known]
        pulls = [s for s in sources if _maybe_remote(s)]
        progress = _progress(len(pulls)) if pulls else None
        result = api.generate(
            sources,
            out,
            ref=ref,
            check=check,
            diff=show_diff,
            line_length=line_length or settings.line_length,
            remote=_remote(
                pat,
                api_base,
                concurrency,
                timeout=timeout,
                max_attempts=max_attempts,
                max_seconds=max_seconds,
            )
            if pulls
            else None,
            on_fetch=progress.update if progress else None,
        )
        _report(result.problems)
        if result.diff:
            click.echo(result.diff, nl=False)
        for failure in result.failures:
            click.echo(f"error: {failure}", err=True)
        if result.failures and len(result.failures) == len(sources):
            sys.exit(EXIT_INPUT)  # nothing given could be loaded: the errors say it all
        verb = "would change" if check else "wrote"
        click.echo(
            f"{len(result.models)} model(s): {verb} {len(result.changed)} file(s) in {out}"
            + (f"; {len(result.failures)} model(s) failed" if result.failures else ""),
            err=True,
        )
        if result.failures:
            sys.exit(EXIT_INPUT)
        if check and result.changed:
            sys.exit(EXIT_DRIFT)


@cli.command()
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    help="The generated package (default: output in [tool.clarifai-codegen]).",
)
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
    concurrency: int,
    timeout: float,
    max_attempts: int,
    max_seconds: float,
) -> None:
    """Exit 1 if DIR is not what its snapshots generate (with a diff), or with --remote, if any
    model's signatures changed on Clarifai (with what changed, per model)."""
    with _errors():
        from . import api
        from .errors import CodegenError
        from .settings import load_settings

        out = _out_dir(out_dir)
        if update and not remote:
            raise CodegenError("--update needs --remote")
        if not remote:
            result = api.generate([], out, check=True, line_length=load_settings().line_length)
            _report(result.problems)
            click.echo(result.diff, nl=False)
            click.echo(
                f"{len(result.changed)} file(s) differ from the snapshots in {out}", err=True
            )
            sys.exit(EXIT_DRIFT if result.changed else 0)
        settings = _remote(
            pat,
            api_base,
            concurrency,
            timeout=timeout,
            max_attempts=max_attempts,
            max_seconds=max_seconds,
        )
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
