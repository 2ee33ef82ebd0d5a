"""Signature-only models: a GetModel API answered from saved signature JSON, nothing run.

`signature_model(ref, body)` takes any shape the generator reads (a GetModel or GetModelVersion
response, a bare list of method signatures, `{"method_signatures": [...]}`, the SDK's
`_GET_SIGNATURES` dict keyed by method name) and serves it as it is where it fits (GetModel bodies on
the model route, GetModelVersion bodies on the version route), deriving the other route's body.
Nothing is validated: a test double may serve hostile or broken bodies on purpose.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from clarifai_grpc.grpc.api.status import status_code_pb2

from ..spec import ModelRef
from .registry import SignatureModel, status_body

__all__ = ["DEFAULT_VERSION", "model_version_of", "signature_model"]

DEFAULT_VERSION: Final = "v1"


def model_version_of(body: Any, version_id: str | None = None) -> dict[str, Any] | None:
    """The `model_version` object in any signature shape (None if the body has none)."""
    if isinstance(body, list):
        return {"id": version_id or DEFAULT_VERSION, "method_signatures": copy.deepcopy(body)}
    if not isinstance(body, dict):
        raise TypeError(f"unsupported body {type(body).__name__}")
    if isinstance(body.get("model"), dict):
        mv = body["model"].get("model_version")
    elif "model_version" in body:
        mv = body["model_version"]
    elif "method_signatures" in body:
        mv = {"method_signatures": body["method_signatures"]}
    elif body and all(isinstance(v, dict) for v in body.values()):  # _GET_SIGNATURES, keyed by name
        mv = {"method_signatures": [{**v, "name": k} for k, v in body.items()]}
    else:
        mv = None
    if not isinstance(mv, dict):
        return None
    mv = copy.deepcopy(mv)
    if version_id is not None:
        mv["id"] = version_id
    mv.setdefault("id", DEFAULT_VERSION)
    return mv


def signature_model(ref: ModelRef, body: Any, version_id: str | None = None) -> SignatureModel:
    """`body` served as the latest version of `ref` (a body without a `model_version`, a
    non-pythonic model, only on the model route)."""
    ok = status_body(status_code_pb2.SUCCESS, "Ok")
    mv = model_version_of(body, version_id)
    if isinstance(body, dict) and isinstance(body.get("model"), dict):
        latest = copy.deepcopy(body)
    else:
        latest = {**ok, "model": {"id": ref.model_id, "user_id": ref.user_id, "app_id": ref.app_id}}
    if mv is None:
        return SignatureModel(ref, latest, {})
    latest["model"]["model_version"] = mv
    if isinstance(body, dict) and "model_version" in body and "model" not in body:
        served = {**copy.deepcopy(body), "model_version": mv}
    else:
        served = {**ok, "model_version": mv}
    return SignatureModel(ref, latest, {mv["id"]: served})
