"""Example: call every method of the Clarifai model runners-examples/main/facebook_mask2former-swin-tiny-ade-semantic.

Run: CLARIFAI_PAT=... python -m generated.examples.facebook_mask2former_swin_tiny_ade_semantic
"""

from __future__ import annotations

from ..facebook_mask2former_swin_tiny_ade_semantic import FacebookMask2formerSwinTinyAdeSemantic
from .._runtime import Image, StreamingNotSupportedError, Video


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # FacebookMask2formerSwinTinyAdeSemantic(deployment_id="...", deployment_user_id="...")
    model = FacebookMask2formerSwinTinyAdeSemantic()
    print(
        "model_predict:",
        model.model_predict(
            images=[Image.from_url("https://samples.clarifai.com/metro-north.jpg")]
        ),
    )
    print(
        "predict:",
        model.predict(image=Image.from_url("https://samples.clarifai.com/metro-north.jpg")),
    )
    try:
        for stream_item in model.stream(
            images=[
                Image.from_url("https://samples.clarifai.com/metro-north.jpg"),
                Image.from_url("https://samples.clarifai.com/metro-north.jpg"),
            ]
        ):
            print("stream:", stream_item)
    except StreamingNotSupportedError as exc:  # bidirectional streams need the gRPC transport
        print("stream:", exc)
    for generate_item in model.generate(
        video=Video.from_url("https://samples.clarifai.com/beer.mp4")
    ):
        print("generate:", generate_item)


if __name__ == "__main__":
    main()
