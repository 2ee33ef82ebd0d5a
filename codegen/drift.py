"""Semantic differences between two versions of a model's signatures (for `check --remote`)."""

from __future__ import annotations

import json

from .datatypes import TYPES
from .spec import DataType, FieldSpec, LiteralDefault, MethodSpec, ModelSpec, ServerDefault, TypeRef


def type_text(t: TypeRef) -> str:
    if t.kind is DataType.LIST:
        return f"list[{type_text(t.args[0])}]"
    if t.kind is DataType.TUPLE:
        return f"tuple[{', '.join(type_text(a) for a in t.args)}]"
    if t.kind is DataType.NAMED_FIELDS:
        return "{" + ", ".join(f"{k}: {type_text(v)}" for k, v in t.fields) + "}"
    return TYPES[t.kind].describe


def _default_text(f: FieldSpec) -> str:
    d = f.default
    if d is None:
        return "(required)"
    if isinstance(d, ServerDefault):
        return f"(model default {d.text!r})" if d.text else "(model default)"
    assert isinstance(d, LiteralDefault)
    return json.dumps(d.value) if not isinstance(d.value, (bytes, tuple)) else repr(d.value)


def _field_changes(old: FieldSpec, new: FieldSpec) -> list[str]:
    changes = []
    checks = [
        ("type", type_text(old.type), type_text(new.type)),
        ("default", _default_text(old), _default_text(new)),
        ("choices", json.dumps(list(old.choices)), json.dumps(list(new.choices))),
        ("range", repr(old.range), repr(new.range)),
        ("kind", _kind(old), _kind(new)),
        ("description", json.dumps(old.description), json.dumps(new.description)),
    ]
    for what, before, after in checks:
        if before != after:
            changes.append(f"{what} {before} -> {after}")
    return changes


def _kind(f: FieldSpec) -> str:
    if f.iterator:
        return "streamed input"
    return "inference param (keyword-only)" if f.is_param else "data input"


def _method_changes(old: MethodSpec, new: MethodSpec) -> list[str]:
    here = f"method {old.name!r}"
    out = []
    if old.kind is not new.kind:
        out.append(f"~ {here}: kind {old.kind.value} -> {new.kind.value}")
    if old.output != new.output:
        out.append(f"~ {here}: returns {type_text(old.output)} -> {type_text(new.output)}")
    if old.description != new.description:
        out.append(f"~ {here}: description changed")
    old_fields = {f.name: (i, f) for i, f in enumerate(old.inputs)}
    new_fields = {f.name: (i, f) for i, f in enumerate(new.inputs)}
    removed = [n for n in old_fields if n not in new_fields]
    added = [n for n in new_fields if n not in old_fields]
    for name in list(
        removed
    ):  # a removed and an added argument in the same place and type: a rename
        i, f = old_fields[name]
        match = next(
            (a for a in added if new_fields[a][0] == i and new_fields[a][1].type == f.type), None
        )
        if match is not None:
            out.append(f"~ {here}: parameter {name!r} renamed to {match!r}")
            removed.remove(name)
            added.remove(match)
            out += [
                f"~ {here}: parameter {match!r}: {c}"
                for c in _field_changes(f, new_fields[match][1])
            ]
    out += [f"- {here}: parameter {n!r} removed" for n in removed]
    for n in added:
        f = new_fields[n][1]
        out.append(
            f"+ {here}: parameter {n!r} added ({type_text(f.type)}, default {_default_text(f)})"
        )
    for name, (_, f) in old_fields.items():
        if name in new_fields:
            out += [
                f"~ {here}: parameter {name!r}: {c}" for c in _field_changes(f, new_fields[name][1])
            ]
    if [n for n in old_fields if n in new_fields] != [n for n in new_fields if n in old_fields]:
        out.append(f"~ {here}: parameters reordered")
    return out


def diff_specs(old: ModelSpec, new: ModelSpec) -> list[str]:
    """One line per change: `+` added, `-` removed, `~` changed. Empty when nothing changed."""
    old_methods = {m.name: m for m in old.methods}
    new_methods = {m.name: m for m in new.methods}
    out = [f"- method {n!r} removed" for n in old_methods if n not in new_methods]
    out += [f"+ method {n!r} added" for n in new_methods if n not in old_methods]
    for name, method in old_methods.items():
        if name in new_methods:
            out += _method_changes(method, new_methods[name])
    if old.ref.version_id != new.ref.version_id and (old.ref.version_id and new.ref.version_id):
        out.append(f"~ version {old.ref.version_id} -> {new.ref.version_id}")
    return out
