"""What the REST and gRPC oracles share: the models, request recording and the fault queue.

Both serve through `codegen.serve` (the shipped local API) with the oracle's stricter settings: only
`Key <pat>` byte for byte, only the configured version of each model, and a PAT owner for
users/me. What stays independent of the code under test is the SDK: request bodies are parsed with
Clarifai's protos and models are run by the SDK's own `predict_wrapper` / `generate_wrapper` /
`stream_wrapper`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from typing import Any, Protocol

# model_class reads RAISE_EXCEPTIONS at import time; exceptions must become FAILURE statuses.
os.environ.pop("RAISE_EXCEPTIONS", None)

from clarifai.runners.models.model_class import ModelClass

from codegen.serve.registry import QuietModelErrors, Registry, ServedModel, failures_as_statuses
from codegen.spec import ModelRef

ModelKey = tuple[str, str, str]

__all__ = ["DEFAULT_OWNER", "DEFAULT_PAT", "ModelKey", "OracleBase"]

DEFAULT_PAT = "test-pat"
DEFAULT_OWNER = "oracle-owner"  # the user id of DEFAULT_PAT's owner (users/me, GetUser)


class _Fault(Protocol):
    times: int
    hits: int

    def matches(self, record: dict[str, Any]) -> bool: ...


class OracleBase:
    """Models (``{(user_id, app_id, model_id): ModelClass}``, ``load_model()`` called on each; None:
    ``oracle_models()``), their versions (else the class's ``VERSION_ID``, else an md5-derived id;
    another version id is "Model does not exist"), the only PAT accepted and its owner's id (users/me,
    GetUser); ``quiet`` silences the SDK's failure tracebacks; ``options`` go to the server."""

    def __init__(
        self,
        models: Mapping[ModelKey, ModelClass] | None = None,
        pat: str = DEFAULT_PAT,
        versions: Mapping[ModelKey, str] | None = None,
        *,
        owner_id: str = DEFAULT_OWNER,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
        **options: Any,
    ) -> None:
        from .models import default_version_id, oracle_models, oracle_versions

        if models is None:
            models = oracle_models()
            versions = {**oracle_versions(), **(versions or {})}
        self.models: dict[ModelKey, ModelClass] = dict(models)
        self.versions: dict[ModelKey, str] = {}
        for key, model in self.models.items():
            model.load_model()
            self.versions[key] = (
                (versions or {}).get(key)
                or getattr(model, "VERSION_ID", None)
                or default_version_id(key)
            )
        served = [
            ServedModel(
                ModelRef(*key),
                model,
                self.versions[key],
                model_type_id=getattr(model, "MODEL_TYPE_ID", "any-to-any"),
            )
            for key, model in self.models.items()
        ]
        self.registry = Registry(
            served, pat, owner_id=owner_id, strict_versions=True, exact_auth=True
        )
        self.pat, self.owner_id, self.host, self.quiet = pat, owner_id, host, quiet
        self._lock = threading.Lock()
        self._requests: list[dict[str, Any]] = []
        self._faults: list[Any] = []
        self._log_filter = QuietModelErrors()
        self._server = self._make_server(host, port, **options)

    def _make_server(self, host: str, port: int, **options: Any) -> Any:
        raise NotImplementedError

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> Any:
        failures_as_statuses()
        if self.quiet:
            logging.getLogger("clarifai").addFilter(self._log_filter)
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        logging.getLogger("clarifai").removeFilter(self._log_filter)

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        port: int = self._server.port
        return port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the ``base_url`` of a client (REST, or gRPC plaintext)."""
        if not self._server.running:
            raise RuntimeError(f"{type(self).__name__} is not running")
        url: str = self._server.url
        return url

    # ---------------------------------------------------------------- recording
    @property
    def requests(self) -> list[dict[str, Any]]:
        """A snapshot of every request received, oldest first (see the subclass for the keys)."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> dict[str, Any]:
        with self._lock:
            if not self._requests:
                raise LookupError("no request recorded")
            return self._requests[-1]

    @property
    def user_lookups(self) -> int:
        """How many users/me (GetUser) requests were received."""
        return sum(1 for r in self.requests if r["route"] == "get_user")

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        """Forget requests and pending faults."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()

    # ---------------------------------------------------------------- faults
    def _queue(self, fault: Any) -> Any:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.times - f.hits for f in self._faults)

    def _record(self, record: dict[str, Any]) -> Any:
        """Keep `record` and take the first queued fault that matches it (None if none does)."""
        with self._lock:
            record["seq"] = len(self._requests)
            self._requests.append(record)
            fault: _Fault
            for fault in self._faults:
                if fault.matches(record):
                    fault.hits += 1
                    if fault.hits >= fault.times:
                        self._faults.remove(fault)
                    record["fault"] = True
                    return fault
        return None
