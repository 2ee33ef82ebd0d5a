"""Real Clarifai ``ModelClass`` models served by the oracle server.

Every method is an ordinary ``@ModelClass.method``, so the SDK derives the signatures with
``build_function_signature`` (exactly what ``clarifai model upload`` stores) and the server runs
them through the SDK's own ``predict_wrapper`` / ``generate_wrapper`` / ``stream_wrapper``.

The bodies are deterministic and reflect every argument, so a test can compare what came back over
the wire with a *direct local call* of the same method, for example::

    expected = AllTypesModel().scalars("s", b"b", 1, 2.5, True)
    assert client.scalars("s", b"b", 1, 2.5, True) == expected

(Direct calls see Python values, the server sees wire-decoded ones; the two agree as long as the
values survive the wire exactly: use floats representable in float32, e.g. 0.5 or 0.25, where they
pass through Concept/Region/Frame, and remember that JSON numbers come back as floats.)

This module must not use ``from __future__ import annotations``: the SDK reads the annotations at
runtime.
"""

import hashlib
import io
import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
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
from clarifai.runners.utils.data_utils import Param
from clarifai_grpc.grpc.api import service_pb2
from google.protobuf.json_format import MessageToDict
from PIL import Image as PILImage

from .real_names import RealNamesModel

ModelKey = tuple[str, str, str]

__all__ = [
    "AllTypesModel",
    "EveryTypeModel",
    "ModelKey",
    "default_version_id",
    "describe_media",
    "get_model_response",
    "oracle_models",
    "signatures_json",
]


# --------------------------------------------------------------------------------------------------
# helpers that turn data types into JSON-able descriptions (used by the model bodies)


def describe_media(m: Image | Audio | Video | None) -> dict[str, Any] | None:
    """``{"url", "bytes_len"}`` (+ ``"size"`` [w, h] for decodable image bytes)."""
    if m is None:
        return None
    d: dict[str, Any] = {"url": m.url or None, "bytes_len": len(m.bytes)}
    if isinstance(m, Image):
        d["size"] = None
        if m.bytes:
            try:
                d["size"] = list(PILImage.open(io.BytesIO(m.bytes)).size)
            except Exception:
                d["size"] = None
    return d


def describe_concept(c: Concept) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "value": float(c.value)}


def describe_region(r: Region) -> dict[str, Any]:
    return {
        "id": r.id,
        "box": [float(v) for v in r.box],
        "concepts": [describe_concept(c) for c in r.concepts],
        "text": r.text or None,
    }


def describe_frame(f: Frame) -> dict[str, Any]:
    return {
        "index": f.index,
        "time": f.time,
        "image": describe_media(f.image),
        "regions": [describe_region(r) for r in f.regions],
    }


def describe_ndarray(a: np.ndarray) -> dict[str, Any]:
    return {
        "shape": list(a.shape),
        "dtype": str(a.dtype),
        "sum": float(np.real(a).sum()),
        "values": [float(v) for v in np.real(a).ravel()[:16]],
    }


# --------------------------------------------------------------------------------------------------
# AllTypesModel: reproduces shared/fixtures/signatures/synthetic__all-types.json exactly

ContainersOut = NamedFields(label=str, score=float, boxes=list[Region])
EchoStreamOut = NamedFields(text=str, index=int)

FRAMES_PER_VIDEO = 6


