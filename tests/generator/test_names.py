"""Real names: a model's arguments and methods keep the names its documentation uses (`format`, `type`,
`input`, `id`, `cast`, `client`), only what Python forbids or the generated code needs is renamed
(`self`; `str` where an annotation or the body's cast uses it). Checked on the plan, with
`mypy --strict` on the generated module and a caller, and over the wire against the real model
(`tests/oracle/real_names.py`) served by the oracle.

Also: the example of an OpenAI-compatible model sends real chat-completions requests."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.errors import Level
from codegen.examples import SAMPLE_TEXT
from codegen.parser import parse_model
from codegen.plan import plan_module
from codegen.serve import serve

from ..conftest import ROOT, oracle_package, run_cli, run_mypy
from ..oracle import fake_openai
from ..oracle.real_names import RealNamesModel

REAL_NAMES = ROOT / "tests" / "oracle" / "signatures" / "real-names.json"
EXAMPLE_NAMES = ROOT / "tests" / "hostile" / "names-example-variables.json"
PACKAGE = "real_names_clients"


def _plan() -> Any:
    spec, problems = parse_model(json.loads(REAL_NAMES.read_text()), str(REAL_NAMES))
    assert not [p for p in problems if p.level is Level.ERROR]
    return plan_module(spec)


def test_builtin_names_are_kept_and_only_needed_names_renamed() -> None:
    plan = _plan()
    methods = {m.wire: m for m in plan.methods}
    assert {w: str(m.name) for w, m in methods.items()} == {
        "predict": "predict",
        "format": "format",
        "stream": "stream",
        "str": "str_",  # would shadow `str` in the class's later annotations
    }
    params = {w: [(p.wire, str(p.name)) for p in m.params] for w, m in methods.items()}
    assert params["predict"] == [
        ("format", "format"),
        ("input", "input"),
        ("id", "id"),
        ("cast", "cast"),  # the body calls typing.cast as `_cast`
        ("self", "self_"),
        ("client", "client"),  # the body uses `self._client`, not `client`
        ("type", "type"),
    ]
    assert params["format"] == [("text", "text"), ("str", "str"), ("list", "list")]
    assert params["stream"] == [("str", "str"), ("n", "n")]  # a stream's body casts nothing
    assert params["str"] == [("str", "str_")]  # its body casts to "str"
    warnings = [p.message for p in plan.problems if p.level is Level.WARNING]
    assert len(warnings) == 3, warnings
    assert any("argument 'self'" in w and "'self_'" in w for w in warnings)
    assert any("argument 'str'" in w and "'str_'" in w for w in warnings)
    assert any("method 'str'" in w and "'str_'" in w for w in warnings)


CALLER = """\
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from real_names_pkg.real_names import AsyncRealNames, FormatResult, RealNames


def sync(model: RealNames) -> None:
    text: str = model.predict(
        format="f", input="i", id=1, cast="c", self_="s", client="x", type="upper"
    )
    result: FormatResult = model.format("t", str="s", list="l")
    kind: str = result["type"]
    chunks: Iterator[str] = model.stream(str="s", n=2)
    back: str = model.str_(str_="abc")


async def not_sync(model: AsyncRealNames) -> None:
    text: str = await model.predict(format="f", input="i", id=1, cast="c", self_="s")
    result: FormatResult = await model.format(text="t")
    chunks: AsyncIterator[str] = model.stream("s")
