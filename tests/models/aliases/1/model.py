# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""Import aliases, module constants, NamedFields, collections.abc iterators, a bidi method, a mixin."""

import collections.abc as cabc
import typing as t
from collections.abc import Iterator as Stream

import clarifai.runners.models.model_class as mc
from clarifai.runners.utils import data_types as dt
from clarifai.runners.utils.data_types import NamedFields as NF
from clarifai.runners.utils.data_utils import Param as P

MAX_TOKENS = 256
DEFAULT_TOKENS = MAX_TOKENS  # resolved transitively
LIMIT = DEFAULT_TOKENS * 4 - 1
EFFORTS = ["low", "medium", "high"]
DEFAULT_EFFORT = EFFORTS[0]
STOP = ("\n\n", "###")
NEG = -0.25
Result = NF(text=str, tokens=int, extra=t.List[float])  # a type alias held in a constant


class Mixin:
    """Not a ModelClass itself; its model methods are inherited."""

    @mc.ModelClass.method
    def ping(self, msg: str = "ping") -> str:
        """Health check."""
        return msg

    @mc.ModelClass.method
    def predict(self, x: int) -> int:
        return x


class AliasModel(Mixin, mc.ModelClass):
    SCALE = 2.5

    @mc.ModelClass.method
    def predict(
        self,
        prompt: dt.Text,
        max_tokens: int = P(DEFAULT_TOKENS, "Max tokens", 1, LIMIT),
        effort: str = P(default=DEFAULT_EFFORT, choices=EFFORTS),
        stop: t.List[str] = list(STOP),
        scale: float = SCALE,
        bias: float = NEG,
    ) -> Result:
        """Overrides Mixin.predict, which keeps its place in the method order."""
        return Result(text="", tokens=0, extra=[])

    def helper(self):
        return None

    @mc.ModelClass.method
    def generate(self, prompt: str, n: int = MAX_TOKENS) -> Stream[dt.Text]:
        yield dt.Text(prompt)

    @mc.ModelClass.method
    def stream(
        self, chunks: cabc.Iterator[bytes], sep: bytes = b""
    ) -> t.Iterator[NF(index=int, data=bytes)]:
        """Bidirectional: one output per input chunk."""
        for i, c in enumerate(chunks):
            yield NF(index=i, data=c)

    @mc.ModelClass.method
    def count(
        self, items: t.Generator[dt.Concept, None, None], opts: t.Dict[str, int] = {"min": 1}
    ) -> cabc.Iterable[NF(name=str, boxes=t.List[t.Tuple[float, float, float, float]])]:
        for c in items:
            yield NF(name=c.name, boxes=[])
