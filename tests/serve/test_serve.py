"""`clarifai-codegen serve`: model directories served over REST and gRPC, and the offline demo."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from codegen.errors import CodegenError
from codegen.parser import parse_model
from codegen.serve import ServeHandle, banner, run_forever, serve
from codegen.serve.loader import load_models
from codegen.spec import MethodKind

from ..conftest import ROOT

DEMO_DIR = ROOT / "demo" / "pixel-words"
DEMO = "/v2/users/demo/apps/local/models/pixel-words"
EVERY = "/v2/users/codegen/apps/oracle/models/every-type"
AUTH = {"Authorization": "Key anything"}


def _every_type_dir(root: Path) -> Path:
    """A model directory whose model.py is the oracle's EveryTypeModel (served by directory)."""
    d = root / "every-type"
    (d / "1").mkdir(parents=True)
    (d / "config.yaml").write_text(
        'model:\n  id: "every-type"\n  user_id: "codegen"\n  app_id: "oracle"\n'
        '  model_type_id: "any-to-any"\n'
    )
    (d / "requirements.txt").write_text("clarifai\n")
    (d / "1" / "model.py").write_text(
        "from tests.oracle.models import EveryTypeModel\n\n\n"
        "class EveryType(EveryTypeModel):\n"
        '    """The oracle every-type model, loaded from a directory."""\n'
    )
    return d


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeHandle]:
    every = _every_type_dir(tmp_path_factory.mktemp("models"))
    with serve([DEMO_DIR, every], port=0, grpc_port=0, quiet=True) as handle:
        yield handle


def _unary(method: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"inputs": [{"data": {"metadata": {"_method_name": method}, "parts": parts}}]}


def _str(name: str, value: str) -> dict[str, Any]:
    return {"id": name, "data": {"string_value": value}}


