"""The SDK's model base classes and the @ModelClass.method methods each defines in its own body
(clarifai 12.5.0, runners/models/*.py). `methods` are MessageToDict(build_function_signature(m),
preserving_proto_field_name=True), in class-body order; docstrings already through inspect.cleandoc.
tests/sources/test_local.py compares every entry with the SDK's `_register_model_methods()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class SdkBase:
    bases: tuple[str, ...]
    qualnames: tuple[str, ...]  # where it can be imported from (module re-exports included)
    methods: tuple[dict[str, Any], ...] = ()


def _str_method(name: str, description: str, *, stream: bool) -> dict[str, Any]:
    """`def <name>(self, msg: str) -> str` (or `-> Iterator[str]`): every SDK-provided model method."""
    out: dict[str, Any] = {"name": "return", "type": "STR"}
    if stream:
        out["iterator"] = True
    sig: dict[str, Any] = {
        "name": name,
        "method_type": "UNARY_STREAMING" if stream else "UNARY_UNARY",
    }
    if description:
        sig["description"] = description
    sig["input_fields"] = [{"required": True, "name": "msg", "type": "STR"}]
    sig["output_fields"] = [out]
    return sig


_OPENAI_TRANSPORT_DOC: Final = (
    "Process an OpenAI-compatible request and send it to the appropriate OpenAI endpoint.\n"
    "\n"
    "Args:\n"
    "    msg: JSON string containing the request parameters including 'openai_endpoint'\n"
    "\n"
    "Returns:\n"
    "    JSON string containing the response or error"
)
_OPENAI_STREAM_TRANSPORT_DOC: Final = (
    "Process an OpenAI-compatible request and return a streaming response iterator.\n"
    "This method is used when stream=True and returns an iterator of strings directly,\n"
    "without converting to a list or JSON serializing. Supports chat completions and responses"
    " endpoints.\n"
    "\n"
    "Args:\n"
    "    msg: The request as a JSON string.\n"
    "\n"
    "Returns:\n"
    "    Iterator[str]: An iterator yielding text chunks from the streaming response."
)

_M: Final = "clarifai.runners.models."
SDK_BASES: Final[dict[str, SdkBase]] = {
    "object": SdkBase((), ("builtins.object",)),
    "ABC": SdkBase(("object",), ("abc.ABC",)),
    "ModelClass": SdkBase(
        ("ABC",),
        (
            _M + "model_class.ModelClass",
            "clarifai.runners.ModelClass",
            _M + "openai_class.ModelClass",
            _M + "agentic_class.ModelClass",
            _M + "mcp_class.ModelClass",
            _M + "visual_classifier_class.ModelClass",
            _M + "visual_detector_class.ModelClass",
        ),
    ),
    "OpenAIModelClass": SdkBase(
        ("ModelClass",),
        (
            _M + "openai_class.OpenAIModelClass",
            "clarifai.runners.OpenAIModelClass",
            _M + "agentic_class.OpenAIModelClass",
            _M + "vllm_openai_class.OpenAIModelClass",
        ),
        (
            _str_method("openai_transport", _OPENAI_TRANSPORT_DOC, stream=False),
            _str_method("openai_stream_transport", _OPENAI_STREAM_TRANSPORT_DOC, stream=True),
        ),
    ),
    "AgenticModelClass": SdkBase(
        ("OpenAIModelClass",),
        (_M + "agentic_class.AgenticModelClass",),
        (
            _str_method("openai_transport", "Handle non-streaming OpenAI requests.", stream=False),
            _str_method(
                "openai_stream_transport", "Handle streaming OpenAI requests.", stream=True
            ),
        ),
    ),
    "VLLMOpenAIModelClass": SdkBase(
        ("OpenAIModelClass",),
        (_M + "vllm_openai_class.VLLMOpenAIModelClass",),
        (_str_method("openai_stream_transport", "", stream=True),),
    ),
    "MCPModelClass": SdkBase(
        ("ModelClass",),
        (
            _M + "mcp_class.MCPModelClass",
            "clarifai.runners.MCPModelClass",
            _M + "stdio_mcp_class.MCPModelClass",
        ),
        (_str_method("mcp_transport", "Synchronous entry point used by Clarifai.", stream=False),),
    ),
    "StdioMCPModelClass": SdkBase(("MCPModelClass",), (_M + "stdio_mcp_class.StdioMCPModelClass",)),
    "VisualClassifierClass": SdkBase(
        ("ModelClass",), (_M + "visual_classifier_class.VisualClassifierClass",)
    ),
    "VisualDetectorClass": SdkBase(
        ("ModelClass",), (_M + "visual_detector_class.VisualDetectorClass",)
    ),
}
