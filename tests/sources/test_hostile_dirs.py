"""Hostile model directories: bounded time and memory, one-line errors, links that leave the directory.

Each case here once hung, ran out of memory, echoed a huge value or ended in an internal error.
Time bounds are generous and only where the bug was a hang.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from codegen.errors import CodegenError
from codegen.sources.ids import parse_ref
from codegen.sources.local import model_dir_signatures
from codegen.sources.signature_file import read_signature_file

from .test_local import src, write_model

CONFIG = 'model:\n  id: "m"\n  user_id: "me"\n  app_id: "a"\n'
MODEL = src("""
    class M(ModelClass):
        @ModelClass.method
        def predict(self, x: str) -> str:
            return x
""")


@contextmanager
def within(seconds: float) -> Iterator[None]:
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s"


def error_of(root: Path) -> str:
    with pytest.raises(CodegenError) as info:
        model_dir_signatures(root)
    return str(info.value)


# ---- config.yaml ----

BOMB = "".join(
    [
        "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
        *(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)),
        "model:\n  user_id: me\n  app_id: a\n  id: *a8\n",
    ]
)


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    root = write_model(tmp_path / "m", MODEL, BOMB)
    with within(5):
        message = error_of(root)
    assert f"{root / 'config.yaml'}:1: invalid YAML: aliases are not supported" in message, message


def test_any_yaml_alias_is_refused(tmp_path: Path) -> None:
    config = "model:\n  id: &name m\n  user_id: me\n  app_id: *name\n"
    message = error_of(write_model(tmp_path / "m", MODEL, config))
    where = f"{tmp_path / 'm' / 'config.yaml'}:2"  # the anchor
    assert f"{where}: invalid YAML: aliases are not supported (the node anchored" in message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2001-13-45", "invalid timestamp"),
        ("!!timestamp 2001-02-30", "invalid timestamp"),
        ("!!int abc", "invalid int"),
        ("!!float x", "invalid float"),
        ("1" * 5000, "integer too long"),
        ("1" + ":59" * 100_000, "integer too long"),
    ],
)
def test_yaml_values_python_cannot_build_are_errors(
    value: str, fragment: str, tmp_path: Path
) -> None:
    config = f"model:\n  user_id: me\n  app_id: a\n  id: {value}\n"
    root = write_model(tmp_path / "m", MODEL, config)
    with within(5):
        message = error_of(root)
    assert f"{root / 'config.yaml'}:4: invalid YAML: {fragment}" in message, message
    assert len(message) < 300


def test_cli_config_alias_bomb_is_ignored_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CLARIFAI_USER_ID", raising=False)
    cli = tmp_path / ".config" / "clarifai" / "config"
    cli.parent.mkdir(parents=True)
    cli.write_text(BOMB.replace("model:", "current_context: x\nmodel:"))
    root = write_model(tmp_path / "m", MODEL, 'model:\n  id: "m"\n')
    with within(5):
        _, ref, problems = model_dir_signatures(root, need_ids=False)
    assert ref.placeholder
    assert [p.message for p in problems] == [
        "ignored the Clarifai CLI config: invalid YAML at line 1"
    ]


# ---- files that are not regular files ----


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_file_that_is_not_a_regular_file_is_an_error(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "sigs.json"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    with within(5), pytest.raises(CodegenError) as info:
        read_signature_file(path, None, need_ids=False)
    assert str(info.value) == f"{path}: not a regular file"


# ---- long values in messages ----

LONG = 100_000


def _default(expr: str, head: str = "") -> str:
    return src(f"""
        {head}
        class M(ModelClass):
            @ModelClass.method
            def predict(self, x: int = {expr}) -> str:
                return ""
    """)


CLIPPED_ERRORS = {
    "name": _default("Y" * LONG),
    "string annotation": src(f"""
        class M(ModelClass):
            @ModelClass.method
            def predict(self, x: "{"s" * LONG}") -> str:
                return x
    """),
    "Param min_value": _default(
        f"Param(default=1, min_value='{'z' * LONG}')",
        "from clarifai.runners.utils.data_utils import Param",
    ),
    "call": _default(f"helpers.{'f' * LONG}()", "import helpers"),
    "star import": _default("Y", f"from {'p' * LONG} import *"),
    "keyword": _default(
        f"Param(default=1, {'k' * LONG}=2)", "from clarifai.runners.utils.data_utils import Param"
    ),
    "method name": src(f"""
        class M(ModelClass):
            @ModelClass.method
            def {"m" * LONG}(self, x) -> str:
                return x
    """),
    "base class": src(f"""
        import helpers
        class M(ModelClass, helpers.{"b" * LONG}):
            pass
    """),
    "model classes": src(
        "".join(f"class {'C' * 50}{i}(ModelClass):\n    pass\n" for i in range(2000))
    ),
}


@pytest.mark.parametrize("case", sorted(CLIPPED_ERRORS))
def test_errors_cut_long_values(case: str, tmp_path: Path) -> None:
    message = error_of(write_model(tmp_path / "m", CLIPPED_ERRORS[case], CONFIG))
    assert len(message) < 400 + len(str(tmp_path)), message[:1000]
    assert " chars)" in message, message


@pytest.mark.parametrize(
    "value",
    [
        f"[{', '.join(['a'] * LONG)}]",
        "x" * LONG,
        "{" + ", ".join(f"k{i}: v" for i in range(LONG // 10)) + "}",
    ],
)
def test_config_errors_cut_long_values(value: str, tmp_path: Path) -> None:
    config = f"model:\n  user_id: me\n  app_id: a\n  id: {value}\n"
    message = error_of(write_model(tmp_path / "m", MODEL, config))
    assert len(message) < 400 + len(str(tmp_path)), message[:1000]
    assert " chars)" in message, message


def test_warnings_cut_long_values(tmp_path: Path) -> None:
    model = src(f"""
        import torch
        class M(ModelClass):
            @ModelClass.method
            @torch.no_grad("{"q" * LONG}")
            def predict(self, x: str) -> str:
                return x
    """)
    _, _, problems = model_dir_signatures(write_model(tmp_path / "m", model, CONFIG))
    assert problems and all(len(p.message) < 400 for p in problems), problems[0].message[:1000]
    assert " chars)" in problems[0].message


def test_ref_errors_cut_long_values() -> None:
    with pytest.raises(CodegenError) as info:
        parse_ref("u/" * LONG)
    assert len(str(info.value)) < 300 and " chars)" in str(info.value)