class AllTypesModel(ModelClass):
    """The synthetic ``clarifai-codegen/fixtures/all-types`` model.

    ``build_function_signature`` of each method equals the fixture's ``method_signatures`` entry
    (checked by ``test_server.py``).
    """

    USER_ID = "clarifai-codegen"
    APP_ID = "fixtures"
    MODEL_ID = "all-types"
    VERSION_ID = "b54514e3271dd6992238d01ccdbf30b4"
    MODEL_TYPE_ID = "any-to-any"

    @ModelClass.method
    def scalars(
        self,
        s: str,
        b: bytes,
        i: int,
        f: float,
        flag: bool,
        opt_s: str = "",
        opt_i: int = 0,
        opt_f: float = 0.5,
        opt_b: bool = False,
        none_s: str = None,  # noqa: RUF013 (the SDK cannot read Optional[...])
    ) -> str:
        """Every scalar type, with falsy and None defaults."""
        return (
            f"s={s!r} b={b!r} i={i!r} f={f!r} flag={flag!r} opt_s={opt_s!r} opt_i={opt_i!r} "
            f"opt_f={opt_f!r} opt_b={opt_b!r} none_s={none_s!r}"
        )

    @ModelClass.method
    def media(
        self,
        text: Text,
        image: Image,
        audio: Audio,
        video: Video,
        concept: Concept,
        region: Region,
        frame: Frame,
        arr: np.ndarray,
    ) -> dict:
        """Every media type; returns JSON."""
        return {
            "text": {"text": text.text, "url": text.url or None},
            "image": describe_media(image),
            "audio": describe_media(audio),
            "video": describe_media(video),
            "concept": describe_concept(concept),
            "region": describe_region(region),
            "frame": describe_frame(frame),
            "arr": describe_ndarray(arr),
        }

    @ModelClass.method
    def containers(
        self,
        names: list[str],
        grid: list[list[int]],
        pair: tuple[int, str],
        concepts: list[Concept],
        regions: list[Region],
        config: dict = {"a": 1},  # noqa: B006
        stop: list[str] = ["\n"],  # noqa: B006
    ) -> ContainersOut:
        """Lists, tuples, JSON and named fields."""
        label = (
            f"names={names!r} grid={grid!r} pair={tuple(pair)!r} "
            f"concepts={[(c.name, float(c.value)) for c in concepts]!r} "
            f"regions={[r.id for r in regions]!r} "
            f"config={json.dumps(config, sort_keys=True)} stop={stop!r}"
        )
        score = float(sum(float(c.value) for c in concepts))
        return NamedFields(label=label, score=score, boxes=list(regions))

    @ModelClass.method
    def tuned(
        self,
        prompt: str,
        temperature: float = Param(0.7, description="Sampling temperature", max_value=2.0),
        effort: str = Param(
            "low", description="Reasoning effort", choices=["low", "medium", "high"]
        ),
        top_k: int = Param(40, description="Top-k sampling", min_value=1, max_value=100),
    ) -> Text:
        """Inference params with descriptions, ranges and choices."""
        # Omitted params arrive as the Param objects themselves: normalise them.
        return Text(
            f"prompt={prompt!r} temperature={float(temperature)!r} effort={str(effort)!r} "
            f"top_k={int(top_k)!r}"
        )

    @ModelClass.method
    def frames(self, video: Video, every: int = 1) -> Iterator[Frame]:
        """Server streaming of frames."""
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        src = video.url or f"bytes:{len(video.bytes)}"
        for i in range(0, FRAMES_PER_VIDEO, every):
            yield Frame(
                index=i,
                time=i * 0.5,
                image=Image(url=f"{src}#frame={i}"),
                regions=[
                    Region(id=f"f{i}", box=[0.25, 0.25, 0.5, 0.5], concepts=[Concept("frame", 0.5)])
                ],
            )

    @ModelClass.method
    def echo_stream(self, chunks: Iterator[Text], suffix: str = "") -> Iterator[EchoStreamOut]:
        """Bidirectional streaming with a named-fields output."""
        for index, chunk in enumerate(chunks):
            text = (chunk.text or "") + suffix + (f"@{chunk.url}" if chunk.url else "")
            yield NamedFields(text=text, index=index)


# --------------------------------------------------------------------------------------------------
# EveryTypeModel: every DataType in and out, identity echoes, streaming, errors, Params

Person = NamedFields(name=str, age=int, scores=list[float])
Annotated = NamedFields(caption=str, image=Image, concepts=list[Concept])

_COLORS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255)}


