"""Acceptance 4: the TypeScript language service, as an editor drives it, over the golden package:
completion lists every method, signature help shows the parameters, literal unions complete, and
hover shows the description."""

from __future__ import annotations

import pytest

from .conftest import Workspace
from .tools import node_script

pytestmark = pytest.mark.slow  # tsc and prettier over every package: a minute under load


def test_the_language_service_sees_the_generated_types(workspace: Workspace) -> None:
    payload = {
        "root": str(workspace.golden),
        "module": "all_types",
        "className": "AllTypes",
        "method": "tuned",
        "literalAt": 'model.tuned("x", { effort: "',
    }
    found = node_script(workspace.node, "editor", payload, workspace.golden)
    assert isinstance(found, dict)
    methods = {"scalars", "media", "containers", "tuned", "frames", "echoStream"}
    batches = {"scalarsBatch", "mediaBatch", "containersBatch", "tunedBatch"}
    assert set(found["completions"]) == methods | batches
    [signature] = found["signatures"]
    assert signature["parameters"] == ["prompt: string", "options?: TunedOptions"]
    assert "Sampling" not in signature["documentation"]  # the method's text, not an option's
    assert found["literals"] == ["high", "low", "medium"]
    hover = found["hover"]
    assert hover["display"].startswith("(method) AllTypes.tuned(prompt: string")
    assert "Promise<Text>" in hover["display"]
    assert "Inference params with descriptions" in hover["documentation"]
