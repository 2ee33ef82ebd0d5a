"""pixel-words: a small Clarifai model that computes on text and on images.

Only the standard library, numpy, Pillow and the clarifai SDK. No weights, no network: every
answer is computed from the input.

    predict       text  -> list[Concept]     a keyword topic classifier (softmax over topic hits)
    text_stats    Text  -> NamedFields       characters, words, sentences, top words
    generate      text  -> Iterator[str]     the text, transformed word by word (server streaming)
    stream        Iterator[str] -> Iterator[NamedFields]   running statistics (bidirectional)
    image_stats   Image -> NamedFields       size, brightness, dominant colours
    thumbnail     Image -> Image             a resized (optionally grayscale) PNG

(No ``from __future__ import annotations`` here: the SDK reads the annotations at class
definition time.)
"""

import io
import math
import re
from collections import Counter
from collections.abc import Iterator

import numpy as np
from clarifai.runners.models.model_class import ModelClass
from clarifai.runners.utils.data_types import Concept, Image, NamedFields, Text
from clarifai.runners.utils.data_utils import Param
from PIL import Image as PILImage

TOPICS = {
    "technology": set(
        "ai algorithm app chip code computer data digital future internet model network python robot software".split()
    ),
    "science": set(
        "atom biology cell chemistry climate energy experiment galaxy physics planet research space theory".split()
    ),
    "sports": set("ball coach game goal league match olympic player race score team win".split()),
    "food": set("bread cheese coffee cook dinner eat fruit kitchen pizza recipe taste tea".split()),
    "weather": set(
        "cloud cold forecast hot rain snow storm sun sunny temperature weather wind".split()
    ),
    "music": set("album band concert drum guitar jazz melody music piano rhythm sing song".split()),
}

STOPWORDS = set(
    "a an and are as at be by for from in is it of on or that the this to was what with".split()
)

STYLES = ["title", "upper", "lower", "reverse", "pig-latin"]

TextStats = NamedFields(
    characters=int,
    words=int,
    sentences=int,
    unique_words=int,
    avg_word_length=float,
    top_words=list[str],
)
RunningStats = NamedFields(chunk=int, words=int, total_words=int, top_word=str, topic=str)
ImageStats = NamedFields(
    width=int,
    height=int,
    mode=str,
    brightness=float,
    dominant_colors=list[str],
    source=str,
)

_WORD = re.compile(r"[A-Za-z0-9']+")


def words_of(text: str) -> list[str]:
    return [w.lower().strip("'") for w in _WORD.findall(text) if w.strip("'")]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def topic_scores(text: str) -> list[Concept]:
    """Softmax over the number of topic keywords in ``text`` (highest first)."""
    hits = Counter()
    for word in words_of(text):
        for topic, keywords in TOPICS.items():
            if word in keywords or _stem(word) in keywords:
                hits[topic] += 1
    logits = {topic: float(hits[topic]) for topic in TOPICS}
    top = max(logits.values())
    exp = {topic: math.exp(v - top) for topic, v in logits.items()}
    total = sum(exp.values())
    scores = sorted(((v / total, t) for t, v in exp.items()), key=lambda p: (-p[0], p[1]))
    return [Concept(name=t, value=round(s, 4), id=t) for s, t in scores]


def transform_word(word: str, style: str) -> str:
    if style == "upper":
        return word.upper()
    if style == "lower":
        return word.lower()
    if style == "reverse":
        return word[::-1]
    if style == "pig-latin":
        m = re.match(r"([^aeiouAEIOU]*)(\w*)(\W*)$", word)
        if not m or not m.group(2):
            return word
        head, body, tail = m.groups()
        return (body + head + "ay" if head else body + "way") + tail
    return word[:1].upper() + word[1:].lower()


def _open(image: Image) -> PILImage.Image:
    try:
        img = PILImage.open(io.BytesIO(image.bytes))
        img.load()
    except Exception as e:
        raise ValueError(f"the image bytes are not a decodable image ({e})") from e
    return img


def _url_only(image: Image) -> str:
    return (
        f"url {image.url} (not downloaded: this demo model works offline; "
        "send the pixels, e.g. Image.from_file or Image.from_pil)"
    )


