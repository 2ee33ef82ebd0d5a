import sys
from typing import List, Iterator

from clarifai.runners.models.openai_class import OpenAIModelClass
from clarifai.runners.utils.data_utils import Param

PYTHON_EXEC = sys.executable


class ChatServer(OpenAIModelClass):
  """
  An OpenAI-compatible chat model served by a local inference server.
  """
  client = True
  model = True

  def load_model(self):
    """Nothing to load in the test double."""
    self.model = "echo"

  @OpenAIModelClass.method
  def predict(self,
              prompt: str,
              chat_history: List[dict] = None,
              tools: List[dict] = None,
              tool_choice: str = None,
              max_tokens: int = Param(default=512, description="The maximum number of tokens to generate.", ),
              temperature: float = Param(default=0.7, description="Randomness of the response", ),
              top_p: float = Param(default=0.95, description="Nucleus sampling mass."), 
              ) -> str:
    """
    This method is used to predict the response for the given prompt.
    """
    return prompt

  @OpenAIModelClass.method
  def generate(self,
               prompt: str,
               chat_history: List[dict] = None,
               tools: List[dict] = None,
               tool_choice: str = None,
               max_tokens: int = Param(default=512, description="The maximum number of tokens to generate.", ),
               temperature: float = Param(default=0.7, description="Randomness of the response", ),
               top_p: float = Param(default=0.95, description="Nucleus sampling mass.")) -> Iterator[str]:
    """
    This method is used to stream generated text tokens from a prompt.
    """
    yield prompt
