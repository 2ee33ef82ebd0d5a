"""Example: call every method of the Clarifai model runners-examples/main/llama-32-1b-instruct.

Run: CLARIFAI_PAT=... python -m generated.examples.llama_32_1b_instruct
"""

from __future__ import annotations

from ..llama_32_1b_instruct import Llama321bInstruct


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # Llama321bInstruct(deployment_id="...", deployment_user_id="...")
    model = Llama321bInstruct()
    print("predict:", model.predict(prompt="What is the future of AI?"))
    for generate_item in model.generate(prompt="What is the future of AI?"):
        print("generate:", generate_item)


if __name__ == "__main__":
    main()
