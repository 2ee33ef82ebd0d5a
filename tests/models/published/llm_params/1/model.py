from typing import List, Iterator

from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils.data_utils import Param


class Llm(ModelClass):
  """A custom runner for a small instruct llm"""

  def load_model(self):
    """Load the model here."""
    self.prefix = ">"

  @ModelClass.method
  def predict(self,
              prompt: str ="",
              chat_history: List[dict] = None,
              max_tokens: int = Param(default=512, description="The maximum number of tokens to generate.", ),
              temperature: float = Param(default=0.7, description="Randomness of the response", ),
              top_p: float = Param(default=0.8, description="Nucleus sampling mass.", )) -> str:
    """
    Predict the response for the given prompt and chat history using the model.
    """
    return self.prefix + prompt

  @ModelClass.method
  def generate(self,
              prompt: str="",
              chat_history: List[dict] = None,
              max_tokens: int = Param(default=512, description="The maximum number of tokens to generate.", ),
              temperature: float = Param(default=0.7, description="Randomness of the response", ),
              top_p: float = Param(default=0.8, description="Nucleus sampling mass.", )) -> Iterator[str]:
      """Stream generated text tokens from a prompt + optional chat history."""
      yield self.prefix + prompt

  @ModelClass.method
  def chat(self,
          messages: List[dict],
          max_tokens: int = Param(default=512, description="The maximum number of tokens to generate.", ),
          temperature: float = Param(default=0.7, description="Randomness of the response", ),
          top_p: float = Param(default=0.8, description="Nucleus sampling mass.", )
          ) -> Iterator[dict]:
      """
      Stream back JSON dicts for assistant messages.
      Example return format:
      {"role": "assistant", "content": [{"type": "text", "text": "response here"}]}
      """
      yield {"role": "assistant", "content": self.prefix}
