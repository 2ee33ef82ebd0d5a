"""Local model directories (`codegen.sources.local`): static analysis against the SDK as oracle.

The oracle is what `clarifai model upload` runs: `ModelBuilder.load_model_class(...)` and
`_get_method_infos()`, each signature through `MessageToDict(..., preserving_proto_field_name=True)`.
It runs once, in a subprocess whose working directory is a temp dir, so the SDK's import-time side
effects (model.py is executed) land there and its global patches (json encoder, sys.modules) stay there.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from codegen.errors import CodegenError, Level
from codegen.parser import parse_model
from codegen.sources.local import (
    SDK_BASES,
    analyze_source,
    is_model_dir,
    model_dir_signatures,
    sdk_base_methods,
)

from ..conftest import MODELS
from .sdk_subprocess import run_sdk_script

pytest.importorskip("clarifai.runners.models.model_builder")

# mocking=True is what upload does. numpy/PIL annotations fail under it (they become MagicMock), so
# the model that uses them is loaded unmocked: an SDK limitation that model_dir_signatures warns about.
MOCKING = {
    "all_types": False,
    "openai_chat": True,
    "mcp_server": True,
    "stdio_mcp": True,
    "visual_detector": True,
    "agentic": True,
    "aliases": True,
    "side_effects": True,
}
MARKER = "side_effect_marker.txt"

_ORACLE = r"""
import importlib, json, sys, types
from unittest import mock
from google.protobuf.json_format import MessageToDict
from clarifai.runners.models.model_builder import ModelBuilder

def as_dict(sig):
    return MessageToDict(sig, preserving_proto_field_name=True)

def load(folder, mocking):
    fake = types.SimpleNamespace(folder=folder)
    fake._is_standard_or_clarifai = types.MethodType(ModelBuilder._is_standard_or_clarifai, fake)
    cls = ModelBuilder.load_model_class(fake, mocking=mocking)
    infos = cls._get_method_infos()
    return [[n, as_dict(i.signature)] for n, i in infos.items() if i.signature is not None]

request = json.loads(sys.stdin.read())
out = {"models": {}, "bases": {}, "qualnames": {}}
for folder, mocking in request["models"]:
    try:
        out["models"][folder] = {"signatures": load(folder, mocking)}
    except BaseException as exc:
        out["models"][folder] = {"error": f"{type(exc).__name__}: {exc}"}
sys.modules.setdefault("cv2", mock.MagicMock())  # visual_*_class import cv2/torch at module level
sys.modules.setdefault("torch", mock.MagicMock())
for name, qualnames in request["bases"].items():
    found = []
    for q in qualnames:
        module, _, attr = q.rpartition(".")
        found.append(getattr(importlib.import_module(module), attr))
    cls = found[0]
    out["qualnames"][name] = [cls.__name__ == name, all(c is cls for c in found)]
    # _register_model_methods() is what _get_method_infos() caches. Calling _get_method_infos() on a
    # base class would cache it on the base, and subclasses would then inherit that stale registry.
    infos = cls._register_model_methods()
    out["bases"][name] = [[n, as_dict(i.signature)] for n, i in infos.items()]
