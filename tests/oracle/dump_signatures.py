"""Write the GetModel REST bodies of the oracle models to tests/oracle/signatures/<model-id>.json.

    .venv/bin/python -m tests.oracle.dump_signatures          # (re)write
    .venv/bin/python -m tests.oracle.dump_signatures --check  # exit 1 if a file is stale

The files are generator inputs (same shape as ``signatures/*.json``: snake_case, enums as ints).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .models import oracle_models, signatures_json

SIGNATURES_DIR = Path(__file__).resolve().parent / "signatures"


def render(body: dict[str, object]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def expected_files() -> dict[Path, str]:
    return {
        SIGNATURES_DIR / f"{model_id}.json": render(signatures_json(model))
        for (_, _, model_id), model in oracle_models().items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected_files().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print("stale: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
