"""Which model a directory or a signature file is, when it does not say so completely.

The order is the SDK's (`ModelBuilder.__init__` + `normalize_config`, `utils.config.resolve_user_id`):
`--ref` overrides everything; then `config.yaml`; then the user id from `CLARIFAI_USER_ID` or the
current context of the Clarifai CLI's config file (`~/.config/clarifai/config`, read only); the app id
defaults to `main`. The SDK's last resort, asking the API who owns the PAT, is not taken: reading ids
must not need the network. Commands that call nothing (`methods`, `signature`, `example`) take
placeholders for what is still missing instead of failing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml  # type: ignore[import-untyped,unused-ignore]  # no stubs in the venv

from ..errors import CodegenError, Level, Problem, shown
from ..naming import check_resource_id
from ..spec import PLACEHOLDER_IDS, ModelRef
from .files import load_yaml, read_bytes

USER_ENV: Final = "CLARIFAI_USER_ID"
DEFAULT_APP: Final = "main"  # normalize_config: "auto-created on deploy/upload"
MAX_CLI_CONFIG_BYTES: Final = 1024 * 1024
NO_USER_ID: Final = (
    "no model.user_id, and no user id elsewhere: pass --ref USER/APP/MODEL, set CLARIFAI_USER_ID, "
    "or choose a Clarifai CLI context that has one (~/.config/clarifai/config, `clarifai login`)"
)


def make_ref(user: str, app: str, model: str, version: str | None, where: str) -> ModelRef:
    """A ModelRef from four ids, each validated (an error names `where`)."""
    return ModelRef(
        check_resource_id(user, "user id", where),
        check_resource_id(app, "app id", where),
        check_resource_id(model, "model id", where),
        check_resource_id(version, "version id", where) if version is not None else None,
    )


def parse_ref(text: str, where: str = "--ref") -> ModelRef:
    """`user/app/model[@version]` (as `--ref` takes it) -> ModelRef, ids validated."""
    main, at, version = text.partition("@")
    if at and not version:
        raise CodegenError(f"empty version after '@' in {shown(text)}", where)
    parts = main.split("/")
    if len(parts) != 3:
        raise CodegenError(f"expected USER/APP/MODEL[@VERSION], got {shown(text)}", where)
    return make_ref(parts[0], parts[1], parts[2], version or None, where)


def ref_text(ref: ModelRef) -> str:
    """`user/app/model[@version]`, the form `parse_ref` reads."""
    return ref.path + (f"@{ref.version_id}" if ref.version_id else "")


def cli_config_path() -> Path:
    """The SDK's DEFAULT_CONFIG: `Path.home() / '.config/clarifai/config'`."""
    return Path.home() / ".config" / "clarifai" / "config"


def _context_user_id(path: Path) -> tuple[str | None, str, list[Problem]]:
    """The current context's user id, where it was found, and warnings. Nothing else in the file
    (its PAT above all) is read into a value that leaves this function."""
    where = str(path)
    try:
        if not path.is_file():
            return None, where, []
        config = load_yaml(read_bytes(path, MAX_CLI_CONFIG_BYTES))
    except CodegenError as exc:  # too large, unreadable: says nothing of the content
        return None, where, [_ignored(where, exc.message)]
    except yaml.YAMLError as exc:  # its text may quote the file: keep only the line number
        mark = getattr(exc, "problem_mark", None)
        return (
            None,
            where,
            [_ignored(where, "invalid YAML" + (f" at line {mark.line + 1}" if mark else ""))],
        )
    except RecursionError:
        return None, where, [_ignored(where, "YAML nested too deeply")]
    if not isinstance(config, Mapping):
        return None, where, []
    name = config.get("current_context")
    contexts = config.get("contexts")
    if not isinstance(name, str) or not isinstance(contexts, Mapping):
        return None, where, []
    context = contexts.get(name)
    if not isinstance(context, Mapping):
        return None, where, []
    env: Any = context["env"] if "env" in context else context  # config.Context.__init__
    if not isinstance(env, Mapping):
        return None, where, []
    value = env.get(USER_ENV)
    if value is None:
        value = env.get("user_id")
    # "ENVVAR" means "read CLARIFAI_USER_ID", already checked; "_empty_" is the SDK's empty context.
    if not isinstance(value, str) or value in ("", "ENVVAR", "_empty_"):
        return None, where, []
    place = f"{where} (context {shown(name)})"
    try:
        return check_resource_id(value, "user id", place), place, []
    except CodegenError:  # the value is not echoed: it may be a secret pasted in the wrong place
        raise CodegenError(
            "the current context's user id is not a valid Clarifai id", place
        ) from None


def _ignored(where: str, why: str) -> Problem:
    return Problem(Level.WARNING, f"ignored the Clarifai CLI config: {why}", where)


def default_user_id() -> tuple[str | None, str, list[Problem]]:
    """(user id or None, where it came from, warnings): CLARIFAI_USER_ID, else the CLI config."""
    value = os.environ.get(USER_ENV, "")
    if value:  # the SDK's Context.get lets the environment win over the file
        return check_resource_id(value, "user id", f"${USER_ENV}"), f"${USER_ENV}", []
    return _context_user_id(cli_config_path())


def resolve_ref(
    found: Mapping[str, str], ref: ModelRef | None, where: str, *, need_ids: bool
) -> tuple[ModelRef, list[Problem]]:
    """The model's ids: `ref` if given, else `found` (validated ids from config.yaml, keys user_id /
    app_id / model_id) completed as the SDK completes them; placeholders when `need_ids` is false."""
    if ref is not None:
        return ref, []
    problems: list[Problem] = []
    user = found.get("user_id")
    if user is None:
        user, _, problems = default_user_id()
    model = found.get("model_id")
    if model is None and need_ids:
        raise CodegenError(
            "missing key 'model.id' (the model id); or pass --ref USER/APP/MODEL", where
        )
    if user is None and need_ids:
        why = "".join(f"; {p.message} ({p.where})" for p in problems)  # e.g. an unreadable file
        raise CodegenError(NO_USER_ID + why, where)
    placeholder = user is None or model is None
    return (
        ModelRef(
            user or PLACEHOLDER_IDS["user_id"],
            found.get("app_id") or DEFAULT_APP,
            model or PLACEHOLDER_IDS["model_id"],
            placeholder=placeholder,
        ),
        problems,
    )
