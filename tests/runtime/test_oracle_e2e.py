"""End to end through the oracle server: real SDK `ModelClass` models behind a local REST API.

The server parses our request JSON strictly and runs the SDK's own wrappers, so this checks that
what the runtime sends is what the SDK expects, and that it decodes what the SDK returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from codegen.runtime import (
    AuthError,
    Client,
    ModelError,
    ModelRef,
    ServerError,
    TransportError,
    signature,
)
from codegen.runtime import types as rt

from .cases import PNG
from .sdk_helpers import assert_same, type_json

oracle_server = pytest.importorskip("tests.oracle.server")
oracle_models = pytest.importorskip("tests.oracle.models")

KINDS = {1: "unary", 2: "server_stream", 4: "bidi_stream"}  # RunnerMethodType


@pytest.fixture(scope="module")
def every_type() -> Iterator[Any]:
    model = oracle_models.EveryTypeModel()
    key = ("codegen", "oracle", "every-type")
    with oracle_server.OracleServer({key: model}) as srv:
        srv.methods = {
            name: signature.parse_method(
                {
                    "name": name,
                    "kind": KINDS[info.signature.method_type],
                    "inputs": [
                        {
                            "name": f.name,
                            "type": type_json(f),
                            "required": f.required,
                            "iterator": f.iterator,
                        }
                        for f in info.signature.input_fields
                    ],
                    "output": type_json(info.signature.output_fields[0]),
                }
            )
            for name, info in model._get_method_infos().items()
        }
        srv.model_ref = ModelRef(*key, version_id=srv.versions[key])
        yield srv


@pytest.fixture
def client(every_type: Any) -> Iterator[Client]:
    every_type.reset()
    with Client(every_type.pat, every_type.base_url, backoff=0.001) as c:
        yield c


def call(client: Client, every_type: Any, name: str, **args: Any) -> Any:
    return client.unary(every_type.model_ref, every_type.methods[name], args)


ECHOES = [
    ("echo_str", "héllo"),
    ("echo_bytes", b"\x00\xff"),
    ("echo_int", -(2**40)),
    ("echo_float", 0.1),
    ("echo_bool", True),
    ("echo_ndarray", np.arange(6, dtype=np.int16).reshape(2, 3)),
    ("echo_dict", {"a": 1.5, "b": [True, None, "x"]}),
    ("echo_list", [1.0, "two", {"three": 3.0}]),
    ("echo_json_list", [{"role": "user"}, {}]),
    ("echo_text", rt.Text("t", url="https://x/t")),
    ("echo_image", rt.Image(bytes=PNG)),
    ("echo_audio", rt.Audio(url="https://x/a.wav")),
    ("echo_video", rt.Video(bytes=b"vid")),
    ("echo_concept", rt.Concept("hot dog", 0.5)),
    (
        "echo_region",
        rt.Region(box=(0.0, 0.25, 0.5, 0.75), concepts=[rt.Concept("a", 0.5)], id="r", text="t"),
    ),
    ("echo_frame", rt.Frame(image=rt.Image(url="https://x/f.jpg"), time=1.5, index=2)),
    ("echo_str_list", ["a", "", "c"]),
    ("echo_grid", [[1, 2], [], [3]]),
    ("echo_tuple", (1, "x", 0.5)),
    ("echo_named", {"name": "Ann", "age": 3, "scores": [0.5]}),
    ("echo_images", [rt.Image(url="https://x/1.png"), rt.Image(bytes=b"2")]),
    ("echo_concepts", [rt.Concept("a", 0.5), rt.Concept("b", 0.25)]),
    (
        "echo_regions",
        [rt.Region(id="r1", point=(0.5, 0.25, 0.0)), rt.Region(id="r2", track_id="t")],
    ),
    ("echo_frames", [rt.Frame(index=1), rt.Frame(time=0.25)]),
]


@pytest.mark.parametrize(("name", "value"), ECHOES, ids=[n for n, _ in ECHOES])
def test_echo_round_trip(client: Client, every_type: Any, name: str, value: Any) -> None:
    assert_same(call(client, every_type, name, x=value), value)


def test_params_and_defaults(client: Client, every_type: Any) -> None:
    assert call(client, every_type, "predict", prompt="hi") == "predict:hi:512:1.0"
    assert (
        call(client, every_type, "predict", prompt="hi", max_tokens=3, temperature=None)
        == "predict:hi:3:1.0"
    )
    out = call(client, every_type, "defaults", a="x", c=0, e=False)
    assert out == {"a": "x", "b": None, "c": 0.0, "d": 0.0, "e": False, "f": None, "g": None}
    img = call(client, every_type, "make_image", width=3, height=1, color="blue")
    assert img.to_pil().size == (3, 1)


def test_server_stream_framings(client: Client, every_type: Any) -> None:
    for framing in ("result", "bare", "array"):
        every_type.stream_framing = framing
        got = list(
            client.server_stream(
                every_type.model_ref, every_type.methods["count_up"], {"start": 5, "n": 3}
            )
        )
        assert got == [5, 6, 7], framing


def test_model_failures(client: Client, every_type: Any) -> None:
    with pytest.raises(ModelError, match="kaboom: x"):
        call(client, every_type, "fail", arg="x")
    got = []
    with pytest.raises(ModelError, match="kaboom: y"):
        for item in client.server_stream(
            every_type.model_ref, every_type.methods["fail_stream"], {"arg": "y"}
        ):
            got.append(item)
    assert got == ["y:0", "y:1"]


def test_faults(client: Client, every_type: Any) -> None:
    every_type.inject(status=503, times=2)
    assert call(client, every_type, "echo_int", x=1) == 1
    assert len(every_type.predict_requests()) == 3
    every_type.inject(drop=True)  # the request arrived, the answer never came: not resent
    with pytest.raises(TransportError, match="RemoteProtocolError"):
        call(client, every_type, "echo_int", x=2)
    every_type.inject(drop=True)
    with Client(every_type.pat, every_type.base_url, backoff=0.001, idempotent=True) as c:
        assert call(c, every_type, "echo_int", x=2) == 2
    every_type.inject(status=503, times=10)
    with (
        Client(every_type.pat, every_type.base_url, backoff=0.001, max_retries=1) as c,
        pytest.raises(ServerError),
    ):
        call(c, every_type, "echo_int", x=3)
    every_type.reset()
    with Client("wrong-pat", every_type.base_url) as c, pytest.raises(AuthError) as info:
        call(c, every_type, "echo_int", x=4)
    assert "wrong-pat" not in str(info.value)
