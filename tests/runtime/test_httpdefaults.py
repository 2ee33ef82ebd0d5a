"""The HTTP transports without httpx: `httpdefaults` and `httperrors` held against httpx itself,
the proxy fallback, and no httpx import on a default client's first call."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import certifi
import httpcore
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen.runtime import Client, ModelRef
from codegen.runtime.deadline import async_backend, backend, install
from codegen.runtime.http import HttpTransport
from codegen.runtime.httpbase import HttpBase, connection_options
from codegen.runtime.httpdefaults import direct, env_proxy, split_url
from codegen.runtime.httperrors import HTTPCORE_ERRORS, KINDS, kind
from codegen.runtime.httpxerrors import NOT_SENT_HTTPX, TRANSIENT_HTTPX
from codegen.runtime.protocol import RetryPolicy
from tests.subprocesses import python_without_proxies

from .conftest import Reply, Server, success
from .test_http import PREDICT

ROOT = Path(__file__).resolve().parents[2]
MODEL = ModelRef("u", "a", "m")
PROXY_VARS = [f"{s}_proxy" for s in ("http", "https", "all")]
OWN = {"Authorization": "Key p", "Content-Type": "application/json", "Accept-Encoding": "gzip"}


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower() in (*PROXY_VARS, "no_proxy") or name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            monkeypatch.delenv(name)


def httpx_parts(url: str) -> tuple[bytes, bytes, int | None, bytes]:
    parsed = httpx.URL(url)
    return parsed.raw_scheme, parsed.raw_host, parsed.port, parsed.raw_path


# ---------------------------------------------------------------------- URLs

URL_CHARS = "abAB09.-_~/:@?#%%[] é"
segments = st.lists(st.text("aB0.-_~", min_size=1, max_size=6), max_size=5)
paths = segments.map(lambda parts: "".join(f"/{part}" for part in parts))  # mostly kept by httpx
hosts = st.sampled_from(["api.clarifai.com", "127.0.0.1", "300.1.1.1", "1.2.3.4.5", "Host", "a-"])


@given(
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    hosts | st.text("a0.-", max_size=12) | st.text(URL_CHARS, max_size=12),
    st.sampled_from(["", ":80", ":443", ":8080", ":0080", ":99999", ":"]),
    paths | st.text(URL_CHARS, max_size=30),
)
def test_split_url_is_httpx_url_or_declines(scheme: str, host: str, port: str, path: str) -> None:
    url = f"{scheme}://{host}{port}{path}"
    parts = split_url(url)
    if parts is None:
        return
    assert parts == httpx_parts(url)


@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,10}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["", ":80", ":443", ":1", ":8080", ":65535"]),
    st.lists(st.from_regex(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,5}", fullmatch=True), max_size=4),
)
def test_split_url_takes_simple_urls(scheme: str, host: str, port: str, path: list[str]) -> None:
    url = f"{scheme}://{host}{port}" + "".join(f"/{segment}" for segment in path)
    try:
        expected = httpx_parts(url)
    except httpx.InvalidURL:  # e.g. 1.2.3.456
        expected = None
    assert split_url(url) == expected


@given(st.lists(st.from_regex(r"[0-9]{1,4}", fullmatch=True), min_size=3, max_size=5))
def test_split_url_declines_the_ipv4_hosts_httpx_rejects(numbers: list[str]) -> None:
    url = "http://" + ".".join(numbers) + "/p"
    try:
        expected = httpx_parts(url)
    except httpx.InvalidURL:
        expected = None
    assert split_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://api.clarifai.com",
        "https://api.clarifai.com/v2/users/u-1/apps/a_b/models/m.x/versions/v~1/outputs",
        "http://127.0.0.1:8080/v2/users/me",
        "http://localhost:80/v2/",
        "https://example.test:443/base/path",
    ],
)
def test_split_url_takes_the_urls_the_transports_build(url: str) -> None:
    assert split_url(url) == httpx_parts(url)


@pytest.mark.parametrize(
    "url", ["https://API.example", "http://h/a/../b", "http://h/./b", "http://u@h/", "http://h/?q"]
)
def test_split_url_leaves_what_httpx_rewrites_to_httpx(url: str) -> None:
    assert split_url(url) is None


# ---------------------------------------------------------------------- options and headers


def httpx_options(base_url: str) -> dict[str, Any]:
    http = httpx.Client(timeout=5.0)
    install(http)
    options = connection_options(http, base_url)
    assert options is not None
    return options


def same_tls(mine: ssl.SSLContext, theirs: ssl.SSLContext) -> None:
    assert mine.verify_mode == theirs.verify_mode == ssl.CERT_REQUIRED
    assert mine.check_hostname and theirs.check_hostname
    assert (mine.options, mine.minimum_version) == (theirs.options, theirs.minimum_version)
    assert mine.get_ca_certs() == theirs.get_ca_certs()
    assert mine.cert_store_stats() == theirs.cert_store_stats()


@pytest.mark.parametrize("base_url", ["https://api.clarifai.com", "http://127.0.0.1:9"])
def test_direct_options_are_a_default_httpx_clients(base_url: str) -> None:
    found = direct(base_url, OWN, backend())
    assert found is not None
    mine, theirs = found[0], httpx_options(base_url)
    assert mine.keys() == theirs.keys()
    for name in mine.keys() - {"ssl_context", "network_backend"}:
        assert mine[name] == theirs[name], name
    assert type(mine["network_backend"]) is type(theirs["network_backend"])
    assert type(mine["network_backend"]._inner) is type(theirs["network_backend"]._inner)
    if base_url.startswith("https"):
        same_tls(mine["ssl_context"], theirs["ssl_context"])
    else:  # an http origin never reads it
        assert mine["ssl_context"] is None


def test_async_backend_is_an_async_httpx_clients() -> None:
    http = httpx.AsyncClient()
    install(http)
    theirs = http._transport._pool._network_backend  # type: ignore[attr-defined]
    mine = async_backend()
    assert type(mine) is type(theirs)
    assert type(mine._inner) is type(theirs._inner)


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_the_ca_store_follows_the_environment_as_httpx(
    variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = certifi.contents().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n"
    (tmp_path / "one.pem").write_text(first)
    if variable == "SSL_CERT_FILE":
        monkeypatch.setenv(variable, str(tmp_path / "one.pem"))
    else:
        monkeypatch.setenv(variable, str(tmp_path))
    found = direct("https://api.clarifai.com", OWN, backend())
    assert found is not None
    same_tls(found[0]["ssl_context"], httpx_options("https://api.clarifai.com")["ssl_context"])
    if variable == "SSL_CERT_FILE":
        assert len(found[0]["ssl_context"].get_ca_certs()) == 1


def test_a_ca_store_httpx_cannot_load_fails_as_in_httpx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even for an http URL, whose connections never read the TLS context."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(FileNotFoundError):
        httpx.Client()
    with pytest.raises(FileNotFoundError):
        direct("http://127.0.0.1:9", OWN, backend())


@pytest.mark.parametrize("base_url", ["https://api.clarifai.com", "http://127.0.0.1:8080"])
def test_request_headers_are_httpxs(base_url: str) -> None:
    own = HttpTransport("secret", base_url, timeout=5.0, policy=RetryPolicy())
    assert own._http is None
    via_httpx = HttpBase("secret", base_url, policy=RetryPolicy())
    via_httpx._use_headers(httpx.Client().headers)
    assert own._raw_headers == via_httpx._raw_headers


def test_non_ascii_headers_are_left_to_httpx() -> None:
    assert direct("http://127.0.0.1:9", {**OWN, "Authorization": "Key é"}, backend()) is None


# ---------------------------------------------------------------------- proxies


@pytest.mark.parametrize("name", ["HTTP_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
def test_a_proxy_variable_means_httpx(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not env_proxy()
    monkeypatch.setenv(name, "http://127.0.0.1:9")
    assert env_proxy()
    assert direct("https://api.clarifai.com", OWN, backend()) is None
    monkeypatch.setenv(name, "")
    assert not env_proxy()


def test_a_call_goes_through_the_proxy_of_the_environment(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local server plays the proxy: it sees the API's URL in absolute form (without the
    proxy the call would find nothing listening)."""
    monkeypatch.setenv("HTTP_PROXY", server.base_url)
    server.script(Reply(200, success({"string_value": "hello"})))
    with Client("p", "http://127.0.0.1:9", backoff=0.001) as c:  # nothing listens on port 9
        assert c.unary(MODEL, PREDICT, {"prompt": "hi"}) == "hello"
    (req,) = server.requests
    assert req["path"] == "http://127.0.0.1:9/v2/users/u/apps/a/models/m/outputs"


