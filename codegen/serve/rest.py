"""The REST half of `clarifai-codegen serve`: Clarifai's REST routes (`routes.py`: GetModel,
GetModelVersion, ListModelVersions, GetUser, and a model's `outputs`, `outputs/generate` and
`outputs/stream`), served from local models.

Bodies are parsed strictly into `PostModelOutputsRequest` (unknown fields: a 400) and handed to the
SDK's `predict_wrapper` / `generate_wrapper` / `stream_wrapper`, as a runner does. Responses are the
protos' REST JSON; a model FAILURE is HTTP 200 with that status, as on the real API. `outputs/stream`
is half-duplex (an NDJSON or JSON-array body, read in full); streams answer chunked NDJSON, one
`{"result": MultiOutputResponse}` per line (`stream_framing` "result"; "bare": the response alone;
"array": one JSON array).

Each request is a record (`routes.new_record`) that `handler.py` fills in; a `hook` sees it first and
may answer instead (the test doubles' recording and faults), `after` sees it last.
"""

from __future__ import annotations

import socket
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any, Final

from .handler import Handler, shut
from .registry import Listener, Registry

__all__ = ["FRAMINGS", "Handler", "RestHook", "RestServer"]

AccessLog = Callable[[str], None]
FRAMINGS: Final = ("result", "bare", "array")
RestHook = Callable[[dict[str, Any], Handler], bool]  # True: the hook answered


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

    `hook` sees every request record first, `after` last; `on_error` gets the traceback of a server
    bug (stderr by default)."""

    def __init__(
        self,
        registry: Registry,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_log: AccessLog | None = None,
        hook: RestHook | None = None,
        after: Callable[[dict[str, Any]], None] | None = None,
        on_error: Callable[[str], None] = lambda text: print(text, file=sys.stderr, end=""),
    ) -> None:
        super().__init__(registry, host, port)
        self.access_log = access_log
        self.hook = hook
        self.after = after
        self.on_error = on_error
        self.stream_framing = "result"
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}

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
        with self._lock:
            still_open = list(self._open.items())
        for sock, thread in still_open:
            shut(sock)
            thread.join(timeout=2)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._open[sock] = threading.current_thread()

    def closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.pop(sock, None)

    @property
    def live_handlers(self) -> int:
        """Connection threads still running."""
        with self._lock:
            return sum(t.is_alive() for t in self._open.values())