print("ORACLE:" + json.dumps(out))
"""

CONFIG = 'model:\n  id: "{id}"\n  user_id: "me"\n  app_id: "tests"\n'


def write_model(root: Path, source: str, config: str | None = None) -> Path:
    (root / "1").mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(config or CONFIG.format(id=root.name.replace("_", "-")))
    (root / "1" / "model.py").write_text(source)
    return root


HEAD = """\
from typing import Iterator, List, Optional
from clarifai.runners.models.model_class import ModelClass
"""


def src(body: str, head: str = HEAD) -> str:
    """A model.py: `head` (imports) then the dedented body; lines count from 1 at `head`."""
    return head + textwrap.dedent(body).lstrip("\n")


# name -> (model.py, line named in the error, text in the error, the SDK rejects it too)
NEGATIVE: dict[str, tuple[str, int, str, bool]] = {
    "unresolvable_default": (
        src("""
            import helpers
            class M(ModelClass):
                @ModelClass.method
                def predict(self, x: int = helpers.compute()) -> int:
                    return x
        """),
        6,
        "cannot resolve default for parameter 'x' statically",
        False,
    ),
    "two_model_classes": (
        src("""
            class A(ModelClass):
                pass
            class B(ModelClass):
                pass
        """),
        5,
        "found 2 ModelClass subclasses: A (line 3), B (line 5)",
        True,
    ),
    "optional": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, x: Optional[str] = None) -> str:
                    return ""
        """),
        5,
        "Optional/Union",
        True,
    ),
    "pep604_union": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, x: int | None = None) -> str:
                    return ""
        """),
        5,
        "Optional/Union",
        True,
    ),
    "future_annotations": (
        src(
            """
            class M(ModelClass):
                @ModelClass.method
                def predict(self, x: str) -> str:
                    return x
            """,
            "from __future__ import annotations\n" + HEAD,
        ),
        1,
        "from __future__ import annotations",
        True,
    ),
    "string_annotation": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, x: "str") -> str:
                    return x
        """),
        5,
        "string annotation 'str'",
        True,
    ),
    "reserved_name": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, x: str, with_proto: bool = False) -> str:
                    return x
        """),
        5,
        "'with_proto' is reserved",
        True,
    ),
    "no_return_annotation": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, x: str):
                    return x
        """),
        5,
        "no return annotation",
        True,
    ),
    "streaming_input_only": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, xs: Iterator[str]) -> str:
                    return ""
        """),
        5,
        "streaming inputs must have streaming outputs",
        True,
    ),
    "conditional_constant": (
        src("""
            import os
            if os.environ.get("BIG"):
                LIMIT = 4096
            else:
                LIMIT = 512
            class M(ModelClass):
                @ModelClass.method
                def predict(self, n: int = LIMIT) -> int:
                    return n
        """),
        10,
        "'LIMIT' is bound conditionally (line 7)",
        False,
    ),
    "constant_defined_later": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, n: int = LIMIT) -> int:
                    return n
            LIMIT = 3
        """),
        5,
        "'LIMIT' is not defined yet",
        True,
    ),
    "base_from_other_module": (
        src("""
            from my_bases import Base
            class M(Base):
                @ModelClass.method
                def predict(self, n: int) -> int:
                    return n
        """),
        4,
        "base class 'Base' of M cannot be resolved statically",
        False,
    ),
    "data_types_name_missing_in_the_sdk": (
        src("""
            from clarifai.runners.utils.data_types import Stream
            class M(ModelClass):
                @ModelClass.method
                def generate(self, x: str) -> Stream[str]:
                    yield x
        """),
        3,
        "cannot import name 'Stream' from 'clarifai.runners.utils.data_types'",
        True,
    ),
    "alias_of_model_class": (
        src("""
            class M(ModelClass):
                @ModelClass.method
                def predict(self, n: int) -> int:
                    return n
            Other = M
        """),
        7,
        "Other = M binds the model class to a second module name",
        True,
    ),
}


@pytest.fixture(scope="session")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cwd = tmp_path_factory.mktemp("oracle_cwd")
    negatives = tmp_path_factory.mktemp("negative_models")
    models = [[str(MODELS / name), mocking] for name, mocking in MOCKING.items()]
    for name, (source, _, _, sdk_rejects) in NEGATIVE.items():
        if sdk_rejects:
            models.append([str(write_model(negatives / name, source) / ""), True])
    bases = {n: list(b.qualnames) for n, b in SDK_BASES.items() if n not in ("object", "ABC")}
    data = run_sdk_script(_ORACLE, {"models": models, "bases": bases}, cwd)
    data["cwd"] = cwd
    data["negatives"] = negatives
    return data


@pytest.mark.parametrize("name", sorted(MOCKING))
def test_signatures_equal_the_sdk(name: str, oracle: dict[str, Any]) -> None:
    expected = oracle["models"][str(MODELS / name)]
    assert "error" not in expected, expected.get("error")
    sigs, ref, _ = model_dir_signatures(MODELS / name)
    assert [s["name"] for s in sigs] == [n for n, _ in expected["signatures"]]  # same order
    assert sigs == [s for _, s in expected["signatures"]]  # field for field
    assert ref.model_id == name.replace("_", "-") and ref.user_id == "codegen-tests"


@pytest.mark.parametrize("name", sorted(MOCKING))
def test_generator_accepts_the_signatures(name: str) -> None:
    assert is_model_dir(MODELS / name)
    sigs, ref, _ = model_dir_signatures(MODELS / name)
    spec, _ = parse_model(sigs, str(MODELS / name), ref)
    assert [m.name for m in spec.methods] == [s["name"] for s in sigs]
    assert spec.ref.path == f"codegen-tests/local-models/{name.replace('_', '-')}"


def test_sdk_base_table_matches_the_sdk(oracle: dict[str, Any]) -> None:
    for name, methods in oracle["bases"].items():
        assert oracle["qualnames"][name] == [True, True], name  # every import path is that class
        assert sdk_base_methods(name) == [sig for _, sig in methods], name
        assert [s["name"] for s in sdk_base_methods(name)] == [n for n, _ in methods]


