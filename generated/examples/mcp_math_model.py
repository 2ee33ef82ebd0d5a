"""Example: call every method of the Clarifai model runners-examples/main/mcp-math-model.

Run: CLARIFAI_PAT=... python -m generated.examples.mcp_math_model
"""

from __future__ import annotations

from ..mcp_math_model import McpMathModel


def main() -> None:
    # Dedicated compute (optional), as in the SDK's client scripts: set CLARIFAI_DEPLOYMENT_ID
    # (and CLARIFAI_DEPLOYMENT_USER_ID, the deployment's owner; default: the PAT's owner), or
    # CLARIFAI_COMPUTE_CLUSTER_ID with CLARIFAI_NODEPOOL_ID; or pass them as keywords:
    # McpMathModel(deployment_id="...", deployment_user_id="...")
    model = McpMathModel()
    print("mcp_transport:", model.mcp_transport(msg="What is the future of AI?"))


if __name__ == "__main__":
    main()