class PixelWords(ModelClass):
    """Word and pixel statistics, a keyword topic classifier and text transforms."""

    # An inference parameter the caller did not send reaches the method as its `Param(...)` object
    # (the SDK passes the Python default through), hence the int(...) / float(...) / str(...).

    def load_model(self):
        # Nothing to download: precompute what every call needs.
        self.keywords = {k: sorted(v) for k, v in TOPICS.items()}

    @ModelClass.method
    def predict(
        self,
        text: str,
        top_k: int = Param(
            default=3, description="How many topics to return.", min_value=1, max_value=6
        ),
        threshold: float = Param(
            default=0.0, description="Drop topics scoring below this.", min_value=0.0, max_value=1.0
        ),
    ) -> list[Concept]:
        """Classify text into topics (technology, science, sports, food, weather, music)."""
        concepts = [c for c in topic_scores(text) if c.value >= float(threshold)]
        return concepts[: int(top_k)]

    @ModelClass.method
    def text_stats(
        self,
        text: Text,
        top_k: int = Param(
            default=3, description="How many frequent words to list.", min_value=1, max_value=10
        ),
    ) -> TextStats:
        """Character, word and sentence counts and the most frequent words (stopwords left out)."""
        raw = text.text or ""
        words = words_of(raw)
        content = [w for w in words if w not in STOPWORDS]
        counts = Counter(content)
        top = [w for w, _ in sorted(counts.items(), key=lambda p: (-p[1], p[0]))[: int(top_k)]]
        sentences = len([s for s in re.split(r"[.!?]+", raw) if s.strip()])
        return NamedFields(
            characters=len(raw),
            words=len(words),
            sentences=sentences,
            unique_words=len(set(words)),
            avg_word_length=round(sum(map(len, words)) / len(words), 3) if words else 0.0,
            top_words=top,
        )

    @ModelClass.method
    def generate(
        self,
        text: str,
        style: str = Param(
            default="title", description="How to transform each word.", choices=STYLES
        ),
    ) -> Iterator[str]:
        """Stream the text back one word at a time, each word transformed by ``style``."""
        style = str(style)
        parts = text.split()
        for i, word in enumerate(parts):
            yield transform_word(word, style) + (" " if i < len(parts) - 1 else "")

    @ModelClass.method
    def stream(
        self,
        texts: Iterator[str],
        window: int = Param(
            default=3,
            description="Chunks the running topic looks back over.",
            min_value=1,
            max_value=10,
        ),
    ) -> Iterator[RunningStats]:
        """For every text chunk received, the running word count, top word and topic."""
        window = int(window)
        counts = Counter()
        recent: list[str] = []
        total = 0
        for index, chunk in enumerate(texts):
            words = words_of(chunk)
            total += len(words)
            counts.update(w for w in words if w not in STOPWORDS)
            recent = [*recent, chunk][-window:]
            top_word = min(counts.items(), key=lambda p: (-p[1], p[0]))[0] if counts else ""
            yield NamedFields(
                chunk=index,
                words=len(words),
                total_words=total,
                top_word=top_word,
                topic=topic_scores(" ".join(recent))[0].name,
            )

    @ModelClass.method
    def image_stats(
        self,
        image: Image,
        colors: int = Param(
            default=3, description="How many dominant colours to list.", min_value=1, max_value=8
        ),
    ) -> ImageStats:
        """Size, mean brightness (0..1) and the dominant colours (#rrggbb, most common first)."""
        colors = int(colors)
        if not image.bytes:
            return NamedFields(
                width=0,
                height=0,
                mode="",
                brightness=0.0,
                dominant_colors=[],
                source=_url_only(image),
            )
        img = _open(image)
        width, height = img.size
        mode = img.mode
        rgb = img.convert("RGB")
        brightness = float(np.asarray(rgb.convert("L"), dtype=np.float32).mean() / 255.0)
        small = rgb.copy()
        small.thumbnail((64, 64))
        quantized = small.quantize(colors=colors, method=PILImage.Quantize.MEDIANCUT)
        palette = quantized.getpalette() or []
        found = sorted(quantized.getcolors() or [], key=lambda p: (-p[0], p[1]))
        dominant = [
            "#{:02x}{:02x}{:02x}".format(*palette[3 * idx : 3 * idx + 3]) for _, idx in found
        ][:colors]
        return NamedFields(
            width=width,
            height=height,
            mode=mode,
            brightness=round(brightness, 4),
            dominant_colors=dominant,
            source=f"{len(image.bytes)} bytes",
        )

    @ModelClass.method
    def thumbnail(
        self,
        image: Image,
        size: int = Param(
            default=64,
            description="Longest side of the thumbnail, in pixels.",
            min_value=8,
            max_value=512,
        ),
        grayscale: bool = Param(default=False, description="Convert to grayscale."),
    ) -> Image:
        """A PNG thumbnail that keeps the aspect ratio (an image given by URL only comes back as is)."""
        if not image.bytes:
            return Image(url=image.url)
        img = _open(image).convert("L" if bool(grayscale) else "RGB")
        img.thumbnail((int(size), int(size)))
        return Image.from_pil(img)
