"""Signatures from a local Clarifai model directory (`config.yaml` + `1/model.py`), without running it.

`model.py` is never imported or executed: it is parsed with `ast`, and the rules the SDK (12.5.0) applies
when `@ModelClass.method` runs at class-definition time are re-implemented over the syntax tree:
`ModelClass._register_model_methods` (MRO walk, an override keeps the base's position),
`method_signatures.build_function_signature` / `build_variable_signature` / `_normalize_type` /
`_normalize_data_type` / `_fill_signature_type`, and `data_utils.Param.to_proto` / `Param.set_default`.
The result is what `MessageToDict(signature, preserving_proto_field_name=True)` gives for the SDK's protos:
snake_case keys, enum names, proto3 defaults (false, "", 0, empty lists) omitted.

Methods inherited from the SDK's own base classes (`OpenAIModelClass`, `MCPModelClass`, ...) are not in
`model.py`; they come from `SDK_BASES`, a table taken from the SDK source and checked against the SDK by
the tests. Anything that cannot be decided from the source alone (a default computed by a call to an
unknown function, a base class from another module, a name bound conditionally, ...) is a `CodegenError`
naming `file:line`, or a warning when the SDK's own outcome does not depend on it; never a guess.

Deliberate choices where the SDK has no single answer:
- numpy / PIL annotations are analysed as an unmocked load would see them. `clarifai model upload` loads
  `model.py` with third-party imports replaced by MagicMock and then rejects them; a warning says so.
- `from __future__ import annotations` (and string annotations) are errors: the SDK fails on them when
  the class is defined (`TypeError: Unsupported type: str`), so such a model cannot be uploaded.
- Decorators other than `@ModelClass.method` on a model method are assumed to preserve the signature
  (as `functools.wraps` does); a warning names each one, and says what upload does when the decorator
  comes from a third-party module it mocks (the method is dropped, or the load fails).
- Every input within `limits.py` is analysed in bounded time and memory (each binding evaluated once,
  linear-time MROs, a budget for constant values); one beyond them is an error naming the limit. Links
  leaving the directory: see `links.py`.
"""

from .analyzer import analyze_source, sdk_base_methods
from .directory import analyze_model_dir, find_model_file, is_model_dir, model_dir_signatures
from .sdk_bases import SDK_BASES, SdkBase

__all__ = [
    "SDK_BASES",
    "SdkBase",
    "analyze_model_dir",
    "analyze_source",
    "find_model_file",
    "is_model_dir",
    "model_dir_signatures",
    "sdk_base_methods",
]
