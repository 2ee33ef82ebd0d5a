"""A fake Clarifai REST API on 127.0.0.1 serving saved method signatures, with injectable faults: the
signature-only models (`SignatureModel`) of `codegen.serve`, with faults and counters in its hook.

Routes::

    GET /v2/users/{u}/apps/{a}/models/{m}                 GetModel: {"status", "model": {..., "model_version"}}
    GET /v2/users/{u}/apps/{a}/models/{m}/versions/{v}    GetModelVersion: {"status", "model_version"}

By default it serves every file in `signatures/` under the ids listed in `signatures/index.json` (GetModel
files on the latest route, GetModelVersion files on the version route, each derived from the other; the SDK's
camelCase `_GET_SIGNATURES` file is converted to a `model_version`).

    with FakeClarifai() as api:                     # or the `fake_api` pytest fixture
        api.base_url, api.pat                       # point RemoteSettings here
        api.add_model("u", "a", "m", body)          # any shape: GetModel, GetModelVersion, list, dict
        api.set_body("u", "a", "m", body)           # change a served model (drift tests)
        api.inject("503", times=2)                  # the next 2 requests get HTTP 503
        api.inject("429", retry_after=0.2)          # HTTP 429 with `Retry-After: 0.2`
        api.inject("stall", seconds=5)              # answer 5 s late (cut short by stop())
        api.latency = 0.05                          # every request takes 50 ms longer
        api.hits["/v2/users/u/apps/a/models/m"]     # requests per path
        api.request_times(path)                     # time.monotonic() of each request to `path`

Fault kinds: "401", "403", "404" (proper `{"status": ...}` bodies), "429" (with `Retry-After`), "500",
"502", "503", "504", "drop" (close the socket without a reply), "stall" (sleep `seconds`, then answer),
"truncate" (the normal body cut in half, with a matching Content-Length), "failure" (HTTP 200 with a
failure `status.code`, 10020 unless `code=` says otherwise), "html401" (HTTP 401 with a non-JSON body).
`times=None` makes a fault permanent; `model="u/a/m"` limits it to one model's routes.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from codegen.serve.registry import Registry, SignatureModel
from codegen.serve.rest import Exchange, RestServer
from codegen.serve.signatures import signature_model
from codegen.spec import ModelRef

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = ROOT / "signatures"
DEFAULT_PAT = "fake-pat-1234567890abcdef"

_FAULT_STATUS: dict[str, tuple[int, int, str]] = {
    "401": (401, 11008, "Invalid API key or Invalid API key/application pair"),
    "403": (403, 11007, "Insufficient scopes"),
    "404": (404, 21200, "Model does not exist"),
    "429": (429, 11005, "Making too many requests"),
    "500": (500, 98004, "Internal server issue"),
    "502": (502, 98004, "Bad gateway"),
    "503": (503, 98004, "Service unavailable"),
    "504": (504, 98004, "Gateway timeout"),
}
FAULT_KINDS = frozenset(_FAULT_STATUS) | {"drop", "stall", "truncate", "failure", "html401"}


def status(code: int = 10000, description: str = "Ok") -> dict[str, Any]:
    return {"code": code, "description": description, "req_id": "fake-req-0001"}


@dataclass
class _Fault:
    kind: str
    remaining: int | None
    model: str | None
    retry_after: float | str | None = None
    seconds: float = 5.0
    code: int | None = None
    description: str | None = None
    served: int = field(default=0)

    def matches(self, key: str) -> bool:
        return self.remaining != 0 and (self.model is None or self.model == key)


def default_models() -> dict[str, tuple[str, str, str, Any]]:
    """{file stem: (user, app, model, body)} for every saved signature file."""
    index = json.loads((SIGNATURES / "index.json").read_text(encoding="utf-8"))
    out = {}
    for stem, entry in sorted(index.items()):
        ids = entry["model"]
        body = json.loads((SIGNATURES / f"{stem}.json").read_text(encoding="utf-8"))
        out[stem] = (ids["user_id"], ids["app_id"], ids["id"], body)
    return out


class FakeClarifai:
    """See the module docstring."""

    def __init__(
        self, pat: str = DEFAULT_PAT, *, defaults: bool = True, latency: float = 0.0
    ) -> None:
        self.pat = pat
        self.latency = latency
        self.registry = Registry([], pat, strict_versions=True, exact_auth=True)
        self._rest = RestServer(
            self.registry, hook=self._hook, after=self._done, on_error=lambda _: None
        )
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._hits: Counter[str] = Counter()
        self._times: list[tuple[float, str]] = []
        self._in_flight = 0
        #: the most requests handled at once; the headers of the last request
        self.max_in_flight = 0
        self.last_headers: httpx.Headers = httpx.Headers()
        self._stopping = threading.Event()
        if defaults:
            for user, app, model, body in default_models().values():
                self.add_model(user, app, model, body)

    def start(self) -> FakeClarifai:
        self._stopping.clear()
        self._rest.start()
        return self

    def stop(self) -> None:
        """Stop promptly: stalls are cut short, open connections closed, handler threads joined."""
        self._stopping.set()
        self._rest.stop()

    def __enter__(self) -> FakeClarifai:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._rest.port

    @property
    def base_url(self) -> str:
        return self._rest.url

    @property
    def live_handlers(self) -> int:
        return self._rest.live_handlers

    # ------------------------------------------------------------------ models
    @staticmethod
    def path(user: str, app: str, model: str, version_id: str | None = None) -> str:
        path = f"/v2/users/{user}/apps/{app}/models/{model}"
        return path + (f"/versions/{version_id}" if version_id else "")

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

    def remove_model(self, user: str, app: str, model: str) -> None:
        with self._lock:
            self.registry.models.pop((user, app, model), None)

    def models(self) -> list[str]:
        with self._lock:
            return sorted("/".join(key) for key in self.registry.models)

    # ------------------------------------------------------------------ faults and counters
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
        """Queue a fault for the next `times` matching requests (None: every request)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        if kind == "429" and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.append(_Fault(kind, times, model, retry_after, seconds, code, description))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def hits(self) -> Counter[str]:
        """Requests per path (a snapshot)."""
        with self._lock:
            return Counter(self._hits)

    def total_hits(self) -> int:
        with self._lock:
            return sum(self._hits.values())

    def request_times(self, path: str | None = None) -> list[float]:
        with self._lock:
            return [t for t, p in self._times if path is None or p == path]

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._hits.clear()
            self._times.clear()
            self.max_in_flight = 0
        self.latency = 0.0

    # ------------------------------------------------------------------ the server's hooks
    def _hook(self, record: dict[str, Any], exchange: Exchange) -> bool:
        """Count the request, then apply latency and a matching fault; True if that answered."""
        if record["method"] == "POST":  # not counted: this API answers GETs only
            exchange.send(405, {"status": status(11103, "Method not allowed")})
            return True
        key = "/".join(record[k] or "" for k in ("user_id", "app_id", "model_id"))
        with self._lock:
            self._hits[record["path"]] += 1
            self._times.append((time.monotonic(), record["path"]))
            self.last_headers = httpx.Headers(record["headers"])
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            fault = next((f for f in self._faults if f.matches(key)), None)
            if fault is not None:
                if fault.remaining is not None:
                    fault.remaining -= 1
                fault.served += 1
        if self.latency > 0 and self._stopping.wait(self.latency):
            exchange.drop()
            return True
        return fault is not None and self._fault(fault, record, exchange)

    def _done(self, record: dict[str, Any]) -> None:
        if record["method"] != "POST":
            with self._lock:
                self._in_flight -= 1

    def _fault(self, fault: _Fault, record: dict[str, Any], exchange: Exchange) -> bool:
        """Serve a fault; False when the normal answer should still follow (a short stall)."""
        kind = fault.kind
        if kind in _FAULT_STATUS:
            http, code, desc = _FAULT_STATUS[kind]
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            body = {"status": status(fault.code or code, fault.description or desc)}
            exchange.send(http, body, headers)
        elif kind == "html401":
            exchange.send(401, b"<html><body>401 Unauthorized</body></html>", {}, "text/html")
        elif kind == "failure":
            body = {"status": status(fault.code or 10020, fault.description or "Failure")}
            exchange.send(200, body)
        elif kind == "drop" or (kind == "stall" and self._stopping.wait(fault.seconds)):
            exchange.drop()
        elif kind == "truncate":
            served = self.registry.lookup(
                record["user_id"], record["app_id"], record["model_id"], record["version_id"]
            )
            if served is None:
                return False
            raw = json.dumps(served.get_body(record["route"], record["version_id"])).encode()
            exchange.send(200, raw[: len(raw) // 2])
        else:
            return False
        return True


@pytest.fixture(name="fake_api")
def fake_api_fixture() -> Iterator[FakeClarifai]:
    """`fake_api`: a running FakeClarifai serving the saved signatures (function scoped).

    Use it with `from .fake_api import fake_api_fixture  # noqa: F401` in a test module (the fixture is
    named `fake_api`; importing it under another name keeps ruff's F811 quiet), or list
    `"tests.fake_api"` in `pytest_plugins` in tests/conftest.py.
    """
    with FakeClarifai() as api:
        yield api
