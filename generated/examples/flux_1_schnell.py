"""Example: call every method of the Clarifai model runners-examples/main/flux_1-schnell.

Run: CLARIFAI_PAT=... python -m generated.examples.flux_1_schnell
"""

from __future__ import annotations

from ..flux_1_schnell import Flux1Schnell


def main() -> None:
    model = Flux1Schnell()
    print(
        "predict:",
        model.predict(
            prompt="What is the future of AI?", negative_prompt="What is the future of AI?"
        ),
    )
    print("create:", model.create(prompt=["What is the future of AI?"]))


if __name__ == "__main__":
    main()
