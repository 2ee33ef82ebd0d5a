"""`--lang typescript` through the CLI: generate, regenerate offline keeping the language, --check,
the `lang` setting, and `example --lang typescript`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..writes import run, tree

HELLO = str(ROOT / "signatures" / "hello-world.json")


def test_generate_typescript_then_regenerate_offline(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    first = run("generate", HELLO, "-o", str(out), "--lang", "typescript")
    assert first.returncode == 0, first.stderr
    files = tree(out)
    assert "hello_world.ts" in files and "examples/hello_world.ts" in files
    assert "index.ts" in files and "_runtime/index.ts" in files
    assert not [name for name in files if name.endswith(".py")]
    lock = json.loads(files[".codegen/lock.json"])
    assert lock["lang"] == "typescript"
    (out / "hello_world.ts").unlink()
    again = run("generate", "-o", str(out))  # no --lang: the package's language
    assert again.returncode == 0, again.stderr
    assert tree(out) == files
    assert run("check", "-o", str(out)).returncode == 0
    (out / "hello_world.ts").write_text("// edited\n")
    assert run("check", "-o", str(out)).returncode == 1


def test_switching_language_replaces_the_files(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    assert run("generate", HELLO, "-o", str(out)).returncode == 0
    assert (out / "hello_world.py").is_file()
    assert run("generate", "-o", str(out), "--lang", "typescript").returncode == 0
    assert (out / "hello_world.ts").is_file() and not (out / "hello_world.py").exists()
    assert not (out / "_runtime" / "client.py").exists()


def test_lang_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.clarifai-codegen]\nlang = "typescript"\noutput = "pkg"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = run("generate", HELLO)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pkg" / "hello_world.ts").is_file()
    (tmp_path / "pyproject.toml").write_text('[tool.clarifai-codegen]\nlang = "go"\n')
    bad = run("generate", HELLO, "-o", "other")
    assert bad.returncode == 2 and "'lang' must be one of: python, typescript" in bad.stderr


def test_example_in_typescript() -> None:
    result = run("example", HELLO, "--lang", "typescript")
    assert result.returncode == 0, result.stderr
    assert 'import { HelloWorld } from "../hello_world.js";' in result.stdout
    assert "await model.predict(text);" in result.stdout
    assert run("example", HELLO, "--lang", "cobol").returncode == 2
