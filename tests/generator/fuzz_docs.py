"""Random signature documents: every shape the parser accepts (GetModel, GetModelVersion,
`{"method_signatures": ...}`, a bare list, the SDK's `_GET_SIGNATURES` dict), snake_case or camelCase
keys, every DataType nested through LIST / TUPLE / NAMED_FIELDS, defaults of every JSON type (and
values that fit their type, to reach the literal path), choices, ranges, descriptions and hostile
names. Mostly well-formed, with a share of malformed values at every level.

`document` reads its choices from bytes hypothesis draws (fuzz_tape.py says why).
"""

from __future__ import annotations

import json
import keyword
from typing import Any

from codegen.spec import DataType

from .fuzz_tape import (
    BOOL,
    INT64,
    Gen,
    Tape,
    any_char,
    bounded_int,
    bounded_real,
    integer,
    one_of,
    real,
    sampled,
    text_of,
)

NAME_CHARS = list("aZ_ 0-.\"'\\\n#{}é名\ud800")

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
NAME_TEXT = one_of(sampled(ODD), text_of(sampled(NAME_CHARS), 1, 8), text_of(any_char, 1, 8))
# Payloads carry markers that may appear only inside string literals: prose, defaults, choices (a
# name made of one becomes an identifier holding the marker, harmless but flagged).
TEXT = one_of(NAME_TEXT, sampled(PAYLOADS))
LONG_TEXT = one_of(TEXT, text_of(any_char, 0, 30))
SHORT_TEXT = text_of(any_char, 0, 6)
PLAIN_NAMES = [
    *("prompt", "image", "text", "x", "y", "n", "a1", "b_2", "max_tokens", "temperature", "top_p"),
    *("seed", "audio", "video", "frames", "labels", "boxes", "mode", "size", "k", "stream"),
    *("tools", "messages", "chat_history", "lang", "threshold", "predict", "generate", "embed"),
    *("detect", "caption", "score", "values", "pairs", "ok", "z9", "w_", "q", "scale", "steps"),
    "width",
]
PLAIN_IDS = [
    "m",
    "model-1",
    "llm.v2",
    "A_b",
    "0x",
    "gpt-4o",
    "u",
    "main",
    "a9-Z_.b",
    "x" * 128,
    "e5f",
]
BAD_IDS = ["..", "a/b", "../x", "", "examples", "py", "1", "a" * 129]


def name(tape: Tape) -> str:
    """A method, argument or NAMED_FIELDS key name: mostly plain, else reserved or odd text."""
    if not tape.one_in(3):
        return tape.pick(PLAIN_NAMES)
    return tape.pick(RESERVED) if tape.flag() else NAME_TEXT(tape)


def resource_id(tape: Tape) -> str:
    if not tape.one_in(25):
        return tape.pick(PLAIN_IDS)
    return tape.pick(BAD_IDS) if tape.flag() else TEXT(tape)


# --- JSON values ----------------------------------------------------------------------------------

JSON_LEAF = one_of(sampled([None]), BOOL, integer, bounded_int(-(2**64), 2**64), real, SHORT_TEXT)


def json_value(tape: Tape, leaves: int = 6) -> Any:
    """A JSON leaf, or lists / objects of at most `leaves` leaves in all, nested."""
    budget = [leaves]

    def value() -> Any:
        how = tape.below(4) if budget[0] > 1 else 0
        if how < 2:
            budget[0] -= 1
            return JSON_LEAF(tape)
        items: list[Any] = []
        for _ in range(tape.below(4)):
            if budget[0] <= 0:
                break
            items.append((TEXT(tape), value()) if how == 3 else value())
        return dict(items) if how == 3 else items

    return value()


SCALAR_VALUES: dict[DataType, Gen] = {
    DataType.STR: text_of(any_char, 0, 8),
    DataType.INT: one_of(
        INT64, INT64, sampled([2**63, -(2**63), -(2**63) - 1, 1.0, 3e0, 1e300, True])
    ),
    DataType.FLOAT: one_of(real, integer),
    DataType.BOOL: one_of(BOOL, sampled([0, 1])),
}


