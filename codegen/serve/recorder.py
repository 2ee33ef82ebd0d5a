"""What the hook of a `rest.RestServer` / `grpc.GrpcServer` subclass may keep: every request record,
and a FIFO queue of rules matched against them (the test doubles' faults), all behind one lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Record", "Recorder", "Rule"]

Record = dict[str, Any]  # `routes.new_record` (REST) or `grpc.new_call` (gRPC)


@dataclass
class Rule:
    """Applies to the next `times` requests (None: all) that `match`: a predicate over the record
    or a name (`named`); `hits` counts uses."""

    times: int | None = 1
    match: str | Callable[[Record], bool] | None = None
    hits: int = 0

    def matches(self, record: Record) -> bool:
        if isinstance(self.match, str):
            return self.named(self.match, record)
        return self.match is None or bool(self.match(record))

    def named(self, name: str, record: Record) -> bool:
        raise NotImplementedError


class Recorder:
    """Records (`_record`) and queued rules (`_queue`); `requests` is a snapshot, oldest first.

    A mixin: a test double is a `Recorder` and a server (`class Double(Recorder, RestServer)`), so
    the constructor passes its arguments on to the server's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._requests: list[Record] = []
        self._rules: list[Rule] = []

    @property
    def requests(self) -> list[Record]:
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> Record:
        with self._lock:
            if not self._requests:
                raise LookupError("no request recorded")
            return self._requests[-1]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        """Forget requests and pending rules."""
        with self._lock:
            self._requests.clear()
            self._rules.clear()

    @property
    def pending_faults(self) -> int:
        """Uses left of the rules with a `times`."""
        with self._lock:
            return sum(r.times - r.hits for r in self._rules if r.times is not None)

    def _queue(self, rule: Any) -> Any:
        with self._lock:
            self._rules.append(rule)
        return rule

    def _record(self, record: Record) -> Any:
        """Keep `record` (adding `seq`, and `fault`: True if a rule applies); returns the first
        queued rule that matches it, or None."""
        with self._lock:
            record["seq"] = len(self._requests)
            self._requests.append(record)
            for rule in self._rules:
                if rule.matches(record):
                    rule.hits += 1
                    if rule.times is not None and rule.hits >= rule.times:
                        self._rules.remove(rule)
                    record["fault"] = True
                    return rule
        return None
