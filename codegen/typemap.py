"""IR types -> Python annotations, plus the imports and TypedDicts those annotations need."""

from __future__ import annotations

import ast
import enum
import functools
import keyword
from dataclasses import dataclass, field

from .datatypes import RUNTIME_NAMES, TYPES
from .naming import Namespace, PyIdent, pascal_case
from .spec import DataType, TypeRef

# Builtins that annotations use (the plain types' annotations, `list[...]`, `tuple[...]`; `dict` kept
# for safety).
BUILTIN_TYPE_NAMES = frozenset(
    {*(r.annotation for r in TYPES.values() if r.builtin), "list", "tuple", "dict"}
)
# Names that can appear in annotations (a class member with one of these names would shadow it).
ANNOTATION_NAMES = frozenset(
    BUILTIN_TYPE_NAMES
    | {
        "Any",
        "Literal",
        "Iterable",
        "Iterator",
        "AsyncIterable",
        "AsyncIterator",
        "Sequence",
        "npt",
        "Client",
        "AsyncClient",
        "ModelRef",
    }
    | RUNTIME_NAMES
)
MODULE_NAMES = frozenset(
    {
        "annotations",
        "Any",
        "Literal",
        "TypedDict",
        "TYPE_CHECKING",
        "_cast",
        "Iterable",
        "Iterator",
        "AsyncIterator",
        "AsyncIterable",
        "Sequence",
        "npt",
        "Client",
        "AsyncClient",
        "ModelRef",
        "signature",
        "MODEL",
        "_METHODS",
        "StreamingNotSupportedError",
        *RUNTIME_NAMES,
    }
)


KeyList = tuple[tuple[str, str], ...]  # (key, annotation)


class Role(enum.Enum):
    INPUT = "input"  # what a caller passes: accepts the convenient forms (a plain str for Text)
    OUTPUT = "output"  # what a call returns


@dataclass(frozen=True)
class TypedDictDef:
    name: PyIdent
    keys: tuple[tuple[str, str], ...]  # (key, annotation)
    class_syntax: bool
    total: bool = True
    bases: tuple[PyIdent, ...] = ()  # other TypedDicts (class syntax only)

    @property
    def public(self) -> bool:
        return not self.name.startswith("_")


@dataclass
class Imports:
    typing: set[str] = field(default_factory=set)
    abc: set[str] = field(default_factory=set)
    # `AsyncClient` is imported for type checkers only: the async class loads it when it
    # builds one, so a sync program never loads the async runtime.
    runtime: set[str] = field(default_factory=lambda: {"Client", "ModelRef", "signature"})
    numpy: bool = False


