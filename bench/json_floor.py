"""The floor of the HTTP "1 MB image, client encode+decode" row of bench_runtime.py: the least CPU
a JSON transport can spend on a 1 MB image with stdlib tools, where the generated client's
runtime spends its time, and both against the SDK's gRPC encode+decode of the same image,
measured here.

    make bench                                   # after bench_runtime.py
    .venv/bin/python bench/json_floor.py [--calls 40] [--reps 5]

The REST API is JSON: bytes travel as base64 text inside the JSON, so a JSON
client pays at least, per call: base64-encoding the image and writing it into the request body,
then parsing the response body (`json.loads` scans every character of the 1.4 MB string) and
base64-decoding it. The SDK sends protobuf bytes over gRPC (no base64, and protobuf copies a
`bytes` field as a block).

Rows (process CPU per call, ms; median of the repetitions, each the mean of `--calls` calls):
- SDK (gRPC): the SDK's own `serialize` of `predict_image(image)` into a `PostModelOutputsRequest`
  plus `SerializeToString`; `MultiOutputResponse.FromString` of the echo plus its `deserialize`
  (what bench_runtime.py's SDK image row measures, minus the SDK's per-call layers).
- floor, stdlib: `binascii.b2a_base64`, `json.dumps` of the request around a marker, the base64
  spliced over the marker (`bytes.join`); `json.loads` of the response, `binascii.a2b_base64`.
  Each step, then the sum; "base64 alone" is the floor if no JSON parser scanned the string.
- runtime: the generated client's code (`codegen/runtime`, which every package copies) on the
  same image, step by step (encoders, request body, `dump_json`; reading the body, `parse_json`,
  status check and decoding) and as a whole call (`Client.unary` with httpx on an in-memory
  transport answering the recorded echo: the runtime's own per-call work included, as in the
  bench row).
"""

from __future__ import annotations

import argparse
import binascii
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # codegen, from a checkout

import httpx

from codegen.runtime import Client, Image, ModelRef, signature
from codegen.runtime.bodies import Body
from codegen.runtime.encode import encode_args
from codegen.runtime.framing import parse_json
from codegen.runtime.httpbase import dump_json
from codegen.runtime.messages import check_response, output_value, request_body

MODEL = ModelRef(user_id="bench", app_id="runtime", model_id="bench-echo")
METHOD = signature.load(
    {
        "predict_image": '{"name":"predict_image","kind":"unary","inputs":[{"name":"image",'
        '"type":{"t":"IMAGE"},"required":true,"iterator":false}],"output":{"t":"IMAGE"}}'
    }
)["predict_image"]
HEADERS = {"Content-Type": "application/json"}


def cpu_ms(fn: Callable[[], Any], calls: int, reps: int) -> float:
    """Median over `reps` of the process CPU per call of `calls` calls, in ms."""
    fn()
    runs = []
    for _ in range(reps):
        c0 = time.process_time()
        for _ in range(calls):
            fn()
        runs.append((time.process_time() - c0) / calls * 1e3)
    return statistics.median(runs)


def response_body(data: bytes) -> bytes:
    """The echo as `clarifai-codegen serve` sends it (its json.dumps spacing and key order)."""
    b64 = binascii.b2a_base64(data, newline=False)
    head = b'{"status": {"code": 10000}, "outputs": [{"status": {"code": 10000}, "data": '
    head += b'{"parts": [{"data": {"image": {"base64": "'
    return b"".join([head, b64, b'"}}, "id": "return"}]}}]}'])


def sdk_steps(data: bytes, response: bytes) -> dict[str, Callable[[], Any]]:
    from clarifai.runners.utils.data_types import Image as SdkImage
    from clarifai.runners.utils.method_signatures import (
        build_function_signature,
        deserialize,
        serialize,
    )
    from clarifai_grpc.grpc.api import service_pb2

    def predict_image(image: SdkImage) -> SdkImage:
        return image

    predict_image.__annotations__ = {"image": SdkImage, "return": SdkImage}  # not strings
    sig = build_function_signature(predict_image)
    answer = service_pb2.MultiOutputResponse()
    serialize({"return": SdkImage(bytes=data)}, sig.output_fields, answer.outputs.add().data, True)
    wire = answer.SerializeToString()
    image = SdkImage(bytes=data)

    def encode() -> bytes:
        request = service_pb2.PostModelOutputsRequest()
        serialize({"image": image}, sig.input_fields, request.inputs.add().data)
        return bytes(request.SerializeToString())

    def decode() -> bytes:
        got = deserialize(
            service_pb2.MultiOutputResponse.FromString(wire).outputs[0].data,
            sig.output_fields,
            True,
        )
        return bytes(got.bytes)

    assert decode() == data
    return {"encode": encode, "decode": decode}


