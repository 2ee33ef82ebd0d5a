"""The async class of every generated module mirrors its sync class: same methods, same parameters
(names, kinds, defaults, annotations), coroutines for unary calls and AsyncIterators for streams."""

from __future__ import annotations

import importlib
import inspect

import pytest

from ..conftest import ROOT

MODULES = sorted(p.stem for p in (ROOT / "generated").glob("*.py") if p.stem not in ("__init__",))


def _classes(module_name: str) -> tuple[type, type]:
    module = importlib.import_module(f"generated.{module_name}")
    sync_name = module.__all__[0]
    return getattr(module, sync_name), getattr(module, f"Async{sync_name}")


def _methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(fn)
        for name, fn in vars(cls).items()
        if inspect.isfunction(fn) and not name.startswith("__")
    }


@pytest.mark.parametrize("module_name", MODULES)
def test_async_class_mirrors_sync_class(module_name: str) -> None:
    sync_cls, async_cls = _classes(module_name)
    sync_methods, async_methods = _methods(sync_cls), _methods(async_cls)
    assert list(sync_methods) == list(async_methods)
    for name, sig in sync_methods.items():
        asig = async_methods[name]
        assert [(p.name, p.kind, p.default) for p in sig.parameters.values()] == [
            (p.name, p.kind, p.default) for p in asig.parameters.values()
        ], name
        for p in sig.parameters.values():
            a = asig.parameters[p.name].annotation
            if isinstance(p.annotation, str) and p.annotation.startswith("Iterable["):
                assert a == f"Async{p.annotation} | {p.annotation}", (name, p.name)
            else:
                assert a == p.annotation, (name, p.name)
        fn = vars(async_cls)[name]
        if sig.return_annotation.startswith("Iterator["):
            assert asig.return_annotation == f"Async{sig.return_annotation}"
            assert not inspect.iscoroutinefunction(fn)
        else:
            assert asig.return_annotation == sig.return_annotation
            assert inspect.iscoroutinefunction(fn)
        assert inspect.getdoc(fn) == inspect.getdoc(vars(sync_cls)[name])


@pytest.mark.parametrize("module_name", MODULES)
def test_every_unary_method_has_a_batch_method_in_both_classes(module_name: str) -> None:
    module = importlib.import_module(f"generated.{module_name}")
    for cls in _classes(module_name):
        methods = _methods(cls)
        unary = [
            name
            for name, fn in vars(cls).items()
            if name in methods
            and not name.endswith("_batch")
            and not methods[name].return_annotation.startswith(("Iterator[", "AsyncIterator["))
        ]
        assert unary, cls
        for name in unary:
            batch = methods[f"{name}_batch"]
            assert list(batch.parameters) == ["self", "items"], (cls, name)
            item = batch.parameters["items"].annotation
            assert item.startswith("Sequence[") and item[9:-1] in module.__all__, (cls, name)
            assert batch.return_annotation == f"list[{methods[name].return_annotation}]"
            fn = vars(cls)[f"{name}_batch"]
            assert inspect.iscoroutinefunction(fn) == inspect.iscoroutinefunction(vars(cls)[name])
