"""`runtime.runner`: the runner selection's JSON (against the SDK's own builders), how explicit
settings, the environment and per-instance bindings combine, and what is rejected."""

from __future__ import annotations

from typing import Any

import pytest
from clarifai.client.deployment import Deployment
from clarifai.client.nodepool import Nodepool
from clarifai_grpc.grpc.api import resources_pb2
from google.protobuf.json_format import ParseDict

from codegen.runtime import ArgumentError, RunnerSelector
from codegen.runtime.runner import ENV, resolve_runner


def proto(selector: dict[str, Any] | None) -> Any:
    assert selector is not None
    return ParseDict(selector, resources_pb2.RunnerSelector(), ignore_unknown_fields=False)


def test_json_is_what_the_sdk_builds() -> None:
    deployment = RunnerSelector(deployment_id="d-1", deployment_user_id="org")
    assert proto(deployment.to_json()) == Deployment.get_runner_selector(
        user_id="org", deployment_id="d-1"
    )
    nodepool = RunnerSelector(compute_cluster_id="c-1", nodepool_id="n-1")
    assert proto(nodepool.to_json("owner")) == Nodepool.get_runner_selector(
        user_id="owner", compute_cluster_id="c-1", nodepool_id="n-1"
    )
    assert nodepool.needs_user and not deployment.needs_user
    assert RunnerSelector().to_json() is None and not RunnerSelector().active
    assert RunnerSelector(deployment_user_id="only-a-user").to_json() is None


def test_explicit_settings_override_the_environment() -> None:
    env = {ENV["deployment_id"]: "env-d", ENV["deployment_user_id"]: "env-u"}
    assert resolve_runner(env=env) == RunnerSelector("env-d", "env-u")
    assert resolve_runner("arg-d", env=env) == RunnerSelector("arg-d", "env-u")
    assert resolve_runner(deployment_user_id="arg-u", env=env) == RunnerSelector("env-d", "arg-u")
    # an explicit nodepool replaces the environment's deployment, not merges with it
    assert resolve_runner(compute_cluster_id="c", nodepool_id="n", env=env) == RunnerSelector(
        None, "env-u", "c", "n"
    )
    blank = {var: " " for var in ENV.values()}
    assert resolve_runner(env=blank) == RunnerSelector()


def test_an_instance_binding_overrides_the_client() -> None:
    client = RunnerSelector(compute_cluster_id="c", nodepool_id="n", deployment_user_id="u")
    assert client.bind() == client
    assert client.bind(deployment_id="d") == RunnerSelector("d", "u")
    assert client.bind(deployment_user_id="v") == RunnerSelector(None, "v", "c", "n")


@pytest.mark.parametrize(
    "settings",
    [
        {"deployment_id": "d", "nodepool_id": "n", "compute_cluster_id": "c"},
        {"deployment_id": "d", "compute_cluster_id": "c"},
        {"compute_cluster_id": "c"},
        {"nodepool_id": "n"},
        {"deployment_id": "bad\nid"},
        {"deployment_user_id": "us\u00e9r", "deployment_id": "d"},
        {"deployment_id": 3},
    ],
)
def test_invalid_settings_are_argument_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(ArgumentError, match=r"^runner selection: ") as info:
        resolve_runner(**settings, env={})
    assert "\n" not in str(info.value) and "bad" not in str(info.value)
    with pytest.raises(ArgumentError, match=r"^runner selection: "):
        RunnerSelector().bind(**settings)


def test_an_invalid_environment_names_its_variables() -> None:
    env = {ENV["deployment_id"]: "d", ENV["nodepool_id"]: "n"}
    with pytest.raises(ArgumentError) as info:
        resolve_runner(env=env)
    assert str(info.value).endswith(
        "(in the environment: $CLARIFAI_DEPLOYMENT_ID, $CLARIFAI_NODEPOOL_ID)"
    )
    # explicit settings replace the environment's target, so they are judged alone
    assert resolve_runner(deployment_id="x", env=env) == RunnerSelector("x")
    with pytest.raises(ArgumentError, match="control"):
        resolve_runner(env={ENV["nodepool_id"]: "n\x00"})
