"""A stand-in for `openai.OpenAI` as the `client` of an `OpenAIModelClass`: it checks each chat
completion request as the API would (known keys, a non-empty list of messages with a role and text
content, a boolean `stream`), records it in `REQUESTS` and answers with the openai package's own
response types, echoing the last message. A bad request raises, which the model reports as its
`"Model prediction failed"` error object."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.chat.completion_create_params import CompletionCreateParamsBase

KNOWN_KEYS = frozenset(CompletionCreateParamsBase.__annotations__) | {"stream", "extra_body"}
ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
REQUESTS: list[dict[str, Any]] = []


def check_request(kwargs: dict[str, Any]) -> None:
    unknown = sorted(set(kwargs) - KNOWN_KEYS)
    if unknown:
        raise ValueError(f"unknown chat completion keys {unknown}")
    if not isinstance(kwargs.get("model"), str) or not kwargs["model"]:
        raise ValueError("model must be a non-empty string")
    messages = kwargs.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list")
    for m in messages:
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise ValueError(f"bad message {m!r}")
        if not isinstance(m.get("content"), str):
            raise ValueError(f"message content must be text: {m!r}")
    if not isinstance(kwargs.get("stream", False), bool):
        raise ValueError("stream must be a boolean")


class _Completions:
    def create(self, **kwargs: Any) -> Any:
        check_request(kwargs)
        REQUESTS.append(kwargs)
        answer = "echo: " + kwargs["messages"][-1]["content"]
        head = {"id": "fake-1", "created": 0, "model": kwargs["model"]}
        if kwargs.get("stream"):
            # A list has no `_iter_events`: the SDK takes its documented Pydantic fallback path.
            return [
                ChatCompletionChunk.model_validate(
                    {
                        **head,
                        "object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": {"content": piece}}],
                    }
                )
                for piece in re.findall(r"\S+\s*", answer)
            ]
        message = {"role": "assistant", "content": answer}
        return ChatCompletion.model_validate(
            {
                **head,
                "object": "chat.completion",
                "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            }
        )


class FakeOpenAI:
    """Accepts `openai.OpenAI`'s constructor arguments and ignores them."""

    def __init__(self, **_: Any) -> None:
        self.chat = SimpleNamespace(completions=_Completions())
        self.models = SimpleNamespace(list=lambda **_: SimpleNamespace(data=[]))
