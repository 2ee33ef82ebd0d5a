"""Example: call every method of the Clarifai model runners-examples/main/nanonets-ocr-s.

Run: CLARIFAI_PAT=... python -m generated.examples.nanonets_ocr_s
"""

from __future__ import annotations

from ..nanonets_ocr_s import NanonetsOcrS
from .._runtime import Image


def main() -> None:
    model = NanonetsOcrS()
    print(
        "predict:",
        model.predict(image=Image.from_url("https://samples.clarifai.com/metro-north.jpg")),
    )


if __name__ == "__main__":
    main()
