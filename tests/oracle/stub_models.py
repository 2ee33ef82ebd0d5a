"""Stub ``ModelClass`` models rebuilt from stored method signatures (no model code needed).

The bundled fixtures in ``signatures/*.json`` describe real Clarifai models whose code we do not
have. This module turns each stored ``MethodSignature`` back into a real ``@ModelClass.method``
whose ``__signature__`` carries SDK annotations and reconstructed defaults, so that

    build_function_signature(method) == the stored signature

(compared as ``MessageToDict(..., preserving_proto_field_name=True)``), and the oracle server can
run the stub through the SDK's own ``predict_wrapper`` / ``generate_wrapper`` / ``stream_wrapper``::

    models, versions = fixture_models(REPO / "signatures")
    with OracleServer(models=models, versions=versions) as srv:
        ...

API:
    load_method_signatures(path)  -> [MethodSignature]   (GetModel / GetModelVersion responses,
                                     ``_GET_SIGNATURES`` dicts, bare lists; snake or camel case,
                                     enums as names or ints)
    stub_model(signatures)        -> ModelClass instance, one stub method per signature
    stub_method(signature)        -> the decorated function for one signature
    fixture_models(dir)           -> ({(user, app, model): model}, {(user, app, model): version})
    sample_value(field, method)   -> the deterministic sample value for a ModelTypeField
    normalize_signature(dict)     -> a signature dict with the irreproducible parts normalized

Stub bodies accept any keyword arguments and ignore them. They return ``sample_value`` of the
return field; an iterator return yields two samples; a streamed input yields one sample per input
item. Samples: str ``"sample <method>"``, int 1, float 0.5, bool True, bytes ``b"x"``, ndarray
``np.zeros((2, 2), float32)``, JSON ``{"ok": True}``, ``Text("sample")``, ``Image``/``Audio``/
``Video`` with sample URLs, ``Concept("cat", 0.5)``, ``Region`` with a box and one concept (fixed
id), ``Frame(image, index=1, time=0.5)``, lists of one sample, tuples and ``NamedFields`` of samples.

Default reconstruction (``ModelTypeField.default`` is a string, §2.4 of the protocol notes):
    * ``Param(default, description, min_value, max_value, choices, is_param)`` when ``is_param`` is
      set or a description, choices or range is present; a plain default otherwise;
    * ``"null"`` -> ``None`` (any type);
    * STR fields: the stored string itself (``Param.set_default`` stores ``str`` raw), so ``""``
      (``required`` false, no default) -> ``""``, and a legacy JSON-quoted ``'"low"'`` stays
      ``'"low"'``;
    * other types: ``json.loads(default)`` when ``json.dumps`` of the result gives the stored
      string back; else a ``Text(...)``/``Image(...)``/... repr (a non-JSON default stored with
      ``str(obj)``) is rebuilt as that object when its ``str()`` reproduces the string; else the
      raw string (e.g. ``""`` on a non-STR field). The signature still round-trips exactly in the
      fallback cases, only the Python default is a ``str``.
    * range: proto3 drops a 0.0 bound, so ``{"max": 1.0}`` becomes ``max_value=1.0`` with no
      ``min_value`` (the original ``min_value=0.0`` is unknowable but the proto is identical); an
      empty-but-present range ``{}`` becomes ``min_value=0.0``.

Irreproducible signature parts (``build_function_signature`` cannot write them; ``stub_method``
drops them and ``normalize_signature`` applies the same change to the expected dict). None of them
occurs in the 12 bundled fixtures, which all round-trip exactly:
    1. ``description`` that is not ``inspect.cleandoc``-clean (the SDK cleandoc's ``__doc__``);
    2. more than one output field, or an output not named ``"return"`` (first one kept, renamed);
    3. ``required``/``default``/``is_param``/description/choices/range on outputs or nested
       ``type_args`` (never written there), ``iterator`` on nested ``type_args``;
    4. ``required: true`` together with a default or Param metadata (a required parameter has no
       default, and ``Param.to_proto`` forces ``required`` false) -> those extras are dropped;
    5. LIST/TUPLE ``type_args`` not named ``<parent>_item`` (the SDK names them);
    6. enum options with anything but ``id``; the old UI fields ``path``, ``field_type``,
       ``default_value``, ``placeholder``, ``internal_only``;
    7. ``method_type`` inconsistent with the ``iterator`` flags (derived from them).
Unsupported (``ValueError``): STREAMING_UNARY methods, more than one streamed input, NOT_SET types,
LIST without an item type, empty TUPLE.
"""

