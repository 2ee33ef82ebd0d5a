"""The TypeScript runtime, compiled once per session (skipped, with the reason, without `node`)."""

from __future__ import annotations

import pytest

from .node import Node, compile_runtime, node_path


@pytest.fixture(scope="session")
def ts(tmp_path_factory: pytest.TempPathFactory) -> Node:
    node = node_path()
    if node is None:
        pytest.skip("node is not installed: the TypeScript runtime tests need Node.js 18+")
    out = tmp_path_factory.mktemp("ts")
    compile_runtime(out)
    return Node(node, out)
