"""Method signatures from a definition's syntax: `build_function_signature` /
`build_variable_signature`, with defaults and `Param(...)` as `Param.to_proto` stores them.
"""

from __future__ import annotations

import ast
from typing import Any, Final

from ...errors import CodegenError, shown
from .defaults import _encode_default, _param_fields, _runtime, _utf8
from .evaluator import _Evaluator
from .limits import MAX_PARAMS
from .normalize import _fill, _normalize_type, _TypeProblem, _uses_mocked_module
from .scopes import _Scope
from .values import _ParamValue, _Unresolved

RESERVED_PARAM: Final = "with_proto"  # method_signatures.RESERVED_PARAM_WITH_PROTO


class _SignatureBuilder(_Evaluator):
    """`build_function_signature` for one method definition."""

    def __init__(self, tree: ast.Module, filename: str) -> None:
        super().__init__(tree, filename)
        self.future_line = next(
            (
                s.lineno
                for s in tree.body
                if isinstance(s, ast.ImportFrom)
                and s.module == "__future__"
                and any(a.name == "annotations" for a in s.names)
            ),
            0,
        )

    def method_signature(
        self, func: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope, pos: int
    ) -> dict[str, Any]:
        """build_function_signature(func), from the definition's syntax."""
        name = func.name
        if self.future_line:
            raise self.error(
                "`from __future__ import annotations` turns every annotation into a string; the "
                f"SDK's @ModelClass.method then fails on {shown(name)} (TypeError: Unsupported type), "
                "so this model cannot be uploaded",
                self.future_line,
            )
        a = func.args
        if a.vararg or a.kwarg:
            star = a.vararg or a.kwarg
            assert star is not None
            raise self.error(
                f"method {shown(name)}: variadic parameter {shown(star.arg)} is not supported", star
            )
        positional = [*a.posonlyargs, *a.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
        defaults += a.defaults
        params = list(zip(positional, defaults, strict=True))
        params += list(zip(a.kwonlyargs, a.kw_defaults, strict=True))
        if params and params[0][0].arg in ("self", "cls"):
            params = params[1:]
        if len(params) > MAX_PARAMS:
            raise self.error(
                f"method {shown(name)} has more than {MAX_PARAMS} parameters (the limit of the "
                "static analysis)",
                func,
            )
        if func.returns is None:
            raise self.error(
                f"method {shown(name)} has no return annotation (the SDK raises TypeError)", func
            )
        inputs: list[dict[str, Any]] = []
        streaming: list[bool] = []
        for arg, default in params:
            if arg.arg == RESERVED_PARAM:
                raise self.error(
                    f"method {shown(name)}: parameter name {RESERVED_PARAM!r} is reserved by the SDK",
                    arg,
                )
            fields, stream = self.variable(name, arg.arg, arg.annotation, default, arg, scope, pos)
            inputs.append(fields)
            streaming.append(stream)
        output, out_stream = self.variable(name, "return", func.returns, None, func, scope, pos)
        if sum(streaming) > 1:
            raise self.error(
                f"method {shown(name)}: streaming methods must have at most one streaming input",
                func,
            )
        if not any(streaming):
            method_type = "UNARY_STREAMING" if out_stream else "UNARY_UNARY"
        elif out_stream:
            method_type = "STREAMING_STREAMING"
        else:
            raise self.error(
                f"method {shown(name)}: stream methods with streaming inputs must have streaming "
                "outputs",
                func,
            )
        sig: dict[str, Any] = {"name": name, "method_type": method_type}
        doc = ast.get_docstring(func, clean=True)
        if doc:
            try:
                sig["description"] = _utf8(doc, "the docstring")
            except _Unresolved as exc:
                raise self.error(f"method {shown(name)}: {exc.detail}", func) from None
        if inputs:
            sig["input_fields"] = inputs
        sig["output_fields"] = [output]
        return sig

    def _unresolved_annotation(
        self, method: str, what: str, exc: _Unresolved, node: ast.AST
    ) -> CodegenError:
        return self.error(
            f"method {shown(method)}: cannot resolve the annotation of {what} statically: {exc.detail}",
            node,
        )

    def variable(
        self,
        method: str,
        name: str,
        annotation: ast.expr | None,
        default: ast.expr | None,
        at: ast.AST,
        scope: _Scope,
        pos: int,
    ) -> tuple[dict[str, Any], bool]:
        """build_variable_signature: (the ModelTypeField as MessageToDict renders it, streaming)."""
        what = "the return type" if name == "return" else f"parameter {shown(name)}"
        if annotation is None:
            raise self.error(
                f"method {shown(method)}: {what} has no annotation (the SDK raises TypeError)", at
            )
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            raise self.error(
                f"method {shown(method)}: {what} has the string annotation {shown(annotation.value)}; the "
                "SDK does not evaluate string annotations (TypeError: Unsupported type)",
                annotation,
            )
        try:
            tp = self.sized(self.eval(annotation, scope, pos), annotation)  # rendered per field
        except _Unresolved as exc:
            raise self._unresolved_annotation(method, what, exc, exc.node or annotation) from None
        try:
            normalized, stream = _normalize_type(tp)
        except _TypeProblem as exc:
            raise self.error(f"method {shown(method)}: {what}: {exc}", annotation) from None
        except _Unresolved as exc:
            raise self._unresolved_annotation(method, what, exc, annotation) from None
        if _uses_mocked_module(tp):
            self.warn(
                f"method {shown(method)}: {what} uses a numpy/PIL type; `clarifai model upload` "
                "(SDK 12.5.0) loads model.py with third-party imports mocked and rejects it "
                "(TypeError: Unsupported type: MagicMock); shown as an unmocked load computes it",
                annotation,
            )
        typed = _fill(name, normalized)
        out: dict[str, Any] = {}
        if name != "return":
            if default is None:
                out["required"] = True
            else:
                try:
                    value = self.sized(self.eval(default, scope, pos), default)  # rendered here
                    if isinstance(value, _ParamValue):
                        out.update(_param_fields(value))
                    else:
                        encoded = _utf8(_encode_default(_runtime(value)), "the default")
                        if encoded:
                            out["default"] = encoded
                except _Unresolved as exc:
                    raise self.error(
                        f"cannot resolve default for parameter {shown(name)} statically "
                        f"(method {shown(method)}): {exc.detail}",
                        exc.node or default,
                    ) from None
        ordered: dict[str, Any] = {}
        for key in ("description", "model_type_enum_options", "required"):
            if key in out:
                ordered[key] = out[key]
        if "model_type_range_info" in out:
            ordered["model_type_range_info"] = out["model_type_range_info"]
        ordered.update(typed)
        if stream:
            ordered["iterator"] = True
        for key in ("default", "is_param"):
            if key in out:
                ordered[key] = out[key]
        return ordered, stream