def _kind(t: dict[str, Any]) -> DataType | None:
    code = t.get("type")
    for kind in DataType:
        if code in (int(kind), kind.name, str(int(kind))):
            return kind
    return None


def draw_value(tape: Tape, t: dict[str, Any]) -> Any:
    """A JSON value that fits the field type `t` (or nearly: ints for floats, floats for ints)."""
    kind = _kind(t)
    args = t.get("type_args", [])
    if not isinstance(args, list) or not all(isinstance(a, dict) for a in args):
        return json_value(tape)  # a malformed type
    if kind is DataType.LIST and args:
        return [draw_value(tape, args[0]) for _ in range(tape.below(4))]
    if kind is DataType.TUPLE and args:
        return [draw_value(tape, a) for a in args]
    if kind is DataType.NAMED_FIELDS and args:
        return {str(a.get("name")): draw_value(tape, a) for a in args}
    gen = SCALAR_VALUES.get(kind) if kind is not None else None
    return gen(tape) if gen is not None else json_value(tape)


# --- signatures -----------------------------------------------------------------------------------

SCALARS = [t for t in DataType if t not in (DataType.LIST, DataType.TUPLE, DataType.NAMED_FIELDS)]
CONTAINERS = [DataType.LIST, DataType.TUPLE, DataType.NAMED_FIELDS]
CHOICE_KINDS = (DataType.STR, DataType.INT, DataType.FLOAT, DataType.BOOL)
BAD_TYPES = [99, "FOO", "²", [], [1], {}, None, "1" * 5000]


def field_type(tape: Tape, depth: int = 0) -> dict[str, Any]:
    """`{"type": ..., "type_args": [...]}`, containers nested at most three levels."""
    kind = tape.pick(SCALARS + CONTAINERS if depth < 3 and not tape.one_in(2) else SCALARS)
    out: dict[str, Any] = {"type": tape.pick([int(kind), kind.name, str(int(kind))])}
    if kind is DataType.LIST:
        out["type_args"] = [field_type(tape, depth + 1)]
    elif kind is DataType.TUPLE:
        out["type_args"] = [field_type(tape, depth + 1) for _ in range(1 + tape.below(3))]
    elif kind is DataType.NAMED_FIELDS:
        keys = list(dict.fromkeys(name(tape) for _ in range(1 + tape.below(3))))
        out["type_args"] = [{"name": k, **field_type(tape, depth + 1)} for k in keys]
    if tape.one_in(60):  # malformed: unknown type, bad type_args
        out[tape.pick(["type", "type_args"])] = tape.pick(BAD_TYPES)
    return out


ODD_DEFAULTS = ["", "null", "NaN", "1e400", "[1.0]", "b'x'", "{[]: 1}", "[" * 2000]


def default_text(tape: Tape, t: dict[str, Any]) -> str:
    """What `ModelTypeField.default` holds: JSON of a fitting value, of any value, or raw text."""
    how = tape.below(4)
    if how == 0:
        return json.dumps(json_value(tape))
    if how == 1:
        return tape.pick(ODD_DEFAULTS) if tape.flag() else TEXT(tape)
    return json.dumps(draw_value(tape, t))


def choice_ids(tape: Tape, t: dict[str, Any]) -> list[dict[str, Any]]:
    ids = []
    for _ in range(1 + tape.below(3)):
        value = TEXT(tape) if tape.one_in(8) else draw_value(tape, t)
        ids.append({"id": value if isinstance(value, str) else json.dumps(value)})
    return ids


BOUND = one_of(bounded_real(-1e3, 1e3), bounded_int(-5, 5), real, integer)


