"""Self-tests of the oracle server, with httpx and the SDK's own serialize/deserialize."""
# No "from __future__ import annotations": the ModelClass below needs runtime annotations.

import io
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils.data_types import (
    Audio,
    Concept,
    Frame,
    Image,
    NamedFields,
    Region,
    Text,
    Video,
)
from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from google.protobuf.json_format import MessageToDict
from PIL import Image as PILImage

from .dump_signatures import expected_files
from .models import AllTypesModel, EveryTypeModel, signatures_json
from .sdk_client import ModelFailure, SdkRestClient
from .server import OracleServer

ALL = ("clarifai-codegen", "fixtures", "all-types")
EVERY = ("codegen", "oracle", "every-type")
FIXTURE = Path(__file__).resolve().parents[2] / "signatures" / "synthetic__all-types.json"
SIGNATURES_DIR = Path(__file__).resolve().parent / "signatures"

# One shared client (creating an httpx.Client per call costs ~50 ms of SSL setup).
HTTP = httpx.Client(timeout=30)


def teardown_module() -> None:
    HTTP.close()


def png(w: int = 3, h: int = 2, color: str = "red") -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def every(oracle: OracleServer) -> Iterator[SdkRestClient]:
    with SdkRestClient(oracle, EVERY, http=HTTP) as c:
        yield c


@pytest.fixture
def alltypes(oracle: OracleServer) -> Iterator[SdkRestClient]:
    with SdkRestClient(oracle, ALL, http=HTTP) as c:
        yield c


