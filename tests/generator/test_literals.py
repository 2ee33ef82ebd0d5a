"""The two functions that turn third-party text into code, `literals.docstring` and `py_literal`,
against nasty and random strings."""

from __future__ import annotations

import ast
import io
import random
import tokenize
from typing import Any

import pytest

from codegen.literals import docstring, py_literal

from .code_checks import assert_markers_only_in_strings

NASTY = [
    "",
    " ",
    "x",
    '"',
    '""',
    '"""',
    '""""',
    '"' * 7,
    "'",
    "'''",
    "\\",
    "\\\\",
    'a\\"b',
    'ends "',
    "ends \\",
    '\\"""',
    '"""\nimport os\n"""',
    "\n",
    "\n\n",
    "a\n",
    "\na",
    "a\nb\n\nc",
    "\r",
    "\r\n",
    "a\rb\r\nc",
    "\t",
    "a\tb",
    "\x00",
    "\x01\x1f\x7f\x85\x9f",
    "\u2028\u2029",
    "\ufeff",
    "\ud800",
    "\udfff x \ud83d",
    "é 名前 größe 😀",
    "\\N{BULLET}",
    "\\x41\\u0041\\U00000041",
    "{{ x }} {% y %}",
    "# comment",
    "'''\"\"\"'''",
    "\" + __import__('os').system('touch PWNED') + \"",
    "\"\"\"); __import__('os').system('touch PWNED')  #",
    "\\\n",
    "x\\\ny",
    "  lead and trail  ",
    "a" * 5000,
    '"' * 1000,
    "\\" * 999,
]
ALPHABET = [
    '"',
    "'",
    "\\",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x0c",
    "\u2028",
    "\ufeff",
    "\ud800",
    "é",
    "名",
    "{",
    "}",
    "#",
    " ",
    "a",
    "N",
    "x",
    "u",
    "0",
]


def fuzz_strings(count: int = 1500, seed: int = 20240501) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 24))) for _ in range(count)
    ]


def one_string_token(literal: str) -> bool:
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(literal).readline)
        if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
    ]
    return len(tokens) == 1 and tokens[0].type == tokenize.STRING


def _indented(text: str, indent: str) -> str:
    """Lines after the first get `indent`; empty lines stay empty (no trailing whitespace)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(indent + line if line else line for line in rest)])


@pytest.mark.parametrize("indent", ["", "    ", "        "])
def test_docstring_round_trips(indent: str) -> None:
    for raw in NASTY + fuzz_strings():
        literal = docstring(raw, indent)
        # lone surrogates cannot be compiled into a docstring; the generator writes U+FFFD instead
        text = "".join("\ufffd" if 0xD800 <= ord(ch) < 0xE000 else ch for ch in raw)
        assert literal.startswith('"""') and literal.endswith('"""'), repr(literal)
        assert one_string_token(literal), repr(literal)
        assert not any(
            (ord(ch) < 0x20 and ch != "\n")
            or ch in "\r\u2028\u2029\ufeff"
            or 0xD800 <= ord(ch) < 0xE000
            for ch in literal
        ), f"raw control character in {literal!r}"
        expected = _indented(text.replace("\t", "    "), indent)
        if "\n" in text:
            expected += "\n" + indent
        node = ast.parse(literal, mode="eval").body
        assert isinstance(node, ast.Constant) and node.value == expected, (text, literal)
        assert ast.literal_eval(literal) == expected
        # and as the docstring of a function at that indentation
        body = indent if indent else "    "
        fn = f"def f():\n{body}{docstring(text, body)}\n{body}return 1\n"
        tree = ast.parse(fn)
        assert ast.get_docstring(tree.body[0], clean=False) == _indented(
            text.replace("\t", "    "), body
        ) + ("\n" + body if "\n" in text else "")
        assert_markers_only_in_strings(fn, "docstring")


def test_py_literal_round_trips() -> None:
    values: list[Any] = [
        None,
        True,
        False,
        0,
        -1,
        2**64,
        int("9" * 4300),
        -int("9" * 4300),
        0.0,
        -0.0,
        1e308,
        5e-324,
        0.1,
        b"",
        bytes(range(256)),
        b'"""\\\'',
        [],
        {},
        (),
        (1,),
        [None, [[]]],
        {"k": ["v", 1, 2.5, None, True]},
        {1: 2, "a": (b"x",)},
        {"class": "def", "\\": '"'},
    ]
    values += NASTY + fuzz_strings(500)
    values += [[s, {s: s}] for s in fuzz_strings(100, seed=7)]
    for value in values:
        literal = py_literal(value)
        node = ast.parse(literal, mode="eval").body
        assert not isinstance(node, (ast.Call, ast.Name, ast.Attribute)), literal
        assert ast.literal_eval(literal) == value
        assert "\n" not in literal and "\r" not in literal, (
            f"a literal must fit on one line: {literal!r}"
        )
        assert_markers_only_in_strings(literal + "\n", "py_literal")


class EvilRepr:
    def __repr__(self) -> str:
        return "__import__('os').system('touch PWNED')"


class FakeStr(str):
    def __repr__(self) -> str:
        return "'something else'"


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        10**5000 - 1,
        EvilRepr(),
        [EvilRepr()],
        FakeStr("x"),
        frozenset({1}),
        object(),
        {"k": float("nan")},
    ],
    ids=[
        "nan",
        "inf",
        "-inf",
        "5000-digit-int",
        "evil-repr",
        "nested-evil-repr",
        "lying-str-repr",
        "frozenset",
        "object",
        "nested-nan",
    ],
)
def test_py_literal_refuses_what_does_not_round_trip(value: Any) -> None:
    with pytest.raises(ValueError):
        py_literal(value)
