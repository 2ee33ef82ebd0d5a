"""REST request parsing: which route a path is, and the request bodies as Clarifai's protos."""

from __future__ import annotations

import json
import re
from typing import Any, Final
from urllib.parse import unquote

from clarifai_grpc.grpc.api import service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2

from .protojson import parse_dict
from .registry import base_record, status_body

__all__ = [
    "ROUTES",
    "HTTPError",
    "bad_request",
    "fail",
    "new_record",
    "parse_request",
    "parse_requests",
]

_MODEL_PATH: Final = re.compile(
    r"^/v2/users/(?P<u>[^/]+)/apps/(?P<a>[^/]+)/models/(?P<m>[^/]+)"
    r"(?:/versions/(?P<v>[^/]+))?"
    r"(?P<tail>/outputs(?:/generate|/stream)?|/versions)?/?$"
)
_GLOBAL_STREAM_PATH: Final = "/v2/models/outputs/stream"
_USER_PATH: Final = re.compile(r"^/v2/users/(?P<u>[^/]+)/?$")
_TAILS: Final = {
    "/versions": "list_model_versions",
    "/outputs": "outputs",
    "/outputs/generate": "generate",
    "/outputs/stream": "stream",
}
ROUTES: Final = frozenset([*_TAILS.values(), "get_model", "get_model_version", "get_user"])


class HTTPError(Exception):
    def __init__(self, http_status: int, body: dict[str, Any]) -> None:
        super().__init__(http_status, body)
        self.http_status = http_status
        self.body = body


def fail(http_status: int, code: int, description: str, details: str | None = None) -> HTTPError:
    return HTTPError(http_status, status_body(code, description, details))


def bad_request(details: str) -> HTTPError:
    return fail(400, status_code_pb2.CONN_INVALID_REQUEST, "Invalid request", details)


def new_record(method: str, path: str, query: str, headers: Any, raw: bytes) -> dict[str, Any]:
    """A REST request's record (`registry.base_record`): what arrived, its route and ids; the handler
    fills in the rest (`proto`, `method_name`, `http_status`, `responses`, `outcome`)."""
    body = None
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            pass
    record = base_record(
        method=method,
        path=path,
        query=query,
        headers={k.lower(): v for k, v in headers.items()},
        raw_body=raw,
        body=body,
        http_status=None,
        responses=None,
        outcome="-",
    )
    if m := _MODEL_PATH.match(path):
        record.update(
            user_id=unquote(m["u"]),
            app_id=unquote(m["a"]),
            model_id=unquote(m["m"]),
            version_id=unquote(m["v"]) if m["v"] else None,
        )
        tail = m["tail"]
        if tail is None:
            record["route"] = "get_model_version" if m["v"] else "get_model"
        elif not (tail == "/versions" and m["v"]):
            record["route"] = _TAILS[tail]
    elif path.rstrip("/") == _GLOBAL_STREAM_PATH:
        record["route"] = "stream"
    elif u := _USER_PATH.match(path):
        record.update(route="get_user", user_id=unquote(u["u"]))
    return record


def parse_request(body: Any) -> service_pb2.PostModelOutputsRequest:
    """A JSON body as a `PostModelOutputsRequest`; unknown fields are a 400."""
    if not isinstance(body, dict):
        raise bad_request(f"request body must be a JSON object, got {type(body).__name__}")
    try:
        req = parse_dict(body, service_pb2.PostModelOutputsRequest)
    except Exception as e:  # json_format.ParseError and friends
        raise bad_request(str(e)) from e
    return req


def parse_requests(raw: bytes) -> list[service_pb2.PostModelOutputsRequest]:
    """A stream's body: NDJSON, one request per line (grpc-gateway's client-stream framing)."""
    lines = raw.decode("utf-8", errors="replace").splitlines()
    try:
        items = [json.loads(line) for line in lines if line.strip()]
    except ValueError as e:
        raise bad_request(str(e)) from e
    if not items:
        raise bad_request("no requests in body")
    return [parse_request(item) for item in items]