def proto_of(v: Any) -> Any:
    """Comparable form of SDK values (MessageData classes have no __eq__)."""
    if isinstance(v, (Concept, Region, Frame, Image, Audio, Video)):
        return v.to_proto()
    if isinstance(v, Text):
        return (v.text, v.url)
    if isinstance(v, NamedFields):
        return {k: proto_of(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(proto_of(x) for x in v)
    return v


# ----------------------------------------------------------------------------------- signatures


def test_all_types_signatures_equal_fixture() -> None:
    fixture = json.loads(FIXTURE.read_text())["model"]["model_version"]["method_signatures"]
    infos = AllTypesModel._get_method_infos()
    assert list(infos) == [s["name"] for s in fixture]
    for expected in fixture:
        got = MessageToDict(infos[expected["name"]].signature, preserving_proto_field_name=True)
        assert got == expected, expected["name"]


def test_get_model_route(oracle: OracleServer) -> None:
    for key, model in oracle.models.items():
        r = HTTP.get(oracle.url(*key), headers=oracle.auth_headers)
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == {"code": 10000, "description": "Ok"}
        m = body["model"]
        assert (m["user_id"], m["app_id"], m["id"]) == key
        assert m["model_version"]["id"] == oracle.versions[key]
        expected = [
            MessageToDict(
                i.signature, preserving_proto_field_name=True, use_integers_for_enums=True
            )
            for i in model._get_method_infos().values()
        ]
        assert m["model_version"]["method_signatures"] == expected
        assert body == signatures_json(model)


def test_get_model_version_and_list_routes(oracle: OracleServer) -> None:
    v = oracle.versions[ALL]
    r = HTTP.get(oracle.url(*ALL, v), headers=oracle.auth_headers)
    assert r.status_code == 200
    mv = r.json()["model_version"]
    assert mv["id"] == v
    # enum ints over REST; with names it is exactly the fixture
    fixture = json.loads(FIXTURE.read_text())["model"]["model_version"]
    assert mv["id"] == fixture["id"]
    mt = resources_pb2.RunnerMethodType
    assert [s["method_type"] for s in mv["method_signatures"]] == [
        mt.UNARY_UNARY,
        mt.UNARY_UNARY,
        mt.UNARY_UNARY,
        mt.UNARY_UNARY,
        mt.UNARY_STREAMING,
        mt.STREAMING_STREAMING,
    ]
    assert mv["method_signatures"][0]["input_fields"][0] == {
        "required": True,
        "name": "s",
        "type": 1,
    }
    r = HTTP.get(oracle.url(*ALL) + "/versions", headers=oracle.auth_headers)
    assert r.status_code == 200 and r.json()["model_versions"][0]["id"] == v


def test_signature_files_are_up_to_date() -> None:
    files = expected_files()
    assert {p.name for p in files} == {"all-types.json", "every-type.json", "real-names.json"}
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, f"{path}: run dump_signatures"
    committed = json.loads((SIGNATURES_DIR / "all-types.json").read_text())
    fixture = json.loads(FIXTURE.read_text())
    assert len(committed["model"]["model_version"]["method_signatures"]) == len(
        fixture["model"]["model_version"]["method_signatures"]
    )


# ----------------------------------------------------------------------------------- all-types


def test_scalars(alltypes: SdkRestClient) -> None:
    model = AllTypesModel()
    args: dict[str, Any] = dict(s="héllo ✓", b=b"\x00\xff", i=-(2**62), f=0.1, flag=True)
    assert alltypes.predict("scalars", **args) == model.scalars(**args)
    full = dict(args, opt_s="o", opt_i=7, opt_f=2.5, opt_b=True, none_s="n")
    assert alltypes.predict("scalars", **full) == model.scalars(**full)
    falsy = dict(s="", b=b"", i=0, f=0.0, flag=False, opt_f=0.0)
    assert alltypes.predict("scalars", **falsy) == model.scalars(**falsy)


def test_media(alltypes: SdkRestClient) -> None:
    model = AllTypesModel()
    args: dict[str, Any] = dict(
        text=Text("hi", url="https://t/x.txt"),
        image=Image(bytes=png(3, 2)),
        audio=Audio(url="https://a/x.wav"),
        video=Video(bytes=b"\x01\x02\x03"),
        concept=Concept("cat", 0.5),
        region=Region(id="r1", box=[0.25, 0.5, 0.5, 0.75], concepts=[Concept("dog", 0.25)]),
        frame=Frame(index=3, time=1.5, image=Image(url="https://f/1.jpg")),
        arr=np.arange(6, dtype=np.int32).reshape(2, 3),
    )
    got = alltypes.predict("media", **args)
    assert got == model.media(**args)
    assert got["image"] == {"url": None, "bytes_len": len(png(3, 2)), "size": [3, 2]}
    assert got["arr"]["shape"] == [2, 3] and got["arr"]["sum"] == 15
    got = alltypes.predict("media", **dict(args, image=Image(url="https://i/x.png")))
    assert got["image"] == {"url": "https://i/x.png", "bytes_len": 0, "size": None}


def test_containers(alltypes: SdkRestClient) -> None:
    model = AllTypesModel()
    regions = [Region(id="a", box=[0.0, 0.25, 0.5, 1.0]), Region(id="b", box=[0.5, 0.5, 1.0, 1.0])]
    args: dict[str, Any] = dict(
        names=["x", "y"],
        grid=[[1, 2], [], [3]],
        pair=(4, "four"),
        concepts=[Concept("cat", 0.5), Concept("dog", 0.25)],
        regions=regions,
    )
    got = alltypes.predict("containers", **args)
    want = model.containers(**args)
    assert proto_of(got) == proto_of(want)
    assert got.score == 0.75 and 'config={"a": 1}' in got.label and "stop=['\\n']" in got.label
    # explicit JSON numbers arrive as doubles (Struct); strings are untouched
    got = alltypes.predict("containers", **dict(args, config={"a": 1, "s": "t"}, stop=[]))
    assert 'config={"a": 1.0, "s": "t"}' in got.label and "stop=[]" in got.label


def test_tuned_params(alltypes: SdkRestClient) -> None:
    got = alltypes.predict("tuned", prompt="p")
    assert isinstance(got, Text)
    assert got.text == "prompt='p' temperature=0.7 effort='low' top_k=40"
    got = alltypes.predict("tuned", prompt="p", temperature=1.5, effort="high", top_k=1)
    assert got.text == "prompt='p' temperature=1.5 effort='high' top_k=1"


def test_frames_generate(alltypes: SdkRestClient, oracle: OracleServer) -> None:
    frames = list(alltypes.generate("frames", video=Video(url="https://v/x.mp4"), every=2))
    assert [f.index for f in frames] == [0, 2, 4]
    assert [f.time for f in frames] == [0.0, 1.0, 2.0]
    assert frames[1].image.url == "https://v/x.mp4#frame=2"
    assert frames[1].regions[0].box == [0.25, 0.25, 0.5, 0.5]
    assert frames[1].regions[0].concepts[0].value == 0.5
    want = list(AllTypesModel().frames(Video(url="https://v/x.mp4"), every=2))
    assert [f.to_proto() for f in frames] == [f.to_proto() for f in want]
    assert len(list(alltypes.generate("frames", video=Video(bytes=b"abc")))) == 6
    rec = oracle.predict_requests()[0]
    assert rec["route"] == "generate" and rec["method_name"] == "frames"
    assert rec["responses"] == 3


def test_echo_stream_bidi(alltypes: SdkRestClient) -> None:
    out = list(alltypes.stream("echo_stream", [Text("a"), Text("b", url="u")], suffix="!"))
    assert [dict(o.items()) for o in out] == [
        {"text": "a!", "index": 0},
        {"text": "b!@u", "index": 1},
    ]


# ----------------------------------------------------------------------------------- every-type

ROUND_TRIPS: list[tuple[str, Any]] = [
    ("echo_str", "héllo ✓ \n"),
    ("echo_str", ""),
    ("echo_bytes", b"\x00\x01\xfe\xff"),
    ("echo_int", 2**63 - 1),
    ("echo_int", -5),
    ("echo_int", 0),
    ("echo_float", 0.1),
    ("echo_float", -2.5e300),
    ("echo_bool", True),
    ("echo_bool", False),
    ("echo_dict", {"a": [1.0, "x", None, {"b": True}], "n": -0.5}),
    ("echo_list", [1.0, "x", None, [True]]),
    ("echo_json_list", [{"role": "user", "content": "hi"}, {"k": 2.0}]),
    ("echo_text", Text("hi", url="https://t/x.txt")),
    ("echo_image", Image(url="https://i/x.jpg")),
    ("echo_image", Image(bytes=png())),
    ("echo_audio", Audio(url="https://a/x.mp3")),
    ("echo_audio", Audio(bytes=b"RIFF\x00")),
    ("echo_video", Video(url="https://v/x.mp4")),
    ("echo_video", Video(bytes=b"\x00\x00\x00\x18ftyp")),
    ("echo_concept", Concept("cat", 0.5)),
    ("echo_region", Region(id="r", box=[0.25, 0.25, 0.5, 0.5], concepts=[Concept("c", 0.25)])),
    ("echo_frame", Frame(index=7, time=2.5, image=Image(url="https://f/7.jpg"))),
    ("echo_str_list", ["a", "", "c"]),
    ("echo_grid", [[1, 2], [], [-3]]),
    ("echo_tuple", (1, "a", 0.5)),
    ("echo_images", [Image(url="https://i/1.jpg"), Image(bytes=png())]),
    ("echo_concepts", [Concept("a", 0.5), Concept("b", 0.25)]),
    ("echo_regions", [Region(id="r1", box=[0.0, 0.0, 0.5, 0.5]), Region(id="r2", text="t")]),
    ("echo_frames", [Frame(index=1, image=Image(url="u1")), Frame(index=2, time=0.5)]),
]


@pytest.mark.parametrize(("method", "value"), ROUND_TRIPS, ids=[m for m, _ in ROUND_TRIPS])
def test_round_trip(every: SdkRestClient, method: str, value: Any) -> None:
    assert proto_of(every.predict(method, x=value)) == proto_of(value)


def test_round_trip_ndarray(every: SdkRestClient) -> None:
    for arr in (
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.array([[-1, 2**40]], dtype=np.int64),
        np.zeros((2, 2, 3), dtype=np.uint8),
    ):
        got = every.predict("echo_ndarray", x=arr)
        assert got.dtype == arr.dtype and got.shape == arr.shape and np.array_equal(got, arr)


def test_named_fields_round_trip(every: SdkRestClient) -> None:
    got = every.predict("echo_named", x=NamedFields(name="ann", age=3, scores=[0.5, 1.5]))
    assert isinstance(got, NamedFields)
    assert dict(got.items()) == {"name": "ann", "age": 3, "scores": [0.5, 1.5]}
    got = every.predict("echo_named", x={"name": "bob", "age": 0, "scores": []})
    assert dict(got.items()) == {"name": "bob", "age": 0, "scores": []}


def test_every_type_computing_methods(every: SdkRestClient) -> None:
    model = EveryTypeModel()
    assert every.predict("predict", prompt="hi") == "predict:hi:512:1.0"
    assert every.predict("image_info", image=Image(url="https://x/y.png")) == {
        "kind": "url",
        "url": "https://x/y.png",
    }
    info = every.predict("image_info", image=Image(bytes=png(5, 4)))
    assert info == {
        "kind": "bytes",
        "bytes_len": len(png(5, 4)),
        "format": "PNG",
        "size": [5, 4],
        "mode": "RGB",
    }

    img = every.predict("make_image")
    pil = PILImage.open(io.BytesIO(img.bytes))
    assert pil.size == (4, 2) and pil.getpixel((0, 0)) == (255, 0, 0)
    img = every.predict("make_image", width=8, height=3, color="blue")
    pil = PILImage.open(io.BytesIO(img.bytes))
    assert pil.size == (8, 3) and pil.getpixel((7, 2)) == (0, 0, 255)

    got = every.predict("scale", x=np.array([1, 2], dtype=np.int16), factor=0.5)
    assert got.dtype == np.float64 and got.tolist() == [0.5, 1.0]

    got = every.predict("classify", text="a b a c d")
    assert [(c.name, c.value) for c in got] == [("a", 1.0), ("b", 0.5)]
    got = every.predict("classify", text="a b c", threshold=0.0, top_k=3, mode="accurate")
    assert [(c.name, c.value) for c in got] == [("a", 1.0), ("b", 0.75), ("c", 0.5)]

    img = Image(url="https://x/d.jpg")
    got = every.predict("detect", image=img, n=3)
    assert proto_of(got) == proto_of(model.detect(img, 3))
    assert [r.box for r in got][2] == [0.5, 0.5, 0.75, 0.75] and got[0].text == "https://x/d.jpg"

    got = every.predict("annotate", image=Image(bytes=png()), caption="cat dog")
    assert got.caption == "CAT DOG" and got.image.bytes == png()
    assert [c.name for c in got.concepts] == ["cat", "dog"]

    assert every.predict("defaults", a="x") == {
        "a": "x",
        "b": None,
        "c": 7,
        "d": 0.0,
        "e": True,
        "f": None,
        "g": None,
    }
    assert every.predict("defaults", a="x", b="B", c=0, d=1.5, e=False, f=["q"], g={"k": "v"}) == {
        "a": "x",
        "b": "B",
        "c": 0,
        "d": 1.5,
        "e": False,
        "f": ["q"],
        "g": {"k": "v"},
    }


def test_generate_ndjson_framing(oracle: OracleServer, every: SdkRestClient) -> None:
    with HTTP.stream(
        "POST",
        every.url + "/outputs/generate",
        json=every.body("generate", prompt="a b c d e f g", max_tokens=3),
        headers=oracle.auth_headers,
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/x-ndjson"
        assert r.headers["transfer-encoding"] == "chunked"
        lines = [json.loads(line) for line in r.iter_lines() if line]
    assert len(lines) == 3 and all(set(obj) == {"result"} for obj in lines)
    assert lines[0]["result"]["status"]["code"] == 10000
    assert [every.decode("generate", o["result"]) for o in lines] == ["0:a", "1:b", "2:c"]
    assert list(every.generate("count_up", start=5)) == [5, 6, 7]
    assert list(every.generate("count_up", start=5, n=0)) == []


def test_stream_framing_variants(oracle: OracleServer, every: SdkRestClient) -> None:
    oracle.stream_framing = "bare"
    lines = list(every.generate_lines("count_up", start=1, n=2))
    assert [obj["status"]["code"] for obj in lines] == [10000, 10000]
    oracle.stream_framing = "array"
    r = HTTP.post(
        every.url + "/outputs/generate",
        json=every.body("count_up", start=1, n=2),
        headers=oracle.auth_headers,
    )
    assert r.headers["content-type"] == "application/json" and len(r.json()) == 2


def test_generate_failure_mid_stream(every: SdkRestClient) -> None:
    lines = list(every.generate_lines("fail_stream", arg="z", after=2))
    assert [o["result"]["status"]["code"] for o in lines] == [10000, 10000, 10020]
    assert lines[-1]["result"]["status"]["details"] == "kaboom: z"
    assert "outputs" not in lines[-1]["result"]


def test_bidi_routes(oracle: OracleServer, every: SdkRestClient) -> None:
    assert list(every.stream("stream", ["x", "y"], suffix="?")) == ["X?", "Y?"]
    assert list(every.stream("stream", ["x"])) == ["X!"]
    out = list(every.stream("stream_regions", [Image(url="u1"), Image(bytes=png())], n=2))
    n = f"{len(png())}B"
    assert [[(r.id, r.text) for r in regions] for regions in out] == [
        [("r0", "u1"), ("r1", "u1")],
        [("r0", n), ("r1", n)],
    ]
    # the API-wide path takes the ids from the body
    r = HTTP.post(
        f"{oracle.base_url}/v2/models/outputs/stream",
        content=every.stream_body("stream", ["q"]),
        headers=oracle.auth_headers,
    )
    assert r.status_code == 200
    assert every.decode("stream", json.loads(r.text.splitlines()[0])["result"]) == "Q!"


def test_model_exception_is_failure(oracle: OracleServer, every: SdkRestClient) -> None:
    r = every.predict_raw("fail", arg="boom-arg")
    assert r.status_code == 200
    status = r.json()["status"]
    assert status["code"] == 10020 and status["details"] == "kaboom: boom-arg"
    assert "outputs" not in r.json()
    with pytest.raises(ModelFailure, match="kaboom: x"):
        every.predict("fail", arg="x")
    body = every.body("echo_int", x=1)
    body["inputs"][0]["data"]["metadata"]["_method_name"] = "nope"
    r = HTTP.post(every.url + "/outputs", json=body, headers=oracle.auth_headers)
    assert r.status_code == 200
    assert r.json()["status"]["details"] == "Method nope not found in model class"


def test_batch_predict(oracle: OracleServer, every: SdkRestClient) -> None:
    body = every.body("echo_int", x=1)
    second = every.body("echo_int", x=2)["inputs"][0]
    body["inputs"].append(second)
    r = HTTP.post(every.url + "/outputs", json=body, headers=oracle.auth_headers)
    assert [every.decode("echo_int", r.json(), i) for i in range(2)] == [1, 2]


# ----------------------------------------------------------------------------------- errors


def test_strict_parsing(oracle: OracleServer, every: SdkRestClient) -> None:
    url = every.url + "/outputs"
    h = oracle.auth_headers
    for body in (
        dict(every.body("echo_int", x=1), bogus=1),
        {"inputs": [{"data": {"parts": [{"id": "x", "data": {"int_valu": "1"}}]}}]},
        {"inputs": [{"data": {"parts": [{"id": "x", "data": {"int_value": "abc"}}]}}]},
    ):
        r = HTTP.post(url, json=body, headers=h)
        assert r.status_code == 400, body
        status = r.json()["status"]
        assert status["code"] == 11102 and status["description"] == "Invalid request"
        assert status["details"]
    assert (
        "bogus"
        in HTTP.post(url, json=dict(every.body("echo_int", x=1), bogus=1), headers=h).json()[
            "status"
        ]["details"]
    )
    for content in (b"not json", b"", b"[1, 2]"):
        r = HTTP.post(url, content=content, headers={**h, "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["status"]["code"] == 11102
    r = HTTP.post(every.url + "/outputs/generate", json={"nope": 1}, headers=h)
    assert r.status_code == 400
    # camelCase is accepted, as by json_format / grpc-gateway
    r = HTTP.post(
        url,
        json={
            "inputs": [
                {
                    "data": {
                        "parts": [{"id": "x", "data": {"intValue": "4"}}],
                        "metadata": {"_method_name": "echo_int"},
                    }
                }
            ]
        },
        headers=h,
    )
    assert every.decode("echo_int", r.json()) == 4


def test_body_ids_must_match_path(oracle: OracleServer, every: SdkRestClient) -> None:
    body = every.body("echo_int", x=1)
    body["model_id"] = "other"
    r = HTTP.post(every.url + "/outputs", json=body, headers=oracle.auth_headers)
    assert r.status_code == 400 and "model_id" in r.json()["status"]["details"]
    body = every.body("echo_int", x=1)
    body["version_id"] = "0000"
    r = HTTP.post(every.url + "/outputs", json=body, headers=oracle.auth_headers)
    assert r.status_code == 404 and r.json()["status"]["code"] == 21200


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, 11009),
        ({"Authorization": "Key wrong"}, 11008),
        ({"Authorization": "Bearer test-pat"}, 11008),
        ({"Authorization": "key test-pat"}, 11008),
        ({"Authorization": "Key  test-pat"}, 11008),
    ],
)
def test_auth(
    oracle: OracleServer, every: SdkRestClient, headers: dict[str, str], code: int
) -> None:
    for r in (
        HTTP.post(every.url + "/outputs", json=every.body("echo_int", x=1), headers=headers),
        HTTP.post(
            every.url + "/outputs/generate", json=every.body("count_up", start=1), headers=headers
        ),
        HTTP.get(every.url, headers=headers),
        HTTP.get(oracle.url(*EVERY, oracle.versions[EVERY]), headers=headers),
    ):
        assert r.status_code == 401
        assert r.json()["status"]["code"] == code


def test_not_found(oracle: OracleServer, every: SdkRestClient) -> None:
    h = oracle.auth_headers
    body = every.body("echo_int", x=1)
    for url in (
        oracle.url("codegen", "oracle", "missing") + "/outputs",
        oracle.url("codegen", "nope", "every-type") + "/outputs",
        oracle.url("nobody", "oracle", "every-type") + "/outputs",
        oracle.url(*EVERY, "deadbeef") + "/outputs",
        oracle.url(*EVERY, "deadbeef") + "/outputs/generate",
    ):
        r = HTTP.post(
            url,
            json={k: v for k, v in body.items() if k not in ("model_id", "user_app_id")},
            headers=h,
        )
        status = r.json()["status"]
        assert r.status_code == 404 and status["code"] == 21200
        assert status["description"] == "Model does not exist"
    for url in (oracle.url("codegen", "oracle", "missing"), oracle.url(*EVERY, "deadbeef")):
        assert HTTP.get(url, headers=h).status_code == 404
    r = HTTP.get(f"{oracle.base_url}/v2/nothing/here", headers=h)
    assert r.status_code == 404 and r.json()["status"]["code"] == 11101
    r = HTTP.get(every.url + "/outputs", headers=h)
    assert r.status_code == 405 and r.json()["status"]["code"] == 11103


def test_versioned_predict(oracle: OracleServer) -> None:
    with SdkRestClient(oracle, EVERY, version_id=oracle.versions[EVERY], http=HTTP) as c:
        assert c.predict("echo_str", x="v") == "v"
        assert list(c.generate("count_up", start=0, n=2)) == [0, 1]
        rec = oracle.predict_requests()[-1]
        assert (
            rec["version_id"] == oracle.versions[EVERY]
            and rec["body"]["version_id"] == rec["version_id"]
        )


# ----------------------------------------------------------------------------------- recording and faults


def test_requests_are_recorded(oracle: OracleServer, every: SdkRestClient) -> None:
    every.predict("echo_str", x="rec")
    rec = oracle.last_request
    assert rec["method"] == "POST" and rec["route"] == "outputs"
    assert rec["path"] == "/v2/users/codegen/apps/oracle/models/every-type/outputs"
    assert rec["headers"]["authorization"] == "Key test-pat"
    assert rec["body"]["inputs"][0]["data"]["parts"] == [
        {"id": "x", "data": {"string_value": "rec"}}
    ]
    assert isinstance(rec["proto"], service_pb2.PostModelOutputsRequest)
    assert rec["method_name"] == "echo_str" and rec["http_status"] == 200
    oracle.clear_requests()
    assert oracle.requests == []


def test_inject_status(oracle: OracleServer, every: SdkRestClient) -> None:
    fault = oracle.inject(status=503, times=2, headers={"Retry-After": "0"})
    for _ in range(2):
        r = every.predict_raw("echo_int", x=1)
        assert r.status_code == 503 and r.headers["retry-after"] == "0"
        assert r.json()["status"]["code"] == 21354
    assert fault.hits == 2 and oracle.pending_faults == 0
    assert every.predict("echo_int", x=1) == 1
    assert [r["fault"] for r in oracle.requests] == [True, True, False]
    oracle.inject(status=429)
    assert every.predict_raw("echo_int", x=1).json()["status"]["code"] == 11005
    oracle.inject(status=502, body="<html>bad gateway</html>")
    r = every.predict_raw("echo_int", x=1)
    assert r.status_code == 502 and r.text == "<html>bad gateway</html>"
    oracle.inject(status=200, body={"status": {"code": 21355, "description": "Model loading"}})
    assert every.predict_raw("echo_int", x=1).json()["status"]["code"] == 21355


def test_inject_match(oracle: OracleServer, every: SdkRestClient) -> None:
    oracle.inject(status=500, match="generate")
    assert every.predict("echo_int", x=3) == 3  # not matched: fault stays queued
    assert oracle.pending_faults == 1
    with pytest.raises(httpx.HTTPStatusError):
        list(every.generate("count_up", start=1))
    assert list(every.generate("count_up", start=1, n=1)) == [1]


def test_inject_delay_and_drop(oracle: OracleServer, every: SdkRestClient) -> None:
    oracle.inject(delay=0.3)
    t = time.monotonic()
    assert every.predict("echo_int", x=1) == 1
    assert time.monotonic() - t >= 0.3
    oracle.inject(delay=1.0)
    with pytest.raises(httpx.ReadTimeout):
        HTTP.post(
            every.url + "/outputs",
            json=every.body("echo_int", x=1),
            headers=oracle.auth_headers,
            timeout=0.2,
        )
    oracle.inject(drop=True)
    with pytest.raises(httpx.TransportError):
        every.predict_raw("echo_int", x=1)
    assert every.predict("echo_int", x=2) == 2


def test_concurrent_requests(every: SdkRestClient, oracle: OracleServer) -> None:
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda i: every.predict("echo_int", x=i), range(32)))
    assert got == list(range(32))
    assert len(oracle.predict_requests()) == 32


