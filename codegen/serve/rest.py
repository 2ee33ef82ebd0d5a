"""The REST half of `clarifai-codegen serve`: Clarifai's REST routes (`routes.py`: GetModel,
GetModelVersion, ListModelVersions, GetUser, and a model's `outputs`, `outputs/generate` and
`outputs/stream`), served from local models.

Bodies are parsed strictly into `PostModelOutputsRequest` (unknown fields: a 400) and handed to the
SDK's `predict_wrapper` / `generate_wrapper` / `stream_wrapper`, as a runner does. Responses are the
protos' REST JSON; a model FAILURE is HTTP 200 with that status, as on the real API. `outputs/stream`
is half-duplex (an NDJSON body, read in full); streams answer chunked NDJSON, one
`{"result": MultiOutputResponse}` per line (grpc-gateway's framing; the runtime also reads a bare
response per line or a JSON array, which the oracle's hook can send).

Each request is a record (`routes.new_record`) that `handler.py` fills in; `RestServer.hook` sees it
first and may answer instead (the seam of the test doubles' recording and faults).
"""

from __future__ import annotations

import socket
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from .handler import Handler, shut
from .registry import Listener, Registry

__all__ = ["Handler", "RestServer"]

AccessLog = Callable[[str], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    owner: RestServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A connection-level failure (the client went away): not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            self.owner.on_error(traceback.format_exc())


class RestServer(Listener):
    """A threaded HTTP server on `host:port` (port 0: a free one) serving `registry`'s models.

    Subclasses (the test doubles) may override `hook`, which sees every request record first, and
    `on_error`, which gets the traceback of a server bug (stderr by default)."""

    def __init__(
        self,
        registry: Registry,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: AccessLog | None = None,
    ) -> None:
        super().__init__(registry, host, port)
        self.access_log = access_log
        self._thread: threading.Thread | None = None
        self._open_lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}

    def hook(self, record: dict[str, Any], exchange: Handler) -> bool:
        """True if it answered the request itself (`exchange.send` / `exchange.drop`)."""
        return False

    def on_error(self, text: str) -> None:
        print(text, file=sys.stderr, end="")

    def start(self) -> RestServer:
        if self._server is not None:
            return self
        httpd = _Server((self.host, self.port), Handler)
        httpd.owner = self
        self._server = httpd
        self.port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"clarifai-codegen-serve-rest-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, close open connections and join their threads."""
        httpd, self._server = self._server, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._open_lock:
            still_open = list(self._open.items())
        for sock, thread in still_open:
            shut(sock)
            thread.join(timeout=2)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def opened(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open[sock] = threading.current_thread()

    def closed(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.pop(sock, None)

    @property
    def live_handlers(self) -> int:
        """Connection threads still running."""
        with self._open_lock:
            return sum(t.is_alive() for t in self._open.values())