# ------------------------------------------------------------------------------------------- REST
def test_get_model_returns_the_signatures(srv: ServeHandle) -> None:
    r = httpx.get(srv.rest_url + DEMO, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["status"]["code"] == 10000
    assert body["model"]["user_id"] == "demo" and body["model"]["app_id"] == "local"
    spec, problems = parse_model(body, "GET model")
    assert not [p for p in problems if p.level.value == "error"]
    kinds = {m.name: m.kind for m in spec.methods}
    assert kinds == {
        "predict": MethodKind.UNARY,
        "text_stats": MethodKind.UNARY,
        "generate": MethodKind.SERVER_STREAM,
        "stream": MethodKind.BIDI_STREAM,
        "image_stats": MethodKind.UNARY,
        "thumbnail": MethodKind.UNARY,
    }
    style = next(f for f in spec.methods[2].inputs if f.name == "style")
    assert style.choices == ("title", "upper", "lower", "reverse", "pig-latin")
    top_k = next(f for f in spec.methods[0].inputs if f.name == "top_k")
    assert top_k.range is not None and (top_k.range.minimum, top_k.range.maximum) == (1, 6)

    version = body["model"]["model_version"]["id"]
    r = httpx.get(f"{srv.rest_url}{DEMO}/versions/{version}", headers=AUTH)
    assert r.status_code == 200
    assert (
        r.json()["model_version"]["method_signatures"]
        == body["model"]["model_version"]["method_signatures"]
    )


def test_directory_model_signatures_match_the_oracle(srv: ServeHandle) -> None:
    from tests.oracle.models import EveryTypeModel, signatures_json

    r = httpx.get(srv.rest_url + EVERY, headers=AUTH)
    assert r.status_code == 200
    served, _ = parse_model(r.json(), "served")
    oracle, _ = parse_model(signatures_json(EveryTypeModel()), "oracle")
    assert served.methods == oracle.methods


def test_post_outputs_unary(srv: ServeHandle) -> None:
    body = _unary("predict", [_str("text", "rain and snow in the forecast")])
    r = httpx.post(srv.rest_url + DEMO + "/outputs", headers=AUTH, json=body)
    assert r.status_code == 200
    out = r.json()
    assert out["status"]["code"] == 10000
    (part,) = out["outputs"][0]["data"]["parts"]
    concepts = part["data"]["concepts"]
    assert concepts[0]["name"] == "weather" and concepts[0]["value"] > 0.5
    assert len(concepts) == 3  # top_k's default

    r = httpx.post(
        srv.rest_url + EVERY + "/outputs", headers=AUTH, json=_unary("echo_str", [_str("x", "hi")])
    )
    assert r.json()["outputs"][0]["data"]["parts"][0]["data"]["string_value"] == "hi"


def test_chunked_request_body(srv: ServeHandle) -> None:
    """httpx sends an iterator's content chunked: the body is read whole (a chunk extension and a
    trailer included), and the connection stays in step for the next request."""
    body = json.dumps(_unary("echo_str", [_str("x", "in two chunks")])).encode()
    with httpx.Client(base_url=srv.rest_url, headers=AUTH) as client:
        r = client.post(EVERY + "/outputs", content=iter([body[:9], body[9:]]))
        assert r.headers.get("connection") != "close"
        assert r.json()["outputs"][0]["data"]["parts"][0]["data"]["string_value"] == "in two chunks"
        assert client.get(DEMO).status_code == 200
    raw = b"%X;ext=1\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (len(body), body)
    head = f"POST {EVERY}/outputs HTTP/1.1\r\nHost: x\r\nAuthorization: Key a\r\n"
    with socket.create_connection(("127.0.0.1", srv.rest.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + raw)
        sock.sendall(f"GET {DEMO} HTTP/1.1\r\nHost: x\r\nAuthorization: Key a\r\n\r\n".encode())
        replies = b""
        while replies.count(b"HTTP/1.1 200") < 2:
            chunk = sock.recv(65536)
            assert chunk, replies
            replies += chunk
    assert b"in two chunks" in replies


def test_model_failure_is_a_failure_status(srv: ServeHandle) -> None:
    body = _unary("fail", [_str("arg", "boom")])
    r = httpx.post(srv.rest_url + EVERY + "/outputs", headers=AUTH, json=body)
    assert r.status_code == 200
    assert r.json()["status"]["code"] == 10020


def test_generate_streams_ndjson(srv: ServeHandle) -> None:
    body = _unary("generate", [_str("text", "hello big world"), _str("style", "upper")])
    with httpx.stream(
        "POST", srv.rest_url + DEMO + "/outputs/generate", headers=AUTH, json=body
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/x-ndjson"
        lines = [json.loads(line) for line in r.iter_lines() if line.strip()]
    values = [
        line["result"]["outputs"][0]["data"]["parts"][0]["data"]["string_value"] for line in lines
    ]
    assert values == ["HELLO ", "BIG ", "WORLD"]
    assert all(line["result"]["status"]["code"] == 10000 for line in lines)


def test_a_server_bug_mid_stream_ends_it_with_an_error_frame(
    srv: ServeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clarifai_grpc.grpc.api import service_pb2

    model = srv.registry.models["demo", "local", "pixel-words"].model
    closed = []

    def broken(request: Any) -> Iterator[Any]:
        try:
            yield service_pb2.MultiOutputResponse(status={"code": 10000})
            raise RuntimeError("bug")
        finally:
            closed.append(True)

    monkeypatch.setattr(model, "generate_wrapper", broken)
    body = _unary("generate", [_str("text", "a b")])
    with httpx.stream(
        "POST", srv.rest_url + DEMO + "/outputs/generate", headers=AUTH, json=body
    ) as r:
        lines = [json.loads(line) for line in r.iter_lines() if line.strip()]
    assert lines == [
        {"result": {"status": {"code": 10000}}},
        {"error": {"code": 13, "message": "RuntimeError: bug"}},
    ]
    assert closed == [True]


def test_unknown_model_and_route(srv: ServeHandle) -> None:
    r = httpx.get(srv.rest_url + "/v2/users/demo/apps/local/models/nope", headers=AUTH)
    assert r.status_code == 404
    assert r.json()["status"]["code"] == 21200
    r = httpx.post(
        srv.rest_url + "/v2/users/x/apps/y/models/z/outputs",
        headers=AUTH,
        json=_unary("predict", []),
    )
    assert r.status_code == 404 and r.json()["status"]["code"] == 21200
    r = httpx.get(srv.rest_url + "/v2/nothing", headers=AUTH)
    assert r.status_code == 404 and r.json()["status"]["code"] == 11101


def test_bad_requests(srv: ServeHandle) -> None:
    url = srv.rest_url + DEMO + "/outputs"
    r = httpx.post(url, headers=AUTH, json={"inputz": []})
    assert r.status_code == 400 and r.json()["status"]["code"] == 11102
    r = httpx.post(url, headers=AUTH, json={**_unary("predict", []), "model_id": "other"})
    assert r.status_code == 400
    r = httpx.get(url, headers=AUTH)
    assert r.status_code == 405
    array = json.dumps([_unary("stream", [_str("text", "x")])])  # a stream's body is NDJSON
    r = httpx.post(srv.rest_url + EVERY + "/outputs/stream", headers=AUTH, content=array)
    assert r.status_code == 400 and "must be a JSON object" in r.json()["status"]["details"]


def test_any_key_is_accepted_by_default_but_a_key_is_needed(srv: ServeHandle) -> None:
    r = httpx.get(srv.rest_url + DEMO, headers={"Authorization": "Key whatever"})
    assert r.status_code == 200
    r = httpx.get(srv.rest_url + DEMO)
    assert r.status_code == 401 and r.json()["status"]["code"] == 11009


def test_required_pat() -> None:
    with serve([DEMO_DIR], pat="s3cret", grpc_port=0, quiet=True) as srv:
        url = srv.rest_url + DEMO
        assert httpx.get(url, headers={"Authorization": "Key s3cret"}).status_code == 200
        r = httpx.get(url, headers={"Authorization": "Key wrong"})
        assert r.status_code == 401 and r.json()["status"]["code"] == 11008
        assert "s3cret" not in r.text
        r = httpx.post(url + "/outputs", json=_unary("predict", [_str("text", "x")]))
        assert r.status_code == 401 and r.json()["status"]["code"] == 11009

        stub = _stub(srv)
        from clarifai_grpc.grpc.api import service_pb2

        req = _grpc_request(service_pb2, "predict", "x")
        resp = stub.PostModelOutputs(req, metadata=(("authorization", "Key wrong"),))
        assert resp.status.code == 11008
        resp = stub.PostModelOutputs(req, metadata=(("authorization", "Key s3cret"),))
        assert resp.status.code == 10000


# ------------------------------------------------------------------------------------------- gRPC
def _stub(srv: ServeHandle) -> Any:
    """clarifai-grpc's own V2 stub on a plaintext channel to the gRPC port."""
    from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
    from clarifai_grpc.grpc.api import service_pb2_grpc

    assert srv.grpc is not None
    channel = ClarifaiChannel.get_insecure_grpc_channel(base="127.0.0.1", port=srv.grpc.port)
    return service_pb2_grpc.V2Stub(channel)


def _grpc_request(service_pb2: Any, method: str, text: str, model: str = "pixel-words") -> Any:
    from google.protobuf.json_format import ParseDict

    body = {
        "user_app_id": {"user_id": "demo", "app_id": "local"},
        "model_id": model,
        **_unary(method, [_str("text", text)]),
    }
    return ParseDict(body, service_pb2.PostModelOutputsRequest())


def test_grpc_unary_stream_and_bidi(srv: ServeHandle) -> None:
    from clarifai_grpc.grpc.api import service_pb2
    from google.protobuf.json_format import ParseDict

    stub = _stub(srv)
    md = (("authorization", "Key local"),)
    resp = stub.PostModelOutputs(
        _grpc_request(service_pb2, "predict", "guitar and piano"), metadata=md
    )
    assert resp.status.code == 10000
    assert resp.outputs[0].data.parts[0].data.concepts[0].name == "music"

    gen = list(
        stub.GenerateModelOutputs(_grpc_request(service_pb2, "generate", "a b"), metadata=md)
    )
    assert [r.outputs[0].data.parts[0].data.string_value for r in gen] == ["A ", "B"]

    def requests() -> Iterator[Any]:
        first = _grpc_request(service_pb2, "stream", "the team won")
        first.inputs[0].data.parts[0].id = "texts"  # the streamed argument
        yield first
        for chunk in ("a match", "rain"):
            yield ParseDict(
                {
                    "inputs": [
                        {"data": {"parts": [{"id": "texts", "data": {"string_value": chunk}}]}}
                    ]
                },
                service_pb2.PostModelOutputsRequest(),
            )

    out = list(stub.StreamModelOutputs(requests(), metadata=md))
    assert all(r.status.code == 10000 for r in out)
    totals = [
        {p.id: p.data for p in r.outputs[0].data.parts[0].data.parts}["total_words"].int_value
        for r in out
    ]
    assert totals == [3, 5, 6]

    resp = stub.PostModelOutputs(
        _grpc_request(service_pb2, "predict", "x", model="nope"), metadata=md
    )
    assert resp.status.code == 21200
    got = stub.GetModel(
        service_pb2.GetModelRequest(
            user_app_id={"user_id": "demo", "app_id": "local"}, model_id="pixel-words"
        ),
        metadata=md,
    )
    assert got.status.code == 10000 and len(got.model.model_version.method_signatures) == 6


# ------------------------------------------------------------------------------------------- loader
def test_loader_errors_name_config_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLARIFAI_USER_ID", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no Clarifai CLI config to take a user id from
    with pytest.raises(CodegenError, match=r"config\.yaml"):
        load_models([tmp_path])
    (tmp_path / "config.yaml").write_text("model:\n  id: m\n  app_id: a\n")
    with pytest.raises(CodegenError, match=r"config\.yaml.*model\.user_id"):
        load_models([tmp_path])
    with pytest.raises(CodegenError, match="no such directory"):
        load_models([tmp_path / "missing"])


def test_loader_error_in_model_py(tmp_path: Path) -> None:
    d = tmp_path / "broken"
    (d / "1").mkdir(parents=True)
    (d / "config.yaml").write_text("model:\n  id: m\n  user_id: u\n  app_id: a\n")
    (d / "requirements.txt").write_text("")
    (d / "1" / "model.py").write_text("import definitely_not_installed_xyz\n")
    with pytest.raises(CodegenError, match=r"model\.py.*definitely_not_installed_xyz"):
        load_models([d])


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(CodegenError, match="demo/local/pixel-words"):
        serve([DEMO_DIR, DEMO_DIR])


def test_load_models_returns_ids_and_a_loaded_model() -> None:
    [served] = load_models([DEMO_DIR])
    assert (served.ref.path, served.ref.version_id) == ("demo/local/pixel-words", None)
    assert [c.name for c in served.model.predict("pizza and coffee", top_k=1)] == ["food"]


# ------------------------------------------------------------------------------------------- CLI
def test_run_forever_prints_the_banner_and_stops() -> None:
    import io

    out, err = io.StringIO(), io.StringIO()
    stop = threading.Event()
    handles: list[ServeHandle] = []

    def ready(handle: ServeHandle) -> None:
        handles.append(handle)
        stop.set()

    run_forever([DEMO_DIR], port=0, out=out, err=err, ready=ready, stop_event=stop)
    (handle,) = handles
    lines = out.getvalue().splitlines()
    assert lines == banner(handle)
    assert re.fullmatch(
        r"serving demo/local/pixel-words \(6 methods\) at http://127\.0\.0\.1:\d+", lines[0]
    )
    assert lines[1] == f"export CLARIFAI_API_BASE={handle.rest_url}"


def test_serve_command_subprocess_sigterm(tmp_path: Path) -> None:
    code = "from codegen.serve.command import serve_command; serve_command()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(DEMO_DIR), "--port", "0", "--grpc-port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        m = re.fullmatch(
            r"serving demo/local/pixel-words \(6 methods\) at (http://127\.0\.0\.1:\d+)\n", first
        )
        assert m, first + (proc.stderr.read() if proc.stderr and proc.poll() is not None else "")
        r = httpx.get(m[1] + DEMO, headers=AUTH)
        assert r.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        rest = proc.stdout.read()
        assert f"export CLARIFAI_API_BASE={m[1]}" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_command_bad_dir(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from codegen.serve.command import serve_command

    result = CliRunner().invoke(serve_command, [str(tmp_path)])
    assert result.exit_code == 2
    assert "config.yaml" in result.output


# ------------------------------------------------------------------------------------------- demo
def test_run_demo() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "demo" / "run_demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k not in ("CLARIFAI_API_BASE", "CLARIFAI_PAT")},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for expected in (
        "serving demo/local/pixel-words (6 methods) at http://127.0.0.1:",
        "predict: [Concept(name='technology'",
        "text_stats: {'characters': 25, 'words': 6",
        "generate: What ",
        "stream: stream() streams its input",  # bidi over HTTP: the example says to use gRPC
        "{'width': 160, 'height': 96, 'mode': 'RGB'",
        "<PIL image 40x24 mode=L>",
        "{'chunk': 2, 'words': 5, 'total_words': 14",
        "'ellohay ocallay orldway'",
        "demo OK",
    ):
        assert expected in out, f"{expected!r} not in:\n{out}"


def test_without_the_sdk_the_error_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['clarifai'] = None\n"
        "from codegen.serve.command import serve_command\n"
        "serve_command()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(DEMO_DIR), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'clarifai-codegen[serve]'" in proc.stderr


def test_published_dir_is_served_under_resolved_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """config.yaml with only `model.id` (Clarifai's published examples): the user id comes from
    CLARIFAI_USER_ID and the app is `main`, as for `generate`; users/me names that user."""
    d = _every_type_dir(tmp_path)
    (d / "config.yaml").write_text('model:\n  id: "every-type"\n  user_id: ""\n')
    monkeypatch.setenv("CLARIFAI_USER_ID", "alice")
    with serve([d], grpc_port=0, quiet=True) as handle:
        got = httpx.get(
            f"{handle.rest_url}/v2/users/alice/apps/main/models/every-type", headers=AUTH
        )
        assert got.json()["model"]["user_id"] == "alice"
        me = httpx.get(f"{handle.rest_url}/v2/users/me", headers=AUTH)
        assert me.status_code == 200 and me.json()["user"] == {"id": "alice"}
        other = httpx.get(f"{handle.rest_url}/v2/users/bob", headers=AUTH)
        assert other.status_code == 404
        assert httpx.get(f"{handle.rest_url}/v2/users/me").status_code == 401

        from clarifai_grpc.channel.clarifai_channel import ClarifaiChannel
        from clarifai_grpc.grpc.api import service_pb2, service_pb2_grpc

        assert handle.grpc is not None
        port = handle.grpc.port
        with ClarifaiChannel.get_insecure_grpc_channel(base="127.0.0.1", port=port) as channel:
            stub = service_pb2_grpc.V2Stub(channel)
            md = (("authorization", "Key anything"),)
            user = stub.GetUser(
                service_pb2.GetUserRequest(user_app_id={"user_id": "me"}), metadata=md
            )
            assert user.status.code == 10000 and user.user.id == "alice"
            nobody = stub.GetUser(service_pb2.GetUserRequest(user_app_id={"user_id": "me"}))
            assert nobody.status.code == 11009


def test_a_served_model_has_the_sdks_method_registry_before_the_first_call() -> None:
    """The SDK builds it lazily on the class; concurrent first calls raced on it in the model
    ("dictionary changed size during iteration", seen in a batch test)."""
    from clarifai.runners.models import model_class as mc

    from codegen.serve.registry import ServedModel
    from codegen.spec import ModelRef

    def predict(self: Any, text: Any) -> Any:
        return text

    predict.__annotations__ = {"text": str, "return": str}  # real types, not this file's strings
    Fresh = type("Fresh", (mc.ModelClass,), {"predict": mc.ModelClass.method(predict)})
    registry = mc._MODEL_METHODS_REGISTRY_ATTR
    assert registry not in vars(Fresh)
    ServedModel(ModelRef("u", "a", "fresh"), Fresh(), "v1")
    assert "predict" in vars(Fresh)[registry]


def test_a_response_goes_out_in_one_write(
    srv: ServeHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers and body in one write: one send, and the client reads it in one receive (two
    writes cost a second wake-up of the client per call)."""
    from codegen.serve import handler

    writes: list[bytes] = []
    setup = handler.Handler.setup

    def counting_setup(self: Any) -> None:
        setup(self)
        write = self.wfile.write

        def counted(data: bytes) -> Any:
            writes.append(bytes(data))
            return write(data)

        self.wfile.write = counted

    monkeypatch.setattr(handler.Handler, "setup", counting_setup)
    body = _unary("predict", [_str("text", "hi")])
    with httpx.Client(headers=AUTH) as c:  # a new connection: the patched setup runs
        r = c.post(f"{srv.rest_url}{DEMO}/outputs", json=body)
    assert r.status_code == 200
    assert len(writes) == 1
    assert writes[0].startswith(b"HTTP/1.1 200") and writes[0].endswith(r.content)