import ast
import copy
import inspect
import json
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils import data_types
from clarifai.runners.utils.data_utils import Param
from clarifai_grpc.grpc.api import resources_pb2
from google.protobuf.json_format import ParseDict

__all__ = [
    "SAMPLE_AUDIO_URL",
    "SAMPLE_IMAGE_URL",
    "SAMPLE_VIDEO_URL",
    "annotation_for",
    "default_for",
    "fixture_models",
    "load_method_signatures",
    "normalize_signature",
    "sample_value",
    "stub_method",
    "stub_model",
]

ModelKey = tuple[str, str, str]
DT = resources_pb2.ModelTypeField.DataType

SAMPLE_IMAGE_URL = "https://samples.clarifai.com/metro-north.jpg"
SAMPLE_AUDIO_URL = "https://samples.clarifai.com/GoodMorning.wav"
SAMPLE_VIDEO_URL = "https://samples.clarifai.com/beer.mp4"

_SCALAR_TYPES: dict[int, Any] = {
    DT.STR: str,
    DT.BYTES: bytes,
    DT.INT: int,
    DT.FLOAT: float,
    DT.BOOL: bool,
    DT.NDARRAY: np.ndarray,
    DT.JSON_DATA: data_types.JSON,
    DT.TEXT: data_types.Text,
    DT.IMAGE: data_types.Image,
    DT.CONCEPT: data_types.Concept,
    DT.REGION: data_types.Region,
    DT.FRAME: data_types.Frame,
    DT.AUDIO: data_types.Audio,
    DT.VIDEO: data_types.Video,
}

# data types whose str() is stored when json.dumps fails (non-JSON defaults)
_MEDIA_CLASSES = {
    cls.__name__: cls
    for cls in (
        data_types.Text,
        data_types.Image,
        data_types.Audio,
        data_types.Video,
        data_types.Concept,
        data_types.Region,
        data_types.Frame,
    )
}


# --------------------------------------------------------------------------------------------------
# loading


def _signature_dicts(doc: Any) -> list[dict[str, Any]]:
    """The raw signature dicts in any of the fixture shapes."""
    if isinstance(doc, list):
        return list(doc)
    if not isinstance(doc, dict):
        raise ValueError(f"unrecognized signatures document: {type(doc).__name__}")
    for model_key in ("model", "Model"):
        if isinstance(doc.get(model_key), dict):
            return _signature_dicts(doc[model_key])
    for version_key in ("model_version", "modelVersion"):
        if isinstance(doc.get(version_key), dict):
            return _signature_dicts(doc[version_key])
    for sigs_key in ("method_signatures", "methodSignatures"):
        if sigs_key in doc:
            return list(doc[sigs_key])
    # _GET_SIGNATURES payload: {name: signature}
    if doc and all(isinstance(v, dict) for v in doc.values()):
        out = []
        for name, sig in doc.items():
            out.append(sig if "name" in sig else {**sig, "name": name})
        return out
    raise ValueError("no method signatures found in document")


def load_method_signatures(path: str | Path) -> list[resources_pb2.MethodSignature]:
    """Parse the ``MethodSignature`` list out of a GetModel / GetModelVersion response, a
    ``_GET_SIGNATURES`` dict (camelCase) or a bare list; enums may be names or ints."""
    doc = json.loads(Path(path).read_text())
    return [ParseDict(d, resources_pb2.MethodSignature()) for d in _signature_dicts(doc)]