"""


@pytest.mark.slow
def test_generated_modules_examples_and_a_caller_pass_mypy_strict(tmp_path: Path) -> None:
    out = tmp_path / "real_names_pkg"
    # with a model whose names are the example script's own (`model`, `main`, `print`, `json`)
    result = run_cli("generate", str(REAL_NAMES), str(EXAMPLE_NAMES), "-o", str(out))
    assert result.returncode == 0, result.stderr
    (tmp_path / "caller.py").write_text(CALLER)
    checked = run_mypy("real_names_pkg", "caller.py", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture(scope="module")
def real_names(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with oracle_package(tmp_path_factory, PACKAGE):
        yield importlib.import_module(f"{PACKAGE}.real_names")


def test_round_trip_with_real_names(real_names: ModuleType, oracle_env: Any) -> None:
    model = RealNamesModel()
    client = real_names.RealNames()
    got = client.predict(
        format="f", input="in", id=3, cast="c", self_="me", client="cl", type="upper"
    )
    assert got == model.predict(
        format="f", input="in", id=3, cast="c", self="me", client="cl", type="upper"
    )
    assert json.loads(got)["self"] == "me"  # the wire keeps the real name
    assert client.predict("f", "in", 3, "c", "me") == model.predict("f", "in", 3, "c", "me")
    assert client.format("abc", str="s", list="L") == dict(model.format("abc", str="s", list="L"))
    assert list(client.stream(str="s", n=3)) == list(model.stream(str="s", n=3))
    assert client.str_(str_="abc") == model.str("abc")


def test_async_round_trip_with_real_names(real_names: ModuleType, oracle_env: Any) -> None:
    model = RealNamesModel()

    async def calls() -> tuple[Any, Any, list[Any]]:
        client = real_names.AsyncRealNames()
        return (
            await client.predict(format="f", input="in", id=3, cast="c", self_="me"),
            await client.format(text="abc", str="s"),
            [x async for x in client.stream(str="s")],
        )

    predicted, formatted, streamed = asyncio.run(calls())
    assert predicted == model.predict(format="f", input="in", id=3, cast="c", self="me")
    assert formatted == dict(model.format("abc", str="s"))
    assert streamed == list(model.stream(str="s"))


# --- OpenAI-compatible models -------------------------------------------------------------------


def _openai_chat_dir(root: Path) -> Path:
    """tests/models/openai_chat, with the fake OpenAI client in place of the real one."""
    src = ROOT / "tests" / "models" / "openai_chat"
    d = root / "openai_chat"
    shutil.copytree(src, d)
    model_py = d / "1" / "model.py"
    text = model_py.read_text()
    real = "from openai import OpenAI"
    assert text.count(real) == 1
    model_py.write_text(
        text.replace(real, "from tests.oracle.fake_openai import FakeOpenAI as OpenAI")
    )
    return d


def test_openai_example_sends_valid_chat_requests(tmp_path: Path) -> None:
    model_dir = _openai_chat_dir(tmp_path / "models")
    out = tmp_path / "openai_pkg"
    result = run_cli("generate", str(model_dir), "-o", str(out))
    assert result.returncode == 0, result.stderr
    fake_openai.REQUESTS.clear()
    with serve([model_dir], port=0, quiet=True) as handle:
        env = {**os.environ, "CLARIFAI_PAT": "local", "CLARIFAI_API_BASE": handle.rest_url}
        env.pop("CLARIFAI_TRANSPORT", None)
        ran = subprocess.run(
            [sys.executable, "-m", "openai_pkg.examples.openai_chat"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert ran.returncode == 0, ran.stderr
    answer = f"echo: {SAMPLE_TEXT}"
    unary = [line for line in ran.stdout.splitlines() if line.startswith("openai_transport: ")]
    assert len(unary) == 1, ran.stdout
    completion = json.loads(unary[0].removeprefix("openai_transport: "))
    assert completion["object"] == "chat.completion", completion  # not the model's error object
    assert completion["choices"][0]["message"]["content"] == answer
    prefix = "openai_stream_transport: "
    chunks = [
        json.loads(x.removeprefix(prefix)) for x in ran.stdout.splitlines() if x.startswith(prefix)
    ]
    assert chunks and all(c.get("object") == "chat.completion.chunk" for c in chunks), chunks
    assert "".join(c["choices"][0]["delta"]["content"] for c in chunks) == answer
    assert [r["stream"] for r in fake_openai.REQUESTS] == [False, True]
    for request in fake_openai.REQUESTS:
        assert request["messages"] == [{"role": "user", "content": SAMPLE_TEXT}]
