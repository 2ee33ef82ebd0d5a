"""What the test doubles of the API share: a mixin over a `codegen.serve` server (recording, faults).

The oracles serve through `codegen.serve` (the shipped local API) with stricter settings: only
`Key <pat>` byte for byte, only the configured version of each model, a PAT owner for users/me.
What stays independent of the code under test is the SDK: bodies are parsed with Clarifai's protos
and models run in the SDK's own `predict_wrapper` / `generate_wrapper` / `stream_wrapper`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

# model_class reads RAISE_EXCEPTIONS at import time; exceptions must become FAILURE statuses.
os.environ.pop("RAISE_EXCEPTIONS", None)

from clarifai_grpc.grpc.api.status import status_code_pb2

from codegen.serve.recorder import Recorder
from codegen.serve.registry import Registry, ServedModel, failures_as_statuses
from codegen.spec import ModelRef

if TYPE_CHECKING:
    from clarifai.runners.models.model_class import ModelClass

ModelKey = tuple[str, str, str]

DEFAULT_PAT = "test-pat"
DEFAULT_OWNER = "oracle-owner"  # the user id of DEFAULT_PAT's owner (users/me, GetUser)
FAULT_STATUS: dict[int, tuple[int, str]] = {  # the status body of an injected HTTP status
    400: (status_code_pb2.CONN_INVALID_REQUEST, "Invalid request"),
    401: (status_code_pb2.CONN_KEY_INVALID, "Invalid API key or Invalid API key/application pair"),
    403: (status_code_pb2.CONN_INSUFFICIENT_SCOPES, "Insufficient scopes"),
    404: (status_code_pb2.MODEL_DOES_NOT_EXIST, "Model does not exist"),
    429: (status_code_pb2.CONN_THROTTLED, "Making too many requests"),
    500: (status_code_pb2.INTERNAL_SERVER_ISSUE, "Internal server issue"),
    502: (status_code_pb2.INTERNAL_SERVER_ISSUE, "Internal server issue"),
    503: (status_code_pb2.MODEL_BUSY_PLEASE_RETRY, "Model is busy, please retry"),
    504: (status_code_pb2.INTERNAL_SERVER_ISSUE, "Internal server issue"),
}


class ApiDouble(Recorder):
    """A mixin over a `codegen.serve` server (``class Double(ApiDouble, RestServer)``) whose hook
    records every request and takes faults from a FIFO queue (`codegen.serve.recorder`); model
    failures are quiet statuses while it runs; ``errors``: tracebacks of server bugs (REST)."""

    def __init__(self, registry: Registry) -> None:
        super().__init__(registry)  # Recorder's, then the server's
        self._stopping = threading.Event()  # set by stop(): cuts injected delays short
        self._unquiet: Callable[[], None] = lambda: None
        self.errors: list[str] = []

    def on_error(self, text: str) -> None:
        self.errors.append(text)

    def start(self) -> Any:
        self._stopping.clear()
        self._unquiet = failures_as_statuses(quiet=True)
        return super().start()

    def stop(self) -> None:
        """Stop promptly: delays are cut short, open connections closed, handler threads joined."""
        self._stopping.set()
        super().stop()
        self._unquiet()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def path(user: str, app: str, model: str, version_id: str | None = None) -> str:
        """``/v2/users/{u}/apps/{a}/models/{m}[/versions/{v}]``."""
        path = f"/v2/users/{user}/apps/{app}/models/{model}"
        return path + (f"/versions/{version_id}" if version_id else "")


class OracleBase(ApiDouble):
    """Real models served by `codegen.serve` (a subclass adds the server). ``models``: ``{(user_id, app_id, model_id):
    ModelClass}``, ``load_model()`` called on each (None: ``oracle_models()``); ``versions``: else the
    class's ``VERSION_ID``, else an md5-derived id (another version id: "Model does not exist");
    ``pat``: the only PAT accepted, owned by ``owner_id`` (users/me, GetUser); the SDK's failure
    tracebacks are silenced while it runs."""

    def __init__(
        self,
        models: Mapping[ModelKey, ModelClass] | None = None,
        pat: str = DEFAULT_PAT,
        versions: Mapping[ModelKey, str] | None = None,
    ) -> None:
        from .models import default_version_id, oracle_models

        self.models: dict[ModelKey, ModelClass] = dict(
            oracle_models() if models is None else models
        )
        self.versions: dict[ModelKey, str] = {}
        served = []
        for key, model in self.models.items():
            model.load_model()
            version = (versions or {}).get(key) or getattr(model, "VERSION_ID", None)
            self.versions[key] = version or default_version_id(key)
            model_type = getattr(model, "MODEL_TYPE_ID", "any-to-any")
            served.append(ServedModel(ModelRef(*key), model, self.versions[key], model_type))
        self.pat, self.owner_id = pat, DEFAULT_OWNER
        super().__init__(
            Registry(served, pat, owner_id=self.owner_id, strict_versions=True, exact_auth=True)
        )