class _Gated(ModelClass):
    gate = threading.Event()

    @ModelClass.method
    def generate(self, prompt: str) -> Iterator[str]:
        yield prompt
        assert self.gate.wait(10)
        yield prompt + "!"


def test_generate_is_flushed_per_line() -> None:
    key = ("u", "a", "gated")
    with OracleServer({key: _Gated()}) as srv, SdkRestClient(srv, key) as c:
        it = c.generate("generate", prompt="hi")
        assert next(it) == "hi"  # arrives while the model is still blocked
        _Gated.gate.set()
        assert list(it) == ["hi!"]
        assert srv.versions[key] and srv.errors == []


def test_official_json_channel_interop(oracle: OracleServer) -> None:
    """clarifai_grpc's own REST client (GRPCJSONChannel) talks to the oracle."""
    from clarifai.runners.utils.method_signatures import deserialize, serialize
    from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
    from clarifai_grpc.grpc.api import service_pb2_grpc

    stub = service_pb2_grpc.V2Stub(ClarifaiChannel.get_json_channel(base_url=oracle.base_url))
    meta = (("authorization", f"Key {oracle.pat}"),)
    user_app = resources_pb2.UserAppIDSet(user_id=EVERY[0], app_id=EVERY[1])
    got = stub.GetModel(
        service_pb2.GetModelRequest(user_app_id=user_app, model_id=EVERY[2]), metadata=meta
    )
    assert got.status.code == 10000
    sigs = {s.name: s for s in got.model.model_version.method_signatures}
    assert sigs["echo_tuple"] == EveryTypeModel._get_method_infos()["echo_tuple"].signature
    req = service_pb2.PostModelOutputsRequest(user_app_id=user_app, model_id=EVERY[2])
    inp = req.inputs.add()
    serialize({"x": (1, "a", 0.5)}, sigs["echo_tuple"].input_fields, inp.data)
    inp.data.metadata["_method_name"] = "echo_tuple"
    resp = stub.PostModelOutputs(req, metadata=meta)
    assert resp.status.code == 10000
    assert deserialize(resp.outputs[0].data, sigs["echo_tuple"].output_fields, is_output=True) == (
        1,
        "a",
        0.5,
    )
    assert oracle.last_request["path"].endswith("/models/every-type/outputs")