def value_range(tape: Tape) -> dict[str, Any]:
    """`model_type_range_info`: mostly min <= max, either may be missing, rarely any JSON leaf."""
    bounds = sorted([BOUND(tape), BOUND(tape)])
    if tape.one_in(10):
        bounds = [JSON_LEAF(tape), JSON_LEAF(tape)]
    return {k: v for k, v in zip(["min", "max"], bounds, strict=True) if not tape.one_in(3)}


OPTIONAL_KEYS = ["required", "is_param", "default", "description", "choices", "range"]
BAD_VALUES = [1, "true", None, [], {"a": 1}]


def input_field(tape: Tape, iterator: bool = False) -> dict[str, Any]:
    t = field_type(tape)
    field: dict[str, Any] = {"name": name(tape), **t}
    keys = list(dict.fromkeys(tape.pick(OPTIONAL_KEYS) for _ in range(tape.below(5))))
    for key in keys:
        if key in ("required", "is_param"):
            field[key] = tape.flag()
        elif key == "default":
            field[key] = default_text(tape, t)
        elif key == "description":
            field[key] = LONG_TEXT(tape)
        elif key == "choices" and (_kind(t) in CHOICE_KINDS or tape.one_in(10)):
            field["model_type_enum_options"] = choice_ids(tape, t)
        elif key == "range":
            field["model_type_range_info"] = value_range(tape)
    if iterator:
        field["iterator"] = True
    if tape.one_in(80):  # malformed: a wrongly typed flag or text
        key = tape.pick(["required", "iterator", "name", "description", "default"])
        field[key] = tape.pick(BAD_VALUES)
    return field


METHOD_TYPES = {1: "UNARY_UNARY", 2: "UNARY_STREAMING", 4: "STREAMING_STREAMING"}
BAD_METHOD = [0, 3, "UNKNOWN", [], None, [1]]


def method(tape: Tape) -> dict[str, Any]:
    number = tape.pick([1, 1, 2, 4])
    inputs = [input_field(tape) for _ in range(tape.below(4))]
    if not tape.one_in(10):  # mostly distinct names (a duplicate is one error, often enough)
        for i, field in enumerate(inputs):
            if any(field.get("name") == f.get("name") for f in inputs[:i]):
                field["name"] = f"{field['name']}{i}"
    if number == 4:
        inputs.insert(tape.below(len(inputs) + 1), input_field(tape, iterator=True))
    output = {"name": "return", **field_type(tape), "iterator": number != 1}
    sig: dict[str, Any] = {
        "name": name(tape),
        "method_type": tape.pick([number, METHOD_TYPES[number], str(number)]),
        "input_fields": inputs,
        "output_fields": [output],
    }
    if tape.flag():
        sig["description"] = LONG_TEXT(tape)
    if tape.one_in(80):  # malformed method
        sig[tape.pick(["method_type", "output_fields", "input_fields"])] = tape.pick(BAD_METHOD)
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


def document(data: bytes) -> Any:
    """One signature document, as `json.loads` gives it, made from the choices in `data`."""
    tape = Tape(data)
    sigs = [method(tape) for _ in range(1 + tape.below(2))]
    ids = {"user_id": resource_id(tape), "app_id": resource_id(tape)}
    version = {"id": resource_id(tape), "method_signatures": sigs}
    shape = tape.pick(SHAPES)
    doc: Any
    if shape == "model":
        model = {"id": resource_id(tape), **ids, "model_version": version}
        if tape.flag():
            model["description"] = LONG_TEXT(tape)
        doc = {"status": {"code": 10000, "description": "Ok"}, "model": model}
    elif shape == "model_version":
        doc = {"model_version": {**version, **ids, "model_id": resource_id(tape)}}
    elif shape == "version":
        doc = {"method_signatures": sigs}
    elif shape == "list":
        doc = sigs
    else:
        doc = {str(s.get("name")): {k: v for k, v in s.items() if k != "name"} for s in sigs}
    if shape != "sdk" and tape.flag():
        doc = camel_keys(doc)
    # What a file holds: JSON text (NaN and Infinity included, as Python writes them).
    return json.loads(json.dumps(doc))
