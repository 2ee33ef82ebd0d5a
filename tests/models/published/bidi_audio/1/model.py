"""Text to speech in all three streaming patterns (unary, server stream, bidirectional)."""

from typing import Iterator

from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils import data_types as dt
from clarifai.runners.utils.data_types import NamedFields

SAMPLE_RATE = 24000


class Speech(ModelClass):
  """Speaks text."""

  def load_model(self):
    self.voice = "tara"

  @ModelClass.method
  def predict(
      self,
      text: str = "",
      voice: str = "tara",
      max_tokens: int = 4096,
  ) -> dt.Audio:
    """
    Convert text to speech in a single request/response.

    Args:
      text: Text to synthesize.
      voice: Speaker voice.
    """
    return dt.Audio(bytes=text.encode())

  @ModelClass.method
  def generate(
      self,
      text: str = "",
      voice: str = "tara",
      max_tokens: int = 4096,
  ) -> Iterator[dt.Audio]:
    """Convert text to speech with streaming audio output."""
    yield dt.Audio(bytes=text.encode())

  @ModelClass.method
  def stream(
      self,
      input_stream: Iterator[
          NamedFields(
              text=str,
              voice=str,
          )
      ],
  ) -> Iterator[dt.Audio]:
    """Bidirectional streaming: receive text chunks, stream back audio."""
    for chunk in input_stream:
      yield dt.Audio(bytes=chunk.get("text", "").encode())
