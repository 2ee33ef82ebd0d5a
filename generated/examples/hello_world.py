"""Example: call every method of the Clarifai model runners-examples/main/hello-world.

Run: CLARIFAI_PAT=... python -m generated.examples.hello_world
"""

from __future__ import annotations

from ..hello_world import HelloWorld
from .._runtime import StreamingNotSupportedError


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # HelloWorld(deployment_id="...", deployment_user_id="...")
    model = HelloWorld()
    print("predict:", model.predict(prompt="What is the future of AI?"))
    for generate_item in model.generate(prompt="What is the future of AI?"):
        print("generate:", generate_item)
    try:
        for s_item in model.s(
            input_iterator=["What is the future of AI?", "What is the future of AI?"]
        ):
            print("s:", s_item)
    except StreamingNotSupportedError as exc:  # bidirectional streams need the gRPC transport
        print("s:", exc)


if __name__ == "__main__":
    main()
