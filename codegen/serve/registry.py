"""The served models, the auth rule and the GetModel bodies, shared by the REST and gRPC servers."""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from clarifai_grpc.grpc.api import resources_pb2, service_pb2
from clarifai_grpc.grpc.api.status import status_code_pb2
from google.protobuf.json_format import MessageToDict

from ..spec import ModelRef

__all__ = [
    "AUTH_SCHEMES",
    "RESPONSES",
    "Listener",
    "Registry",
    "ServedModel",
    "base_record",
    "closing",
    "failures_as_statuses",
    "method_name",
    "status_body",
    "status_response",
    "to_json",
]

ModelKey = tuple[str, str, str]
AUTH_SCHEMES: Final = ("Key", "Bearer")
RESPONSES: Final = {  # the response message of a route that answers something else than outputs
    "get_user": service_pb2.SingleUserResponse,
    "get_model": service_pb2.SingleModelResponse,
    "get_model_version": service_pb2.SingleModelVersionResponse,
    "list_model_versions": service_pb2.MultiModelVersionResponse,
}


@dataclass(frozen=True)
class ServedModel:
    """A loaded `ModelClass` instance and the ids it is served under."""

    ref: ModelRef
    model: Any  # clarifai.runners.models.model_class.ModelClass
    version_id: str
    model_type_id: str = "any-to-any"
    description: str = ""
    methods: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        # The SDK builds its method registry lazily, as a class attribute: concurrent first calls
        # race on it ("dictionary changed size during iteration" in the model), so build it now.
        self.model._get_method_infos()

    def run(self, route: str, requests: Iterator[Any]) -> Iterator[Any]:
        """A model call's responses from the SDK's wrappers, as a runner calls them: `outputs`
        (one), `generate` (a stream), `stream` (bidi: all the requests)."""
        if route == "stream":
            return self.model.stream_wrapper(requests)  # type: ignore[no-any-return]
        first = next(requests)
        if route == "generate":
            return self.model.generate_wrapper(first)  # type: ignore[no-any-return]
        return iter([self.model.predict_wrapper(first)])

    def response(self, route: str, version_id: str | None) -> Any:
        """The response proto of GetModel, GetModelVersion or ListModelVersions (gRPC and REST):
        the model's ids and type, and the version with its method signatures."""
        resp = status_response(status_code_pb2.SUCCESS, "Ok", message=RESPONSES[route])
        m = resp.model if route == "get_model" else resources_pb2.Model()
        m.id, m.user_id, m.app_id = self.ref.model_id, self.ref.user_id, self.ref.app_id
        m.name = self.ref.model_id
        m.model_type_id = self.model_type_id
        if self.description:
            m.description = self.description
        mv = m.model_version
        mv.id = version_id or self.version_id
        mv.user_id = self.ref.user_id
        mv.app_id = self.ref.app_id
        mv.status.code = status_code_pb2.MODEL_TRAINED
        mv.status.description = "Model is trained and ready for deployment"
        infos = self.model._get_method_infos()
        mv.method_signatures.extend(
            info.signature for info in infos.values() if info.signature is not None
        )
        if route == "get_model_version":
            resp.model_version.CopyFrom(mv)
        elif route == "list_model_versions":
            resp.model_versions.append(mv)
        return resp


def status_body(code: int, description: str, details: str | None = None) -> dict[str, Any]:
    return to_json(status_response(code, description, details or ""))


def status_response(
    code: int,
    description: str,
    details: str = "",
    *,
    message: Any = service_pb2.MultiOutputResponse,
) -> Any:
    """A `message` (a response proto class) carrying only a status."""
    resp = message()
    resp.status.code = code
    resp.status.description = description
    if details:
        resp.status.details = details
    return resp


def to_json(msg: Any) -> dict[str, Any]:
    """The REST JSON shape of a proto message: snake_case, enums as ints, bytes as base64."""
    out: dict[str, Any] = MessageToDict(
        msg, preserving_proto_field_name=True, use_integers_for_enums=True
    )
    return out


