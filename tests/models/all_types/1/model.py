# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""Plain ModelClass: every scalar and data type, Param with choices/ranges/descriptions, many defaults."""

from typing import Dict, Iterator, List, Tuple

import numpy as np
from PIL import Image as PILImage

from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils.data_types import (
    JSON,
    Audio,
    Concept,
    Frame,
    Image,
    NamedFields,
    Region,
    Text,
    Video,
)
from clarifai.runners.utils.data_utils import Param


class AllTypes(ModelClass):
    """Every data type the SDK knows."""

    def load_model(self):
        self.ready = True

    @ModelClass.method
    def scalars(
        self, s: str, b: bytes, i: int, f: float, flag: bool, arr: np.ndarray, pil: PILImage.Image
    ) -> str:
        """Scalars, numpy and PIL.

        An indented line that inspect.cleandoc keeps indented.
        """
        return s

    @ModelClass.method
    def media(
        self,
        text: Text,
        image: Image,
        audio: Audio,
        video: Video,
        concept: Concept,
        region: Region,
        frame: Frame,
        js: JSON,
    ) -> List[Region]:
        return []

    @ModelClass.method
    def containers(
        self,
        items: List[int],
        names: list[str],
        pair: Tuple[int, str],
        pair2: tuple[float, bool],
        nested: List[List[Concept]],
        cfg: dict,
        cfg2: Dict[str, int],
        raw: list,
        rows: list[dict],
        arrs: List[np.ndarray],
        mapping: Dict[str, List[int]],
        point: (int, float),
        record: {"name": str, "size": int},
    ) -> Dict[str, float]:
        return {}

    @ModelClass.method
    def params(
        self,
        prompt: str,
        temperature: float = Param(
            default=0.7, description="Sampling temperature", min_value=0.0, max_value=2.0
        ),
        effort: str = Param(
            default="low", description="Reasoning effort", choices=["low", "medium", "high"]
        ),
        top_k: int = Param(50, "Top-k sampling", 1, 100),
        seed: int = Param(default=-1, is_param=False),
        ratio: float = Param(0.123456789, min_value=-1e-3, max_value=123456789),
        mode: int = Param(default=2, choices=(1, 2, 3), min_value=0, max_value=0),
        flag: bool = Param(default=True, description=""),
        style: str = Param(default="", choices=["", "vivid"]),
        tags: List[str] = Param(default=["a", "b"], description="Tags"),
    ) -> NamedFields(text=str, score=float, tags=List[str]):
        return None

    @ModelClass.method
    def defaults(
        self,
        a: int = -5,
        b: float = -0.5,
        c: float = 1e-7,
        d: str = "",
        e: str = 'quote "q" \n',
        f: bool = False,
        g: JSON = None,
        h: List[str] = ["\n", "x"],
        i: dict = {"a": 1, "b": [1, 2.5, None]},
        j: Tuple[int, int] = (1, 2),
        k: Text = Text(""),
        l: Image = Image(url="https://example.com/a.jpg"),
        m: Concept = Concept("Hello World!", 0.5),
        n: bytes = b"\x00\xff",
        o: float = float("inf"),
        p: int = 2**40,
        q: JSON = {1: "x", True: None},
        r: Text = Text(text="t", url="https://example.com/t.txt"),
        s: JSON = JSON({"k": [1, 2]}),
        t: List[Text] = [Text("x")],
        u: float = 1 / 3,
    ) -> JSON:
        return {}

    @ModelClass.method
    def generate(self, prompt: Text, n: int = 3) -> Iterator[Text]:
        yield prompt

    @ModelClass.method
    def stream(self, frames: Iterator[Frame], threshold: float = 0.5) -> Iterator[List[Region]]:
        for _ in frames:
            yield []
