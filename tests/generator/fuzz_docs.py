"""Hypothesis strategies for signature documents: every shape the parser accepts (GetModel, GetModelVersion,
`{"method_signatures": ...}`, a bare list, the SDK's `_GET_SIGNATURES` dict), snake_case or camelCase
keys, every DataType nested through LIST / TUPLE / NAMED_FIELDS, defaults of every JSON type (and
values that fit their type, to reach the literal path), choices, ranges, descriptions and hostile
names. Mostly well-formed, with a share of malformed values at every level."""

from __future__ import annotations

import functools
import json
import keyword
from collections.abc import Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from codegen.spec import DataType

T = TypeVar("T")

# Names the generator itself uses or that mean something to Python: every one must be renamed or
# kept only where it cannot shadow anything.
RESERVED = [
    *keyword.kwlist,
    *keyword.softkwlist,
    *("self", "cls", "_cast", "cast", "_METHODS", "MODEL", "Client", "AsyncClient", "ModelRef"),
    *("signature", "Any", "Literal", "TypedDict", "Iterator", "Iterable", "Sequence", "npt"),
    *("Image", "Text", "JsonValue", "Concept", "_client", "_model", "_runner", "__init__", "items"),
    *("runner", "model", "main", "json", "numpy", "exc", "print", "type", "list", "str", "int"),
    *("eval", "exec", "open", "input", "__import__", "getattr", "os", "sys", "predict_batch"),
]
ODD = ["", "_", "__", "__x", "1abc", "a-b", "a b", "a.b", "größe", "名前", "x_", "A"]
PAYLOADS = [
    "__import__('os').system('touch PWNED')",
    '"""); __import__("os").system("touch PWNED")  #',
    "'\\\n\r\t\x00\x7f\u2028\ufeff\ud800",
    "{{ x }} {% y %} #",
]
TEXT_CHARS = st.characters(codec=None, exclude_categories=())  # any code point, surrogates too
# Strategies are built once: building them per draw costs more than the generator's whole run.
NAME_TEXT = st.one_of(
    st.sampled_from(ODD),
    st.text(st.sampled_from("aZ_ 0-.\"'\\\n#{}é名\ud800"), min_size=1, max_size=8),
    st.text(TEXT_CHARS, min_size=1, max_size=8),
)
# Payloads carry markers that may appear only inside string literals: prose, defaults, choices (a
# name made of one becomes an identifier holding the marker, harmless but flagged).
TEXT = st.one_of(NAME_TEXT, st.sampled_from(PAYLOADS))
LONG_TEXT = st.one_of(TEXT, st.text(TEXT_CHARS, max_size=30))
# Plain names and ids are picked from lists (one draw each: hypothesis spends its time per draw).
PLAIN_NAMES = [
    *("prompt", "image", "text", "x", "y", "n", "a1", "b_2", "max_tokens", "temperature", "top_p"),
    *(
        "seed",
        "audio",
        "video",
        "frames",
        "labels",
        "boxes",
        "mode",
        "size",
        "k",
        "stream",
        "tools",
    ),
    *("messages", "chat_history", "lang", "threshold", "predict", "generate", "embed", "detect"),
    *("caption", "score", "values", "pairs", "ok", "z9", "w_", "q", "scale", "steps", "width"),
]
PLAIN_NAME = st.sampled_from(PLAIN_NAMES)
PLAIN_ID = st.sampled_from(
    ["m", "model-1", "llm.v2", "A_b", "0x", "gpt-4o", "u", "main", "a9-Z_.b", "x" * 128, "e5f"]
)
BAD_IDS = ["..", "a/b", "../x", "", "examples", "py", "1", "a" * 129]


def name(draw: st.DrawFn) -> str:
    """A method, argument or NAMED_FIELDS key name: mostly plain, else reserved or odd text."""
    if not one_in(draw, 3):
        return draw(PLAIN_NAME)
    return pick(draw, RESERVED) if one_in(draw, 2) else draw(NAME_TEXT)


def resource_id(draw: st.DrawFn) -> str:
    if not one_in(draw, 25):
        return draw(PLAIN_ID)
    return pick(draw, BAD_IDS) if one_in(draw, 2) else draw(TEXT)


SCALARS = [t for t in DataType if t not in (DataType.LIST, DataType.TUPLE, DataType.NAMED_FIELDS)]
CHOICE_KINDS = (DataType.STR, DataType.INT, DataType.FLOAT, DataType.BOOL)


JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**64), 2**64),
    st.floats(),
    st.text(TEXT_CHARS, max_size=6),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
SCALAR_VALUES = {
    DataType.STR: st.text(TEXT_CHARS, max_size=8),
    DataType.INT: st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from([2**63, -(2**63), -(2**63) - 1, 1.0, 3e0, 1e300, True]),
    ),
    DataType.FLOAT: st.one_of(st.floats(), st.integers()),
    DataType.BOOL: st.one_of(st.booleans(), st.sampled_from([0, 1])),
}


def draw_value(draw: st.DrawFn, t: dict[str, Any]) -> Any:
    """A JSON value that fits the field type `t` (or nearly: ints for floats, floats for ints)."""
    kind = _kind(t)
    args = t.get("type_args", [])
    if not isinstance(args, list) or not all(isinstance(a, dict) for a in args):
        return draw(JSON_VALUE)  # a malformed type
    if kind is DataType.LIST and args:
        return [draw_value(draw, args[0]) for _ in range(draw(_dice(4)))]
    if kind is DataType.TUPLE and args:
        return [draw_value(draw, a) for a in args]
    if kind is DataType.NAMED_FIELDS and args:
        return {str(a.get("name")): draw_value(draw, a) for a in args}
    return draw(SCALAR_VALUES.get(kind, JSON_VALUE))  # type: ignore[arg-type]


def _kind(t: dict[str, Any]) -> DataType | None:
    code = t.get("type")
    for kind in DataType:
        if code in (int(kind), kind.name, str(int(kind))):
            return kind
    return None


@functools.cache
def _dice(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, n - 1)


def one_in(draw: st.DrawFn, n: int) -> bool:
    """True once in `n` draws (not on 0: hypothesis favours the simplest value, 0)."""
    return draw(_dice(n)) == n - 1


def pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    return options[draw(_dice(len(options)))]


CONTAINERS = [DataType.LIST, DataType.TUPLE, DataType.NAMED_FIELDS]
BAD_TYPES = [99, "FOO", "²", [], [1], {}, None, "1" * 5000]


