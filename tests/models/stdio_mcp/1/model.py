# ruff: noqa  -- test input in the style of real Clarifai models (Param(...) / mutable defaults on purpose)
"""StdioMCPModelClass subclass: everything comes from the SDK (mcp_transport via MCPModelClass)."""

from clarifai.runners.models.stdio_mcp_class import StdioMCPModelClass


class StdioServer(StdioMCPModelClass):
    pass
