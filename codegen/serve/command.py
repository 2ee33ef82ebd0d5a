"""The `clarifai-codegen serve` click command (wired into the CLI with `cli.add_command`).

Only click and `server.py` (itself light) are imported here; the SDK, grpc and the servers are
imported when the command runs, so `clarifai-codegen --help` stays light.
"""

from __future__ import annotations

import click

from ..exits import one_line_errors
from .server import DEFAULT_PORT, run_forever

__all__ = ["serve_command"]


@click.command(name="serve")
@click.argument(
    "dirs",
    nargs=-1,
    required=True,
    type=click.Path(file_okay=False, dir_okay=True),
    metavar="DIR...",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="REST port on 127.0.0.1 (0: a free port).",
)
@click.option(
    "--grpc-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Also serve gRPC on this port (0: a free port). Default: REST only.",
)
@click.option(
    "--pat",
    default=None,
    help="Accept only this PAT. Default: any 'Authorization: Key <token>' (a local dev server).",
)
@click.option("--quiet", "-q", is_flag=True, help="No per-request log lines on stderr.")
def serve_command(
    dirs: tuple[str, ...], port: int, grpc_port: int | None, pat: str | None, quiet: bool
) -> None:
    """Serve Clarifai model directories locally, over REST and (optionally) gRPC.

    Each DIR (config.yaml + 1/model.py) runs with the clarifai SDK's own code, under the
    user/app/model ids of its config.yaml, on 127.0.0.1. Point a generated client at it with
    CLARIFAI_API_BASE=http://127.0.0.1:PORT (and CLARIFAI_TRANSPORT=grpc with the gRPC port for
    bidirectional streams). Needs: pip install 'clarifai-codegen[serve]'.
    """
    with one_line_errors():
        run_forever(list(dirs), port=port, grpc_port=grpc_port, pat=pat, access_log=not quiet)
