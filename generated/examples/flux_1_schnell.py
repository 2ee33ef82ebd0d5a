"""Example: call every method of the Clarifai model runners-examples/main/flux_1-schnell.

Run: CLARIFAI_PAT=... python -m generated.examples.flux_1_schnell
"""

from __future__ import annotations

from ..flux_1_schnell import Flux1Schnell


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # Flux1Schnell(deployment_id="...", deployment_user_id="...")
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
