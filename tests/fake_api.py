"""A fake Clarifai GetModel API on 127.0.0.1 serving saved method signatures, with injectable faults:
a `codegen.serve` REST server with no models whose hook records, applies faults and answers GetModel
and GetModelVersion from `bodies` (what it does not answer, serve does: 401, 404, ...).

By default it serves every file in `signatures/` under the ids in `signatures/index.json`.

    with FakeClarifai() as api:                     # or the `fake_api` pytest fixture
        api.add_model("u", "a", "m", body)          # GetModel, GetModelVersion or _GET_SIGNATURES
        api.inject("503", times=2)                  # the next 2 requests get HTTP 503
        api.inject("stall", seconds=5)              # answer 5 s late (cut short by stop())
        api.hits["/v2/users/u/apps/a/models/m"]     # requests per path

Fault kinds: an HTTP status in `FAULT_STATUS` (its `{"status": ...}` body; 429 with `Retry-After`),
"drop" (close the socket, no reply), "stall" (sleep `seconds`, then answer), "truncate" (half the
normal body), "failure" (HTTP 200 with `status.code` 10020 or `code=`), "html401" (HTTP 401, a
non-JSON body). `times=None`: a permanent fault; `model="u/a/m"`: that model's routes only.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from codegen.serve.recorder import Record
from codegen.serve.registry import Registry, status_body
from codegen.serve.rest import Handler, RestServer

from .oracle.base import FAULT_STATUS, ApiDouble
from .oracle.server import Fault, answer

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = ROOT / "signatures"
DEFAULT_PAT = "fake-pat-1234567890abcdef"

OK = status_body(10000, "Ok")
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


class FakeClarifai(ApiDouble, RestServer):
    """See the module docstring. `latency`: seconds added to every request."""

    def __init__(
        self, pat: str = DEFAULT_PAT, *, defaults: bool = True, latency: float = 0.0
    ) -> None:
        super().__init__(Registry([], pat, exact_auth=True))  # auth only: the hook has the models
        self.pat = pat
        self.latency = latency
        # (user, app, model) -> (the GetModel body, {version id: its GetModelVersion body})
        self.bodies: dict[tuple[str, str, str], tuple[Any, dict[str, Any]]] = {}
        self._in_flight = 0
        self.max_in_flight = 0  # the most requests handled at once
        if defaults:
            for user, app, model, body in default_models().values():
                self.add_model(user, app, model, body)

    def add_model(
        self, user: str, app: str, model: str, body: Any, version_id: str | None = None
    ) -> str:
        """Serve `body` (a GetModel or GetModelVersion body, or the SDK's `_GET_SIGNATURES` dict,
        served as it is where it fits) as the latest version of u/a/m, keeping the versions served
        before; returns the version id ("" if none). Nothing is validated."""
        ids = {"id": model, "user_id": user, "app_id": app}
        latest = copy.deepcopy(body) if "model" in body else {**OK, "model": ids}
        if "model_version" in body:
            latest["model"]["model_version"] = copy.deepcopy(body["model_version"])
        elif "model" not in body:  # _GET_SIGNATURES: {method name: signature}
            sigs = [{**sig, "name": name} for name, sig in body.items()]
            latest["model"]["model_version"] = {"method_signatures": sigs}
        mv = latest["model"].get("model_version")
        with self._lock:
            versions = dict(self.bodies.get((user, app, model), ({}, {}))[1])
            if isinstance(mv, dict):
                mv["id"] = version_id or mv.get("id") or "v1"
                versions[mv["id"]] = {**OK, "model_version": mv}
            self.bodies[user, app, model] = latest, versions
        return mv["id"] if isinstance(mv, dict) else ""

    def set_body(
        self, user: str, app: str, model: str, body: Any, version_id: str | None = None
    ) -> str:
        """Change what an existing model serves (e.g. drifted signatures)."""
        if (user, app, model) not in self.bodies:
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

    def hook(self, record: Record, exchange: Handler) -> bool:
        """Record the request, then apply latency and a matching fault, else answer it from
        `bodies` (an authorized GET of a known model or version); True if it answered."""
        record["monotonic"] = time.monotonic()
        fault: Fault | None = self._record(record)
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.latency > 0 and self._stopping.wait(self.latency):
                exchange.drop()
                return True
            authorized = self.registry.auth_error(record["headers"].get("authorization")) is None
            body = self._body(record) if authorized and record["method"] == "GET" else None
            fault = fault or (Fault(status=200, body=body) if body is not None else None)
            return answer(fault, record, exchange, self._stopping)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _body(self, record: Record) -> Any:
        """The GetModel / GetModelVersion body of the record's route (None: not served)."""
        key = (record["user_id"], record["app_id"], record["model_id"])
        latest, versions = self.bodies.get(key, (None, {}))
        routes = {"get_model": latest, "get_model_version": versions.get(record["version_id"])}
        return routes.get(record["route"])

    def _truncated(self, record: Record) -> bytes:
        """The normal answer's body, cut in half."""
        raw = json.dumps(self._body(record)).encode()
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
