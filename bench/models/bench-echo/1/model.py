"""bench-echo: the model bench/bench_runtime.py serves. Every method does as little as it can, so
what the benchmark measures is the clients and the transport, not the model.

(No ``from __future__ import annotations``: the SDK reads the annotations at class definition.)
"""

from collections.abc import Iterator

from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils.data_types import Concept, Image


class BenchEcho(ModelClass):
    """Echoes for the runtime benchmark."""

    def load_model(self):
        pass

    @ModelClass.method
    def predict(self, text: str) -> str:
        """The text back (the unary rows)."""
        return text

    @ModelClass.method
    def generate(self, n: int) -> Iterator[str]:
        """`n` one-character items (the streaming row)."""
        for _ in range(n):
            yield "x"

    @ModelClass.method
    def predict_image(self, image: Image) -> Image:
        """The image back, bytes untouched (the image row)."""
        return image

    @ModelClass.method
    def concepts(self, concepts: list[Concept]) -> list[Concept]:
        """The concepts back (the Concepts row)."""
        return concepts
