"""The request envelope, response status checks and stream framing (protocol §4.1, §4.9)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .decode import MalformedResponse, decode_value
from .errors import error_from_body, error_from_status, status_code
from .protocol import MIXED_STATUS, SUCCESS
from .signature import Type

__all__ = [
    "FrameDecoder",
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
    code = status_code(status.get("code")) if isinstance(status, dict) else None
    outputs = body.get("outputs")
    # A batch's MIXED_STATUS: each output has its own status, checked by `batch.BatchResults`.
    mixed = code == MIXED_STATUS and isinstance(outputs, list) and len(outputs) > 1
    if status is not None and code != SUCCESS and not mixed:
        raise error_from_status(status, http_status)
    if not mixed and isinstance(outputs, list) and outputs and isinstance(outputs[0], dict):
        out_status = outputs[0].get("status")
        if isinstance(out_status, dict) and status_code(out_status.get("code")) not in (
            None,
            SUCCESS,
        ):
            raise error_from_status(out_status, http_status)
    return body


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
    outputs = body.get("outputs")
    if not isinstance(outputs, list) or not outputs or not isinstance(outputs[0], dict):
        raise MalformedResponse("malformed response: no outputs")
    data = outputs[0].get("data") or {}
    if not isinstance(data, dict):
        raise MalformedResponse("malformed response: outputs[0].data is not an object")
    for part in data.get("parts") or ():
        if isinstance(part, dict) and part.get("id") == "return":
            return decode_value(t, part.get("data") or {}, "return")
    return decode_value(t, data, "return")


def unwrap_frame(frame: Any, http_status: int | None) -> Json:
    """One streamed object: `{"result": resp}`, a bare response, or `{"error": ...}` (raised)."""
    if isinstance(frame, dict):
        if isinstance(frame.get("result"), dict):
            return check_response(frame["result"], http_status)
        if "error" in frame and "status" not in frame and "outputs" not in frame:
            raise error_from_body(frame, http_status, json.dumps(frame))
    return check_response(frame, http_status)


_SEPARATORS = " \t\r\n,[]"


class FrameDecoder:
    """Split a streamed body into JSON values: NDJSON, concatenated JSON, or a JSON array."""

    def __init__(self) -> None:
        self._buf = ""
        self._decoder = json.JSONDecoder()

    def feed(self, text: str) -> list[Any]:
        """Add text; return the values completed by it."""
        self._buf += text
        values = []
        while True:
            rest = self._buf.lstrip(_SEPARATORS)
            if not rest:
                self._buf = ""
                break
            if rest[0] != "{":
                raise MalformedResponse(f"malformed stream: unexpected {rest[:40]!r}")
            try:
                value, end = self._decoder.raw_decode(rest)
            except json.JSONDecodeError:
                self._buf = rest  # incomplete: wait for more
                break
            values.append(value)
            self._buf = rest[end:]
        return values

    def finish(self) -> None:
        """At the end of the body: anything left over is a truncated message."""
        if self._buf.strip(_SEPARATORS):
            raise MalformedResponse(f"malformed stream: truncated message {self._buf[:40]!r}")
