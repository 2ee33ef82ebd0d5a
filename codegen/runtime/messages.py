"""The request envelope, response status checks, stream frames (protocol §4.1, §4.9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .decode import MalformedResponse, decode_value
from .decoders import obj
from .errors import ClarifaiError, error_from_body, error_from_status, shown, status_code
from .protocol import MIXED_STATUS, SUCCESS
from .signature import Type

__all__ = [
    "ModelRef",
    "check_response",
    "output_value",
    "owner_id_of",
    "request_body",
    "unwrap_frame",
]

Json = dict[str, Any]


@dataclass(frozen=True)
class ModelRef:
    """Where a model lives: `https://clarifai.com/{user_id}/{app_id}/models/{model_id}`."""

    user_id: str
    app_id: str
    model_id: str
    version_id: str | None = None


def request_body(
    model: ModelRef, method_name: str, parts: list[Json], runner: Json | None = None
) -> Json:
    """A `PostModelOutputsRequest` with one input calling `method_name`, routed to `runner`
    (a `RunnerSelector.to_json()`) when given."""
    data: Json = {"metadata": {"_method_name": method_name}}
    if parts:
        data["parts"] = parts
    body: Json = {
        "user_app_id": {"user_id": model.user_id, "app_id": model.app_id},
        "model_id": model.model_id,
    }
    if model.version_id:
        body["version_id"] = model.version_id
    body["inputs"] = [{"data": data}]
    if runner is not None:
        body["runner_selector"] = runner
    return body


def check_response(body: Any, http_status: int | None) -> Json:
    """Return a successful `MultiOutputResponse` dict, or raise the matching ClarifaiError."""
    if not isinstance(body, dict):
        raise MalformedResponse(
            "malformed response: expected a JSON object", http_status=http_status
        )
    status = body.get("status")
    code = _code(status.get("code")) if isinstance(status, dict) else None
    outputs = body.get("outputs")
    # A batch's MIXED_STATUS: each output has its own status, checked by `batch.BatchResults`.
    mixed = code == MIXED_STATUS and isinstance(outputs, list) and len(outputs) > 1
    if status is not None and code != SUCCESS and not mixed:
        raise error_from_status(status, http_status)
    if not mixed and isinstance(outputs, list) and outputs and isinstance(outputs[0], dict):
        out_status = outputs[0].get("status")
        if isinstance(out_status, dict) and _code(out_status.get("code")) not in (
            None,
            SUCCESS,
        ):
            raise error_from_status(out_status, http_status)
    return body


def _code(raw: Any) -> int | None:
    """`status_code`, an int (as gRPC and most JSON give it) taken as it is."""
    return raw if type(raw) is int else status_code(raw)


def owner_id_of(body: Json) -> str:
    """`user.id` of a successful `SingleUserResponse`."""
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str) or not user_id.strip():
        raise MalformedResponse("malformed response: the user lookup carries no user.id")
    return user_id.strip()


def has_outputs(body: Json) -> bool:
    """Does a (successful) response carry a value? Streams may send empty messages."""
    outputs = body.get("outputs")
    return isinstance(outputs, list) and bool(outputs)


def output_value(t: Type, body: Json) -> Any:
    """Decode `outputs[0].data.parts[id == "return"].data` (or the value inlined on `data`)."""
    try:
        return _output_value(t, body)
    except (ClarifaiError, ImportError):  # ImportError: an optional package (numpy) is missing
        raise
    except RecursionError:  # decoding follows the nesting of the response
        raise MalformedResponse("malformed response: the value is nested too deeply") from None
    except Exception as exc:  # whatever else a hostile value trips over: still a typed error
        what = f"{type(exc).__name__}: {shown(str(exc))}"
        raise MalformedResponse(f"malformed response: cannot decode the value ({what})") from None


def _output_value(t: Type, body: Json) -> Any:
    outputs = body.get("outputs")
    if not isinstance(outputs, list) or not outputs or not isinstance(outputs[0], dict):
        raise MalformedResponse("malformed response: no outputs")
    data = obj(outputs[0].get("data"), "outputs[0].data")
    parts = data.get("parts")
    for part in parts if isinstance(parts, list) else ():
        if isinstance(part, dict) and part.get("id") == "return":
            return decode_value(t, obj(part.get("data"), "return"), "return")
    return decode_value(t, data, "return")


def unwrap_frame(frame: Any, http_status: int | None) -> Json:
    """One streamed object: `{"result": resp}`, a bare response, or `{"error": ...}` (raised)."""
    if isinstance(frame, dict):
        if isinstance(frame.get("result"), dict):
            return check_response(frame["result"], http_status)
        if "error" in frame and "status" not in frame and "outputs" not in frame:
            raise error_from_body(frame, http_status)
    return check_response(frame, http_status)
