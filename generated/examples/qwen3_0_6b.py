"""Example: call every method of the Clarifai model runners-examples/main/qwen3-0_6B.

Run: CLARIFAI_PAT=... python -m generated.examples.qwen3_0_6b
"""

from __future__ import annotations

import json

from ..qwen3_0_6b import Qwen306b


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # Qwen306b(deployment_id="...", deployment_user_id="...")
    model = Qwen306b()
    print(
        "openai_transport:",
        model.openai_transport(
            msg=json.dumps(
                {
                    "model": "https://clarifai.com/runners-examples/main/models/qwen3-0_6B",
                    "messages": [{"role": "user", "content": "What is the future of AI?"}],
                }
            )
        ),
    )
    for openai_stream_transport_item in model.openai_stream_transport(
        msg=json.dumps(
            {
                "model": "https://clarifai.com/runners-examples/main/models/qwen3-0_6B",
                "messages": [{"role": "user", "content": "What is the future of AI?"}],
                "stream": True,
            }
        )
    ):
        print("openai_stream_transport:", openai_stream_transport_item)
    print("predict:", model.predict(prompt="What is the future of AI?"))
    for generate_item in model.generate(prompt="What is the future of AI?"):
        print("generate:", generate_item)


if __name__ == "__main__":
    main()
