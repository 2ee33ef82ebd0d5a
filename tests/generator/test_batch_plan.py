"""Planning `<method>_batch` and its item TypedDict: names, collisions, awkward keys, mypy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..conftest import run_cli, run_mypy

STR, INT, UNARY, SERVER_STREAM = 1, 3, 1, 2


def field(name: str, t: int = STR, required: bool = True, default: str | None = None) -> Any:
    out: dict[str, Any] = {"name": name, "type": t, "required": required}
    if default is not None:
        out["default"] = default
    return out


def generate(tmp_path: Path, methods: list[dict[str, Any]]) -> tuple[str, str]:
    """Generate model `batchy` with `methods` as package tmp_path/pkg: its module source and stderr."""
    body = {
        "status": {"code": 10000},
        "model": {
            "id": "batchy",
            "user_id": "u",
            "app_id": "a",
            "model_version": {"id": "v1", "method_signatures": methods},
        },
    }
    src = tmp_path / "m.json"
    src.write_text(json.dumps(body))
    result = run_cli("generate", str(src), "-o", str(tmp_path / "pkg"))
    assert result.returncode == 0, result.stderr
    return (tmp_path / "pkg" / "batchy.py").read_text(), result.stderr


def method(name: str, inputs: list[Any], kind: int = UNARY) -> dict[str, Any]:
    return {
        "name": name,
        "method_type": kind,
        "input_fields": inputs,
        "output_fields": [{"name": "return", "type": STR}],
    }


def test_a_models_own_x_batch_keeps_its_name_and_the_batch_method_is_renamed(
    tmp_path: Path,
) -> None:
    source, stderr = generate(
        tmp_path,
        [
            method("predict", [field("prompt")]),
            method("predict_batch", [field("prompts")]),
            method("generate", [field("prompt")], kind=SERVER_STREAM),
        ],
    )
    assert "def predict_batch(self, prompts: str) -> str:" in source
    assert "def predict_batch_(self, items: Sequence[PredictItem]) -> list[str]:" in source
    assert "def predict_batch_batch(self, items: Sequence[PredictBatchItem])" in source
    assert "generate_batch" not in source  # streaming methods have no batch
    assert "batch method for 'predict' would be named 'predict_batch'" in stderr
    assert "named 'predict_batch_' instead" in stderr


def test_keys_that_cannot_be_class_attributes_still_give_a_checked_item(tmp_path: Path) -> None:
    """Capitalized keys (which could shadow a type name in a class body) use the functional
    TypedDict syntax, required and optional ones in two bases; mypy --strict accepts a correct
    item and rejects a missing or misspelt key and a wrong value type."""
    source, _ = generate(
        tmp_path,
        [
            method(
                "predict",
                [
                    field("Text"),
                    field("Count", INT),
                    field("Style", required=False, default="x"),
                    field("n", INT, required=False, default="3"),
                ],
            )
        ],
    )
    assert "_PredictItemRequired = TypedDict(" in source
    assert "class PredictItem(_PredictItemRequired, _PredictItemOptional):" in source
    (tmp_path / "use.py").write_text(
        "from pkg.batchy import Batchy\n"
        "m = Batchy()\n"
        "ok: list[str] = m.predict_batch([{'Text': 'a', 'Count': 1}, {'Text': 'b', 'Count': 2, 'n': 4}])\n"
        "m.predict_batch([{'Text': 'a'}])\n"
        "m.predict_batch([{'Text': 'a', 'Count': 1, 'nn': 4}])\n"
        "m.predict_batch([{'Text': 'a', 'Count': 1, 'Style': 3}])\n"
    )
    mypy = run_mypy("use.py", cwd=tmp_path)
    errors = [line for line in mypy.stdout.splitlines() if ": error:" in line]
    assert [e.split(":")[1] for e in errors] == ["4", "5", "6"], mypy.stdout
    assert 'Missing key "Count"' in errors[0] and 'Extra key "nn"' in errors[1]
