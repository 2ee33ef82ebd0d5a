from typing import List, Iterator

from clarifai.runners.models.agentic_class import AgenticModelClass
from clarifai.runners.utils.data_utils import Param
from clarifai.runners.utils.data_types import Image

API_KEY = 'not-a-key'


class Agent(AgenticModelClass):
    """
    A runner that calls tools and MCP servers while it answers.
    """
    client = None
    model = "agent-1"

    def load_model(self):
        """Nothing to load."""

    @AgenticModelClass.method
    def predict(
        self,
        prompt: str,
        image: Image = None,
        images: List[Image] = None,
        tools: List[dict] = None,
        tool_choice: str = None,
        mcp_servers: List[str] = None,
        chat_history: List[dict] = None,
        max_tokens: int = Param(default=4096, description="An upper bound for generated tokens."),
        temperature: float = Param(default=1.0, description="Randomness of the response"),
    ) -> str:
        """Predict the output of the model with optional MCP tool support.
        """
        return prompt

    @AgenticModelClass.method
    def generate(self,
        prompt: str,
        tools: List[dict] = None,
        mcp_servers: List[str] = None,
        max_tokens: int = Param(default=4096, description="An upper bound for generated tokens."),
    ) -> Iterator[str]:
        """Generate the output of the model with optional MCP tool support."""
        yield prompt