# --------------------------------------------------------------------------------------------------
# annotations and defaults


def annotation_for(field: resources_pb2.ModelTypeField, *, top: bool = True) -> Any:
    """The SDK annotation for a field (``Iterator[...]`` when ``top`` and ``field.iterator``)."""
    t = field.type
    if t in _SCALAR_TYPES:
        tp = _SCALAR_TYPES[t]
    elif t == DT.LIST:
        if len(field.type_args) != 1:
            raise ValueError(f"LIST field {field.name!r} needs exactly one type argument")
        tp = typing.List[annotation_for(field.type_args[0], top=False)]  # noqa: UP006
    elif t == DT.TUPLE:
        if not field.type_args:
            raise ValueError(f"TUPLE field {field.name!r} has no type arguments")
        tp = typing.Tuple[tuple(annotation_for(a, top=False) for a in field.type_args)]  # noqa: UP006
    elif t == DT.NAMED_FIELDS:
        tp = data_types.NamedFields(
            **{a.name: annotation_for(a, top=False) for a in field.type_args}
        )
    else:
        raise ValueError(f"unsupported data type {t} for field {field.name!r}")
    if top and field.iterator:
        return Iterator[tp]
    return tp


def _media_default(text: str) -> Any:
    """Rebuild ``Text(text='', url=None)``-style defaults (stored as ``str(obj)``); else raise."""
    node = ast.parse(text, mode="eval").body
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise ValueError(text)
    cls = _MEDIA_CLASSES[node.func.id]
    args = [ast.literal_eval(a) for a in node.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    obj = cls(*args, **kwargs)
    if str(obj) != text:
        raise ValueError(text)
    return obj


def _default_value(field: resources_pb2.ModelTypeField) -> Any:
    d = field.default
    if d == "null":
        return None
    if field.type == DT.STR or d == "":
        return d
    try:
        value = json.loads(d)
        if json.dumps(value) == d:
            return value
    except ValueError:
        pass
    try:
        return _media_default(d)
    except Exception:
        return d


def _needs_param(field: resources_pb2.ModelTypeField) -> bool:
    return bool(
        field.is_param
        or field.description
        or field.model_type_enum_options
        or field.HasField("model_type_range_info")
    )


def default_for(field: resources_pb2.ModelTypeField) -> Any:
    """The Python default for a top-level input field (``inspect.Parameter.empty`` if required)."""
    if field.required:
        return inspect.Parameter.empty
    value = _default_value(field)
    if not _needs_param(field):
        return value
    min_value = max_value = None
    if field.HasField("model_type_range_info"):
        r = field.model_type_range_info
        min_value = r.min if r.min else None
        max_value = r.max if r.max else None
        if min_value is None and max_value is None:
            min_value = 0.0  # keeps the (empty) range message present
    choices = [o.id for o in field.model_type_enum_options] or None
    return Param(
        default=value,
        description=field.description or None,
        min_value=min_value,
        max_value=max_value,
        choices=choices,
        is_param=field.is_param,
    )


# --------------------------------------------------------------------------------------------------
# samples


def sample_value(field: resources_pb2.ModelTypeField, method_name: str = "") -> Any:
    """The deterministic sample for a field's type (ignores ``iterator``)."""
    t = field.type
    if t == DT.STR:
        return f"sample {method_name}".rstrip()
    if t == DT.BYTES:
        return b"x"
    if t == DT.INT:
        return 1
    if t == DT.FLOAT:
        return 0.5
    if t == DT.BOOL:
        return True
    if t == DT.NDARRAY:
        return np.zeros((2, 2), dtype=np.float32)
    if t == DT.JSON_DATA:
        return {"ok": True}
    if t == DT.TEXT:
        return data_types.Text("sample")
    if t == DT.IMAGE:
        return data_types.Image(url=SAMPLE_IMAGE_URL)
    if t == DT.AUDIO:
        return data_types.Audio(url=SAMPLE_AUDIO_URL)
    if t == DT.VIDEO:
        return data_types.Video(url=SAMPLE_VIDEO_URL)
    if t == DT.CONCEPT:
        return data_types.Concept("cat", 0.5)
    if t == DT.REGION:
        return data_types.Region(
            box=[0.1, 0.2, 0.5, 0.6], concepts=[data_types.Concept("cat", 0.5)], id="sample-region"
        )
    if t == DT.FRAME:
        return data_types.Frame(image=data_types.Image(url=SAMPLE_IMAGE_URL), index=1, time=0.5)
    if t == DT.LIST:
        return [sample_value(field.type_args[0], method_name)]
    if t == DT.TUPLE:
        return tuple(sample_value(a, method_name) for a in field.type_args)
    if t == DT.NAMED_FIELDS:
        return data_types.NamedFields(
            **{a.name: sample_value(a, method_name) for a in field.type_args}
        )
    raise ValueError(f"unsupported data type {t} for field {field.name!r}")


# --------------------------------------------------------------------------------------------------
# stubs


def _parameters(sig: resources_pb2.MethodSignature) -> list[inspect.Parameter]:
    fields = list(sig.input_fields)
    defaults = [default_for(f) for f in fields]
    # a required parameter after a defaulted one is only legal as keyword-only
    empty = inspect.Parameter.empty
    kinds = [inspect.Parameter.POSITIONAL_OR_KEYWORD] * len(fields)
    first = next((i for i, d in enumerate(defaults) if d is not empty), len(fields))
    if any(d is empty for d in defaults[first:]):
        kinds[first:] = [inspect.Parameter.KEYWORD_ONLY] * (len(fields) - first)
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for f, d, kind in zip(fields, defaults, kinds, strict=True):
        params.append(inspect.Parameter(f.name, kind, default=d, annotation=annotation_for(f)))
    return params


def stub_method(sig: resources_pb2.MethodSignature) -> Any:
    """A ``@ModelClass.method`` function reproducing ``sig`` (see the module docstring)."""
    if sig.method_type == resources_pb2.STREAMING_UNARY:
        raise ValueError(f"{sig.name}: STREAMING_UNARY methods cannot be built by the SDK")
    if not sig.output_fields:
        raise ValueError(f"{sig.name}: no output field")
    streamed = [f for f in sig.input_fields if f.iterator]
    if len(streamed) > 1:
        raise ValueError(f"{sig.name}: more than one streamed input")
    out = resources_pb2.ModelTypeField()
    out.CopyFrom(sig.output_fields[0])
    name = sig.name
    stream_arg = streamed[0].name if streamed else None
    out_iter = out.iterator or stream_arg is not None

    if stream_arg is not None:

        def fn(self: Any, **kwargs: Any) -> Any:
            for _item in kwargs.get(stream_arg, ()):
                yield sample_value(out, name)

    elif out_iter:

        def fn(self: Any, **kwargs: Any) -> Any:
            for _ in range(2):
                yield sample_value(out, name)

    else:

        def fn(self: Any, **kwargs: Any) -> Any:
            return sample_value(out, name)

    out_ann = annotation_for(out, top=False)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = sig.description
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        _parameters(sig), return_annotation=Iterator[out_ann] if out_iter else out_ann
    )
    return ModelClass.method(fn)


