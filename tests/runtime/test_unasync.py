"""The sync runtime modules are what scripts/unasync_runtime.py derives from the async ones."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType

import pytest

from codegen.runtime import aclient, ahttp, client, http
from tests.subprocesses import load_script

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    return load_script("unasync_runtime")


@pytest.fixture(scope="module")
def derived() -> dict[str, str]:
    return _script().render()


@pytest.mark.parametrize("name", ["client.py", "http.py"])
def test_committed_sync_module_is_what_unasync_derives(derived: dict[str, str], name: str) -> None:
    committed = (ROOT / "codegen/runtime" / name).read_text()
    assert committed == derived[name], f"codegen/runtime/{name} is stale: run `make unasync`"


@pytest.mark.parametrize(
    ("sync_cls", "async_cls"),
    [(client.Client, aclient.AsyncClient), (http.HttpTransport, ahttp.AsyncHttpTransport)],
)
def test_sync_twin_has_the_same_methods_without_coroutines(sync_cls: type, async_cls: type) -> None:
    def methods(cls: type) -> dict[str, inspect.Signature]:
        return {n: inspect.signature(f) for n, f in vars(cls).items() if inspect.isfunction(f)}

    renames = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}
    sync, asynchronous = methods(sync_cls), methods(async_cls)
    assert sorted(sync) == sorted(renames.get(n, n) for n in asynchronous)
    for name, fn in vars(sync_cls).items():
        if inspect.isfunction(fn):
            assert not inspect.iscoroutinefunction(fn) and not inspect.isasyncgenfunction(fn), name
    for name, sig in asynchronous.items():
        assert list(sig.parameters) == list(sync[renames.get(name, name)].parameters), name
