"""Example: call every method of the Clarifai model runners-examples/main/jinaai-embeddings-v3.

Run: CLARIFAI_PAT=... python -m generated.examples.jinaai_embeddings_v3
"""

from __future__ import annotations

from ..jinaai_embeddings_v3 import JinaaiEmbeddingsV3


def main() -> None:
    model = JinaaiEmbeddingsV3()
    print("openai_transport:", model.openai_transport(msg="What is the future of AI?"))
    for openai_stream_transport_item in model.openai_stream_transport(
        msg="What is the future of AI?"
    ):
        print("openai_stream_transport:", openai_stream_transport_item)
    print("predict:", model.predict(texts=["What is the future of AI?"]))


if __name__ == "__main__":
    main()
