"""`serve()`: host model directories on 127.0.0.1 over Clarifai's REST routes and gRPC service.

    with serve(["demo/pixel-words"], grpc_port=0) as srv:
        os.environ["CLARIFAI_API_BASE"] = srv.rest_url     # a generated client works unchanged
        ...

`run_forever()` is the `clarifai-codegen serve` command: it prints where each model is served and
blocks until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import CodegenError

if TYPE_CHECKING:
    from .grpc import GrpcServer
    from .registry import Registry
    from .rest import RestServer

__all__ = ["DEFAULT_PORT", "ServeHandle", "banner", "run_forever", "serve"]

DEFAULT_PORT = 8000
AccessLog = Callable[[str], None]


@dataclass
class ServeHandle:
    """Running servers: `rest_url` (for `CLARIFAI_API_BASE`), `grpc_url` (`http://127.0.0.1:G`:
    with `CLARIFAI_TRANSPORT=grpc` this is the `CLARIFAI_API_BASE`; None without gRPC)."""

    registry: Registry
    rest: RestServer
    grpc: GrpcServer | None
    rest_url: str
    grpc_url: str | None
    _unquiet: Callable[[], None] = field(repr=False)

    def stop(self) -> None:
        if self.grpc is not None:
            self.grpc.stop()
        self.rest.stop()
        self._unquiet()

    def __enter__(self) -> ServeHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    dirs: Sequence[str | Path],
    port: int = 0,
    grpc_port: int | None = None,
    pat: str | None = None,
    *,
    host: str = "127.0.0.1",
    access_log: AccessLog | None = None,
    quiet: bool = False,
) -> ServeHandle:
    """Load the model directories and start serving them; returns a running `ServeHandle`.

    Args:
        dirs: Clarifai model directories (`config.yaml` + `1/model.py`); each is served under the
            user/app/model ids of its `config.yaml`.
        port: the REST port (0: a free one).
        grpc_port: the gRPC port (0: a free one; None: no gRPC server).
        pat: the only PAT accepted; None accepts any `Authorization: Key <token>`.
        access_log: called with one line per request.
        quiet: hide the SDK's tracebacks for model errors (the caller still gets FAILURE).
    """
    from .loader import load_models

    served = load_models(dirs)  # first: without the SDK it says what to install
    from .grpc import GrpcServer
    from .registry import Registry, failures_as_statuses
    from .rest import RestServer

    registry = Registry(served, pat=pat)
    unquiet = failures_as_statuses(quiet)
    rest = RestServer(registry, host, port, access_log=access_log)
    try:
        rest.start()
    except OSError as exc:
        raise CodegenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    grpc_server = None
    if grpc_port is not None:
        grpc_server = GrpcServer(registry, host, grpc_port, access_log=access_log)
        try:
            grpc_server.start()
        except OSError as exc:
            rest.stop()
            raise CodegenError(f"gRPC: {exc}") from None
    grpc_url = grpc_server.base_url if grpc_server is not None else None
    return ServeHandle(registry, rest, grpc_server, rest.base_url, grpc_url, unquiet)


def banner(handle: ServeHandle) -> list[str]:
    """What `run_forever` prints: one line per model, then how to point a client at it."""
    lines = []
    for served in handle.registry.models.values():
        n = len(served.methods)
        lines.append(
            f"serving {served.ref.path} ({n} method{'s' if n != 1 else ''}) at {handle.rest_url}"
        )
    if handle.grpc_url is not None:
        lines.append(
            f"gRPC at {handle.grpc_url.removeprefix('http://')} "
            f"(CLARIFAI_TRANSPORT=grpc CLARIFAI_API_BASE={handle.grpc_url})"
        )
    lines.append(f"export CLARIFAI_API_BASE={handle.rest_url}")
    if handle.registry.pat is None:
        lines.append("export CLARIFAI_PAT=local  # any PAT is accepted")
    return lines


def run_forever(
    dirs: Sequence[str | Path],
    port: int = DEFAULT_PORT,
    grpc_port: int | None = None,
    pat: str | None = None,
    *,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    access_log: bool = True,
    ready: Callable[[ServeHandle], Any] | None = None,
    stop_event: threading.Event | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM (or `stop_event`), printing the banner to `out` (stdout)
    and one access-log line per request to `err` (stderr)."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    log: AccessLog | None = (lambda line: print(line, file=err, flush=True)) if access_log else None
    stop = stop_event if stop_event is not None else threading.Event()
    in_main = threading.current_thread() is threading.main_thread()
    with serve(dirs, port, grpc_port, pat, access_log=log) as handle:
        print(*banner(handle), sep="\n", file=out, flush=True)
        print("press Ctrl-C to stop", file=err, flush=True)
        if ready is not None:
            ready(handle)
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if in_main else None
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
            print("stopping", file=err, flush=True)
