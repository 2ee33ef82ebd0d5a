"""The pinned npm tools (tsc, prettier, the TypeScript language service) over generated TypeScript.

Without `node` the tests that need it skip with that reason; with `node` but without node_modules/,
`npm ci` installs the pinned tools from package-lock.json first (as `make test` does).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "node_modules" / ".bin"
HERE = Path(__file__).parent

# The generated package's settings for `tsc`: strict, ES2022 modules for Node 18+, no emit.
TSCONFIG: dict[str, Any] = {
    "compilerOptions": {
        "target": "ES2022",
        "module": "NodeNext",
        "moduleResolution": "NodeNext",
        "lib": ["ES2022"],
        "types": ["node"],
        "typeRoots": [str(ROOT / "node_modules" / "@types")],
        "strict": True,
        "noEmit": True,
        "skipLibCheck": True,
    },
    "include": ["**/*.ts"],
}

# What a user's strict project may turn on besides `strict` (the generated package, examples
# included, compiles under all of them; tests/typescript_gen/test_user_tsconfig.py).
USER_STRICT = {
    "strict": True,
    "noUncheckedIndexedAccess": True,
    "exactOptionalPropertyTypes": True,
    "noImplicitOverride": True,
    "noPropertyAccessFromIndexSignature": True,
    "useUnknownInCatchVariables": True,
    "verbatimModuleSyntax": True,
    "isolatedModules": True,
    "noImplicitReturns": True,
    "noFallthroughCasesInSwitch": True,
    "noUnusedLocals": True,
    "noUnusedParameters": True,
    "allowUnreachableCode": False,
    "allowUnusedLabels": False,
    "forceConsistentCasingInFileNames": True,
}
# The session workspace (golden package, negative type tests, hostile packages) checks all of them
# but these, whose errors would satisfy a `@ts-expect-error` whose real error went away.
UNUSED_CODE = frozenset(
    {"noUnusedLocals", "noUnusedParameters", "allowUnreachableCode", "allowUnusedLabels"}
)


def need_node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the generated TypeScript tests need Node.js 18+")
    if not (BIN / "tsc").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True, timeout=600)
    return node


def strict_config(**options: object) -> dict[str, Any]:
    """`TSCONFIG` with a user's strict checks (but `UNUSED_CODE`) and `options` on top."""
    strict = {k: v for k, v in USER_STRICT.items() if k not in UNUSED_CODE}
    return TSCONFIG | {"compilerOptions": TSCONFIG["compilerOptions"] | strict | options}


def project(root: Path) -> None:
    """Make `root` a strict TypeScript project of ES modules (a user's strict checks included)."""
    (root / "tsconfig.json").write_text(json.dumps(strict_config(), indent=2))
    (root / "package.json").write_text('{"type": "module"}\n')


def tsc(root: Path) -> list[str]:
    """`tsc -p root`: its error lines (relative paths), [] when clean."""
    result = subprocess.run(
        [str(BIN / "tsc"), "-p", str(root), "--pretty", "false"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in result.stdout.splitlines() if "error TS" in line]
    assert lines or result.returncode == 0, result.stdout + result.stderr
    return lines


def prettier_unformatted(root: Path) -> list[str]:
    """The generated files (the runtime copy aside) that prettier --check would rewrite."""
    result = subprocess.run(
        [str(BIN / "prettier"), "--check", "--log-level", "warn", "**/*.ts", "!**/_runtime/**"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    text = result.stdout + result.stderr
    bad = [line.removeprefix("[warn] ") for line in text.splitlines() if line.endswith(".ts")]
    assert bad or result.returncode == 0, text
    return bad


def node_script(node: str, script: str, payload: object, cwd: Path) -> object:
    """Run `tests/typescript_gen/<script>.mjs` with `payload` as JSON on stdin; its JSON answer."""
    result = subprocess.run(
        [node, str(HERE / f"{script}.mjs")],
        input=json.dumps(payload),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)
