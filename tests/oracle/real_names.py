"""``codegen/oracle/real-names``: a real model whose arguments and methods are named like Python
builtins (``format``, ``type``, ``input``, ``id``, ``str``), like names generated code uses (``cast``,
``client``) and even ``self``, as a model's own documentation would name them.

A Python method cannot take an argument named ``self`` next to its instance, so the instance is
called ``this`` and hidden from the SDK's signature reader (``__signature__``); the SDK then calls
``method(**inputs)`` on the bound method as usual.

No ``from __future__ import annotations``: the SDK reads the annotations at runtime.
"""

import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils.data_types import NamedFields
from clarifai.runners.utils.data_utils import Param

F = TypeVar("F", bound=Callable[..., Any])


def _hide_instance(func: F) -> F:
    """Drop the first parameter (the instance) from the signature the SDK reads."""
    sig = inspect.signature(func)
    func.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])  # type: ignore[attr-defined]
    return func


class RealNamesModel(ModelClass):
    """Echoes what arrived, keyed by the wire names."""

    USER_ID = "codegen"
    APP_ID = "oracle"
    MODEL_ID = "real-names"
    VERSION_ID = "5e1f0c2a9b8d7e6f5a4b3c2d1e0f9a8b"
    MODEL_TYPE_ID = "any-to-any"

    @ModelClass.method
    @_hide_instance
    def predict(
        this,
        format: str,
        input: str,
        id: int,
        cast: str,
        self: str,
        client: str = "default client",
        type: str = Param(default="plain", choices=["plain", "upper"], description="Casing."),
    ) -> str:
        """Echo every argument as JSON; ``type="upper"`` upper-cases ``input``."""
        text = input.upper() if type == "upper" else input
        received = {"format": format, "input": text, "id": id, "cast": cast, "self": self}
        return json.dumps({**received, "client": client, "type": type}, sort_keys=True)

    @ModelClass.method
    def format(self, text: str, str: str = "", list: str = "") -> NamedFields(
        type=str, id=int, format=str
    ):
        """A method named ``format`` with arguments named ``str`` and ``list`` (all kept)."""
        return NamedFields(type=list or "t", id=len(text), format=f"{text}|{str}")

    @ModelClass.method
    def stream(self, str: str, n: int = 2) -> Iterator[str]:
        """Server streaming with an argument named ``str`` (kept: a stream's body casts nothing)."""
        for i in range(n):
            yield f"{str}:{i}"

    # Last: from here on, `str` in this class body would mean this method.
    @ModelClass.method
    def str(self, str: str) -> str:
        """A method named ``str`` and its argument ``str``: both renamed in the client (its class
        annotations use ``str``, and so does the body's cast to the result type)."""
        return str[::-1]