def field_type(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """`{"type": ..., "type_args": [...]}`, containers nested at most three levels."""
    kind = pick(draw, SCALARS + CONTAINERS if depth < 3 and not one_in(draw, 2) else SCALARS)
    out: dict[str, Any] = {"type": pick(draw, [int(kind), kind.name, str(int(kind))])}
    if kind is DataType.LIST:
        out["type_args"] = [field_type(draw, depth + 1)]
    elif kind is DataType.TUPLE:
        out["type_args"] = [field_type(draw, depth + 1) for _ in range(1 + draw(_dice(3)))]
    elif kind is DataType.NAMED_FIELDS:
        keys = list(dict.fromkeys(name(draw) for _ in range(1 + draw(_dice(3)))))
        out["type_args"] = [{"name": k, **field_type(draw, depth + 1)} for k in keys]
    if one_in(draw, 60):  # malformed: unknown type, bad type_args
        out[pick(draw, ["type", "type_args"])] = pick(draw, BAD_TYPES)
    return out


ODD_DEFAULTS = ["", "null", "NaN", "1e400", "[1.0]", "b'x'", "{[]: 1}", "[" * 2000]


def default_text(draw: st.DrawFn, t: dict[str, Any]) -> str:
    """What `ModelTypeField.default` holds: JSON of a fitting value, of any value, or raw text."""
    how = draw(_dice(4))
    if how == 0:
        return json.dumps(draw(JSON_VALUE))
    if how == 1:
        return pick(draw, ODD_DEFAULTS) if one_in(draw, 2) else draw(TEXT)
    return json.dumps(draw_value(draw, t))


def choice_ids(draw: st.DrawFn, t: dict[str, Any]) -> list[dict[str, Any]]:
    ids = []
    for _ in range(1 + draw(_dice(3))):
        value = draw(TEXT) if one_in(draw, 8) else draw_value(draw, t)
        ids.append({"id": value if isinstance(value, str) else json.dumps(value)})
    return ids


BOUND = st.one_of(st.floats(-1e3, 1e3), st.integers(-5, 5), st.floats(), st.integers())


def value_range(draw: st.DrawFn) -> dict[str, Any]:
    """`model_type_range_info`: mostly min <= max, either may be missing, rarely any JSON leaf."""
    bounds = sorted(draw(BOUND) for _ in range(2))
    if one_in(draw, 10):
        bounds = [draw(JSON_LEAF), draw(JSON_LEAF)]
    return {k: v for k, v in zip(["min", "max"], bounds, strict=True) if not one_in(draw, 3)}


OPTIONAL_KEYS = ["required", "is_param", "default", "description", "choices", "range"]
BAD_VALUES = [1, "true", None, [], {"a": 1}]


def input_field(draw: st.DrawFn, iterator: bool = False) -> dict[str, Any]:
    t = field_type(draw)
    field: dict[str, Any] = {"name": name(draw), **t}
    for key in draw(st.lists(st.sampled_from(OPTIONAL_KEYS), unique=True, max_size=4)):
        if key in ("required", "is_param"):
            field[key] = draw(st.booleans())
        elif key == "default":
            field[key] = default_text(draw, t)
        elif key == "description":
            field[key] = draw(LONG_TEXT)
        elif key == "choices" and (_kind(t) in CHOICE_KINDS or one_in(draw, 10)):
            field["model_type_enum_options"] = choice_ids(draw, t)
        elif key == "range":
            field["model_type_range_info"] = value_range(draw)
    if iterator:
        field["iterator"] = True
    if one_in(draw, 80):  # malformed: a wrongly typed flag or text
        key = pick(draw, ["required", "iterator", "name", "description", "default"])
        field[key] = pick(draw, BAD_VALUES)
    return field


METHOD_TYPES = {1: "UNARY_UNARY", 2: "UNARY_STREAMING", 4: "STREAMING_STREAMING"}
BAD_METHOD = [0, 3, "UNKNOWN", [], None, [1]]


def method(draw: st.DrawFn) -> dict[str, Any]:
    number = pick(draw, [1, 1, 2, 4])
    inputs = [input_field(draw) for _ in range(draw(_dice(4)))]
    if not one_in(draw, 10):  # mostly distinct names (a duplicate is one error, often enough)
        for i, field in enumerate(inputs):
            if any(field.get("name") == f.get("name") for f in inputs[:i]):
                field["name"] = f"{field['name']}{i}"
    if number == 4:
        inputs.insert(draw(_dice(len(inputs) + 1)), input_field(draw, iterator=True))
    output = {"name": "return", **field_type(draw), "iterator": number != 1}
    sig: dict[str, Any] = {
        "name": name(draw),
        "method_type": pick(draw, [number, METHOD_TYPES[number], str(number)]),
        "input_fields": inputs,
        "output_fields": [output],
    }
    if one_in(draw, 2):
        sig["description"] = draw(LONG_TEXT)
    if one_in(draw, 80):  # malformed method
        sig[pick(draw, ["method_type", "output_fields", "input_fields"])] = pick(draw, BAD_METHOD)
    return sig


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.title() for w in rest)


def camel_keys(obj: Any) -> Any:
    """Proto JSON's other spelling, applied to every key (a NAMED_FIELDS `name` is a value)."""
    if isinstance(obj, dict):
        return {_camel(k): camel_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [camel_keys(v) for v in obj]
    return obj


SHAPES = ["model", "model", "model_version", "version", "list", "sdk"]


@st.composite
def document(draw: st.DrawFn) -> Any:
    """One signature document, as `json.loads` gives it."""
    sigs = [method(draw) for _ in range(1 + draw(_dice(2)))]
    ids = {"user_id": resource_id(draw), "app_id": resource_id(draw)}
    version = {"id": resource_id(draw), "method_signatures": sigs}
    shape = pick(draw, SHAPES)
    doc: Any
    if shape == "model":
        model = {"id": resource_id(draw), **ids, "model_version": version}
        if one_in(draw, 2):
            model["description"] = draw(LONG_TEXT)
        doc = {"status": {"code": 10000, "description": "Ok"}, "model": model}
    elif shape == "model_version":
        doc = {"model_version": {**version, **ids, "model_id": resource_id(draw)}}
    elif shape == "version":
        doc = {"method_signatures": sigs}
    elif shape == "list":
        doc = sigs
    else:
        doc = {str(s.get("name")): {k: v for k, v in s.items() if k != "name"} for s in sigs}
    if shape != "sdk" and one_in(draw, 2):
        doc = camel_keys(doc)
    # What a file holds: JSON text (NaN and Infinity included, as Python writes them).
    return json.loads(json.dumps(doc))