# ---------------------------------------------------------------------- errors


def test_kinds_are_httpxs_classification() -> None:
    family = {
        name
        for name, value in vars(httpx).items()
        if isinstance(value, type) and issubclass(value, httpx.TransportError)
    }
    assert family == KINDS.keys()
    for name, found in KINDS.items():
        exc = getattr(httpx, name)("x")
        expected = (
            isinstance(exc, httpx.TimeoutException),
            isinstance(exc, NOT_SENT_HTTPX),
            isinstance(exc, TRANSIENT_HTTPX),
        )
        assert found == (name, *expected) == kind(exc)


def test_an_httpcore_error_is_judged_as_its_httpx_twin() -> None:
    classes = [c for c in vars(httpcore).values() if isinstance(c, type)]
    errors = [c for c in classes if issubclass(c, HTTPCORE_ERRORS)]
    assert len(errors) >= 14
    for cls in errors:
        twin = getattr(httpx, cls.__name__)
        assert kind(cls("x")) == kind(twin("x"))

    class Odd(httpcore.ReadError):
        pass

    assert kind(Odd("x")) == kind(httpx.TransportError("x"))


# ---------------------------------------------------------------------- no httpx


CALL = """
import sys
from codegen.runtime import AsyncClient, Client, ModelRef, signature
PREDICT = signature.parse_method({
    "name": "predict", "kind": "unary", "output": {"t": "STR"},
    "inputs": [{"name": "prompt", "type": {"t": "STR"}, "required": True, "iterator": False}],
})
model, url = ModelRef("u", "a", "m"), sys.argv[1]
with Client("p", url) as c:
    assert c.unary(model, PREDICT, {"prompt": "hi"}) == "one"
print(sorted(m for m in ("asyncio", "httpx") if m in sys.modules))
import asyncio
async def call():
    async with AsyncClient("p", url) as c:
        return await c.unary(model, PREDICT, {"prompt": "hi"})
assert asyncio.run(call()) == "two"
print(sorted(m for m in ("asyncio", "httpx") if m in sys.modules))
"""


def test_a_default_client_calls_without_importing_httpx(server: Server) -> None:
    """Nor does a sync client import asyncio."""
    server.script(
        Reply(200, success({"string_value": "one"})), Reply(200, success({"string_value": "two"}))
    )
    out = python_without_proxies("-c", CALL, server.base_url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[]", "['asyncio']"]
    assert len(server.requests) == 2
