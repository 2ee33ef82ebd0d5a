"""Names whose meaning is known without running anything: the SDK's classes, typing forms, builtins,
numpy / PIL types, by every dotted path they can be imported from.
"""

from __future__ import annotations

import collections.abc
import sys
import typing
from typing import Final

from ...datatypes import SDK_CLASS_KINDS
from .sdk_bases import _M, SDK_BASES
from .values import _Builtin, _Known, _Ref

_DECORATOR: Final = _Known("decorator", "ModelClass.method")
_DT_MODULES: Final = (
    "clarifai.runners.utils.data_types",
    "clarifai.runners.utils.data_types.data_types",
)
_STREAM_FORMS: Final = ("Iterator", "Generator", "Iterable")
_BUILTIN_CLASSES: Final = frozenset(
    {"str", "bytes", "int", "float", "bool", "list", "dict", "tuple", "set", "frozenset", "object"}
    | {"complex", "type"}
)


def _known_table() -> dict[str, object]:
    known: dict[str, object] = {}
    for name, base in SDK_BASES.items():
        for q in base.qualnames:
            known[q] = _Known("base", name)
    for mod in _DT_MODULES:
        for dt in (*SDK_CLASS_KINDS, "NamedFields"):
            known[f"{mod}.{dt}"] = _Known("dt", dt)
    known["clarifai.runners.utils.data_utils.Param"] = _Known("param", "Param")
    for re_export, names in (
        ("clarifai.runners.utils.data_utils", ("Audio", "Image", "Video")),
        (_M + "visual_classifier_class", ("Concept", "Frame", "Image")),
        (_M + "visual_detector_class", ("Concept", "Frame", "Image", "Region")),
    ):
        for dt in names:
            known[f"{re_export}.{dt}"] = _Known("dt", dt)
    for mod in ("typing", "typing_extensions"):
        for form in ("List", "Dict", "Tuple", *_STREAM_FORMS, "Optional", "Union", "Any"):
            known[f"{mod}.{form}"] = _Known("form", form)
        known[f"{mod}.Text"] = _Builtin("str")  # typing.Text is str, not data_types.Text
    for form in _STREAM_FORMS:
        known[f"collections.abc.{form}"] = _Known("abc", form)
    for b in _BUILTIN_CLASSES:
        known[f"builtins.{b}"] = _Builtin(b)
    for b in ("staticmethod", "classmethod", "property"):
        known[f"builtins.{b}"] = _Known("builtin_decorator", b)
    known["numpy.ndarray"] = _Known("ndarray", "numpy.ndarray")
    known["numpy.typing.NDArray"] = _Known("ndarray_alias", "numpy.typing.NDArray")
    known["PIL.Image.Image"] = _Known("pil_image", "PIL.Image.Image")
    return known


_KNOWN: Final = _known_table()
# `from M import *` for a module we know: every name it binds. The stdlib's lists are read from the
# running interpreter; the data_types package has no __all__, so `*` binds all its public names.
_STAR_EXPORTS: Final[dict[str, frozenset[str]]] = {
    "clarifai.runners.utils.data_types": frozenset(
        {*SDK_CLASS_KINDS, "NamedFields", "NamedFieldsMeta", "MessageData", "cast", "data_types"}
    ),
    "clarifai.runners.utils.data_types.data_types": frozenset(
        {*SDK_CLASS_KINDS, "NamedFields", "NamedFieldsMeta", "MessageData"}
    ),
    "typing": frozenset(typing.__all__),
    "collections.abc": frozenset(collections.abc.__all__),
}


_STDLIB: Final = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(
    sys.builtin_module_names
)


def _canon(qualname: str) -> object:
    return _KNOWN.get(qualname, _Ref(qualname))
