"""`clarifai-codegen serve`: a local Clarifai API (REST + gRPC, see `server.py`) running model
directories with the clarifai SDK's own code, so a generated client works unchanged against it.

Needs the clarifai SDK (`pip install 'clarifai-codegen[serve]'`), imported only when serving:
`server.py` imports the servers and the SDK inside `serve()`, so importing this package (as the CLI
does for `codegen.serve.command`) stays light.
"""

from .server import ServeHandle, banner, run_forever, serve

__all__ = ["ServeHandle", "banner", "run_forever", "serve"]
