from typing import Iterator

from clarifai.runners.models.agentic_class import AgenticModelClass


class Broken(AgenticModelClass):
    """The body of load_model is not indented (as in one published example)."""
    client = True
    model = True

    def load_model(self):
    """Load the model here."""
    self.ready = True

    @AgenticModelClass.method
    def generate(self, prompt: str) -> Iterator[str]:
        yield prompt