def floor_steps(data: bytes, response: bytes) -> dict[str, Callable[[], Any]]:
    envelope = {
        "user_app_id": {"user_id": "bench", "app_id": "runtime"},
        "model_id": "bench-echo",
        "inputs": [
            {
                "data": {
                    "metadata": {"_method_name": "predict_image"},
                    "parts": [{"id": "image", "data": {"image": {"base64": "\x00"}}}],
                }
            }
        ],
    }
    text = json.dumps(envelope, separators=(",", ":"))
    mark = text.index("\\u0000")
    head, tail = text[:mark].encode(), text[mark + 6 :].encode()
    b64 = binascii.b2a_base64(data, newline=False)
    value = json.loads(response)["outputs"][0]["data"]["parts"][0]["data"]["image"]["base64"]
    return {
        "b2a_base64": lambda: binascii.b2a_base64(data, newline=False),
        "json.dumps (request without the image)": lambda: json.dumps(
            envelope, separators=(",", ":")
        ),
        "splice (bytes.join)": lambda: b"".join([head, b64, tail]),
        "json.loads (response)": lambda: json.loads(response),
        "a2b_base64": lambda: binascii.a2b_base64(value),
    }


def runtime_steps(data: bytes, response: bytes) -> dict[str, Callable[[], Any]]:
    image = Image.from_bytes(data)
    parts = encode_args(METHOD, {"image": image})
    body = request_body(MODEL, METHOD.name, parts)
    headers = {"content-type": "application/json", "content-length": str(len(response))}
    content = bytearray(response)
    parsed = parse_json(content)

    def read() -> bytearray:
        whole = Body(headers, 64 * 1024 * 1024)
        whole.feed(response)
        return whole.data

    return {
        "encoders (encode_args)": lambda: encode_args(METHOD, {"image": image}),
        "messages.request_body": lambda: request_body(MODEL, METHOD.name, parts),
        "httpbase.dump_json": lambda: dump_json(body),
        "bodies.Body (read the response)": read,
        "framing.parse_json": lambda: parse_json(content),
        "check_response + output_value": lambda: output_value(
            METHOD.output, check_response(parsed, 200)
        ),
    }


def runtime_call(data: bytes, response: bytes) -> tuple[Callable[[], Any], Client]:
    """`Client.unary` over HTTP, httpx answering the echo from memory (bench_runtime.py's tap)."""

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(200, headers=HEADERS, stream=httpx.ByteStream(response))

    http = httpx.Client(transport=httpx.MockTransport(answer), timeout=60.0)
    client = Client(pat="bench-local", base_url="http://127.0.0.1:9", http_client=http)
    image = Image.from_bytes(data)

    def call() -> bytes:
        return bytes(client.unary(MODEL, METHOD, {"image": image}).bytes)

    assert call() == data
    return call, client


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=40, help="calls per repetition (default 40)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    args = ap.parse_args(argv)
    data = random.Random(10).randbytes(1024 * 1024)  # incompressible, as an encoded image is
    response = response_body(data)
    n, reps = max(1, args.calls), max(1, args.reps)
    sdk = {k: cpu_ms(f, n, reps) for k, f in sdk_steps(data, response).items()}
    base = sdk["encode"] + sdk["decode"]
    floor = {k: cpu_ms(f, n, reps) for k, f in floor_steps(data, response).items()}
    runtime = {k: cpu_ms(f, n, reps) for k, f in runtime_steps(data, response).items()}
    call, client = runtime_call(data, response)
    try:
        whole = cpu_ms(call, n, reps)
    finally:
        client.close()
    lines = [("SDK (gRPC): serialize + SerializeToString", sdk["encode"])]
    lines += [("SDK (gRPC): FromString + deserialize", sdk["decode"])]
    lines += [("SDK (gRPC): encode+decode", base)]
    lines += [(f"floor: {k}", v) for k, v in floor.items()]
    lines += [("floor: encode+decode (the sum)", sum(floor.values()))]
    lines += [("floor: base64 alone (b2a + a2b)", floor["b2a_base64"] + floor["a2b_base64"])]
    lines += [(f"runtime: {k}", v) for k, v in runtime.items()]
    lines += [("runtime: the steps' sum", sum(runtime.values()))]
    lines += [("runtime: whole call (Client.unary, httpx in memory)", whole)]
    print(
        f"json_floor: 1 MB image, process CPU per call, medians of {reps} x {n} calls; "
        f"Python {sys.version.split()[0]}"
    )
    print("| step | ms | / SDK encode+decode |\n|---|---|---|")
    for label, ms in lines:
        print(f"| {label} | {ms:.2f} | {ms / base:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
