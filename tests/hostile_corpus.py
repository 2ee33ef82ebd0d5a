"""The hostile corpus (tests/hostile/) and the outcome each file must have: shared by the hostile-input
tests and the tests that run every generating corpus file through another path (ids, proto JSON)."""

from __future__ import annotations

from dataclasses import dataclass

from .conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
CORPUS = sorted(HOSTILE.glob("*.json"))


@dataclass(frozen=True)
class Ok:
    """Generation succeeds. `methods`: wire name -> expected Python name; `params`: wire method ->
    ((wire arg, Python name), ...); `warnings`: substrings that must appear on stderr."""

    ref: str | None = None
    warnings: tuple[str, ...] = ()
    methods: tuple[tuple[str, str], ...] = ()
    params: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


@dataclass(frozen=True)
class Fails:
    """Generation fails with one `error:` line containing `message` (and the file path, unless the
    error is about a command-line option, then `names` must appear instead)."""

    message: str
    ref: str | None = None
    names: str | None = None


LISTED_REF = "hostile/corpus/listed"

# One entry per corpus file. fmt: off keeps it a readable table.
# fmt: off
EXPECTED: dict[str, Ok | Fails] = {
    # --- names: keywords, builtins, dunders, non-ASCII, collisions ------------------------------
    # Keywords are renamed (with a warning); builtins and soft keywords keep their names.
    "method-names-keywords-builtins.json": Ok(
        warnings=("method 'class' cannot be used as a Python name; named 'class_'",),
        methods=(
            ("class", "class_"), ("def", "def_"), ("import", "import_"), ("lambda", "lambda_"),
            ("None", "None_"), ("match", "match"), ("print", "print"), ("type", "type"),
            ("id", "id"), ("self", "self"), ("cls", "cls"), ("cast", "cast"),
            ("signature", "signature"), ("1abc", "method_1abc"), ("a-b", "a_b"), ("größe", "grosse"),
        ),
    ),
    "method-names-dunder-reserved.json": Ok(
        warnings=("method '_client'", "method '_model'", "method 'init_'"),
        methods=(
            ("__init__", "init_"), ("__class__", "class_"), ("__x", "x_"), ("_client", "_client_"),
            ("_model", "_model_"), ("_METHODS", "_METHODS"), ("__call__", "call_"),
            ("init_", "init__"), ("_", "_"), ("__", "method"),
        ),
    ),
    "method-names-collide-after-sanitizing.json": Ok(
        warnings=("method 'a_b'", "method 'a.b'", "method 'class_'", "method '모델'"),
        methods=(
            ("a-b", "a_b"), ("a_b", "a_b_"), ("a.b", "a_b_2"), ("class", "class_"),
            ("class_", "class__"), ("名前", "method"), ("모델", "method_"),
        ),
    ),
    # Methods named like the types the class's annotations use (Image, Iterator, Literal, a generated
    # TypedDict, ...) must not shadow them: mypy resolves annotation names in the class body first.
    "method-names-shadow-annotation-types.json": Ok(warnings=("NOT_SET",)),
    "param-names-keywords-builtins.json": Ok(
        warnings=("argument 'class' cannot be used", "argument '名前' cannot be used"),
        params=(("predict", (
            ("class", "class_"), ("def", "def_"), ("import", "import_"), ("lambda", "lambda_"),
            ("None", "None_"), ("True", "True_"), ("match", "match"), ("_", "_"), ("print", "print"),
            ("type", "type"), ("id", "id"), ("list", "list"), ("1abc", "arg_1abc"),
            ("größe", "grosse"), ("名前", "arg"), ("a b", "a_b"),
        )),),
    ),
    # Only what the method body reads is reserved: `self`, `_METHODS` and `_cast` (typing.cast).
    "param-names-dunder-reserved.json": Ok(
        warnings=("argument 'self'", "argument '_METHODS'", "argument '_cast'"),
        params=(("predict", (
            ("self", "self_"), ("cls", "cls"), ("cast", "cast"), ("_METHODS", "_METHODS_"),
            ("_cast", "_cast_"), ("_client", "_client"), ("__init__", "init_"), ("__x", "x_"),
            ("__class__", "class_"), ("MODEL", "MODEL"), ("signature", "signature"),
            ("Client", "Client"),
        )),),
    ),
    # Builtins that the injection check forbids as free names (`eval`, `input`, `open`, ...) keep their
    # names as arguments and methods, where they are locals or members; a unary method's argument
    # named like its result type (`str`) and a method named like an annotation type are renamed.
    "names-dangerous-builtins.json": Ok(
        warnings=("argument 'str' would be named 'str'", "method 'str' would be named 'str'"),
        methods=(("eval", "eval"), ("open", "open"), ("input", "input"), ("str", "str_")),
        params=(
            ("eval", (
                ("input", "input"), ("exec", "exec"), ("open", "open"), ("__import__", "import_"),
                ("globals", "globals"), ("str", "str_"), ("print", "print"),
            )),
            ("open", (("str", "str"), ("list", "list"), ("compile", "compile"))),
            ("input", (("getattr", "getattr"), ("vars", "vars"), ("breakpoint", "breakpoint"))),
        ),
    ),
    # Methods and arguments named like the example script's own names (model, main, print, json,
    # numpy, exc) shadow none of them: they are attributes and keywords there (also mypy-checked
    # by tests/generator/test_names.py).
    "names-example-variables.json": Ok(
        methods=(("model", "model"), ("main", "main"), ("print", "print")),
        params=(("main", (("numpy", "numpy"), ("exc", "exc"))),),
    ),
    "param-names-collide-after-sanitizing.json": Ok(
        warnings=(
            "argument 'a_b'", "argument 'a.b'", "argument 'class_'", "argument '__class__'",
            "argument '이름'", "argument 'arg'", "argument 'self'", "argument 'self_'",
        ),
        params=(("predict", (
            ("a-b", "a_b"), ("a_b", "a_b_"), ("a.b", "a_b_2"), ("class", "class_"),
            ("class_", "class__"), ("__class__", "class__2"), ("名前", "arg"), ("이름", "arg_"),
            ("arg", "arg_2"), ("self", "self_"), ("self_", "self__"),
        )),),
    ),
    "param-name-empty.json": Fails("has no name"),
    "duplicate-method-names.json": Fails("duplicate method name 'predict'"),
    "duplicate-param-names.json": Fails("duplicate argument name 'prompt'"),
    "bare-list-hostile-names.json": Ok(
        ref=LISTED_REF,
        methods=(("def", "def_"), ("a-b", "a_b")),
        params=(("def", (("class", "class_"), ("a-b", "a_b"))), ("a-b", (("def", "def_"),))),
    ),
    # The SDK's _GET_SIGNATURES dict is keyed by the wire method name: keys are data, not proto field
    # names, so a camelCase method name must survive exactly.
    "get-signatures-dict-camelcase-method.json": Ok(
        ref=LISTED_REF,
        methods=(("predictFast", "predictFast"), ("class", "class_")),
        params=(("predictFast", (("maxTokens", "maxTokens"),)),),
    ),
    # --- model ids: path traversal, code, non-ASCII, names that collide with the module's own ----
    "model-id-path-traversal.json": Fails("invalid model_id '../../etc/passwd'"),
    "model-id-dotdot.json": Fails("invalid model_id '..'"),
    "model-id-slash.json": Fails("invalid model_id 'a/b'"),
    "model-id-absolute.json": Fails("invalid model_id '/abs'"),
    "model-id-code-injection.json": Fails("invalid model_id"),
    "model-id-non-ascii.json": Fails("invalid model_id"),
    "user-id-path-traversal.json": Fails("invalid user_id '../..'"),
    "version-id-path-traversal.json": Fails("invalid version_id 'v1/../../x'"),
    "no-ids-ref-traversal.json": Fails("invalid app id '..'", ref="a/../b", names="--ref"),
    "model-id-shadows-runtime-names.json": Ok(
        warnings=("model class for 'client'", "TypedDict for 'ModelRef'"),
        methods=(("model", "model"),),
    ),
    "model-id-examples-and-digits.json": Ok(),
    # --- prose, defaults and choices carrying quotes, backslashes, newlines and code -------------
    "descriptions-hostile.json": Ok(),
    "descriptions-lone-surrogates.json": Ok(),
    "defaults-code-injection.json": Ok(
        warnings=("is not a bytes literal", "required argument has a default 'null'; ignored"),
    ),
    "defaults-non-finite-and-huge.json": Ok(
        warnings=("'NaN' does not fit type FLOAT", "'Infinity' does not fit", "'1e999' does not fit"),
    ),
    "default-float-with-huge-int.json": Ok(warnings=("does not fit type FLOAT",)),
    "enum-choices-hostile.json": Ok(),
    "enum-choice-not-an-int.json": Fails("is not a valid INT value"),
    "enum-choice-float-huge-int.json": Fails("is not a valid FLOAT value"),
    # Text that looks like deeply nested JSON: a STR default or choice stays text; an INT or FLOAT
    # choice is not a number (json.loads raised RecursionError: "internal error", exit 3).
    "default-str-nested-json.json": Ok(),
    "enum-choice-int-nested-json.json": Fails("is not a valid INT value"),
    "enum-choice-float-nested-json.json": Fails("is not a valid FLOAT value"),
    # INT is int64 on the wire: a choice outside it is invalid (it was `Literal[9223372036854775808]`,
    # which mypy rejects), a default outside it is left to the model; integral floats are ints.
    "enum-choice-int-above-int64.json": Fails("choice '9223372036854775808' is not a valid INT"),
    "enum-choice-int-as-float.json": Ok(),
    # ... and mypy reads `Literal[-9223372036854775808]` as an expression: such a field is a plain int
    "enum-choice-int64-min.json": Ok(
        warnings=("choice -9223372036854775808 cannot be written in a Literal type; typed as int",),
    ),
    "default-int-above-int64.json": Ok(
        warnings=(
            "'9223372036854775808' does not fit type INT", "'-9223372036854775809' does not fit",
            "'1e300' does not fit", "'[1, 18446744073709551616]' does not fit type LIST",
        ),
    ),
    # A long value is quoted cut to 80 characters, with its length
    "default-3000-digits.json": Ok(warnings=("999... (3000 chars) does not fit type INT",)),
    # Items are coerced like scalars: `tuple[int] = (1.0,)` fails mypy, `(1,)` does not.
    "default-tuple-int-float.json": Ok(
        warnings=("'[1.5]' does not fit type TUPLE", "'[true]' does not fit type TUPLE"),
    ),
    "default-bytes-unhashable.json": Ok(warnings=("BYTES default '{[]: 1}' is not a bytes literal",)),
    "range-not-finite.json": Fails("range min is not a number"),  # NaN; Infinity means no bound
    "range-huge-int.json": Fails("range max"),  # a 401-digit JSON integer bound
    # --- types -----------------------------------------------------------------------------------
    "type-unknown-number.json": Fails("unknown type 99"),
    "type-unknown-name.json": Fails("unknown type 'FOO'"),
    "type-superscript-digit.json": Fails("unknown type"),  # "²".isdigit() is True, int("²") fails
    "type-not-set.json": Ok(warnings=("type is NOT_SET",)),
    "list-without-type-args.json": Fails("LIST needs exactly one type argument"),
    "nesting-100-levels.json": Fails("nested deeper than"),
    "json-nested-500-levels.json": Fails("JSON nested deeper than 256 levels"),
    # int("1" * 5000) raises ValueError (Python's int-string limit): an unknown number, not a crash
    "type-number-too-long.json": Fails("unknown type"),
    "method-type-number-too-long.json": Fails("unknown method_type"),
    "nesting-16-levels.json": Ok(),
    "named-fields-hostile-keys.json": Ok(),
    "named-fields-duplicate-keys.json": Fails("duplicate name"),
    # TypedDict names derive from the method name: "1st-pass" must not yield "1stPassRecord"
    "named-fields-on-digit-first-method.json": Ok(methods=(("1st-pass", "method_1st_pass"),)),
    # --- wrong shapes ----------------------------------------------------------------------------
    "truncated.json": Fails("invalid JSON at line"),
    "top-level-string.json": Fails("got str"),
    "top-level-number.json": Fails("got int"),
    "top-level-null.json": Fails("got NoneType"),
    "empty-object.json": Fails("no method signatures found"),
    "not-utf8.json": Fails("not UTF-8"),
    "number-5000-digits.json": Fails("invalid JSON"),
    "no-method-signatures-non-pythonic.json": Fails("has no method signatures"),
    "failure-status-response.json": Fails("failure (status 21200"),
    "streaming-unary-method.json": Fails("STREAMING_UNARY"),
    "iterator-input-on-unary-method.json": Fails("is an iterator but the method is not"),
    "zero-output-fields.json": Fails("exactly one output field, got 0"),
    "two-output-fields.json": Fails("exactly one output field, got 2"),
    "wrong-type-method-name-number.json": Fails("name must be a string"),
    "wrong-type-required-string.json": Fails("required must be true or false"),
}
# fmt: on

HOSTILE_OK = sorted(HOSTILE / name for name, outcome in EXPECTED.items() if isinstance(outcome, Ok))
