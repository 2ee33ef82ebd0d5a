"""`runtime/batch.py` without a network: item checks, chunking, reassembly, errors, concurrency."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from codegen.runtime import ArgumentError, BatchError, Client, ModelError, ModelRef, signature
from codegen.runtime.aclient import AsyncClient
from codegen.runtime.batch import (
    BatchResults,
    Chunk,
    check_concurrency,
    prepare,
    send_all,
    send_all_async,
)
from codegen.runtime.decode import MalformedResponse
from codegen.runtime.encode import encode_args
from codegen.runtime.messages import check_response, request_body

MODEL = ModelRef("u", "a", "m", "v1")
METHOD = signature.parse_method(
    {
        "name": "predict",
        "kind": "unary",
        "inputs": [
            {"name": "prompt", "type": {"t": "STR"}, "required": True},
            {"name": "top-k", "type": {"t": "INT"}, "required": False, "min": 1, "max": 100},
        ],
        "output": {"t": "STR"},
    }
)
KEYS = {"prompt": "prompt", "top_k": "top-k"}  # item key (Python name) -> wire name
DEFAULTS = {"top_k": 40}


def chunks_of(items: list[Any], limit: int = 128) -> list[Chunk]:
    return prepare(MODEL, METHOD, items, KEYS, DEFAULTS, limit)


def ok(*values: str) -> dict[str, Any]:
    return {
        "status": {"code": 10000},
        "outputs": [
            {
                "status": {"code": 10000},
                "data": {"parts": [{"id": "return", "data": {"string_value": v}}]},
            }
            for v in values
        ],
    }


def test_each_input_is_what_a_single_call_sends_and_requests_hold_at_most_the_limit() -> None:
    items = [
        {"prompt": f"p{i}"} if i % 2 else {"prompt": f"p{i}", "top_k": i + 1} for i in range(7)
    ]
    chunks = chunks_of(items, limit=3)
    assert [c.indices for c in chunks] == [range(0, 3), range(3, 6), range(6, 7)]
    singles = [
        request_body(
            MODEL,
            "predict",
            encode_args(METHOD, {"prompt": it["prompt"], "top-k": it.get("top_k", 40)}),
        )
        for it in items
    ]
    for chunk in chunks:
        assert {k: v for k, v in chunk.body.items() if k != "inputs"} == {
            k: v for k, v in singles[0].items() if k != "inputs"
        }
        assert chunk.body["inputs"] == [singles[i]["inputs"][0] for i in chunk.indices]
    assert chunks_of([]) == []
    assert [len(c.indices) for c in chunks_of([{"prompt": "x"}] * 300)] == [128, 128, 44]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"prompt": "a"}, "b"], "predict() batch item 1: expected a dict of arguments, got str"),
        (
            [{"prompt": "a", "topk": 3}],
            "batch item 0: unexpected key(s) 'topk' (expected: 'prompt', 'top_k')",
        ),
        ([{"prompt": "a"}, {}, {"top_k": 2}], "batch item 1: missing required key(s) 'prompt'"),
        (
            [{"prompt": "a"}] * 5 + [{"prompt": "b", "top_k": 500}],
            "batch item 5: predict() argument 'top-k'",
        ),
        ([{"prompt": 3}], "batch item 0: predict() argument 'prompt'"),
        ([{"prompt": None}], "batch item 0: predict() missing required argument 'prompt'"),
        ({"prompt": "a"}, "predict() batch: expected a list of dicts of arguments, got dict"),
        ("prompt", "expected a list of dicts of arguments, got str"),
    ],
)
def test_invalid_items_raise_argument_error_naming_the_item(items: Any, message: str) -> None:
    with pytest.raises(ArgumentError) as info:
        chunks_of(items)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_client_validates_every_item_before_sending_anything() -> None:
    sent: list[Any] = []
    client = Client(pat="p", base_url="http://127.0.0.1:9")
    client._transport.unary = lambda model, body: sent.append(body)  # type: ignore[method-assign]
    items = [{"prompt": "a"}] * 200 + [{"prompt": "b", "top_k": 0}]
    with pytest.raises(ArgumentError, match="batch item 200"):
        client.unary_batch(MODEL, METHOD, items, KEYS, DEFAULTS)
    assert sent == []
    client.close()


def test_results_in_item_order_whatever_order_responses_arrive() -> None:
    chunks = chunks_of([{"prompt": str(i)} for i in range(5)], limit=2)
    results = BatchResults(METHOD, chunks)
    for chunk in reversed(chunks):
        results.add_response(chunk, ok(*(f"r{i}" for i in chunk.indices)))
    assert results.finish() == ["r0", "r1", "r2", "r3", "r4"]


def test_a_failed_request_names_its_items_and_keeps_the_other_results() -> None:
    chunks = chunks_of([{"prompt": str(i)} for i in range(300)])
    results = BatchResults(METHOD, chunks)
    boom = ModelError("kaboom", code=10020)
    results.add_response(chunks[2], ok(*(f"r{i}" for i in chunks[2].indices)))
    results.add_error(chunks[1], boom)
    results.add_response(chunks[0], ok(*(f"r{i}" for i in chunks[0].indices)))
    with pytest.raises(BatchError) as info:
        results.finish()
    err = info.value
    assert err.failed == list(range(128, 256))
    assert err.failures == [(tuple(range(128, 256)), boom)]
    assert err.error is boom and err.__cause__ is boom and err.code == 10020
    assert err.results == [None if 128 <= i < 256 else f"r{i}" for i in range(300)]
    assert str(err) == (
        "predict() batch: 128 of 300 items failed (items 128-255; 3 request(s)): ModelError: kaboom"
    )


def test_several_failures_are_all_listed_first_in_item_order() -> None:
    chunks = chunks_of([{"prompt": str(i)} for i in range(6)], limit=2)
    results = BatchResults(METHOD, chunks)
    late, early = ModelError("late"), ModelError("early")
    results.add_error(chunks[2], late)
    results.add_response(chunks[1], ok("r2", "r3"))
    results.add_error(chunks[0], early)
    with pytest.raises(BatchError) as info:
        results.finish()
    assert info.value.failed == [0, 1, 4, 5]
    assert [f[0] for f in info.value.failures] == [(0, 1), (4, 5)]
    assert info.value.error is early
    assert "4 of 6 items failed (items 0-1, 4-5; 3 request(s)): 2 failures, the first" in str(
        info.value
    )
    assert info.value.results == [None, None, "r2", "r3", None, None]


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_mixed_status_fails_only_the_failed_outputs(bad: int) -> None:
    chunks = chunks_of([{"prompt": str(i)} for i in range(3)])
    body = ok("a", "b", "c")
    body["status"] = {"code": 10010, "description": "Mixed Status"}
    body["outputs"][bad] = {
        "status": {"code": 21313, "description": "Prediction failed", "details": "bad"}
    }
    results = BatchResults(METHOD, chunks)
    results.add_response(chunks[0], check_response(body, 200))
    with pytest.raises(BatchError) as info:
        results.finish()
    assert info.value.failed == [bad]
    assert info.value.results == [None if i == bad else v for i, v in enumerate("abc")]
    assert isinstance(info.value.error, ModelError) and "bad" in str(info.value)
    # A single call's MIXED_STATUS (one output) is still an error of the call.
    single = ok("a")
    single["status"] = {"code": 10010, "description": "Mixed Status"}
    with pytest.raises(ModelError):
        check_response(single, 200)


def test_an_output_count_mismatch_fails_the_whole_request() -> None:
    chunks = chunks_of([{"prompt": str(i)} for i in range(3)])
    results = BatchResults(METHOD, chunks)
    results.add_response(chunks[0], ok("a", "b"))
    with pytest.raises(BatchError) as info:
        results.finish()
    assert info.value.failed == [0, 1, 2]
    assert isinstance(info.value.error, MalformedResponse)
    assert "expected 3 outputs, got 2" in str(info.value)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "4", None])
def test_batch_concurrency_must_be_a_positive_int(bad: Any) -> None:
    with pytest.raises(ArgumentError, match="batch_concurrency must be an int >= 1"):
        check_concurrency(bad)
    with pytest.raises(ArgumentError):
        Client(pat="p", batch_concurrency=bad)
    with pytest.raises(ArgumentError):
        AsyncClient(pat="p", batch_concurrency=bad)
    assert Client(pat="p").batch_concurrency == 4


class InFlight:
    """Counts concurrent sends; each send waits until `hold` others are running (or all have
    started), so the bound is actually reached."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.bodies: list[Any] = []

    def enter(self, body: Any) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.bodies.append(body)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