def stub_model(
    signatures: list[resources_pb2.MethodSignature], *, class_name: str = "StubModel"
) -> ModelClass:
    """A ``ModelClass`` instance with one stub method per signature."""
    names = [s.name for s in signatures]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate method names: {names}")
    namespace: dict[str, Any] = {s.name: stub_method(s) for s in signatures}
    namespace["__doc__"] = "Stub model rebuilt from stored method signatures."
    namespace["__module__"] = __name__
    cls = type(class_name, (ModelClass,), namespace)
    model: ModelClass = cls()
    return model


# --------------------------------------------------------------------------------------------------
# the bundled fixtures


def _ids_from_doc(doc: Any) -> tuple[ModelKey | None, str | None]:
    if not isinstance(doc, dict):
        return None, None
    model = doc.get("model")
    version = doc.get("model_version") or doc.get("modelVersion")
    key = None
    if isinstance(model, dict):
        user = model.get("user_id") or model.get("userId")
        app = model.get("app_id") or model.get("appId")
        mid = model.get("id")
        if user and app and mid:
            key = (user, app, mid)
        version = model.get("model_version") or model.get("modelVersion") or version
    version_id = version.get("id") if isinstance(version, dict) else None
    return key, version_id or None


def fixture_models(
    signatures_dir: str | Path,
) -> tuple[dict[ModelKey, ModelClass], dict[ModelKey, str]]:
    """Stubs for every fixture listed in ``signatures_dir/index.json``.

    Ids come from the file (GetModel responses) or from the index entry's ``model``; version ids
    from the file when it has one (the others get the server's default id).
    """
    root = Path(signatures_dir)
    index = json.loads((root / "index.json").read_text())
    models: dict[ModelKey, ModelClass] = {}
    versions: dict[ModelKey, str] = {}
    for stem, entry in index.items():
        path = root / f"{stem}.json"
        key, version_id = _ids_from_doc(json.loads(path.read_text()))
        if key is None:
            m = entry["model"]
            key = (m["user_id"], m["app_id"], m["id"])
        if key in models:
            raise ValueError(f"duplicate model key {key} ({stem})")
        class_name = "Stub_" + "".join(c if c.isalnum() else "_" for c in stem)
        models[key] = stub_model(load_method_signatures(path), class_name=class_name)
        if version_id:
            versions[key] = version_id
    return models, versions


