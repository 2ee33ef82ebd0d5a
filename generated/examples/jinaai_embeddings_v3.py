"""Example: call every method of the Clarifai model runners-examples/main/jinaai-embeddings-v3.

Run: CLARIFAI_PAT=... python -m generated.examples.jinaai_embeddings_v3
"""

from __future__ import annotations

import json

from ..jinaai_embeddings_v3 import JinaaiEmbeddingsV3


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # JinaaiEmbeddingsV3(deployment_id="...", deployment_user_id="...")
    model = JinaaiEmbeddingsV3()
    print(
        "openai_transport:",
        model.openai_transport(
            msg=json.dumps(
                {
                    "model": "https://clarifai.com/runners-examples/main/models/jinaai-embeddings-v3",
                    "messages": [{"role": "user", "content": "What is the future of AI?"}],
                }
            )
        ),
    )
    for openai_stream_transport_item in model.openai_stream_transport(
        msg=json.dumps(
            {
                "model": "https://clarifai.com/runners-examples/main/models/jinaai-embeddings-v3",
                "messages": [{"role": "user", "content": "What is the future of AI?"}],
                "stream": True,
            }
        )
    ):
        print("openai_stream_transport:", openai_stream_transport_item)
    print("predict:", model.predict(texts=["What is the future of AI?"]))


if __name__ == "__main__":
    main()
