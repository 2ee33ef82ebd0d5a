"""`Client` construction, bidi handling, and the runtime's packaging constraints."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import codegen.runtime as runtime
from codegen.runtime import (
    ArgumentError,
    AuthError,
    Client,
    ModelRef,
    StreamingNotSupportedError,
    TransportError,
    signature,
)
from codegen.runtime.client import bidi_requests

RUNTIME_DIR = Path(runtime.__file__).parent
BIDI = signature.parse_method(
    {
        "name": "stream",
        "kind": "bidi_stream",
        "inputs": [
            {"name": "input_stream", "type": {"t": "STR"}, "required": True, "iterator": True},
            {"name": "suffix", "type": {"t": "STR"}, "required": False, "iterator": False},
        ],
        "output": {"t": "STR"},
    }
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLARIFAI_PAT", "CLARIFAI_API_BASE", "CLARIFAI_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)


def test_missing_pat() -> None:
    with pytest.raises(
        AuthError, match=r"set the CLARIFAI_PAT environment variable or pass Client\(pat=...\)"
    ):
        Client()


def test_env_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLARIFAI_PAT", "envpat")
    with Client() as c:
        assert c.base_url == "https://api.clarifai.com" and c.transport == "http"
    monkeypatch.setenv("CLARIFAI_API_BASE", "http://127.0.0.1:9/")
    with Client() as c:
        assert c.base_url == "http://127.0.0.1:9"
    with Client("p", "https://example.test///") as c:
        assert c.base_url == "https://example.test"


def test_repr_redacts_pat() -> None:
    c = Client("very-secret")
    assert "very-secret" not in repr(c) and "***" in repr(c)
    assert "very-secret" not in str(vars(c).get("base_url"))
    c.close()


def test_bad_pat_characters_do_not_leak() -> None:
    with pytest.raises(AuthError) as info:
        Client("abc\ndef")
    assert "abc" not in str(info.value)


def test_transport_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Client("p", transport="grpc").transport == "grpc"
    monkeypatch.setenv("CLARIFAI_TRANSPORT", "GRPC")
    assert Client("p").transport == "grpc"
    assert Client("p", transport="http").transport == "http"
    with pytest.raises(TransportError, match="unknown transport 'carrier-pigeon'"):
        Client("p", transport="carrier-pigeon")


def test_bad_base_url() -> None:
    with pytest.raises(TransportError, match="must start with http"):
        Client("p", "api.clarifai.com")


def test_bidi_over_http_raises() -> None:
    with Client("p") as c:
        with pytest.raises(
            StreamingNotSupportedError, match=r'Client\(transport="grpc"\).*CLARIFAI_TRANSPORT=grpc'
        ):
            c.bidi_stream(
                ModelRef("u", "a", "m"), BIDI, {"input_stream": iter(["x"]), "suffix": "?"}
            )
        assert issubclass(StreamingNotSupportedError, TransportError)


def test_bidi_request_bodies() -> None:
    """Protocol §4.5: the first request carries every argument, later ones only the item."""
    bodies = list(
        bidi_requests(
            ModelRef("u", "a", "m"), BIDI, {"input_stream": iter(["x", "y"]), "suffix": "?"}
        )
    )
    data = [b["inputs"][0]["data"] for b in bodies]
    assert data == [
        {"metadata": {"_method_name": "stream"}, "parts": [
            {"id": "input_stream", "data": {"string_value": "x"}}, {"id": "suffix", "data": {"string_value": "?"}}]},
        {"metadata": {"_method_name": "stream"}, "parts": [{"id": "input_stream", "data": {"string_value": "y"}}]},
    ]  # fmt: skip
    with pytest.raises(ArgumentError, match="suffix"):
        bidi_requests(ModelRef("u", "a", "m"), BIDI, {"input_stream": [], "suffix": 1})
    items = bidi_requests(ModelRef("u", "a", "m"), BIDI, {"input_stream": ["ok", 5]})
    next(items)
    with pytest.raises(ArgumentError, match=r"argument 'input_stream'\[1\]: expected str"):
        next(items)


def test_supplied_http_client_is_not_closed() -> None:
    http = httpx.Client()
    Client("p", http_client=http).close()
    assert not http.is_closed
    http.close()


def test_public_names() -> None:
    expected = {
        "Client", "ModelRef", "Image", "Audio", "Video", "Text", "Concept", "Region", "Frame",
        "JsonValue", "signature", "ClarifaiError", "ArgumentError", "TransportError",
        "StreamingNotSupportedError", "AuthError", "PermissionDeniedError", "NotFoundError",
        "ModelError", "RateLimitError", "ServerError",
    }  # fmt: skip
    assert expected <= set(runtime.__all__)
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None


def test_only_relative_and_allowed_imports() -> None:
    # httpcore: httpx's own transport, installed with it (`deadline.py` wraps its network streams);
    # certifi: the CA bundle of both, which `httpdefaults` verifies TLS against as httpx does
    allowed = {"__future__", "httpx", "httpcore", "certifi"} | set(sys.stdlib_module_names)
    for path in RUNTIME_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
    assert (RUNTIME_DIR / "py.typed").exists()


def test_works_as_copied_package_without_optional_deps(tmp_path: Path) -> None:
    """Copied as `pkg/_runtime`, importable and usable with numpy, PIL and clarifai blocked."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    shutil.copytree(RUNTIME_DIR, pkg / "_runtime", ignore=shutil.ignore_patterns("__pycache__"))
    script = """
import sys, json
for name in ("numpy", "PIL", "PIL.Image", "clarifai", "clarifai_grpc", "codegen"):
    sys.modules[name] = None
from pkg._runtime import Client, ModelRef, signature, Image, Text
from pkg._runtime.encode import encode_args
m = signature.load({"f": json.dumps({"name": "f", "kind": "unary", "output": {"t": "STR"},
    "inputs": [{"name": "t", "type": {"t": "TEXT"}, "required": True, "iterator": False},
               {"name": "i", "type": {"t": "IMAGE"}, "required": False, "iterator": False}]})})["f"]
print(json.dumps(encode_args(m, {"t": "hi", "i": Image.from_url("u")})))
try:
    Image(bytes=b"x").to_pil()
except ImportError as e:
    print(e)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    first, second = out.stdout.splitlines()
    assert json.loads(first) == [
        {"id": "t", "data": {"text": {"raw": "hi"}}},
        {"id": "i", "data": {"image": {"url": "u"}}},
    ]
    assert second == "Image.to_pil() needs pillow: pip install pillow"


def test_a_sync_program_leaves_the_async_runtime_unloaded() -> None:
    """A generated module imports `AsyncClient` for type checkers only and its async class
    loads it when it builds one (0.2 MB of a cold process that only uses `Client`); the
    package exports it as it exports `Client`, loaded on first use."""
    script = """
import sys
import generated
from generated.hello_world import AsyncHelloWorld, HelloWorld
print("generated._runtime.aclient" in sys.modules)
from generated import AsyncClient
model = AsyncHelloWorld()
print(type(model._client) is AsyncClient, "generated._runtime.aclient" in sys.modules)
print("AsyncClient" in generated.__all__, hasattr(generated, "NoSuchName"))
"""
    env = {"CLARIFAI_PAT": "p", "CLARIFAI_API_BASE": "http://127.0.0.1:9", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=RUNTIME_DIR.parents[1],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == ["False", "True True", "True False"]