# --------------------------------------------------------------------------------------------------
# normalization of the irreproducible parts (for round-trip comparisons)

_PARAM_KEYS = ("default", "description", "model_type_enum_options", "model_type_range_info")
_UI_KEYS = ("path", "field_type", "default_value", "placeholder", "internal_only")


def _normalize_nested(field: dict[str, Any]) -> None:
    for key in ("required", "iterator", "is_param", *_PARAM_KEYS, *_UI_KEYS):
        field.pop(key, None)
    _normalize_type_args(field)


def _normalize_type_args(field: dict[str, Any]) -> None:
    args = field.get("type_args", [])
    for a in args:
        if field.get("type") in ("LIST", "TUPLE"):
            a["name"] = f"{field['name']}_item"
        _normalize_nested(a)


def normalize_signature(sig: dict[str, Any]) -> dict[str, Any]:
    """Apply the documented irreproducible-part rules to a
    ``MessageToDict(sig, preserving_proto_field_name=True)`` dict (enum names)."""
    sig = copy.deepcopy(sig)
    if "description" in sig:
        sig["description"] = inspect.cleandoc(sig["description"])
        if not sig["description"]:
            del sig["description"]
    outs = sig.get("output_fields", [])[:1]
    for o in outs:
        o["name"] = "return"
        iterator = o.get("iterator")
        _normalize_nested(o)
        if iterator:
            o["iterator"] = True
    sig["output_fields"] = outs
    in_iter = False
    for f in sig.get("input_fields", []):
        for key in _UI_KEYS:
            f.pop(key, None)
        if f.get("required"):
            for key in ("is_param", *_PARAM_KEYS):
                f.pop(key, None)
        for opt in f.get("model_type_enum_options", []):
            for key in list(opt):
                if key != "id":
                    del opt[key]
        _normalize_type_args(f)
        in_iter = in_iter or bool(f.get("iterator"))
    out_iter = bool(outs and outs[0].get("iterator"))
    if in_iter and outs:
        outs[0]["iterator"] = True
        out_iter = True
    sig["method_type"] = (
        "STREAMING_STREAMING" if in_iter else "UNARY_STREAMING" if out_iter else "UNARY_UNARY"
    )
    return sig
