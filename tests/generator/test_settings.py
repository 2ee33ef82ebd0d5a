"""`[tool.clarifai-codegen]` in pyproject.toml is input too: any file ends in one `CodegenError`."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.errors import CodegenError
from codegen.settings import load_settings

TABLE = "[tool.clarifai-codegen]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TABLE + "models = " + "[" * 3000 + "]" * 3000 + "\n", "invalid TOML: nested too deeply"),
        (TABLE + "line-length = 1" + "0" * 5000 + "\n", "invalid TOML"),  # int() of 4,301+ digits
        (TABLE + "models = [\n", "invalid TOML"),
        (TABLE.encode() + b"output = '\xff'\n", "invalid TOML"),
    ],
    ids=["nested", "huge-int", "unclosed", "not-utf8"],
)
def test_a_bad_pyproject_is_one_error(tmp_path: Path, text: str | bytes, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(CodegenError, match=message) as caught:
        load_settings(tmp_path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    assert len(str(caught.value)) < 400
