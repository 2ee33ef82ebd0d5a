"""Acceptance 5: every hostile signature file of the Python suite gives valid, prettier-stable,
injection-free TypeScript or the same clean error; TypeScript reserved words are renamed with a
warning."""

from __future__ import annotations

import re

import pytest

from codegen.backends.typescript.names import RESERVED, TsIdent, TsNamespace, camel_case

from ..hostile_corpus import CORPUS, EXPECTED, Fails, Ok
from .conftest import Workspace
from .tools import node_script

pytestmark = pytest.mark.slow  # tsc and prettier over every package: a minute under load

# Top-level statements and class members a generated module or example may have.
STATEMENTS = {
    "ImportDeclaration",
    "ExportDeclaration",  # index.ts: `export * from "./_runtime/index.js"`
    "VariableStatement",
    "FirstStatement",  # the same kind (SyntaxKind's first name for VariableStatement)
    "InterfaceDeclaration",
    "TypeAliasDeclaration",
    "ClassDeclaration",
    "FunctionDeclaration",
    "ExpressionStatement",  # an example's `main().catch(...)`
}
MEMBERS = {"Constructor", "PropertyDeclaration", "MethodDeclaration"}
# Everything generated code calls; an injected call would show up here.
MODULE_CALLS = re.compile(
    r"(loadSignatures|new Client|this\.#call|this\.#client\.(unary|unaryBatch|serverStream|bidiStream))"
)
EXAMPLE_CALLS = re.compile(
    r"(main|main\(\)\.catch|console\.(log|error)|model\.[A-Za-z_$][\w$]*|"
    r"(Image|Audio|Video)\.fromUrl|NDArray\.from|new (Float32Array|TextEncoder|Text|Concept|"
    r"Region|Frame|[A-Z][\w$]*)|new TextEncoder\(\)\.encode)"
)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_same_outcome_as_python(workspace: Workspace, path: object) -> None:
    name = path.name  # type: ignore[attr-defined]
    expected, outcome = EXPECTED[name], workspace.outcomes[name]
    if isinstance(expected, Fails):
        assert expected.message in outcome, outcome
        assert "\n" not in outcome
    else:
        assert isinstance(expected, Ok) and outcome == "", outcome
        assert list(workspace.hostile(name).glob("*.ts")), "a module was written"


def test_hostile_outputs_pass_tsc_strict_and_prettier(workspace: Workspace) -> None:
    errors = [e for e in workspace.errors if e.startswith("hostile/")]
    assert not errors, "\n".join(errors[:20])
    unformatted = [f for f in workspace.unformatted if f.startswith("hostile/")]
    assert not unformatted, f"prettier would rewrite {unformatted}"


def test_hostile_outputs_hold_only_generated_code(workspace: Workspace) -> None:
    files = sorted(
        str(p) for p in (workspace.root / "hostile").rglob("*.ts") if "_runtime" not in p.parts
    )
    assert len(files) > 40
    found = node_script(workspace.node, "structure", {"files": files}, workspace.root)
    assert isinstance(found, dict)
    for file, info in found.items():
        assert info["diagnostics"] == 0, file
        assert set(info["statements"]) <= STATEMENTS, (file, info["statements"])
        assert set(info["members"]) <= MEMBERS, (file, info["members"])
        pattern = EXAMPLE_CALLS if "/examples/" in file else MODULE_CALLS
        odd = [c for c in info["calls"] if not pattern.fullmatch(c)]
        assert not odd, (file, odd)


def test_reserved_words_are_renamed_with_a_warning(workspace: Workspace) -> None:
    warnings = "\n".join(workspace.warnings["method-names-keywords-builtins.json"])
    assert "method 'class' is a TypeScript reserved word; named 'class_'" in warnings
    assert "method 'import' is a TypeScript reserved word; named 'import_'" in warnings
    root = workspace.hostile("method-names-keywords-builtins.json")
    [module] = [p for p in root.glob("*.ts") if p.name != "index.ts"]
    text = module.read_text()
    assert "async class_(prompt: string" in text and "async classBatch(" in text
    assert "async import_(" in text and "async lambda(" in text  # not reserved in TypeScript
    params = "\n".join(workspace.warnings["param-names-keywords-builtins.json"])
    assert "is a TypeScript reserved word" in params


def test_every_reserved_word_is_renamed() -> None:
    names = TsNamespace(where="here")
    for word in sorted(RESERVED):
        renamed = names.add_wire_ts(word, "arg", "argument")
        assert renamed == TsIdent(camel_case(word, "arg")) and renamed != word
    # `NaN` and `Infinity` become `naN` and `infinity`: usable, so not warned about
    assert len(names.problems) == sum(camel_case(w, "arg").endswith("_") for w in RESERVED) > 40
    assert all("TypeScript reserved word" in str(p) for p in names.problems)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("max_tokens", "maxTokens"),
        ("maxTokens", "maxTokens"),
        ("URL", "url"),
        ("top-p", "topP"),
        ("1abc", "arg1abc"),
        ("größe", "grosse"),
        ("", "arg"),
        ("delete", "delete_"),
    ],
)
def test_camel_case(raw: str, expected: str) -> None:
    assert camel_case(raw, "arg") == expected
