"""Example: call every method of the Clarifai model clarifai-docs/examples/example-multimodal-llm.

Run: CLARIFAI_PAT=... python -m generated.examples.example_multimodal_llm
"""

from __future__ import annotations

from ..example_multimodal_llm import ExampleMultimodalLlm


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # ExampleMultimodalLlm(deployment_id="...", deployment_user_id="...")
    model = ExampleMultimodalLlm()
    print("predict:", model.predict(prompt="What is the future of AI?"))
    for generate_item in model.generate(prompt="What is the future of AI?"):
        print("generate:", generate_item)
    for chat_item in model.chat(
        messages=[{"role": "user", "content": "What is the future of AI?"}]
    ):
        print("chat:", chat_item)


if __name__ == "__main__":
    main()
