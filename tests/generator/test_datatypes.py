"""The generator's table of data types (`codegen/datatypes.py`) and the imports and calls the plan
derives from it for the templates."""

from __future__ import annotations

import builtins
import json
from typing import Any

import numpy
import pytest
from clarifai.runners.utils import method_signatures
from clarifai_grpc.grpc.api import resources_pb2

from codegen import runtime
from codegen.datatypes import BUILTIN_KINDS, RUNTIME_NAMES, SDK_CLASS_KINDS, TYPES
from codegen.examples import plan_example
from codegen.parser import parse_model
from codegen.plan import ModulePlan, plan_module
from codegen.spec import DataType
from codegen.typemap import ANNOTATION_NAMES, annotation_names

from ..conftest import SIGNATURES

LEAVES = [row for row in TYPES.values() if row.annotation]


def _plan(path: Any) -> ModulePlan:
    spec, _ = parse_model(json.loads(path.read_text()), str(path), need_ids=False)
    return plan_module(spec)


def test_local_analysis_maps_the_classes_the_sdk_maps() -> None:
    """The builtins and data_types classes of a row are the SDK's own `_DATA_TYPES` keys."""
    name = resources_pb2.ModelTypeField.DataType.Name
    sdk = {tp: name(dt.type) for tp, dt in method_signatures._DATA_TYPES.items()}
    assert BUILTIN_KINDS == {tp.__name__: k for tp, k in sdk.items() if tp.__module__ == "builtins"}
    assert SDK_CLASS_KINDS == {
        tp.__name__: k for tp, k in sdk.items() if tp.__module__.startswith("clarifai.")
    }


@pytest.mark.parametrize("row", LEAVES, ids=lambda r: r.kind.name)
def test_every_annotation_name_is_reserved(row: Any) -> None:
    """A name an annotation uses is never given to a member or a TypedDict (it would shadow it)."""
    for text in (row.annotation, row.accepts or row.annotation):
        assert annotation_names(text) <= ANNOTATION_NAMES


@pytest.mark.parametrize("row", LEAVES, ids=lambda r: r.kind.name)
def test_every_sample_is_a_value_of_its_type(row: Any) -> None:
    if isinstance(row.sample, (int, float)):
        assert type(row.sample).__name__ == row.annotation
        return
    names = {n: getattr(runtime, n) for n in RUNTIME_NAMES} | {"numpy": numpy}
    value = eval(row.sample, {"__builtins__": {}}, names)  # our own constant
    if row.kind is DataType.NOT_SET:
        return  # Any
    if row.kind is DataType.JSON_DATA:
        assert json.loads(json.dumps(value)) == value
    elif row.kind is DataType.NDARRAY:
        assert isinstance(value, numpy.ndarray)
    elif row.runtime:
        assert isinstance(value, getattr(runtime, row.annotation))
    else:
        assert isinstance(value, getattr(builtins, row.annotation))


@pytest.mark.parametrize("path", SIGNATURES, ids=lambda p: p.stem)
def test_module_imports_every_name_its_annotations_use(path: Any) -> None:
    plan = _plan(path)
    used: set[str] = set()
    for m in plan.methods:
        for text in (m.returns, m.async_returns, *(p.annotation for p in m.params)):
            used |= annotation_names(text)
        used |= {n for p in m.params for n in annotation_names(p.async_annotation)}
    for td in plan.typed_dicts:
        used |= {n for _, a in td.keys for n in annotation_names(a)}
    imported = {
        *plan.typing_imports,
        *plan.abc_imports,
        *plan.runtime_imports,
        *(td.name for td in plan.typed_dicts),
        *(["npt"] if plan.uses_numpy else []),
        *(n for n in used if hasattr(builtins, n)),
    }
    assert used <= imported
    assert plan.uses_numpy == ("npt" in used)
    assert "TYPE_CHECKING" in plan.typing_imports  # AsyncClient is imported for type checkers


@pytest.mark.parametrize("path", SIGNATURES, ids=lambda p: p.stem)
def test_example_imports_exactly_what_its_calls_name(path: Any) -> None:
    example = plan_example(_plan(path), "generated")
    used = {n for c in example.calls for _, v in c.args for n in annotation_names(v)}
    used |= {c.guard for c in example.calls if c.guard}
    used |= annotation_names(example.placeholder_ref) if example.placeholder_ref else set()
    assert set(example.runtime_imports) == used & {*RUNTIME_NAMES, "ModelRef", *runtime.__all__}
    assert example.uses_numpy == ("numpy" in used)
    assert example.uses_json == ("json" in used)


def test_plan_calls_methods_the_runtime_clients_have() -> None:
    plan = _plan(next(p for p in SIGNATURES if p.stem == "synthetic__all-types"))
    calls = {m.kind: m.call for m in plan.methods}
    assert len(calls) == 3  # unary, server and bidi streams
    batches = {m.batch.call for m in plan.methods if m.batch}
    assert batches
    for name in (*calls.values(), *batches):
        assert callable(getattr(runtime.Client, name))
        assert callable(getattr(runtime.AsyncClient, name))
    for m in plan.methods:
        assert m.unary == (m.call == "unary")
