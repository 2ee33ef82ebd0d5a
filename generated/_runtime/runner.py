"""Runner selection: which deployment or nodepool serves a call (no I/O here).

A `RunnerSelector` is what `Client(deployment_id=..., ...)` and a generated class's keywords
resolve to; its `to_json` is the `runner_selector` of a `PostModelOutputsRequest`, built as
Clarifai's SDK does (`Deployment.get_runner_selector`, `Nodepool.get_runner_selector`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ArgumentError

__all__ = ["ENV", "RunnerSelector", "resolve_runner"]

Json = dict[str, Any]

#: The environment variable of each setting (the names Clarifai's SDK and runners read).
ENV = {
    "deployment_id": "CLARIFAI_DEPLOYMENT_ID",
    "deployment_user_id": "CLARIFAI_DEPLOYMENT_USER_ID",
    "compute_cluster_id": "CLARIFAI_COMPUTE_CLUSTER_ID",
    "nodepool_id": "CLARIFAI_NODEPOOL_ID",
}
_TARGET = ("deployment_id", "compute_cluster_id", "nodepool_id")


@dataclass(frozen=True)
class RunnerSelector:
    """A deployment, or a nodepool of a compute cluster, owned by `deployment_user_id`
    (None: the PAT's owner, looked up when first needed). All None: no routing."""

    deployment_id: str | None = None
    deployment_user_id: str | None = None
    compute_cluster_id: str | None = None
    nodepool_id: str | None = None

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value is not None and not isinstance(value, str):
                raise ArgumentError(f"runner selection: {name} must be a string")
        if self.deployment_id and (self.compute_cluster_id or self.nodepool_id):
            raise ArgumentError(
                "runner selection: give deployment_id, or compute_cluster_id with nodepool_id, "
                "not both"
            )
        if bool(self.compute_cluster_id) != bool(self.nodepool_id):
            given, missing = (
                ("compute_cluster_id", "nodepool_id")
                if self.compute_cluster_id
                else ("nodepool_id", "compute_cluster_id")
            )
            raise ArgumentError(f"runner selection: {given} needs {missing} too")

    @property
    def active(self) -> bool:
        """Does it route calls anywhere?"""
        return bool(self.deployment_id or self.nodepool_id)

    @property
    def needs_user(self) -> bool:
        """Does it route calls but lack the owner's id (to be looked up)?"""
        return self.active and not self.deployment_user_id

    def to_json(self, owner_id: str | None = None) -> Json | None:
        """The request's `runner_selector` (None: send none); `owner_id` stands in for a
        missing `deployment_user_id`."""
        if not self.active:
            return None
        user_id = self.deployment_user_id or owner_id
        if not user_id:
            raise ArgumentError("runner selection: no deployment_user_id and no PAT owner id")
        if self.deployment_id:
            return {"deployment": {"id": self.deployment_id, "user_id": user_id}}
        cluster = {"id": self.compute_cluster_id, "user_id": user_id}
        return {"nodepool": {"id": self.nodepool_id, "compute_cluster": cluster}}

    def bind(
        self,
        deployment_id: str | None = None,
        deployment_user_id: str | None = None,
        compute_cluster_id: str | None = None,
        nodepool_id: str | None = None,
    ) -> RunnerSelector:
        """This selection overridden by explicit settings (the rules of `resolve_runner`)."""
        given = _given(deployment_id, deployment_user_id, compute_cluster_id, nodepool_id)
        return _merge(given, vars(self), "the client's runner selection")


def _clean(value: object, where: str) -> str | None:
    """A setting's value (None when unset or empty); `where` names it in errors."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArgumentError(f"runner selection: {where} must be a string")
    value = value.strip()
    if value and not (value.isascii() and value.isprintable()):
        raise ArgumentError(f"runner selection: {where} has control or non-ASCII characters")
    return value or None


def _given(
    deployment_id: object,
    deployment_user_id: object,
    compute_cluster_id: object,
    nodepool_id: object,
) -> dict[str, str | None]:
    values = zip(
        ENV, (deployment_id, deployment_user_id, compute_cluster_id, nodepool_id), strict=True
    )
    return {name: _clean(value, name) for name, value in values}


def _merge(
    given: Mapping[str, str | None], base: Mapping[str, str | None], base_name: str
) -> RunnerSelector:
    """`given` over `base`: a given target replaces the base's whole target; a given
    `deployment_user_id` replaces the base's."""
    explicit_target = any(given[k] for k in _TARGET)
    values = {k: given[k] if explicit_target else base[k] for k in _TARGET}
    values["deployment_user_id"] = given["deployment_user_id"] or base["deployment_user_id"]
    try:
        return RunnerSelector(**values)
    except ArgumentError as err:
        if explicit_target:
            raise
        raise ArgumentError(f"{err} (in {base_name})") from None


def resolve_runner(
    deployment_id: str | None = None,
    deployment_user_id: str | None = None,
    compute_cluster_id: str | None = None,
    nodepool_id: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> RunnerSelector:
    """The selection from explicit settings over the environment (`ENV`).

    An explicit deployment, cluster or nodepool replaces the environment's whole target (so
    `nodepool_id=` is not mixed with `$CLARIFAI_DEPLOYMENT_ID`); an explicit
    `deployment_user_id` replaces `$CLARIFAI_DEPLOYMENT_USER_ID`. Empty strings count as unset.
    """
    env = os.environ if env is None else env
    given = _given(deployment_id, deployment_user_id, compute_cluster_id, nodepool_id)
    from_env = {k: _clean(env.get(var), f"${var}") for k, var in ENV.items()}
    names = ", ".join(f"${ENV[k]}" for k in ENV if from_env[k])
    return _merge(given, from_env, f"the environment: {names}")
