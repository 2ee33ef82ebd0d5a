"""Example: call every method of the Clarifai model clarifai-codegen/fixtures/all-types.

Run: CLARIFAI_PAT=... python -m generated.examples.all_types
"""

from __future__ import annotations

import numpy

from ..all_types import AllTypes
from .._runtime import Audio, Concept, Frame, Image, Region, StreamingNotSupportedError, Text, Video


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # AllTypes(deployment_id="...", deployment_user_id="...")
    model = AllTypes()
    print(
        "scalars:",
        model.scalars(
            s="What is the future of AI?",
            b=b"hello",
            i=1,
            f=0.5,
            flag=True,
            opt_s="What is the future of AI?",
        ),
    )
    print(
        "media:",
        model.media(
            text=Text("What is the future of AI?"),
            image=Image.from_url("https://samples.clarifai.com/metro-north.jpg"),
            audio=Audio.from_url("https://samples.clarifai.com/english_audio_sample.mp3"),
            video=Video.from_url("https://samples.clarifai.com/beer.mp4"),
            concept=Concept("cat", 0.5),
            region=Region(box=(0.1, 0.2, 0.5, 0.6), concepts=[Concept("cat", 0.5)]),
            frame=Frame(
                image=Image.from_url("https://samples.clarifai.com/metro-north.jpg"),
                index=1,
                time=0.5,
            ),
            arr=numpy.arange(6, dtype=numpy.float32).reshape(2, 3),
        ),
    )
    print(
        "containers:",
        model.containers(
            names=["What is the future of AI?"],
            grid=[[1]],
            pair=(1, "What is the future of AI?"),
            concepts=[Concept("cat", 0.5)],
            regions=[Region(box=(0.1, 0.2, 0.5, 0.6), concepts=[Concept("cat", 0.5)])],
        ),
    )
    print("tuned:", model.tuned(prompt="What is the future of AI?"))
    for frames_item in model.frames(video=Video.from_url("https://samples.clarifai.com/beer.mp4")):
        print("frames:", frames_item)
    try:
        for echo_stream_item in model.echo_stream(
            chunks=[Text("What is the future of AI?"), Text("What is the future of AI?")],
            suffix="What is the future of AI?",
        ):
            print("echo_stream:", echo_stream_item)
    except StreamingNotSupportedError as exc:  # bidirectional streams need the gRPC transport
        print("echo_stream:", exc)


if __name__ == "__main__":
    main()