class EveryTypeModel(ModelClass):
    """``codegen/oracle/every-type``: each DataType as input and output."""

    USER_ID = "codegen"
    APP_ID = "oracle"
    MODEL_ID = "every-type"
    VERSION_ID = "0e1d2c3b4a5968778695a4b3c2d1e0f0"
    MODEL_TYPE_ID = "any-to-any"

    # ---- conventional names (the SDK's defaults when _method_name is absent) ----
    @ModelClass.method
    def predict(self, prompt: str, max_tokens: int = 512, temperature: float = 1.0) -> str:
        """Echo the prompt with the sampling settings."""
        return f"predict:{prompt}:{max_tokens}:{temperature}"

    @ModelClass.method
    def generate(self, prompt: str, max_tokens: int = 5) -> Iterator[str]:
        """Yield the first ``max_tokens`` whitespace tokens as ``i:token``."""
        for i, tok in enumerate(prompt.split()[:max_tokens]):
            yield f"{i}:{tok}"

    @ModelClass.method
    def stream(self, input_stream: Iterator[str], suffix: str = "!") -> Iterator[str]:
        """Bidi: upper-case each chunk and append the suffix."""
        for s in input_stream:
            yield s.upper() + suffix

    # ---- identity echoes: round-trip equality for every type ----
    @ModelClass.method
    def echo_str(self, x: str) -> str:
        return x

    @ModelClass.method
    def echo_bytes(self, x: bytes) -> bytes:
        return x

    @ModelClass.method
    def echo_int(self, x: int) -> int:
        return x

    @ModelClass.method
    def echo_float(self, x: float) -> float:
        return x

    @ModelClass.method
    def echo_bool(self, x: bool) -> bool:
        return x

    @ModelClass.method
    def echo_ndarray(self, x: np.ndarray) -> np.ndarray:
        return x

    @ModelClass.method
    def echo_dict(self, x: dict) -> dict:
        return x

    @ModelClass.method
    def echo_list(self, x: list) -> list:
        return x

    @ModelClass.method
    def echo_json_list(self, x: list[dict]) -> list[dict]:
        return x

    @ModelClass.method
    def echo_text(self, x: Text) -> Text:
        return x

    @ModelClass.method
    def echo_image(self, x: Image) -> Image:
        return x

    @ModelClass.method
    def echo_audio(self, x: Audio) -> Audio:
        return x

    @ModelClass.method
    def echo_video(self, x: Video) -> Video:
        return x

    @ModelClass.method
    def echo_concept(self, x: Concept) -> Concept:
        return x

    @ModelClass.method
    def echo_region(self, x: Region) -> Region:
        return x

    @ModelClass.method
    def echo_frame(self, x: Frame) -> Frame:
        return x

    @ModelClass.method
    def echo_str_list(self, x: list[str]) -> list[str]:
        return x

    @ModelClass.method
    def echo_grid(self, x: list[list[int]]) -> list[list[int]]:
        return x

    @ModelClass.method
    def echo_tuple(self, x: tuple[int, str, float]) -> tuple[int, str, float]:
        return x

    @ModelClass.method
    def echo_named(self, x: Person) -> Person:
        return x

    @ModelClass.method
    def echo_images(self, x: list[Image]) -> list[Image]:
        return x

    @ModelClass.method
    def echo_concepts(self, x: list[Concept]) -> list[Concept]:
        return x

    @ModelClass.method
    def echo_regions(self, x: list[Region]) -> list[Region]:
        return x

    @ModelClass.method
    def echo_frames(self, x: list[Frame]) -> list[Frame]:
        return x

    # ---- computing methods ----
    @ModelClass.method
    def image_info(self, image: Image) -> dict:
        """URL images: the URL. Byte images: byte length, format and size via PIL."""
        if image.url:
            return {"kind": "url", "url": image.url}
        pil = PILImage.open(io.BytesIO(image.bytes))
        return {
            "kind": "bytes",
            "bytes_len": len(image.bytes),
            "format": pil.format,
            "size": list(pil.size),
            "mode": pil.mode,
        }

    @ModelClass.method
    def make_image(
        self,
        width: int = Param(4, description="Width in pixels", min_value=1, max_value=64),
        height: int = Param(2, description="Height in pixels", min_value=1, max_value=64),
        color: str = Param("red", description="Fill colour", choices=["red", "green", "blue"]),
    ) -> Image:
        """Return a ``width`` x ``height`` PNG filled with ``color``."""
        if str(color) not in _COLORS:
            raise ValueError(f"unknown color {color!r}")
        return Image.from_pil(PILImage.new("RGB", (int(width), int(height)), _COLORS[str(color)]))

    @ModelClass.method
    def scale(self, x: np.ndarray, factor: float = 2.0) -> np.ndarray:
        """``x * factor`` as float64."""
        return np.asarray(x, dtype=np.float64) * factor

    @ModelClass.method
    def classify(
        self,
        text: str,
        threshold: float = Param(0.25, description="Minimum score", min_value=0.0, max_value=1.0),
        top_k: int = Param(2, description="How many concepts", choices=[1, 2, 3]),
        mode: str = Param("fast", description="Speed/accuracy", choices=["fast", "accurate"]),
    ) -> list[Concept]:
        """One concept per distinct word, score = 1/2^rank; keep ``score >= threshold``."""
        words = list(dict.fromkeys(text.split()))
        out = []
        for rank, w in enumerate(words[: int(top_k)]):
            value = 0.5**rank if str(mode) == "fast" else 1.0 - 0.25 * rank
            if value >= float(threshold):
                out.append(Concept(w, value))
        return out

    @ModelClass.method
    def detect(self, image: Image, n: int = 2) -> list[Region]:
        """``n`` regions, region i has box [i/4, i/4, i/4+1/4, i/4+1/4] and concept ``obj{i}``."""
        return [
            Region(
                id=f"r{i}",
                box=[i * 0.25, i * 0.25, i * 0.25 + 0.25, i * 0.25 + 0.25],
                concepts=[Concept(f"obj{i}", 0.5)],
                text=image.url or f"{len(image.bytes)}B",
            )
            for i in range(n)
        ]

    @ModelClass.method
    def annotate(self, image: Image, caption: str = "") -> Annotated:
        """NamedFields output holding an Image and a List[Concept]."""
        return NamedFields(
            caption=caption.upper(),
            image=image,
            concepts=[Concept(w, 0.5) for w in caption.split()],
        )

    @ModelClass.method
    def defaults(
        self,
        a: str,
        b: str = None,  # noqa: RUF013 (the SDK cannot read Optional[...])
        c: int = 7,
        d: float = 0.0,
        e: bool = True,
        f: list[str] = None,  # noqa: RUF013 (the SDK cannot read Optional[...])
        g: dict = None,  # noqa: RUF013 (the SDK cannot read Optional[...])
    ) -> dict:
        """Report exactly what arrived (omitted arguments show the server-side default)."""
        return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}

    @ModelClass.method
    def count_up(
        self, start: int, n: int = Param(3, description="How many", min_value=0, max_value=100)
    ) -> Iterator[int]:
        """Server streaming: ``start, start+1, ..., start+n-1``."""
        yield from range(start, start + int(n))

    @ModelClass.method
    def stream_regions(self, images: Iterator[Image], n: int = 1) -> Iterator[list[Region]]:
        """Bidi: ``detect(image, n)`` for each incoming image."""
        for image in images:
            yield self.detect(image, n)

    @ModelClass.method
    def isqrt(self, x: int) -> int:
        """The integer square root; raises ``ValueError`` for a negative ``x`` (one bad input
        fails a whole multi-input request, as on the platform's runners)."""
        if x < 0:
            raise ValueError(f"no square root of {x}")
        return math.isqrt(x)

    @ModelClass.method
    def fail(self, arg: str) -> str:
        """Always raises ``RuntimeError("kaboom: <arg>")``."""
        raise RuntimeError(f"kaboom: {arg}")

    @ModelClass.method
    def fail_stream(self, arg: str, after: int = 2) -> Iterator[str]:
        """Yields ``after`` chunks, then raises ``RuntimeError("kaboom: <arg>")``."""
        for i in range(after):
            yield f"{arg}:{i}"
        raise RuntimeError(f"kaboom: {arg}")