class Registry:
    """The models served, keyed by (user_id, app_id, model_id), and who may call them.

    Auth: with `pat=None` any `Authorization: Key <token>` (or `Bearer <token>`) is accepted (a local
    development server); with a PAT, only that token (`exact_auth`: only `Key <pat>`, byte for byte).
    Any version id is accepted unless `strict_versions`: a local server hosts one version of each
    model, the code in its directory. `owner_id` is the PAT's owner (`GET /v2/users/me`); by default
    the user id of the first model.
    """

    def __init__(
        self,
        models: Iterable[ServedModel],
        pat: str | None = None,
        *,
        owner_id: str | None = None,
        strict_versions: bool = False,
        exact_auth: bool = False,
    ) -> None:
        self.models: dict[ModelKey, ServedModel] = {
            (s.ref.user_id, s.ref.app_id, s.ref.model_id): s for s in models
        }  # unique: `server.load_models` rejects two directories with the same ids
        self.pat = pat
        first = next(iter(self.models.values()), None)
        self.owner_id = owner_id or (first.ref.user_id if first is not None else "me")
        self.strict_versions = strict_versions
        self.exact_auth = exact_auth

    def route(
        self,
        auth: str | None,
        user_id: str | None = None,
        app_id: str | None = None,
        model_id: str | None = None,
        version_id: str | None = None,
        *,
        model: bool = True,
    ) -> ServedModel | tuple[int, str, str] | None:
        """The model a call with `Authorization` value `auth` goes to (None: `model=False`, a call
        to no model), or the (code, description, details) rejecting it. REST and gRPC use it."""
        denied = self.auth_error(auth)
        if denied is not None:
            return (*denied, "")
        if not model:
            return None
        u, a, m = user_id or "", app_id or "", model_id or ""
        served = self.models.get((u, a, m))
        if served is not None and (
            not self.strict_versions or version_id in ("", None, served.version_id)
        ):
            return served
        what = f"{u}/{a}/{m}" + (f"@{version_id}" if version_id else "")
        serving = ", ".join(sorted(s.ref.path for s in self.models.values()))
        details = f"no model {what} is served here (serving: {serving})"
        return status_code_pb2.MODEL_DOES_NOT_EXIST, "Model does not exist", details

    def user(self, user_id: str) -> Any:
        """GetUser's response: "me" (or the owner's own id) is the PAT's owner; anyone else is
        unknown (`CONN_DOES_NOT_EXIST`)."""
        if user_id not in ("me", self.owner_id):
            no_user = status_code_pb2.CONN_DOES_NOT_EXIST, "User does not exist"
            return status_response(*no_user, message=RESPONSES["get_user"])
        resp = status_response(status_code_pb2.SUCCESS, "Ok", message=RESPONSES["get_user"])
        resp.user.id = self.owner_id
        return resp

    def auth_error(self, header: str | None) -> tuple[int, str] | None:
        """`None` if `header` (the `Authorization` value) may call; else (status code, description)."""
        if not header or not header.strip():
            return status_code_pb2.CONN_KEY_NOT_FOUND, "API key not found"
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme not in AUTH_SCHEMES or not token:
            return (
                status_code_pb2.CONN_KEY_INVALID,
                "Invalid API key: expected an 'Authorization: Key <PAT>' header",
            )
        if self.exact_auth and header != f"Key {self.pat}":
            token = ""
        if self.pat is not None and not hmac.compare_digest(token.encode(), self.pat.encode()):
            return (
                status_code_pb2.CONN_KEY_INVALID,
                "Invalid API key or Invalid API key/application pair",
            )
        return None


class Listener:
    """A server of `registry`'s models on `host:port` (port 0: a free one, known once started).

    `base_url` is `http://host:port`: the `CLARIFAI_API_BASE` (plaintext; with
    `CLARIFAI_TRANSPORT=grpc` for the gRPC server)."""

    def __init__(self, registry: Registry, host: str, port: int) -> None:
        self.registry = registry
        self.host = host
        self.port = port
        self._server: Any = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def base_record(**fields: Any) -> dict[str, Any]:
    """A request as a dict, as a hook sees it (`routes.new_record`: REST, `grpc.new_call`: gRPC):
    what both servers fill in, then `fields`."""
    keys = ("route", "user_id", "app_id", "model_id", "version_id", "proto", "method_name")
    return {"time": time.time(), **dict.fromkeys(keys), "fault": False, **fields}


def method_name(req: service_pb2.PostModelOutputsRequest) -> str | None:
    if req.inputs and "_method_name" in req.inputs[0].data.metadata:
        return str(req.inputs[0].data.metadata["_method_name"])
    return None


def closing(responses: Iterator[Any]) -> Generator[Any, None, None]:
    """Yield from a wrapper's generator and always close it (the model's generator runs `finally`)."""
    try:
        yield from responses
    finally:
        close = getattr(responses, "close", None)
        if close is not None:
            close()


def failures_as_statuses(quiet: bool = False) -> Callable[[], None]:
    """Model exceptions must become FAILURE statuses, as on the platform, whatever
    `RAISE_EXCEPTIONS` said when the SDK was imported. `quiet`: hide the SDK's tracebacks of them
    (a FAILURE status says it) until the returned function is called."""
    from clarifai.runners.models import model_class

    model_class._RAISE_EXCEPTIONS = False
    log = logging.getLogger("clarifai")
    if quiet:
        log.addFilter(_loud)
    return lambda: log.removeFilter(_loud)


def _loud(record: logging.LogRecord) -> bool:
    """False for the SDK's `logger.exception("Error in predict")` (generate, stream) tracebacks."""
    return not record.getMessage().startswith(
        ("Error in predict", "Error in generate", "Error in stream")
    )
