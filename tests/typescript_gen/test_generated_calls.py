"""End to end (acceptance 3) through the *generated* classes: the golden package's `AllTypes` and an
`EveryType` generated here from the oracle model's signatures, compiled by tsc and run by node
(generated_calls.ts), call the oracle server (Clarifai's own model code behind `codegen.serve`).

Every member of both classes is called (unary, batch, server streaming; bidirectional ones end in
`StreamingNotSupportedError` with nothing sent) with values of every DataType, and each result is
compared with a direct local call of the same model method (the echoes: the value itself). Then the
errors: the model raises, bad PAT, unknown model, retries after 429/503 with `Retry-After`, an early
`break` aborting the stream, and range checks before anything is sent."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from codegen import api
from codegen.backends.typescript.plan import TsMethod, TsModulePlan, plan_module
from codegen.parser import parse_model
from codegen.runtime import types as rt

from ..conftest import ROOT
from ..runtime.conftest import Reply, Server, success
from ..typescript.node import Running
from ..typescript.tags import same, tag
from .conftest import GOLDEN
from .tools import BIN, HERE, need_node, strict_config

pytestmark = pytest.mark.slow  # one tsc compile, then one node process for the module

oracle_server = pytest.importorskip("tests.oracle.server")
oracle_models = pytest.importorskip("tests.oracle.models")

from ..e2e.helpers import PNG, to_sdk  # noqa: E402
from ..runtime.sdk_helpers import to_runtime  # noqa: E402
from ..runtime.test_oracle_e2e import ECHOES  # noqa: E402

PAT = "ts-gen-secret-pat-0123456789"
SIGNATURES = ROOT / "tests" / "oracle" / "signatures"
FAST = {"backoff": 0.001}
KEYS = {  # class -> the oracle's model
    "AllTypes": ("clarifai-codegen", "fixtures", "all-types"),
    "EveryType": ("codegen", "oracle", "every-type"),
}


@dataclass(frozen=True)
class Built:
    node: str
    js: Path
    plans: dict[str, TsModulePlan]  # class name -> its module's plan


def _plan(name: str) -> TsModulePlan:
    spec, _ = parse_model(json.loads((SIGNATURES / f"{name}.json").read_text()), name)
    return plan_module(spec)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The golden package plus EveryType (added as a user adds a model), the driver and the
    shared tags module (reading the package's `_runtime` through a one-line shim), compiled once."""
    node = need_node()
    root = tmp_path_factory.mktemp("tsgencalls")
    pkg = root / "pkg"
    shutil.copytree(GOLDEN, pkg)
    api.generate([str(SIGNATURES / "every-type.json")], pkg, lang="typescript")
    assert (pkg / "all_types.ts").read_bytes() == (GOLDEN / "all_types.ts").read_bytes()
    shim = root / "codegen" / "runtime_ts" / "index.ts"
    shim.parent.mkdir(parents=True)
    shim.write_text('export * from "../../pkg/_runtime/index.js";\n')
    scripts = root / "tests" / "typescript" / "scripts"
    scripts.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "typescript" / "scripts" / "tags.ts", scripts)
    (root / "driver").mkdir()
    shutil.copy(HERE / "generated_calls.ts", root / "driver")
    config = strict_config(noEmit=False, outDir=str(root / "js"))
    (root / "tsconfig.json").write_text(json.dumps(config))
    (root / "package.json").write_text('{"type": "module"}\n')
    result = subprocess.run(
        [str(BIN / "tsc"), "-p", str(root), "--pretty", "false"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (root / "js" / "package.json").write_text('{"type": "module"}\n')
    plans = {"AllTypes": _plan("all-types"), "EveryType": _plan("every-type")}
    assert plans["AllTypes"].class_name == "AllTypes"
    return Built(node, root / "js", plans)


@pytest.fixture(scope="module")
def driver(built: Built) -> Iterator[Running]:
    script = built.js / "driver" / "generated_calls.js"
    running = Running.start([built.node, str(script)])
    yield running
    running.close()


@pytest.fixture(scope="module")
def oracle_module() -> Iterator[Any]:
    with oracle_server.OracleServer(pat=PAT) as srv:
        yield srv


@pytest.fixture
def oracle(oracle_module: Any) -> Iterator[Any]:
    oracle_module.reset()
    yield oracle_module
    oracle_module.reset()


@dataclass(frozen=True)
class Call:
    cls: str
    wire: str  # the method's name on the wire (the signature's)
    member: str  # the generated member called (the method, or its batch twin)
    payload: dict[str, Any]


class Calls:
    """Builds calls of the generated classes from wire-named arguments, as a user writes them:
    required ones positional, the others in the options object under their camelCase keys."""

    def __init__(self, built: Built) -> None:
        self.plans = built.plans

    def method(self, cls: str, wire: str) -> TsMethod:
        [method] = [m for m in self.plans[cls].methods if m.wire == wire]
        return method

    def __call__(self, cls: str, wire: str, *, take: int | None = None, **args: Any) -> Call:
        m = self.method(cls, wire)
        positional = [tag(args.pop(w)) for _, w in m.positional]
        options = {key: tag(args.pop(w)) for key, w in m.options if w in args}
        assert not args, f"{wire} has no arguments {sorted(args)}"
        payload = {"cls": cls, "member": m.name, "args": positional, "options": options}
        return Call(cls, wire, m.name, payload | ({} if take is None else {"take": take}))

    def batch(self, cls: str, wire: str, items: list[dict[str, Any]]) -> Call:
        """`<method>Batch(items)`: each item's arguments by their TypeScript names."""
        m = self.method(cls, wire)
        assert m.batch is not None, wire
        names = {w: key for key, w in (*m.positional, *m.options)}
        tagged = [{"$dict": {names[w]: tag(v) for w, v in item.items()}} for item in items]
        payload = {"cls": cls, "member": m.batch, "args": [tagged], "options": {}}
        return Call(cls, wire, m.batch, payload)


@pytest.fixture(scope="module")
def make(built: Built) -> Calls:
    return Calls(built)


def run(
    driver: Running, client: dict[str, Any], *calls: Call, model: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The calls' results; the PAT is in none of the output, whatever happened."""
    payloads = [c.payload | ({"model": model} if model else {}) for c in calls]
    out = driver.ask({"client": client, "calls": payloads})
    assert PAT not in json.dumps(out)
    results: list[dict[str, Any]] = out["results"]
    return results


def on(srv: Any, **options: Any) -> dict[str, Any]:
    return {"pat": PAT, "apiBase": srv.base_url} | FAST | options


def error_of(result: dict[str, Any]) -> str:
    assert result["error"] is not None, result["values"]
    name: str = result["error"]["name"]
    return name


def expect(model: Any, wire: str, *args: Any, **kwargs: Any) -> Any:
    """What the model method returns for these (runtime) values, called directly, tagged."""
    out = getattr(model, wire)(
        *to_sdk(list(args), rt), **{k: to_sdk(v, rt) for k, v in kwargs.items()}
    )
    if hasattr(out, "__next__"):
        out = list(out)
    return tag(to_runtime(out))


# --------------------------------------------------------------------------------------------------
# every member of both classes, checked values


def all_types_calls(make: Calls) -> list[tuple[Call, Any]]:
    """(call, the tagged values it must give) for every AllTypes method."""
    model = oracle_models.AllTypesModel()
    scalars: dict[str, Any] = dict(s="s\u00e9\"'", b=b"\x00\xffbytes", i=-(2**40), f=2.5, flag=True)
    full: dict[str, Any] = scalars | dict(opt_s="x", opt_i=-3, opt_f=0.25, opt_b=True, none_s="n")
    media: dict[str, Any] = dict(
        text=rt.Text("hello", url="https://x/t.txt"),
        image=rt.Image(bytes=PNG),
        audio=rt.Audio(url="https://x/a.wav"),
        video=rt.Video(bytes=b"\x00video"),
        concept=rt.Concept("cat", 0.5),
        region=rt.Region(box=(0.25, 0.5, 0.75, 1.0), concepts=[rt.Concept("dog", 0.25)], id="r1"),
        frame=rt.Frame(image=rt.Image(url="https://x/f.jpg"), index=3, time=1.5),
        arr=np.arange(6, dtype=np.int32).reshape(2, 3),
    )
    containers: dict[str, Any] = dict(
        names=["n1", "n2"],
        grid=[[1, 2], [], [3]],
        pair=(7, "seven"),
        concepts=[rt.Concept("a", 0.5), rt.Concept("b", 0.25)],
        regions=[rt.Region(box=(0.125, 0.25, 0.375, 0.5), id="x", concepts=[rt.Concept("c", 0.5)])],
    )
    config: dict[str, Any] = dict(config={"k": [1.0, "v"]}, stop=["\n", "END"])
    tuned: dict[str, Any] = dict(prompt="hi", temperature=1.5, effort="high", top_k=100)
    video = rt.Video(url="https://x/v.mp4")
    return [
        (make("AllTypes", "scalars", **scalars), [expect(model, "scalars", **scalars)]),
        (make("AllTypes", "scalars", **full), [expect(model, "scalars", **full)]),
        (
            make.batch("AllTypes", "scalars", [scalars, full]),
            [[expect(model, "scalars", **scalars), expect(model, "scalars", **full)]],
        ),
        (make("AllTypes", "media", **media), [expect(model, "media", **media)]),
        (make.batch("AllTypes", "media", [media]), [[expect(model, "media", **media)]]),
        (make("AllTypes", "containers", **containers), [expect(model, "containers", **containers)]),
        (
            make("AllTypes", "containers", **containers, **config),
            [expect(model, "containers", **containers, **config)],
        ),
        (
            make.batch("AllTypes", "containers", [containers | config]),
            [[expect(model, "containers", **containers, **config)]],
        ),
        (make("AllTypes", "tuned", prompt="hi"), [expect(model, "tuned", "hi")]),
        (make("AllTypes", "tuned", **tuned), [expect(model, "tuned", **tuned)]),
        (make.batch("AllTypes", "tuned", [tuned]), [[expect(model, "tuned", **tuned)]]),
        (make("AllTypes", "frames", video=video, every=2), expect(model, "frames", video, every=2)),
    ]


def every_type_calls(make: Calls) -> list[tuple[Call, Any]]:
    """(call, the tagged values it must give) for every EveryType method but the failing ones."""
    model = oracle_models.EveryTypeModel()
    out: list[tuple[Call, Any]] = []
    for wire, value in ECHOES:  # identity: the value itself comes back
        out.append((make("EveryType", wire, x=value), [tag(value)]))
        out.append(
            (make.batch("EveryType", wire, [{"x": value}, {"x": value}]), [[tag(value)] * 2])
        )
    image = rt.Image(bytes=PNG)
    url_image = rt.Image(url="https://x/i.jpg")
    every: dict[str, Any] = dict(a="a", b="b", c=0, d=0.5, e=False, f=["x"], g={"k": "v"})
    classify: dict[str, Any] = dict(text="some more text", threshold=0.5, top_k=3, mode="accurate")
    scale: dict[str, Any] = dict(x=np.arange(4, dtype=np.int16), factor=3.0)
    out += [
        (make("EveryType", "predict", prompt="hi"), [expect(model, "predict", "hi")]),
        (
            make("EveryType", "predict", prompt="hi", max_tokens=3, temperature=0.5),
            [expect(model, "predict", "hi", max_tokens=3, temperature=0.5)],
        ),
        (
            make.batch("EveryType", "predict", [{"prompt": "a"}, {"prompt": "b", "max_tokens": 2}]),
            [[expect(model, "predict", "a"), expect(model, "predict", "b", max_tokens=2)]],
        ),
        (
            make("EveryType", "generate", prompt="a b c d e f", max_tokens=4),
            expect(model, "generate", "a b c d e f", max_tokens=4),
        ),
        (make("EveryType", "image_info", image=image), [expect(model, "image_info", image)]),
        (
            make.batch("EveryType", "image_info", [{"image": url_image}]),
            [[expect(model, "image_info", url_image)]],
        ),
        (
            make("EveryType", "make_image", width=5, height=3, color="blue"),
            [expect(model, "make_image", width=5, height=3, color="blue")],
        ),
        (make.batch("EveryType", "make_image", [{}]), [[expect(model, "make_image")]]),
        (make("EveryType", "scale", **scale), [expect(model, "scale", **scale)]),
        (make.batch("EveryType", "scale", [scale]), [[expect(model, "scale", **scale)]]),
        (make("EveryType", "classify", **classify), [expect(model, "classify", **classify)]),
        (
            make.batch("EveryType", "classify", [{"text": "x y z"}]),
            [[expect(model, "classify", "x y z")]],
        ),
        (
            make("EveryType", "detect", image=url_image, n=3),
            [expect(model, "detect", url_image, n=3)],
        ),
        (make.batch("EveryType", "detect", [{"image": image}]), [[expect(model, "detect", image)]]),
        (
            make("EveryType", "annotate", image=image, caption="a b"),
            [expect(model, "annotate", image, caption="a b")],
        ),
        (
            make.batch("EveryType", "annotate", [{"image": url_image}]),
            [[expect(model, "annotate", url_image)]],
        ),
        (make("EveryType", "defaults", a="a"), [expect(model, "defaults", "a")]),
        (make("EveryType", "defaults", **every), [expect(model, "defaults", **every)]),
        (make.batch("EveryType", "defaults", [every]), [[expect(model, "defaults", **every)]]),
        (make("EveryType", "count_up", start=5, n=3), expect(model, "count_up", 5, n=3)),
        (make("EveryType", "count_up", start=5, n=0), []),
        (make("EveryType", "isqrt", x=17), [expect(model, "isqrt", 17)]),
        (make.batch("EveryType", "isqrt", [{"x": 16}, {"x": 2}]), [[4, 1]]),
    ]
    return out


BIDI: dict[tuple[str, str], dict[str, Any]] = {  # the bidirectional methods and their input
    ("AllTypes", "echo_stream"): {"chunks": [rt.Text("a"), "b"], "suffix": "!"},
    ("EveryType", "stream"): {"input_stream": ["x", "y"]},
    ("EveryType", "stream_regions"): {"images": [rt.Image(url="https://x/i.jpg")], "n": 2},
}
FAILING = {("EveryType", "fail"), ("EveryType", "fail_stream")}  # test_model_errors


def test_every_member_of_both_classes_returns_what_the_model_returns(
    driver: Running, make: Calls, oracle: Any
) -> None:
    cases = all_types_calls(make) + every_type_calls(make)
    results = run(driver, on(oracle), *(call for call, _ in cases))
    for (call, expected), result in zip(cases, results, strict=True):
        assert result["error"] is None, (call.member, result["error"])
        assert same(result["values"], expected), (call.member, result["values"], expected)
    bidi = [make(cls, wire, **args) for (cls, wire), args in BIDI.items()]
    before = len(oracle.predict_requests())
    for call, result in zip(bidi, run(driver, on(oracle), *bidi), strict=True):
        assert error_of(result) == "StreamingNotSupportedError", call.member
        assert "gRPC" in result["error"]["message"] and result["values"] == []
    assert len(oracle.predict_requests()) == before  # nothing was sent for them

    # no member of either class, nor method of either model, went uncalled
    called = {(c.cls, c.member) for c, _ in cases} | {(c.cls, c.member) for c in bidi}
    for cls, wire in FAILING:
        method = make.method(cls, wire)
        called |= {(cls, m) for m in (method.name, method.batch) if m is not None}
    generated = driver.ask({"describe": True, "client": {}, "calls": []})["members"]
    assert called == {(cls, m) for cls, names in generated.items() for m in names}
    for cls, key in KEYS.items():
        wires = {c.wire for c, _ in cases if c.cls == cls}
        wires |= {wire for owner, wire in (*BIDI, *FAILING) if owner == cls}
        assert wires == set(oracle.models[key]._get_method_infos()), cls


# --------------------------------------------------------------------------------------------------
# errors through the generated classes


def test_model_errors(driver: Running, make: Calls, oracle: Any) -> None:
    fail, streamed, negative, batch = run(
        driver,
        on(oracle),
        make("EveryType", "fail", arg="x"),
        make("EveryType", "fail_stream", arg="y", after=2),
        make("EveryType", "isqrt", x=-1),
        make.batch("EveryType", "fail", [{"arg": "a"}, {"arg": "b"}]),
    )
    assert error_of(fail) == "ModelError" and "kaboom: x" in fail["error"]["message"]
    assert fail["error"]["props"]["code"] == 10020
    assert streamed["values"] == ["y:0", "y:1"] and error_of(streamed) == "ModelError"
    assert "kaboom: y" in streamed["error"]["message"]
    assert error_of(negative) == "ModelError" and "no square root of -1" in str(negative["error"])
    assert error_of(batch) == "BatchError", batch["error"]
    assert batch["error"]["props"]["failed"] == [0, 1], batch["error"]
    assert "kaboom: a" in batch["error"]["inspect"]


def test_a_bad_pat_is_an_auth_error_that_never_shows_it(
    driver: Running, make: Calls, oracle: Any
) -> None:
    wrong = "wrong-" + PAT[::-1]
    calls = [make("AllTypes", "tuned", prompt="p"), make("EveryType", "count_up", start=1)]
    out = driver.ask({"client": on(oracle, pat=wrong), "calls": [c.payload for c in calls]})
    for result in out["results"]:
        assert error_of(result) == "AuthError"
    assert wrong not in json.dumps(out)
    assert [r["headers"]["authorization"] for r in oracle.requests] == [f"Key {wrong}"] * 2


def test_an_unknown_model_is_not_found(driver: Running, make: Calls, oracle: Any) -> None:
    missing = {"userId": "codegen", "appId": "oracle", "modelId": "no-such-model"}
    calls = [make("EveryType", "echo_int", x=1), make("EveryType", "count_up", start=1)]
    for result in run(driver, on(oracle), *calls, model=missing):
        assert error_of(result) == "NotFoundError"
        assert result["error"]["props"]["code"] == 21200
    assert {r["model_id"] for r in oracle.predict_requests()} == {"no-such-model"}


def test_429_and_503_are_retried_after_the_servers_retry_after(
    driver: Running, make: Calls, oracle: Any
) -> None:
    oracle.inject(status=503, times=1, headers={"Retry-After": "0.5"})
    oracle.inject(status=429, times=1, headers={"Retry-After": "0.5"})
    [result] = run(driver, on(oracle), make("AllTypes", "tuned", prompt="hi"))
    assert result["error"] is None
    assert result["values"] == [expect(oracle_models.AllTypesModel(), "tuned", "hi")]
    assert len(oracle.predict_requests()) == 3
    assert result["elapsed"] >= 0.95  # both waits were the server's, not the 1 ms backoff
    oracle.reset()
    oracle.inject(status=429, times=1, headers={"Retry-After": "0.5"})
    [result] = run(driver, on(oracle), make("EveryType", "count_up", start=1, n=2))
    assert result["values"] == [1, 2] and result["error"] is None
    assert len(oracle.predict_requests()) == 2 and result["elapsed"] >= 0.45
    oracle.reset()
    oracle.inject(status=503, times=5)
    [result] = run(driver, on(oracle, maxRetries=2), make("EveryType", "echo_int", x=1))
    assert error_of(result) == "ServerError" and len(oracle.predict_requests()) == 3


def test_arguments_out_of_range_fail_before_sending(
    driver: Running, make: Calls, oracle: Any
) -> None:
    calls = [
        make("AllTypes", "tuned", prompt="p", top_k=101),
        make("AllTypes", "tuned", prompt="p", temperature=2.5),
        make("AllTypes", "tuned", prompt="p", effort="max"),
        make("EveryType", "classify", text="t", threshold=1.5),
        make("EveryType", "classify", text="t", top_k=7),
        make("EveryType", "make_image", width=0),
        make("EveryType", "count_up", start=1, n=101),
        make.batch("EveryType", "make_image", [{"width": 4}, {"height": 65}]),
    ]
    results = run(driver, on(oracle), *calls)
    for call, result in zip(calls, results, strict=True):
        assert error_of(result) == "ArgumentError", call.member
    assert oracle.requests == []


@pytest.fixture
def scripted() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.stop()


def test_leaving_a_stream_early_aborts_the_request(
    driver: Running, make: Calls, scripted: Server
) -> None:
    frame = {"result": success({"int_value": 7})}
    scripted.script(Reply(lines=[frame], endless=frame))
    call = make("EveryType", "count_up", start=1, n=100, take=2)
    [result] = run(driver, {"pat": PAT, "apiBase": scripted.base_url}, call)
    assert result["values"] == [7, 7] and result["error"] is None
    assert scripted.disconnected.wait(5), "the server kept streaming"
    assert driver.alive  # the break closed the connection, not the end of the process
    [request] = scripted.requests
    assert request["path"].endswith("/models/every-type/outputs/generate")


def test_runner_selection_by_the_object_and_per_call(
    driver: Running, make: Calls, oracle: Any
) -> None:
    """The constructor's `runner` applies to the object's calls, an option's `runner` to one
    call; the deployment's owner (the PAT's) is looked up once."""
    call = make("EveryType", "echo_int", x=1)
    nodepool = {"computeClusterId": "cc", "nodepoolId": "np", "deploymentUserId": "me"}
    per_call = call.payload | {"options": {"runner": tag(nodepool)}}
    payloads = [p | {"runner": {"deploymentId": "dep"}} for p in (call.payload, call.payload)]
    out = driver.ask({"client": on(oracle), "calls": [*payloads, per_call]})
    assert [r["values"] for r in out["results"]] == [[1]] * 3
    bodies = [r["body"] for r in oracle.predict_requests()]
    deployment = {"deployment": {"id": "dep", "user_id": oracle_server.DEFAULT_OWNER}}
    assert [b.get("runner_selector") for b in bodies[:2]] == [deployment] * 2
    cluster = {"id": "cc", "user_id": "me"}
    assert bodies[2]["runner_selector"] == {"nodepool": {"id": "np", "compute_cluster": cluster}}
    assert len([r for r in oracle.requests if r["route"] == "get_user"]) == 1