# --------------------------------------------------------------------------------------------------
# registry and GetModel bodies

_MODEL_CLASSES: tuple[type[ModelClass], ...] = (AllTypesModel, EveryTypeModel, RealNamesModel)


def _key(cls: type[ModelClass]) -> ModelKey:
    return (cls.USER_ID, cls.APP_ID, cls.MODEL_ID)  # type: ignore[attr-defined]


def oracle_models() -> dict[ModelKey, ModelClass]:
    """Fresh, loaded instances keyed by (user_id, app_id, model_id)."""
    out: dict[ModelKey, ModelClass] = {}
    for cls in _MODEL_CLASSES:
        model = cls()
        model.load_model()
        out[_key(cls)] = model
    return out


def default_version_id(key: ModelKey) -> str:
    """A stable 32-hex version id for a model that has none configured."""
    return hashlib.md5("/".join(key).encode()).hexdigest()


def get_model_response(
    model: ModelClass, user_id: str, app_id: str, model_id: str, version_id: str
) -> service_pb2.SingleModelResponse:
    """The GetModel response the oracle serves (`codegen.serve`'s)."""
    from codegen.serve.registry import ServedModel
    from codegen.spec import ModelRef

    model_type = getattr(model, "MODEL_TYPE_ID", "any-to-any")
    served = ServedModel(ModelRef(user_id, app_id, model_id), model, version_id, model_type)
    return served.response("get_model", None)  # type: ignore[no-any-return]


def signatures_json(
    model: ModelClass,
    *,
    user_id: str | None = None,
    app_id: str | None = None,
    model_id: str | None = None,
    version_id: str | None = None,
) -> dict[str, Any]:
    """The GetModel REST response body (snake_case, enums as ints) for ``model``.

    The ids default to the model class's ``USER_ID`` / ``APP_ID`` / ``MODEL_ID`` / ``VERSION_ID``.
    """
    user_id = user_id or model.USER_ID  # type: ignore[attr-defined]
    app_id = app_id or model.APP_ID  # type: ignore[attr-defined]
    model_id = model_id or model.MODEL_ID  # type: ignore[attr-defined]
    version_id = (
        version_id
        or getattr(model, "VERSION_ID", None)
        or default_version_id((user_id, app_id, model_id))
    )
    resp = get_model_response(model, user_id, app_id, model_id, version_id)
    body = MessageToDict(resp, preserving_proto_field_name=True, use_integers_for_enums=True)
    # Key order as in the real API's bodies (id, user_id, app_id, model_type_id, model_version).
    m = body["model"]
    order = ["id", "user_id", "app_id", "model_type_id", "model_version"]
    body["model"] = {k: m[k] for k in order if k in m} | {
        k: v for k, v in m.items() if k not in order
    }
    return body
