# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""OpenAIModelClass subclass: inherits openai_transport / openai_stream_transport, adds its own methods."""

from typing import Iterator, List

from openai import OpenAI  # third-party: mocked at upload time

from clarifai.runners.models.openai_class import OpenAIModelClass
from clarifai.runners.utils.data_types import Image
from clarifai.runners.utils.data_utils import Param


class ChatModel(OpenAIModelClass):
    client = OpenAI(api_key="local", base_url="http://127.0.0.1:9/v1")
    model = "local-model"

    def load_model(self):
        pass

    @OpenAIModelClass.method
    def predict(
        self,
        prompt: str,
        image: Image = None,
        images: List[Image] = None,
        chat_history: List[dict] = None,
        max_tokens: int = Param(
            default=512, description="The maximum number of tokens.", min_value=1, max_value=4096
        ),
        temperature: float = Param(default=1.0, description="Sampling temperature."),
        top_p: float = Param(default=0.8, min_value=0.0, max_value=1.0),
        reasoning_effort: str = Param(default="low", choices=["low", "medium", "high"]),
    ) -> str:
        """Chat with the model; returns the whole answer."""
        return ""

    @OpenAIModelClass.method
    def generate(
        self,
        prompt: str,
        image: Image = None,
        max_tokens: int = Param(default=512, description="The maximum number of tokens."),
    ) -> Iterator[str]:
        """Stream the answer."""
        yield ""

    def openai_transport(self, msg: str) -> str:
        # Not decorated: the SDK keeps OpenAIModelClass's signature (and docstring) for it.
        return super().openai_transport(msg)
