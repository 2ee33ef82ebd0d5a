"""Example: call every method of the Clarifai model runners-examples/main/dfine-small-obj2coco.

Run: CLARIFAI_PAT=... python -m generated.examples.dfine_small_obj2coco
"""

from __future__ import annotations

from ..dfine_small_obj2coco import DfineSmallObj2coco
from .._runtime import Image, StreamingNotSupportedError, Video


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # DfineSmallObj2coco(deployment_id="...", deployment_user_id="...")
    model = DfineSmallObj2coco()
    print(
        "predict:",
        model.predict(image=Image.from_url("https://samples.clarifai.com/metro-north.jpg")),
    )
    for generate_item in model.generate(
        video=Video.from_url("https://samples.clarifai.com/beer.mp4")
    ):
        print("generate:", generate_item)
    try:
        for stream_image_item in model.stream_image(
            image_stream=[
                Image.from_url("https://samples.clarifai.com/metro-north.jpg"),
                Image.from_url("https://samples.clarifai.com/metro-north.jpg"),
            ]
        ):
            print("stream_image:", stream_image_item)
    except StreamingNotSupportedError as exc:  # bidirectional streams need the gRPC transport
        print("stream_image:", exc)
    try:
        for stream_video_item in model.stream_video(
            video_stream=[
                Video.from_url("https://samples.clarifai.com/beer.mp4"),
                Video.from_url("https://samples.clarifai.com/beer.mp4"),
            ]
        ):
            print("stream_video:", stream_video_item)
    except StreamingNotSupportedError as exc:  # bidirectional streams need the gRPC transport
        print("stream_video:", exc)


if __name__ == "__main__":
    main()
