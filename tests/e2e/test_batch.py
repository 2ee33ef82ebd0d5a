"""Typed batches end to end: generated `<method>_batch` -> `Client` / `AsyncClient.unary_batch` ->
HTTP or gRPC -> the oracle servers -> the SDK's `predict_wrapper`, which runs every input of a request.
"""

from __future__ import annotations

import asyncio
import importlib
import math
from types import ModuleType
from typing import Any

import pytest

from ..oracle.models import AllTypesModel, EveryTypeModel
from .conftest import PACKAGE


def outputs_requests(server: Any) -> list[dict[str, Any]]:
    """The JSON bodies of the PostModelOutputs requests the server received, in arrival order."""
    return [r["body"] for r in server.requests if r["route"] == "outputs"]


def call(
    rt: ModuleType, module: str, transport: str, server: Any, mode: str, fn: Any, **kw: Any
) -> Any:
    """`fn(model)` with the sync or async model class of `module`, on a fresh client."""
    mod = importlib.import_module(f"{PACKAGE}.{module}")
    cls_name = mod.__all__[0]
    if mode == "sync":
        with rt.Client(server.pat, server.base_url, transport=transport, **kw) as client:
            return fn(getattr(mod, cls_name)(client))

    async def main() -> Any:
        async with rt.AsyncClient(server.pat, server.base_url, transport=transport, **kw) as c:
            return await fn(getattr(mod, f"Async{cls_name}")(c))

    return asyncio.run(main())


def predict_items(n: int) -> list[dict[str, Any]]:
    """Items using the required key alone, and the optional keys in different combinations."""
    shapes = [
        lambda i: {"prompt": f"p{i}"},
        lambda i: {"prompt": f"p{i}", "max_tokens": i},
        lambda i: {"prompt": f"p {i}", "temperature": 0.5, "max_tokens": 1},
    ]
    return [shapes[i % 3](i) for i in range(n)]


def test_300_items_go_out_as_3_requests_and_equal_300_single_calls(
    rt: ModuleType, transport: str, server: Any, mode: str
) -> None:
    items = predict_items(300)

    async def singles_async(model: Any) -> list[Any]:
        return [await model.predict(**item) for item in items]

    got = call(rt, "every_type", transport, server, mode, lambda m: m.predict_batch(items))
    batch_bodies = outputs_requests(server)
    server.reset()
    singles = call(
        rt,
        "every_type",
        transport,
        server,
        mode,
        (lambda m: [m.predict(**item) for item in items]) if mode == "sync" else singles_async,
    )
    single_bodies = outputs_requests(server)

    assert got == singles == [EveryTypeModel().predict(**item) for item in items]
    assert sorted(len(b["inputs"]) for b in batch_bodies) == [44, 128, 128]
    # Each input is exactly what the single call sent, and everything else in the request too.
    single_inputs = [b["inputs"][0] for b in single_bodies]
    batch_bodies.sort(key=lambda b: single_inputs.index(b["inputs"][0]))
    assert [i for b in batch_bodies for i in b["inputs"]] == single_inputs
    envelope = {k: v for k, v in single_bodies[0].items() if k != "inputs"}
    assert all({k: v for k, v in b.items() if k != "inputs"} == envelope for b in batch_bodies)


def test_one_failing_input_fails_its_request_and_keeps_the_others(
    rt: ModuleType, transport: str, server: Any, mode: str
) -> None:
    items = [{"x": i} for i in range(300)]
    items[200] = {"x": -1}
    with pytest.raises(rt.BatchError) as info:
        call(rt, "every_type", transport, server, mode, lambda m: m.isqrt_batch(items))
    err = info.value
    assert err.failed == list(range(128, 256))
    assert [(list(ix), type(e)) for ix, e in err.failures] == [
        (list(range(128, 256)), rt.ModelError)
    ]
    assert err.error is err.__cause__ and "no square root of -1" in str(err.error)
    assert "128 of 300 items failed (items 128-255; 3 request(s))" in str(err)
    assert err.results == [None if 128 <= i < 256 else math.isqrt(i) for i in range(300)]
    assert len(outputs_requests(server)) == 3  # the other requests were still sent
    for text in (str(err), repr(err.error), str(err.failures), repr(vars(err))):
        assert server.pat not in text


def test_an_invalid_item_is_named_and_nothing_is_sent(
    rt: ModuleType, transport: str, server: Any, mode: str
) -> None:
    items: list[dict[str, Any]] = [{"prompt": "p"}] * 130 + [{"prompt": "p", "top_k": 500}]
    with pytest.raises(rt.ArgumentError, match=r"^tuned\(\) batch item 130: .*'top_k'.*maximum"):
        call(rt, "all_types", transport, server, mode, lambda m: m.tuned_batch(items))
    with pytest.raises(rt.ArgumentError, match=r"batch item 1: missing required key\(s\) 'prompt'"):
        call(
            rt, "all_types", transport, server, mode, lambda m: m.tuned_batch([{"prompt": "a"}, {}])
        )
    assert outputs_requests(server) == []


def test_batch_of_an_all_types_method_matches_the_model(
    rt: ModuleType, transport: str, server: Any, mode: str
) -> None:
    items = [{"prompt": f"p{i}", "effort": "high", "top_k": i + 1} for i in range(5)]
    items.append({"prompt": "defaults"})
    got = call(
        rt,
        "all_types",
        transport,
        server,
        mode,
        lambda m: m.tuned_batch(items),
        batch_concurrency=1,
    )
    model = AllTypesModel()
    assert [t.text for t in got] == [model.tuned(**item).text for item in items]
    assert call(rt, "all_types", transport, server, mode, lambda m: m.tuned_batch([])) == []
    assert len(outputs_requests(server)) == 1  # an empty batch sends nothing


def test_mixed_status_over_http_fails_only_the_failed_outputs(rt: ModuleType, oracle: Any) -> None:
    def output(value: str) -> dict[str, Any]:
        return {
            "status": {"code": 10000},
            "data": {"parts": [{"id": "return", "data": {"string_value": value}}]},
        }

    failed = {"status": {"code": 21313, "description": "Prediction failed", "details": "bad x"}}
    body = {"status": {"code": 10010}, "outputs": [output("a"), failed, output("c")]}
    oracle.inject(status=200, body=body)
    with pytest.raises(rt.BatchError) as info:
        call(
            rt,
            "every_type",
            "http",
            oracle,
            "sync",
            lambda m: m.echo_str_batch([{"x": "a"}, {"x": "b"}, {"x": "c"}]),
        )
    assert info.value.failed == [1] and info.value.results == ["a", None, "c"]
    assert isinstance(info.value.error, rt.ModelError) and "bad x" in str(info.value)
