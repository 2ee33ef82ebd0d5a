"""What the HTTP fault tests share: the PAT they look for, the methods they call, and `call`
(one call with a sync or an async client) and `fails` (it raised, and no part of the error holds
the PAT)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from codegen.runtime import AsyncClient, ClarifaiError, Client, ModelRef, signature

from .conftest import success
from .leakcheck import assert_clean

__all__ = ["GENERATE", "MODEL", "MODES", "PAT", "PREDICT", "call", "fails", "frame", "method"]

PAT = "Zq8xK2mN4vB9wR3tY7uP"  # no substring of it occurs elsewhere in a message
MODEL = ModelRef("u", "a", "m")
MODES = ["sync", "async"]


def method(kind: str, output: dict[str, Any], name: str = "predict") -> signature.Method:
    return signature.parse_method(
        {
            "name": name,
            "kind": kind,
            "inputs": [{"name": "prompt", "type": {"t": "STR"}, "required": True}],
            "output": output,
        }
    )


PREDICT = method("unary", {"t": "STR"})
GENERATE = method("server_stream", {"t": "STR"}, "generate")


def call(mode: str, base: str, method: signature.Method = PREDICT, **kw: Any) -> Any:
    """Call `method` once (a stream: collect its values) with a sync or an async client."""
    kw.setdefault("backoff", 0.001)
    args = {"prompt": "hi"}
    if mode == "sync":
        with Client(PAT, base, **kw) as c:
            if method.kind == "unary":
                return c.unary(MODEL, method, args)
            return list(c.server_stream(MODEL, method, args))

    async def run() -> Any:
        async with AsyncClient(PAT, base, **kw) as c:
            if method.kind == "unary":
                return await c.unary(MODEL, method, args)
            return [v async for v in c.server_stream(MODEL, method, args)]

    return asyncio.run(run())


def fails(cls: type[ClarifaiError], fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Run `fn`; it must raise `cls`, whose every part is free of the PAT."""
    with pytest.raises(cls) as info:
        fn(*args, **kw)
    assert_clean(info.value, PAT)
    return info.value


def frame(text: str) -> dict[str, Any]:
    return {"result": success({"string_value": text})}
