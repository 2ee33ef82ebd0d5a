from typing import Annotated

from fastmcp import FastMCP  # mocked when the SDK loads this for upload
from pydantic import Field

server = FastMCP("notes-server", instructions="Keeps notes", stateless_http=True)


@server.tool("add_note", description="Store a note")
def add_note(
    text: Annotated[str, Field(description="The note")],
    priority: Annotated[int, Field(description="1 to 5", ge=1, le=5)] = 3,
) -> str:
    """Store a note."""
    return text


@server.resource("config://notes")
def notes_settings():
    return {"max": 100}


from clarifai.runners.models.mcp_class import MCPModelClass


class NotesModel(MCPModelClass):
    def get_server(self) -> FastMCP:
        return server
