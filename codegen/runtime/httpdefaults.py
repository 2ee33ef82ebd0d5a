"""What a default `httpx.Client(timeout=...)` (httpx 0.28) would use to reach a URL, without
importing httpx (about 30 ms and 5 MB of a cold start).

`direct` gives the transports' own connections the options and request headers that client
would give them, from the same sources (httpx's defaults, the environment). Where anything is
outside what is reproduced here it returns None and the transport builds the httpx client as
before: a proxy in the environment, a URL httpx would rewrite (or reject), a header value that is
not ASCII, another httpx version. tests/runtime/test_httpdefaults.py holds each fact against
httpx itself.
"""

from __future__ import annotations

import functools
import os
import re
import ssl
import sys
from importlib.util import find_spec
from typing import Any

import httpcore

__all__ = ["direct", "env_proxy", "headers", "httpx_version", "netloc", "split_url", "ssl_context"]

Json = dict[str, Any]
Raw = list[tuple[bytes, bytes]]
Parts = tuple[bytes, bytes, int | None, bytes]  # scheme, host, port, target (as httpx.URL's raw_*)

KEEPALIVE_EXPIRY = 5.0  # httpx.Limits()
_DEFAULT_PORTS = {"http": 80, "https": 443}
# URLs httpx leaves as they are: lower-case scheme and host, a port without leading zeros (the
# scheme's default is dropped below, as httpx drops it), path segments of unreserved characters
# not starting with "." (httpx removes dot segments), no user, query or fragment.
_URL = re.compile(
    r"(https?)://([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::([1-9][0-9]{0,4}))?"
    r"((?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*/?)"
)
_PROXY_SCHEMES = ("http", "https", "all")


def split_url(url: str) -> Parts | None:
    """`url` as httpx.URL parses it (raw scheme, host, port, path); None unless simple."""
    match = _URL.fullmatch(url)
    if match is None:
        return None
    scheme, host, port_text, path = match.groups()
    if _bad_ipv4(host):
        return None
    port = None if port_text is None else int(port_text)
    if port is not None and port > 65535:
        return None
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return scheme.encode(), host.encode(), port, (path or "/").encode()


def _bad_ipv4(host: str) -> bool:
    """A host of four runs of digits that is no IPv4 address (httpx rejects it)."""
    parts = host.split(".")
    if len(parts) != 4 or not all(part.isdigit() for part in parts):
        return False
    return not all(part == "0" or (part[0] != "0" and int(part) <= 255) for part in parts)


def netloc(parts: Parts) -> bytes:
    """The Host header of a URL: its host, and its port unless the scheme's default."""
    _, host, port, _ = parts
    return host if port is None else b"%s:%d" % (host, port)


def env_proxy() -> bool:
    """Whether httpx might find a proxy in the environment (`urllib.request.getproxies`).

    On Linux that function reads `<scheme>_proxy` variables in any case; a non-empty one for
    http, https or all is enough here (httpx then decides, NO_PROXY included). macOS and Windows
    also read the system's settings: there the function itself is asked.
    """
    if sys.platform == "darwin" or os.name == "nt":
        from urllib.request import getproxies

        found = getproxies()
        return any(found.get(scheme) for scheme in _PROXY_SCHEMES)
    names = {f"{scheme}_proxy" for scheme in _PROXY_SCHEMES}
    return any(value and name.lower() in names for name, value in os.environ.items())


def ssl_context() -> ssl.SSLContext:
    """httpx 0.28's `create_ssl_context()`: verify against SSL_CERT_FILE, SSL_CERT_DIR or certifi."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _ca_from_env() -> bool:
    return bool(os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"))


@functools.cache
def httpx_version() -> str | None:
    """The installed httpx's version, read from its source without importing it (once a process:
    every transport asks, and a model class built per request builds a transport each time)."""
    try:
        spec = find_spec("httpx")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    try:
        with open(os.path.join(os.path.dirname(spec.origin), "__version__.py")) as file:
            text = file.read()
    except OSError:
        return None
    match = re.search(r"^__version__ = \"([^\"]+)\"$", text, re.MULTILINE)
    return None if match is None else match.group(1)


def headers(netloc: bytes, own: dict[str, str], version: str) -> Raw | None:
    """The headers httpx sends with `own` as a request's headers; None unless all are ASCII
    and `own` has an Accept-Encoding (httpx's own depends on the packages installed)."""
    lower = {name.lower() for name in own}
    if "accept-encoding" not in lower or not all(
        f"{name}{value}".isascii() for name, value in own.items()
    ):
        return None
    defaults = {
        "Accept": "*/*",
        "Connection": "keep-alive",
        "User-Agent": f"python-httpx/{version}",
    }
    raw = [(b"Host", netloc)]
    raw += [(k.encode(), v.encode()) for k, v in defaults.items() if k.lower() not in lower]
    raw += [(k.encode(), v.encode()) for k, v in own.items()]
    return raw


def direct(base_url: str, own: dict[str, str], backend: object) -> tuple[Json, Raw] | None:
    """(`httpcore.(Async)HTTPConnection` arguments reaching `base_url`, request headers) as a
    default httpx 0.28 client would use them, or None where httpx must build them.

    `backend` is the network backend (httpx's pool default, wrapped by `deadline`). The TLS
    context (loading a CA store: tens of ms) is made for an https origin, or where the environment
    names a CA store (httpx fails at construction on one it cannot load); an http origin never
    reads it.
    """
    parts = split_url(base_url)
    version = httpx_version()
    if parts is None or version is None or not version.startswith("0.28.") or env_proxy():
        return None
    raw = headers(netloc(parts), own, version)
    if raw is None:
        return None
    scheme, host, port, _ = parts
    options: Json = {
        "origin": httpcore.URL(scheme=scheme, host=host, port=port, target=b"/").origin,
        "ssl_context": ssl_context() if scheme == b"https" or _ca_from_env() else None,
        "keepalive_expiry": KEEPALIVE_EXPIRY,
        "retries": 0,
        "local_address": None,
        "uds": None,
        "network_backend": backend,
        "socket_options": None,
        "http1": True,
        "http2": False,
    }
    return options, raw
