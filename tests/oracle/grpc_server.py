"""A local Clarifai gRPC API (the ``clarifai.api.V2`` service) on 127.0.0.1 running real models.

The twin of :mod:`tests.oracle.server`: a ``codegen.serve.grpc.GrpcServer`` (see ``base.py``) whose
hook records calls (with their requests as JSON in ``body``) and applies injected faults.

    with OracleGrpcServer(pat="test-pat") as srv:       # serves oracle_models()
        Client(transport="grpc", base_url=srv.base_url, pat="test-pat")
        srv.inject(abort_after=2)           # the next call is aborted (INTERNAL) after 2 messages
        srv.inject(hold_after=1)            # ... sends 1 message, then waits for the client to cancel
        srv.inject(delay=1.0)               # answer 1 s late; ``interval=`` between stream messages
        srv.last_request["done"].wait(5)    # then its "outcome": "ok", "cancelled", ...
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc

from codegen.serve.grpc import GrpcServer
from codegen.serve.recorder import Record, Rule
from codegen.serve.registry import to_json

from .base import OracleBase

__all__ = ["GrpcFault", "OracleGrpcServer"]


@dataclass
class GrpcFault(Rule):
    """See :meth:`OracleGrpcServer.inject`."""

    abort_after: int | None = None
    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    details: str = "injected fault"
    hold_after: int | None = None
    hold_timeout: float = 10.0
    delay: float = 0.0
    interval: float = 0.0

    def named(self, name: str, record: Record) -> bool:
        return name in (record["rpc"], record["route"], record["method_name"])


class OracleGrpcServer(OracleBase, GrpcServer):
    """Threaded local Clarifai gRPC server running real ``ModelClass`` models (the arguments are
    ``OracleBase``'s; ``versions`` as for ``OracleServer``: another ``version_id`` gets 21200)."""

    def wait_done(self, timeout: float = 5.0) -> list[Record]:
        """Wait until every call recorded so far has terminated (a client can see a call end
        before the server has run its termination callback); returns ``requests``."""
        deadline = time.monotonic() + timeout
        records = self.requests
        for record in records:
            if not record["done"].wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"call #{record['seq']} ({record['rpc']}) still running")
        return records

    def inject(self, **options: Any) -> GrpcFault:
        """Queue a fault (a :class:`GrpcFault`: ``options`` are its fields) for the next ``times``
        calls that ``match``.

        - ``abort_after=N``: ``context.abort(code, details)`` after N response messages (0: before
          running the model; also for unary calls).
        - ``hold_after=N``: after N messages, send nothing more and wait (up to ``hold_timeout``
          seconds) for the client to cancel; the record's ``outcome`` then says "cancelled".
        - ``delay``: sleep before the first message; ``interval``: sleep between messages.
        - ``match``: an RPC name, a route, a ``_method_name``, or a predicate over the record.
        """
        fault: GrpcFault = self._queue(GrpcFault(**options))
        return fault

    def hook(self, record: Record, context: grpc.ServicerContext) -> Any:
        """Record a call (a `codegen.serve.grpc.new_call`, plus ``body``, ``done``: set when it has
        terminated, and ``outcome``: "ok", "cancelled", "aborted" or "held", a ``hold_after``
        fault never cancelled) and wrap its responses in its fault."""
        stream = record["rpc"] == "StreamModelOutputs"  # its body grows as requests arrive
        record.update(body=[] if stream else to_json(record["proto"]), done=threading.Event())
        record.update(outcome=None, completed=False)
        fault = self._record(record) or GrpcFault()

        def on_done() -> None:
            if record["outcome"] is None:
                record["outcome"] = "ok" if record["completed"] else "cancelled"
            record["done"].set()

        if not context.add_callback(on_done):
            on_done()
        return lambda it: _faulty(it, record, fault, context)


_END = object()


def _faulty(
    it: Iterator[Any], record: Record, fault: GrpcFault, context: grpc.ServicerContext
) -> Iterator[Any]:
    """Stream `it`, applying `fault`."""
    try:
        time.sleep(fault.delay)
        sent = 0
        while True:
            if fault.abort_after is not None and sent >= fault.abort_after:
                record["outcome"] = "aborted"
                context.abort(fault.code, fault.details)
            if fault.hold_after is not None and sent >= fault.hold_after:
                if not record["done"].wait(fault.hold_timeout):
                    record["outcome"] = "held"  # the client never cancelled
                return
            if fault.interval and sent:
                time.sleep(fault.interval)
            resp = next(it, _END)
            if resp is _END:
                record["completed"] = True
                break
            yield resp
            sent += 1
    finally:
        getattr(it, "close", lambda: None)()
