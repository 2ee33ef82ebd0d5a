"""A fake Clarifai GetModel API on 127.0.0.1 serving saved method signatures, with injectable faults:
`codegen.serve`'s signature-only models (`SignatureModel`), recording and faults in its hook.

By default it serves every file in `signatures/` under the ids in `signatures/index.json`.

    with FakeClarifai() as api:                     # or the `fake_api` pytest fixture
        api.add_model("u", "a", "m", body)          # any shape: GetModel, GetModelVersion, list, dict
        api.inject("503", times=2)                  # the next 2 requests get HTTP 503
        api.inject("stall", seconds=5)              # answer 5 s late (cut short by stop())
        api.hits["/v2/users/u/apps/a/models/m"]     # requests per path

Fault kinds: an HTTP status in `FAULT_STATUS` (its `{"status": ...}` body; 429 with `Retry-After`),
"drop" (close the socket, no reply), "stall" (sleep `seconds`, then answer), "truncate" (half the
normal body), "failure" (HTTP 200 with `status.code` 10020 or `code=`), "html401" (HTTP 401, a
non-JSON body). `times=None`: a permanent fault; `model="u/a/m"`: that model's routes only.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from codegen.serve.recorder import Record
from codegen.serve.registry import Registry, SignatureModel, status_body
from codegen.serve.rest import Handler, RestServer
from codegen.serve.signatures import signature_model
from codegen.spec import ModelRef

from .oracle.base import FAULT_STATUS, ApiDouble
from .oracle.server import Fault, answer

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = ROOT / "signatures"
DEFAULT_PAT = "fake-pat-1234567890abcdef"

_HTML401 = b"<html><body>401 Unauthorized</body></html>"
FAULT_KINDS = frozenset(map(str, FAULT_STATUS)) | {
    "drop",
    "stall",
    "truncate",
    "failure",
    "html401",
}


def default_models() -> dict[str, tuple[str, str, str, Any]]:
    """{file stem: (user, app, model, body)} for every saved signature file."""
    index = json.loads((SIGNATURES / "index.json").read_text(encoding="utf-8"))
    out = {}
    for stem, entry in sorted(index.items()):
        ids = entry["model"]
        body = json.loads((SIGNATURES / f"{stem}.json").read_text(encoding="utf-8"))
        out[stem] = (ids["user_id"], ids["app_id"], ids["id"], body)
    return out


class FakeClarifai(ApiDouble):
    """See the module docstring. `latency`: seconds added to every request."""

    def __init__(
        self, pat: str = DEFAULT_PAT, *, defaults: bool = True, latency: float = 0.0
    ) -> None:
        super().__init__()
        self.pat = pat
        self.latency = latency
        self.registry = Registry([], pat, strict_versions=True, exact_auth=True)
        self._server = RestServer(
            self.registry, hook=self._hook, after=self._done, on_error=lambda _: None
        )
        self._in_flight = 0
        self.max_in_flight = 0  # the most requests handled at once
        if defaults:
            for user, app, model, body in default_models().values():
                self.add_model(user, app, model, body)

    @property
    def live_handlers(self) -> int:
        return self._server.live_handlers

    def add_model(
        self, user: str, app: str, model: str, body: Any, version_id: str | None = None
    ) -> str:
        """Serve `body` (any signature shape, see `codegen.serve.signatures`) as the latest version
        of u/a/m, keeping the versions served before; returns the version id ("" if none)."""
        key = (user, app, model)
        made = signature_model(ModelRef(*key), body, version_id)
        with self._lock:
            old = self.registry.models.get(key)
            if isinstance(old, SignatureModel):
                made = replace(made, versions={**old.versions, **made.versions})
            self.registry.models[key] = made
        return made.version_id

    def set_body(
        self, user: str, app: str, model: str, body: Any, version_id: str | None = None
    ) -> str:
        """Change what an existing model serves (e.g. drifted signatures)."""
        if (user, app, model) not in self.registry.models:
            raise KeyError(f"no model {user}/{app}/{model}")
        return self.add_model(user, app, model, body, version_id)

    def inject(
        self,
        kind: str,
        times: int | None = 1,
        *,
        model: str | None = None,
        retry_after: float | str | None = None,
        seconds: float = 5.0,
        code: int | None = None,
        description: str | None = None,
    ) -> None:
        """Queue a fault for the next `times` requests (None: all), to `model` ("u/a/m") if given."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        http = int(kind) if kind.isdigit() else None
        default_code, default_description = FAULT_STATUS.get(http or 0, (10020, "Failure"))
        body = status_body(code or default_code, description or default_description)
        fault: dict[str, Any] = {
            "failure": {"status": 200},
            "html401": {"status": 401, "body": _HTML401, "content_type": "text/html"},
            "drop": {"drop": True},
            "stall": {"delay": seconds},
            "truncate": {"status": 200, "body": self._truncated},
        }.get(kind, {"status": http})
        if kind == "429" or retry_after is not None:
            fault["headers"] = {"Retry-After": str(1 if retry_after is None else retry_after)}
        match = None if model is None else (lambda record: _model_of(record) == model)
        self._queue(Fault(times=times, match=match, **{"body": body, **fault}))

    @property
    def hits(self) -> Counter[str]:
        """Requests per path (a snapshot)."""
        return Counter(r["path"] for r in self.requests)

    def total_hits(self) -> int:
        return len(self.requests)

    def request_times(self, path: str | None = None) -> list[float]:
        """`time.monotonic()` of each request (to `path`)."""
        return [r["monotonic"] for r in self.requests if path is None or r["path"] == path]

    @property
    def last_headers(self) -> httpx.Headers:
        """The headers of the last request."""
        requests = self.requests
        return httpx.Headers(requests[-1]["headers"] if requests else {})

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.max_in_flight = 0
        self.latency = 0.0

    def _hook(self, record: Record, exchange: Handler) -> bool:
        """Record the request, then apply latency and a matching fault; True if that answered."""
        record["monotonic"] = time.monotonic()
        fault: Fault | None = self._record(record)
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        if self.latency > 0 and self._stopping.wait(self.latency):
            exchange.drop()
            return True
        return answer(fault, record, exchange, self._stopping)

    def _done(self, record: Record) -> None:
        with self._lock:
            self._in_flight -= 1

    def _truncated(self, record: Record) -> bytes:
        """The normal answer's body, cut in half."""
        ids = [record[k] for k in ("user_id", "app_id", "model_id", "version_id")]
        served = self.registry.route(f"Key {self.pat}", *ids)
        body = (
            status_body(*served)
            if isinstance(served, tuple)
            else served.get_body(record["route"], ids[3])
        )
        raw = json.dumps(body).encode()
        return raw[: len(raw) // 2]


def _model_of(record: Record) -> str:
    return "/".join(record[k] or "" for k in ("user_id", "app_id", "model_id"))


@pytest.fixture(name="fake_api")
def fake_api_fixture() -> Iterator[FakeClarifai]:
    """`fake_api`: a running FakeClarifai serving the saved signatures (function scoped).

    Use it with `from .fake_api import fake_api_fixture  # noqa: F401` in a test module (the fixture is
    named `fake_api`; importing it under another name keeps ruff's F811 quiet), or list
    `"tests.fake_api"` in `pytest_plugins` in tests/conftest.py.
    """
    with FakeClarifai() as api:
        yield api
