"""Example: call every method of the Clarifai model runners-examples/main/mcp-math-model.

Run: CLARIFAI_PAT=... python -m generated.examples.mcp_math_model
"""

from __future__ import annotations

from ..mcp_math_model import McpMathModel


def main() -> None:
    model = McpMathModel()
    print("mcp_transport:", model.mcp_transport(msg="What is the future of AI?"))


if __name__ == "__main__":
    main()
