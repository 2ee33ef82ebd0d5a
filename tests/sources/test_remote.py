"""codegen.sources.remote against the fake Clarifai API (tests/fake_api.py) over real sockets on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from codegen import parser
from codegen.errors import CodegenError
from codegen.runtime.protocol import DEFAULT_API_BASE, parse_retry_after
from codegen.sources.remote.fetch import FetchResult, fetch
from codegen.sources.remote.fetch_many import fetch_many
from codegen.sources.remote.progress import Progress
from codegen.sources.remote.refs import looks_remote, model_url, parse_model_ref
from codegen.sources.remote.settings import RemoteSettings
from codegen.spec import ModelRef

from ..fake_api import (
    DEFAULT_PAT,
    SIGNATURES,
    FakeClarifai,
    default_models,
    fake_api_fixture,  # noqa: F401  (the `fake_api` fixture)
)

pytestmark = pytest.mark.timeout(60)

PAT = DEFAULT_PAT
HELLO = ModelRef("runners-examples", "main", "hello-world")
HELLO_PATH = "/v2/users/runners-examples/apps/main/models/hello-world"


def settings_for(fake_api: FakeClarifai, **overrides: Any) -> RemoteSettings:
    values: dict[str, Any] = {
        "pat": fake_api.pat,
        "api_base": fake_api.base_url,
        "timeout": 2.0,
        "max_attempts": 5,
        "max_seconds": 10.0,
        "backoff": 0.01,
    }
    values.update(overrides)
    return RemoteSettings(**values)


def assert_no_pat(*things: object, pat: str = PAT) -> None:
    for thing in things:
        for text in (str(thing), repr(thing)):
            assert pat not in text, text


def progress_output(results: list[FetchResult], is_tty: bool) -> str:
    out = io.StringIO()
    progress = Progress(len(results), out, is_tty=is_tty)
    for r in results:
        progress.update(r)
    progress.close()
    return out.getvalue()


# ------------------------------------------------------------------------------------ references

# fmt: off
GOOD_REFS = [
    ("https://clarifai.com/openai/chat-completion/models/gpt-oss-120b", ("openai", "chat-completion", "gpt-oss-120b", None)),
    ("https://clarifai.com/openai/chat-completion/models/gpt-oss-120b/", ("openai", "chat-completion", "gpt-oss-120b", None)),
    ("https://clarifai.com/u/a/models/m?tab=overview", ("u", "a", "m", None)),
    ("https://clarifai.com/u/a/models/m/?tab=overview#versions", ("u", "a", "m", None)),
    ("https://clarifai.com/u/a/models/m#top", ("u", "a", "m", None)),
    ("https://clarifai.com/u/a/models/m/versions/abc123", ("u", "a", "m", "abc123")),
    ("https://clarifai.com/u/a/models/m/versions/abc123/?x=1", ("u", "a", "m", "abc123")),
    ("http://clarifai.com/u/a/models/m", ("u", "a", "m", None)),
    ("clarifai.com/u/a/models/m", ("u", "a", "m", None)),
    ("CLARIFAI.COM/u/a/models/m/versions/v-1", ("u", "a", "m", "v-1")),
    ("https://web-staging.example.dev:8443/u/a/models/m.v2", ("u", "a", "m.v2", None)),
    ("  https://clarifai.com/u/a/models/m  ", ("u", "a", "m", None)),
    ("u/a/m", ("u", "a", "m", None)),
    ("runners-examples/main/qwen3-0_6B@f4d6cd00", ("runners-examples", "main", "qwen3-0_6B", "f4d6cd00")),
]
# fmt: on


@pytest.mark.parametrize(("text", "ids"), GOOD_REFS)
def test_parse_model_ref(text: str, ids: tuple[str, str, str, str | None]) -> None:
    ref = parse_model_ref(text)
    assert ref == ModelRef(*ids)
    assert parse_model_ref(model_url(ref)) == ref
    assert looks_remote(text.strip())


BAD_REFS = [
    ("https://clarifai.com/u/a/workflows/w", "workflow URL"),
    ("https://clarifai.com/u/a/workflows/w/versions/1", "workflow URL"),
    ("https://clarifai.com/u/a/models", "not a model URL"),
    ("https://clarifai.com/u/a/models/m/extra", "not a model URL"),
    ("https://clarifai.com/u/a/models/m/version/v", "not a model URL"),
    ("https://clarifai.com/u/a/models/m/versions/v/outputs", "not a model URL"),
    ("https://clarifai.com/u/a/Models/m", "not a model URL"),
    ("https://clarifai.com//a/models/m", "not a model URL"),
    ("https://clarifai.com/u/a/models/m//", "not a model URL"),
    ("https://clarifai.com/u/a/models/m/versions/", "not a model URL"),
    ("https://clarifai.com/", "not a model URL"),
    ("https://clarifai.com/u/../models/m", "invalid app id '..'"),
    ("https://clarifai.com/u/a/models/..", "invalid model id '..'"),
    ("https://clarifai.com/u/a/models/%2e%2e", "invalid model id"),
    ("https://clarifai.com/u/a/models/m/versions/..", "invalid version id '..'"),
    ("https://clarifai.com/u/a/models/a..b", "invalid model id"),
    ("ftp://clarifai.com/u/a/models/m", "not a model URL"),
    ("https:///u/a/models/m", "not a model URL"),
    ("u/../m", "invalid app id '..'"),
    ("u/a/m@..", "invalid version id '..'"),
    ("u/a/m@", "empty version"),
    ("u/a", "not a model reference"),
    ("u/a/m/x", "not a model reference"),
    ("u//m", "not a model reference"),
    ("u/a/m\nrm -rf", "invalid model id"),
    ("", "empty model reference"),
]


@pytest.mark.parametrize(("text", "message"), BAD_REFS)
def test_parse_model_ref_rejects(text: str, message: str) -> None:
    with pytest.raises(CodegenError) as info:
        parse_model_ref(text)
    text_out = str(info.value)
    assert message in text_out
    assert "\n" not in text_out
    if text:
        assert info.value.where == text


def test_model_url() -> None:
    assert model_url(HELLO) == "https://clarifai.com/runners-examples/main/models/hello-world"
    pinned = dataclasses.replace(HELLO, version_id="abc")
    assert model_url(pinned).endswith("/models/hello-world/versions/abc")


def test_looks_remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "u" / "a").mkdir(parents=True)
    (tmp_path / "u" / "a" / "m").write_text("{}")
    (tmp_path / "x" / "y" / "z").mkdir(parents=True)
    assert not looks_remote("u/a/m")  # an existing file
    assert not looks_remote("x/y/z")  # an existing model directory
    assert not looks_remote("missing/file/sig.json")  # JSON is always a file
    assert not looks_remote("https://clarifai.com/sig.JSON")
    assert not looks_remote("./p/q")
    assert not looks_remote("/abs/p/q")
    assert not looks_remote("just-a-name")
    assert not looks_remote("")
    assert looks_remote("v/w/m")
    assert looks_remote("v/w/m@123")
    assert looks_remote("https://clarifai.com/u/a/models/m")
    assert looks_remote("http://localhost:8000/u/a/models/m")
    assert looks_remote("clarifai.com/u/a/models/m")
    assert looks_remote("u/../m")  # remote-looking; parse_model_ref then rejects the id


def test_parse_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.2") == 0.2
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    now = 784111777.0  # Sun, 06 Nov 1994 08:49:37 GMT
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now=now) == 10.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:27 GMT", now=now) == 0.0


# ------------------------------------------------------------------------------------ settings


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLARIFAI_PAT", PAT)
    monkeypatch.setenv("CLARIFAI_API_BASE", "http://127.0.0.1:9/")
    s = RemoteSettings.from_env(timeout=3.0)
    assert s.pat == PAT and s.api_base == "http://127.0.0.1:9" and s.timeout == 3.0
    s = RemoteSettings.from_env(pat="other-pat-value", api_base="https://api.example.com")
    assert s.pat == "other-pat-value" and s.api_base == "https://api.example.com"
    monkeypatch.delenv("CLARIFAI_API_BASE")
    assert RemoteSettings().api_base == DEFAULT_API_BASE
    assert_no_pat(RemoteSettings.from_env())
    assert "***" in repr(RemoteSettings.from_env())


def test_missing_pat_fails_only_when_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLARIFAI_PAT", raising=False)
    s = RemoteSettings.from_env(api_base="http://127.0.0.1:9")
    assert s.pat is None
    for call in (lambda: fetch(HELLO, s), lambda: fetch_many([HELLO], s)):
        with pytest.raises(
            CodegenError, match=r"^no Clarifai PAT: set CLARIFAI_PAT or pass --pat$"
        ):
            call()


def test_unsendable_pat_is_not_echoed() -> None:
    s = RemoteSettings(pat="secret-pat\nX-Evil: 1", api_base="http://127.0.0.1:9")
    with pytest.raises(CodegenError) as info:
        fetch(HELLO, s)
    assert_no_pat(info.value, s, pat="secret-pat")


@pytest.mark.parametrize(
    "overrides",
    [
        {"api_base": "ftp://x"},
        {"api_base": "api.clarifai.com"},
        {"timeout": 0},
        {"max_attempts": 0},
        {"max_seconds": float("nan")},
        {"backoff": -1},
        {"concurrency": 0},
    ],
)
def test_invalid_settings(overrides: dict[str, Any]) -> None:
    with pytest.raises(CodegenError, match="invalid"):
        RemoteSettings(**{"pat": PAT, "api_base": "http://127.0.0.1:9", **overrides})


# ------------------------------------------------------------------------------------ fetching

MODELS = default_models()


@pytest.mark.parametrize("stem", sorted(MODELS))
def test_fetch_matches_saved_file(fake_api: FakeClarifai, stem: str) -> None:
    user, app, model, saved = MODELS[stem]
    ref = ModelRef(user, app, model)
    expected, _ = parser.parse_model(saved, stem, ref)
    settings = settings_for(fake_api)

    latest = fetch(ref, settings)
    assert latest.ok and latest.attempts == 1, latest.error
    assert latest.url == model_url(ref)
    assert fake_api.last_headers["Authorization"] == f"Key {PAT}"
    assert fake_api.last_headers["Accept"] == "application/json"
    assert "model" in (latest.body or {})
    spec, _ = parser.parse_model(latest.body, latest.url, latest.ref)
    assert spec.fingerprint() == expected.fingerprint()
    assert latest.method_count == len(expected.methods)

    version = latest.version_id
    assert version
    pinned_ref = dataclasses.replace(ref, version_id=version)
    pinned = fetch(pinned_ref, settings)
    assert pinned.ok, pinned.error
    assert pinned.url.endswith(f"/versions/{version}")
    assert set(pinned.body or {}) == {"status", "model_version"}
    spec, _ = parser.parse_model(pinned.body, pinned.url, pinned.ref)
    assert spec.fingerprint() == expected.fingerprint()
    assert spec.ref.version_id == version
    assert fake_api.hits[FakeClarifai.path(user, app, model)] == 1
    assert fake_api.hits[FakeClarifai.path(user, app, model, version)] == 1


def test_fetch_body_is_the_document_as_served(fake_api: FakeClarifai) -> None:
    raw = json.loads((SIGNATURES / "hello-world.json").read_text())
    result = fetch(HELLO, settings_for(fake_api))
    assert result.body == raw
    assert result.unwrap() is result.body


def test_drift_after_set_body(fake_api: FakeClarifai) -> None:
    settings = settings_for(fake_api)
    before = fetch(HELLO, settings)
    body = json.loads(json.dumps(before.body))
    body["model"]["model_version"]["method_signatures"] = body["model"]["model_version"][
        "method_signatures"
    ][:1]
    fake_api.set_body(*HELLO.path.split("/"), body)
    after = fetch(HELLO, settings)
    assert after.method_count == 1 < before.method_count
    fp = [parser.parse_model(r.body, r.url, r.ref)[0].fingerprint() for r in (before, after)]
    assert fp[0] != fp[1]


@dataclasses.dataclass
class Case:
    kind: str | None  # fault to inject (None: none)
    message: str  # expected in str(error); "" means success
    attempts: int
    inject: dict[str, Any] = dataclasses.field(default_factory=dict)
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    ref: ModelRef = HELLO


# fmt: off
CASES = {
    "401": Case("401", "the Clarifai PAT was rejected (HTTP 401, status 11008 CONN_KEY_INVALID", 1),
    "401-html": Case("html401", "the Clarifai PAT was rejected (HTTP 401)", 1),
    "401-token": Case("failure", "PAT was rejected (HTTP 200, status 11001", 1, {"code": 11001}),
    "wrong-pat": Case(None, "PAT was rejected (HTTP 401, status 11008", 1, settings={"pat": "wrong-pat-000000"}),
    "403": Case("403", "permission denied: the PAT may not read model runners-examples/main/hello-world (HTTP 403, status 11007", 1),
    "403-model": Case("failure", "permission denied", 1, {"code": 21201}),
    "404": Case("404", "model runners-examples/main/hello-world not found (HTTP 404, status 21200", 1),
    "404-unknown-model": Case(None, "model u/a/nope not found (HTTP 404, status 21200", 1, ref=ModelRef("u", "a", "nope")),
    "404-unknown-version": Case(None, "model runners-examples/main/hello-world version nope not found", 1, ref=dataclasses.replace(HELLO, version_id="nope")),
    "404-conn": Case("failure", "not found (HTTP 200, status 11101", 1, {"code": 11101}),
    "failure-200": Case("failure", "the API answered with a failure status (HTTP 200, status 10020 FAILURE: Failure)", 1),
    "failure-200-model-missing": Case("failure", "not found (HTTP 200, status 21200", 1, {"code": 21200}),
    "failure-200-other": Case("failure", "failure status (HTTP 200, status 21313 MODEL_PREDICTION_FAILED: Model prediction failed", 1, {"code": 21313, "description": "Model prediction failed"}),
    "truncated": Case("truncate", "malformed response: invalid JSON at line 1", 1),
    "503-twice": Case("503", "", 3, {"times": 2}),
    "500-once": Case("500", "", 2),
    "502-once": Case("502", "", 2),
    "504-once": Case("504", "", 2),
    "drop-twice": Case("drop", "", 3, {"times": 2}),
    "stall-once": Case("stall", "", 2, {"seconds": 3}, {"timeout": 0.3}),
    "throttled-code": Case("failure", "", 2, {"code": 11005}),
    "hourly-limit": Case("failure", "", 2, {"code": 11003}),
    "monthly-limit": Case("failure", "", 2, {"code": 11004}),
    "exceeds-limits": Case("failure", "", 2, {"code": 11006}),
    "deploying": Case("failure", "", 3, {"code": 21351, "times": 2}),
    "busy": Case("failure", "", 2, {"code": 21354}),
    "loading": Case("failure", "", 2, {"code": 21355}),
    "try-again": Case("failure", "", 2, {"code": 10030}),
    "429-once": Case("429", "", 2, {"retry_after": 0}),
    "503-forever": Case("503", "gave up after 3 attempts in ", 3, {"times": None}, {"max_attempts": 3}),
    "429-forever": Case("429", "gave up after 4 attempts in ", 4, {"times": None, "retry_after": 0}, {"max_attempts": 4}),
    "drop-forever": Case("drop", "connection dropped: Server disconnected without sending a response", 2, {"times": None}, {"max_attempts": 2}),
    "loading-forever": Case("failure", "gave up after 2 attempts in ", 2, {"times": None, "code": 21355}, {"max_attempts": 2}),
    "retry-after-past-budget": Case("429", "(retrying after the requested 30 s would pass the 2 s budget): HTTP 429, status 11005 CONN_THROTTLED", 1, {"retry_after": 30}, {"max_seconds": 2}),
}
# fmt: on


@pytest.mark.parametrize("name", list(CASES))
def test_fault(fake_api: FakeClarifai, name: str) -> None:
    case = CASES[name]
    if case.kind is not None:
        inject = {"times": 1, **case.inject}
        times = inject.pop("times")
        fake_api.inject(case.kind, times, **inject)
    settings = settings_for(fake_api, **case.settings)
    t0 = time.monotonic()
    result = fetch(case.ref, settings)
    elapsed = time.monotonic() - t0
    assert result.attempts == case.attempts, result
    path = FakeClarifai.path(*case.ref.path.split("/"), case.ref.version_id)
    assert fake_api.hits[path] == case.attempts
    assert result.seconds <= elapsed
    if case.message:
        assert result.error is not None and result.body is None and not result.ok
        text = str(result.error)
        assert case.message in text, text
        assert "\n" not in text and "\r" not in text
        assert result.error.where == model_url(case.ref)
        assert text.startswith(model_url(case.ref) + ": ")
        with pytest.raises(CodegenError):
            result.unwrap()
    else:
        assert result.ok and result.body is not None and result.error is None, result.error
        assert result.method_count == 3
    assert_no_pat(result, result.error, settings, progress_output([result], False))
    assert_no_pat(progress_output([result], True))


def test_pat_echoed_by_the_server_is_scrubbed(fake_api: FakeClarifai) -> None:
    fake_api.inject("failure", description=f"bad key Key {PAT} for you", model=HELLO.path)
    fake_api.inject(
        "503", description=f"{PAT} busy", times=None, model="runners-examples/main/mcp-math-model"
    )
    settings = settings_for(fake_api, max_attempts=2)
    results = fetch_many([HELLO, ModelRef("runners-examples", "main", "mcp-math-model")], settings)
    assert [r.ok for r in results] == [False, False]
    for r in results:
        assert "***" in str(r.error)
        assert_no_pat(r, r.error, progress_output(results, False), progress_output(results, True))


def test_retry_after_is_honoured(fake_api: FakeClarifai) -> None:
    fake_api.inject("429", retry_after=0.2)
    result = fetch(HELLO, settings_for(fake_api, backoff=0.0))
    assert result.ok and result.attempts == 2
    first, second = fake_api.request_times(HELLO_PATH)
    assert second - first >= 0.2


def test_retry_after_http_date(fake_api: FakeClarifai) -> None:
    from email.utils import formatdate

    fake_api.inject(
        "429", retry_after=formatdate(time.time() - 60, usegmt=True)
    )  # in the past: now
    result = fetch(HELLO, settings_for(fake_api))
    assert result.ok and result.attempts == 2


def test_stall_stops_within_budget(fake_api: FakeClarifai) -> None:
    fake_api.inject("stall", times=None, seconds=30)
    settings = settings_for(fake_api, timeout=5.0, max_seconds=0.6, max_attempts=10)
    t0 = time.monotonic()
    result = fetch(HELLO, settings)
    elapsed = time.monotonic() - t0
    assert elapsed < 1.5
    text = str(result.error)
    assert "gave up after 1 attempt in " in text
    assert "would pass the 0.6 s budget" in text
    assert "read timeout: no response within 0.6 s" in text
    assert_no_pat(result, text)


def test_stall_retried_until_attempts_run_out(fake_api: FakeClarifai) -> None:
    fake_api.inject("stall", times=None, seconds=30)
    result = fetch(HELLO, settings_for(fake_api, timeout=0.15, max_attempts=3))
    assert result.attempts == 3 and fake_api.hits[HELLO_PATH] == 3
    assert "gave up after 3 attempts" in str(result.error)
    assert "read timeout: no response within 0.15 s" in str(result.error)


def test_connection_refused() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = RemoteSettings(
        pat=PAT, api_base=f"http://127.0.0.1:{port}", backoff=0.01, max_attempts=3
    )
    result = fetch(HELLO, settings)
    assert result.attempts == 3
    assert "gave up after 3 attempts" in str(result.error)
    assert "cannot connect" in str(result.error)
    assert_no_pat(result, result.error)


def test_non_pythonic_models(fake_api: FakeClarifai) -> None:
    st = {"code": 10000, "description": "Ok"}
    fake_api.add_model("u", "a", "no-version", {"status": st, "model": {"id": "no-version"}})
    fake_api.add_model(
        "u",
        "a",
        "no-sigs",
        {"status": st, "model": {"id": "no-sigs", "model_version": {"id": "v9"}}},
    )
    fake_api.add_model(
        "u", "a", "empty", {"status": st, "model_version": {"id": "v1", "method_signatures": []}}
    )
    refs = [
        ModelRef("u", "a", "no-version"),
        ModelRef("u", "a", "no-sigs"),
        ModelRef("u", "a", "no-sigs", "v9"),
        ModelRef("u", "a", "empty"),
        ModelRef("u", "a", "empty", "v1"),
    ]
    for result in fetch_many(refs, settings_for(fake_api)):
        text = str(result.error)
        assert "has no method signatures: it is not a pythonic model and cannot be typed" in text
        assert result.attempts == 1


def test_client_can_be_shared(fake_api: FakeClarifai) -> None:
    import httpx

    with httpx.Client() as client:
        results = [fetch(HELLO, settings_for(fake_api), client=client) for _ in range(3)]
    assert all(r.ok for r in results)


# ------------------------------------------------------------------------------------ fetch_many


def test_fetch_many_keeps_order_and_survives_failures(fake_api: FakeClarifai) -> None:
    refs = [ModelRef(u, a, m) for u, a, m, _ in MODELS.values()]
    refs.insert(3, ModelRef("u", "a", "missing"))
    fake_api.inject("503", times=None, model=refs[6].path)
    fake_api.inject("drop", times=2, model=refs[0].path)
    seen: list[FetchResult] = []
    results = fetch_many(refs, settings_for(fake_api, max_attempts=3), on_result=seen.append)
    assert [r.ref for r in results] == refs
    assert sorted(map(id, seen)) == sorted(map(id, results))
    failed = [i for i, r in enumerate(results) if not r.ok]
    assert failed == [3, 6]
    assert "not found" in str(results[3].error)
    assert "gave up after 3 attempts" in str(results[6].error)
    assert results[0].ok and results[0].attempts == 3
    assert all(r.method_count > 0 for r in results if r.ok)
    assert fetch_many([], settings_for(fake_api)) == []


def test_fetch_many_overlaps_requests(fake_api: FakeClarifai) -> None:
    refs = [ModelRef(u, a, m) for u, a, m, _ in MODELS.values()][:8]
    fake_api.latency = 0.2
    t0 = time.monotonic()
    results = fetch_many(refs, settings_for(fake_api, concurrency=8))
    elapsed = time.monotonic() - t0
    assert all(r.ok for r in results)
    assert elapsed < 4 * 0.2, elapsed


def test_fetch_many_bounds_concurrency(fake_api: FakeClarifai) -> None:
    refs = [ModelRef(u, a, m) for u, a, m, _ in MODELS.values()][:6]
    fake_api.latency = 0.05
    results = fetch_many(refs, settings_for(fake_api, concurrency=2))
    assert all(r.ok for r in results)
    assert fake_api.max_in_flight == 2


def test_fetch_many_callback_error_propagates(fake_api: FakeClarifai) -> None:
    def boom(result: FetchResult) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_many([HELLO, HELLO], settings_for(fake_api), on_result=boom)


# ------------------------------------------------------------------------------------ progress


def _results(fake_api: FakeClarifai) -> list[FetchResult]:
    refs = [
        HELLO,
        ModelRef("u", "a", "missing"),
        ModelRef("runners-examples", "main", "mcp-math-model"),
    ]
    return fetch_many(refs, settings_for(fake_api))


def test_progress_lines(fake_api: FakeClarifai) -> None:
    text = progress_output(_results(fake_api), is_tty=False)
    lines = text.splitlines()
    assert len(lines) == 3 and "\r" not in text
    assert re.fullmatch(
        r"ok   runners-examples/main/hello-world \(3 methods\) \d+\.\d\d s", lines[0]
    )
    assert lines[1].startswith("FAIL u/a/missing: model u/a/missing not found (HTTP 404")
    assert re.fullmatch(
        r"ok   runners-examples/main/mcp-math-model \(1 method\) \d+\.\d\d s", lines[2]
    )


def test_progress_bar(fake_api: FakeClarifai) -> None:
    text = progress_output(_results(fake_api), is_tty=True)
    assert "\r" in text
    assert "[######..............] 1/3 models" in text
    assert "[####################] 3/3 models (1 failed)" in text
    assert "FAIL u/a/missing: " in text
    assert text.endswith("\n") and text.count("\n") == 2  # the failure line, then the finished bar
    assert "ok   " not in text


def test_progress_detects_tty() -> None:
    assert Progress(1, io.StringIO()).is_tty is False


# ------------------------------------------------------------------------------------ the fake itself


def test_fake_stops_promptly_during_a_stall() -> None:
    fake_api = FakeClarifai().start()
    fake_api.inject("stall", seconds=30)
    settings = RemoteSettings(pat=PAT, api_base=fake_api.base_url, timeout=20, max_attempts=1)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (fetch(HELLO, settings), done.set()))
    thread.start()
    deadline = time.monotonic() + 5
    while fake_api.total_hits() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    t0 = time.monotonic()
    fake_api.stop()
    assert time.monotonic() - t0 < 2
    assert fake_api.live_handlers == 0
    thread.join(timeout=5)
    assert done.is_set()