@pytest.mark.parametrize("concurrency", [1, 2, 3])
def test_threads_send_every_chunk_with_bounded_concurrency(concurrency: int) -> None:
    chunks = chunks_of([{"prompt": str(i)} for i in range(10)], limit=1)
    meter = InFlight()
    barrier = threading.Barrier(concurrency)

    def send(body: dict[str, Any]) -> dict[str, Any]:
        meter.enter(body)
        if len(meter.bodies) <= concurrency:  # the first wave waits for each other
            barrier.wait(timeout=30)
        meter.leave()
        if body["inputs"][0]["data"]["parts"][0]["data"]["string_value"] == "4":
            raise ModelError("four")
        return ok(body["inputs"][0]["data"]["parts"][0]["data"]["string_value"])

    results = BatchResults(METHOD, chunks)
    send_all(chunks, send, concurrency, results)
    assert meter.peak == concurrency and len(meter.bodies) == 10
    with pytest.raises(BatchError) as info:
        results.finish()
    assert info.value.results == [None if i == 4 else str(i) for i in range(10)]


@pytest.mark.parametrize("concurrency", [1, 2, 3])
def test_asyncio_sends_every_chunk_with_bounded_concurrency(concurrency: int) -> None:
    chunks = chunks_of([{"prompt": str(i)} for i in range(10)], limit=1)
    meter = InFlight()

    async def send(body: dict[str, Any]) -> dict[str, Any]:
        meter.enter(body)
        for _ in range(5):
            await asyncio.sleep(0)
        meter.leave()
        return ok(body["inputs"][0]["data"]["parts"][0]["data"]["string_value"])

    results = BatchResults(METHOD, chunks)
    asyncio.run(send_all_async(chunks, send, concurrency, results))
    assert meter.peak == concurrency and len(meter.bodies) == 10
    assert results.finish() == [str(i) for i in range(10)]
