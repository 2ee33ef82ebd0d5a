"""How the commands end: exit codes, and library errors as one line on stderr (no tracebacks)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

EXIT_DRIFT = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A `CodegenError` exits 2 with its message, and so does an `OSError` (the disk, not the
    generator: `error: <path>: <what>`); any other exception is a bug and exits 3 with one line
    (CLARIFAI_CODEGEN_DEBUG=1 shows the traceback instead)."""
    from .errors import CodegenError

    try:
        yield
    except CodegenError as exc:
        from .lock import BlackMismatch

        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_DRIFT if isinstance(exc, BlackMismatch) else EXIT_INPUT)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except OSError as exc:
        from .writer import os_error

        click.echo(f"error: {os_error(exc)}", err=True)
        sys.exit(EXIT_INPUT)
    except Exception as exc:
        if os.environ.get("CLARIFAI_CODEGEN_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