class TypeMapper:
    """Maps types for one generated module; accumulates its imports and TypedDict definitions."""

    def __init__(self, names: Namespace) -> None:
        self.names = names
        self.imports = Imports()
        self.typed_dicts: list[TypedDictDef] = []
        self._shapes: dict[tuple[TypeRef, Role], PyIdent] = {}

    def annotation(self, t: TypeRef, role: Role, hint: str) -> str:
        """The annotation for `t`. `hint` names TypedDicts (e.g. `ContainersResult`)."""
        kind = t.kind
        row = TYPES[kind]
        if row.annotation:
            text = row.accepts if role is Role.INPUT and row.accepts else row.annotation
            self._require(text)
            return text
        if kind is DataType.LIST:
            return f"list[{self.annotation(t.args[0], role, hint + 'Item')}]"
        if kind is DataType.TUPLE:
            items = [self.annotation(a, role, f"{hint}Item{i}") for i, a in enumerate(t.args)]
            return f"tuple[{', '.join(items)}]"
        if kind is DataType.NAMED_FIELDS:
            return self._typed_dict(t, role, hint)
        raise AssertionError(f"unmapped type {kind!r}")

    def _require(self, annotation: str) -> None:
        """Import what a row's annotation names: runtime classes, `Any`, numpy's typing."""
        for name in annotation_names(annotation):
            if name in RUNTIME_NAMES:
                self.imports.runtime.add(name)
            elif name == "npt":
                self.imports.numpy = True
            elif name == "Any":
                self.imports.typing.add(name)

    def literal(self, values: tuple[object, ...]) -> str:
        """`Literal[...]` of `values` (see `unliteral`: none of them may be one)."""
        self.imports.typing.add("Literal")
        return f"Literal[{', '.join(repr(v) for v in values)}]"

    def iterator(self, inner: str, *, streamed_input: bool, is_async: bool = False) -> str:
        """A stream of `inner`: returned (`Iterator`), or passed in (`Iterable`); the async class
        returns an `AsyncIterator` and takes an async or a plain iterable."""
        if is_async and streamed_input:
            self.imports.abc.update({"AsyncIterable", "Iterable"})
            return f"AsyncIterable[{inner}] | Iterable[{inner}]"
        name = ("Async" if is_async else "") + ("Iterable" if streamed_input else "Iterator")
        self.imports.abc.add(name)
        return f"{name}[{inner}]"

    def item_dict(self, hint: str, required: KeyList, optional: KeyList) -> PyIdent:
        """A TypedDict named `hint` with `required` and `optional` keys (Python 3.10 has no
        `Required`: optional keys go in a `total=False` class over a total base)."""
        self.imports.typing.add("TypedDict")
        plain = all(_plain_key(k) for k, _ in (*required, *optional))
        if not (required and optional):
            name = self.names.add(hint, hint, "TypedDict for")
            self.typed_dicts.append(
                TypedDictDef(name, required or optional, plain, total=not optional)
            )
            return name
        if plain:
            base = self.names.add(hint, f"_{hint}Required", "TypedDict for")
            self.typed_dicts.append(TypedDictDef(base, required, True))
            name = self.names.add(hint, hint, "TypedDict for")
            self.typed_dicts.append(TypedDictDef(name, optional, True, total=False, bases=(base,)))
            return name
        base = self.names.add(hint, f"_{hint}Required", "TypedDict for")
        self.typed_dicts.append(TypedDictDef(base, required, False))
        extra = self.names.add(hint, f"_{hint}Optional", "TypedDict for")
        self.typed_dicts.append(TypedDictDef(extra, optional, False, total=False))
        name = self.names.add(hint, hint, "TypedDict for")
        self.typed_dicts.append(TypedDictDef(name, (), True, bases=(base, extra)))
        return name

    def _typed_dict(self, t: TypeRef, role: Role, hint: str) -> str:
        known = self._shapes.get((t, role))
        if known is not None:
            return known
        keys = tuple(
            (key, self.annotation(sub, role, hint + pascal_case(key))) for key, sub in t.fields
        )
        name = self.names.add(hint, hint, "TypedDict for")
        self.imports.typing.add("TypedDict")
        class_syntax = all(_plain_key(k) for k, _ in keys)
        self.typed_dicts.append(TypedDictDef(name, keys, class_syntax))
        self._shapes[(t, role)] = name
        return name


def unliteral(values: tuple[object, ...]) -> object | None:
    """The first value a type checker cannot read inside `Literal[...]`, if any: mypy takes
    `Literal[-9223372036854775808]` for an expression (an int64, so a valid INT choice)."""
    return next((v for v in values if isinstance(v, int) and abs(v) > _LITERAL_INT_MAX), None)


_LITERAL_INT_MAX = 2**63 - 1


@functools.cache
def annotation_names(annotation: str) -> frozenset[str]:
    """The names an annotation or example value built here refers to (`list[Text]` -> {"list",
    "Text"}); what they name decides the imports."""
    tree = ast.parse(annotation, mode="eval")
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))


def _plain_key(key: str) -> bool:
    """Can `key` be a TypedDict class attribute without shadowing a name its annotations use?
    (Generated type and class names are capitalized, so lowercase-first keys cannot clash; other
    builtins such as `type` or `id` are fine.)"""
    return (
        key.isascii()
        and key.isidentifier()
        and (key[0].islower() or (key[0] == "_" and not key.startswith("__")))
        and not keyword.iskeyword(key)
        and key not in ANNOTATION_NAMES
        and key not in MODULE_NAMES
    )
