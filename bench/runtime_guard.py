"""The benchmark's network guard: every connection of this process must go to the loopback.

`install()` wraps `socket.socket.connect` / `connect_ex`, `socket.getaddrinfo` and the gRPC channel
constructors (`grpc.insecure_channel`, `secure_channel` and their `grpc.aio` twins: gRPC's C core
opens its sockets itself) before the SDK or a generated client is imported. A non-loopback address
is refused with an `OSError` and remembered, so a client that swallows the error (the SDK logs
and goes on in places) still fails the run: `report()` names every refusal.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["install", "report"]

_LOCAL_NAMES = {"localhost", "localhost.localdomain", ""}
_lock = threading.Lock()
_refused: list[str] = []
_counts = {"socket": 0, "grpc channel": 0}


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(kind: str, host: str, shown: object) -> None:
    with _lock:
        _counts[kind] += 1
        if not _is_loopback(host):
            _refused.append(f"{kind} to {shown!r}")
            raise OSError(f"bench network guard: {kind} to {shown!r} refused (loopback only)")


def _grpc_host(target: str) -> str:
    """The host of a gRPC target: `127.0.0.1:50051`, `dns:///host:443`, `ipv4:1.2.3.4:5`,
    `[::1]:5`, `unix:path` (local)."""
    if target.startswith("unix:"):
        return "localhost"
    for prefix in ("dns:///", "dns:", "ipv4:", "ipv6:"):
        if target.startswith(prefix):
            target = target[len(prefix) :]
            break
    if target.startswith("["):
        return target[1 : target.find("]")]
    return target.rsplit(":", 1)[0] if target.count(":") == 1 else target


def _wrap_connect(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check("socket", str(address[0]), address)
        return original(self, address)

    return connect


def _wrap_channel(original: Callable[..., Any]) -> Callable[..., Any]:
    def channel(target: str, *args: Any, **kwargs: Any) -> Any:
        _check("grpc channel", _grpc_host(str(target)), target)
        return original(target, *args, **kwargs)

    return channel


def install() -> None:
    """Guard this process (call before importing grpc users, the SDK or a generated client)."""
    socket.socket.connect = _wrap_connect(socket.socket.connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = _wrap_connect(socket.socket.connect_ex)  # type: ignore[method-assign]
    original_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        with _lock:
            if not _is_loopback(name):
                _refused.append(f"name lookup of {name!r}")
                raise socket.gaierror(f"bench network guard: lookup of {name!r} refused")
        return original_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    import grpc
    import grpc.aio

    for module in (grpc, grpc.aio):
        for name in ("insecure_channel", "secure_channel"):
            setattr(module, name, _wrap_channel(getattr(module, name)))


def report() -> tuple[bool, str]:
    """(every connection was local, one line saying so or naming the refusals)."""
    with _lock:
        if _refused:
            return False, "network: REFUSED non-loopback access: " + "; ".join(_refused)
        counts = ", ".join(f"{n} {kind}s" for kind, n in _counts.items())
        return True, f"network: every connection went to the loopback ({counts} checked)"
