# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""AgenticModelClass subclass: its own openai_transport/openai_stream_transport override the OpenAI ones."""

from typing import Iterator

from clarifai.runners.models.agentic_class import AgenticModelClass


class Agent(AgenticModelClass):
    model = "agent"

    @AgenticModelClass.method
    def predict(self, prompt: str, max_steps: int = 8) -> str:
        """Run the agent to completion."""
        return prompt

    @AgenticModelClass.method
    def openai_stream_transport(self, msg: str) -> Iterator[str]:
        """Our own streaming transport (replaces the SDK's in place)."""
        yield msg
