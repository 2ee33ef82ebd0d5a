"""Signature parity with Clarifai's SDK (the test-only oracle).

1. For every bundled fixture, our `signature` lines name the same parameters as the SDK's own
   rendering (`get_method_signature`, which prints the inputs of `build_function_signature`), with
   the same types and with defaults decoded to the values the SDK's `Param.get_default` reads.
2. For real model code (AllTypesModel, EveryTypeModel), the parameters, their order within each kind,
   and their defaults equal `inspect.signature` of the Python methods `build_function_signature` ran on.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path
from typing import Any

import pytest
from clarifai.runners.utils.code_script import _get_base_type
from clarifai.runners.utils.data_utils import Param
from clarifai.runners.utils.method_signatures import get_method_signature

from codegen.parser import parse_model
from codegen.plan import plan_module
from codegen.render import render_signatures
from codegen.sources.signature_file import read_signature_file

from ..conftest import ROOT, SIGNATURES
from ..oracle.models import AllTypesModel, EveryTypeModel, signatures_json
from ..oracle.stub_models import load_method_signatures

INDEX = json.loads((ROOT / "signatures" / "index.json").read_text())


def sdk_type_to_ours(sdk_type: str, streamed: bool) -> str:
    t = sdk_type.replace("data_types.JSON", "JsonValue").replace("data_types.", "")
    t = (
        t.replace("List[", "list[")
        .replace("Tuple[", "tuple[")
        .replace("np.ndarray", "npt.NDArray[Any]")
    )
    if streamed:
        t = t.replace("Iterator[", "Iterable[", 1)
    return t


def our_params(line: str) -> list[tuple[str, str, Any, bool]]:
    """(name, annotation, default value or REQUIRED, keyword_only) from one of our lines."""
    fn = ast.parse(line + " ...").body[0]
    assert isinstance(fn, ast.FunctionDef)
    out = []
    positional = fn.args.args
    pos_defaults = [None] * (len(positional) - len(fn.args.defaults)) + list(fn.args.defaults)
    for arg, default in zip(positional, pos_defaults, strict=True):
        out.append((arg.arg, ast.unparse(arg.annotation), _value(default), False))
    for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
        out.append((arg.arg, ast.unparse(arg.annotation), _value(default), True))
    return out


REQUIRED = object()


def _value(node: ast.expr | None) -> Any:
    return REQUIRED if node is None else ast.literal_eval(node)


def _strip(annotation: str) -> str:
    """Our annotation without the parts the SDK does not render (Literal choices, `| None`, `| str`)."""
    annotation = annotation.removesuffix(" | None")
    annotation = re.sub(r"^Literal\[(['\"]).*\]$", "str", annotation)
    annotation = re.sub(r"^Literal\[-?\d.*\]$", "int", annotation)
    return annotation.replace("Text | str", "Text")


@pytest.mark.parametrize("path", SIGNATURES, ids=lambda p: p.stem)
def test_fixture_signatures_match_the_sdk(path: Path) -> None:
    protos = {p.name: p for p in load_method_signatures(path)}
    spec = read_signature_file(path)[0].spec
    ours = dict(
        zip([m.name for m in spec.methods], render_signatures(plan_module(spec)), strict=True)
    )
    assert list(ours) == list(protos) == list(INDEX[path.stem]["sdk_method_signature"])
    for name, proto in protos.items():
        sdk_line = get_method_signature(proto)
        assert sdk_line == INDEX[path.stem]["sdk_method_signature"][name]  # the oracle itself
        fields = {f.name: f for f in proto.input_fields}
        sdk_names = [
            f.name for f in proto.input_fields
        ]  # what get_method_signature renders, in order
        params = our_params(ours[name])
        # Same parameters; data inputs keep their order, inference params (keyword-only) keep theirs.
        assert sorted(p[0] for p in params) == sorted(sdk_names)
        for keyword_only in (False, True):
            mine = [p[0] for p in params if p[3] is keyword_only]
            assert mine == [n for n in sdk_names if n in mine]
        for pname, annotation, default, keyword_only in params:
            field = fields[pname]
            if field.is_param:
                assert keyword_only, pname
            sdk_type = _get_base_type(field)
            sdk_type = f"Iterator[{sdk_type}]" if field.iterator else sdk_type
            if "NamedFields" not in sdk_type:
                assert _strip(annotation) == sdk_type_to_ours(sdk_type, field.iterator), (
                    name,
                    pname,
                )
            if field.required:
                assert default is REQUIRED, (name, pname)
                continue
            sdk_default = Param.get_default(field) if field.default else ""
            if sdk_default is None or isinstance(sdk_default, (list, dict)):
                assert default is None, (name, pname)  # `T | None = None`: the model applies it
            elif (
                field.type == 1
            ):  # STR: the SDK's json.loads reads "123" as 123; the field is a str
                assert default == (
                    field.default if not field.default.startswith('"') else sdk_default
                )
            else:
                assert default == sdk_default and type(default) is type(sdk_default), (name, pname)


@pytest.mark.parametrize("model_cls", [AllTypesModel, EveryTypeModel])
def test_signatures_match_the_python_methods_the_sdk_read(model_cls: type) -> None:
    spec, _ = parse_model(signatures_json(model_cls()), model_cls.__name__)
    lines = dict(
        zip([m.name for m in spec.methods], render_signatures(plan_module(spec)), strict=True)
    )
    for method_name, line in lines.items():
        py = inspect.signature(getattr(model_cls, method_name))
        py_params = [p for p in py.parameters.values() if p.name != "self"]
        ours = our_params(line)
        assert sorted(p[0] for p in ours) == sorted(p.name for p in py_params), method_name
        by_name = {p[0]: p for p in ours}
        order = [p.name for p in py_params]
        for keyword_only in (False, True):
            mine = [p[0] for p in ours if p[3] is keyword_only]
            assert mine == [n for n in order if n in mine], method_name
        for p in py_params:
            _, annotation, default, keyword_only = by_name[p.name]
            real = p.default.default if isinstance(p.default, Param) else p.default
            if isinstance(p.default, Param):
                assert keyword_only, (method_name, p.name)
            if p.default is inspect.Parameter.empty:
                assert default is REQUIRED
            elif (
                real is None
                or isinstance(real, (list, dict))
                or not isinstance(real, (str, int, float, bool, bytes))
            ):
                assert default is None and annotation.endswith("| None"), (method_name, p.name)
            else:
                assert default == real and type(default) is type(real), (method_name, p.name)
