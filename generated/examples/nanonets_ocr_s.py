"""Example: call every method of the Clarifai model runners-examples/main/nanonets-ocr-s.

Run: CLARIFAI_PAT=... python -m generated.examples.nanonets_ocr_s
"""

from __future__ import annotations

from ..nanonets_ocr_s import NanonetsOcrS
from .._runtime import Image


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # NanonetsOcrS(deployment_id="...", deployment_user_id="...")
    model = NanonetsOcrS()
    print(
        "predict:",
        model.predict(image=Image.from_url("https://samples.clarifai.com/metro-north.jpg")),
    )


if __name__ == "__main__":
    main()