def test_side_effects_do_not_happen(
    oracle: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK executes model.py: the file appears in its working directory.
    assert (oracle["cwd"] / MARKER).is_file()
    model_dir_signatures(MODELS / "aliases")  # warm up lazy imports before taking the snapshot
    monkeypatch.chdir(tmp_path)
    modules = set(sys.modules)
    sigs, _, _ = model_dir_signatures(MODELS / "side_effects")
    assert [s["name"] for s in sigs] == ["predict"]
    assert list(tmp_path.iterdir()) == []
    assert not list(MODELS.rglob(MARKER))
    assert set(sys.modules) - modules == set()  # nothing imported: not model.py, not torch


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_unresolvable_input_is_an_error_naming_file_and_line(
    name: str, tmp_path: Path, oracle: dict[str, Any]
) -> None:
    source, line, fragment, sdk_rejects = NEGATIVE[name]
    root = write_model(tmp_path / name, source)
    with pytest.raises(CodegenError) as info:
        model_dir_signatures(root)
    message = str(info.value)
    assert f"{root / '1' / 'model.py'}:{line}: " in message, message
    assert fragment in message, message
    if sdk_rejects:
        assert "error" in oracle["models"][str(oracle["negatives"] / name / "")]


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ('model:\n  id: "m"\n  app_id: "a"\n', "no model.user_id, and no user id elsewhere"),
        ('model:\n  id: "m"\n  user_id: ""\n', "no model.user_id, and no user id elsewhere"),
        ('model:\n  user_id: "u"\n  app_id: "a"\n', "missing key 'model.id'"),
        ("build_info: {}\n", "missing key 'model'"),
        ('model:\n  id: "../x"\n  user_id: "u"\n  app_id: "a"\n', "model.id: invalid model id"),
        ('model:\n  id: 5\n  user_id: "u"\n  app_id: "a"\n', "'model.id' must be a string"),
        ("model: [\n", "invalid YAML"),
    ],
)
def test_config_problems_name_config_yaml(
    config: str, fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no Clarifai CLI config to take a user id from
    monkeypatch.delenv("CLARIFAI_USER_ID", raising=False)
    root = write_model(tmp_path / "m", NEGATIVE["optional"][0], config)
    with pytest.raises(CodegenError) as info:
        model_dir_signatures(root)
    assert str(root / "config.yaml") in str(info.value)
    assert fragment in str(info.value)


def test_warnings_name_the_line() -> None:
    _, _, problems = model_dir_signatures(MODELS / "openai_chat")
    assert [(p.level, p.where.rsplit(":", 1)[1]) for p in problems] == [(Level.WARNING, "47")]
    assert "keeps the inherited signature" in problems[0].message
    _, _, problems = model_dir_signatures(MODELS / "all_types")
    assert {p.where.rsplit(":", 1)[1] for p in problems} == {"32", "66"}
    assert all("numpy/PIL" in p.message for p in problems)


def test_no_model_class_and_not_a_model_dir(tmp_path: Path) -> None:
    assert not is_model_dir(tmp_path)
    with pytest.raises(CodegenError, match="no class inheriting from ModelClass"):
        analyze_source("class A:\n    pass\n", "model.py")
    with pytest.raises(CodegenError, match=r"model\.py:2: invalid Python"):
        analyze_source("x = 1\ndef (:\n", "model.py")


def test_decorators_and_star_imports() -> None:
    source = src("""
        import functools
        import torch
        from clarifai.runners.utils.data_types import *
        def keep(f):
            return functools.wraps(f)(lambda *a, **k: f(*a, **k))
        class M(ModelClass):
            @ModelClass.method
            @torch.no_grad()
            def predict(self, x: Text) -> str:
                return ""
            @torch.inference_mode()
            @ModelClass.method
            def generate(self, x: str) -> Iterator[str]:
                yield x
            @ModelClass.method
            @keep
            def other(self, x: str) -> str:
                return x
            @staticmethod
            @ModelClass.method
            def hidden(x: int) -> int:
                return x
    """)
    sigs, problems = analyze_source(source, "model.py")
    # `import *` after the ModelClass import does not hide it; Text comes from data_types.
    assert [s["name"] for s in sigs] == ["predict", "generate", "other"]
    assert sigs[0]["input_fields"] == [{"required": True, "name": "x", "type": "TEXT"}]
    messages = {p.where: p.message for p in problems}
    assert "fails on this method" in messages["model.py:10"]
    assert "drops this method" in messages["model.py:13"]
    assert "is not analysed" in messages["model.py:18"]
    assert "the SDK skips it" in messages["model.py:23"]
