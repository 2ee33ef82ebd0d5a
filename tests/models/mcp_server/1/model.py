# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""MCPModelClass subclass (through the `clarifai.runners` re-export): inherits mcp_transport."""

from fastmcp import FastMCP  # not installed: mocked at upload time
from pydantic import Field

from clarifai.runners import MCPModelClass

server = FastMCP("calculator", instructions="Adds numbers.")


@server.tool("add", description="Add two numbers")
def add(a: float = Field(description="first"), b: float = Field(description="second")) -> float:
    return a + b


class CalculatorMCP(MCPModelClass):
    def get_server(self) -> FastMCP:
        return server
