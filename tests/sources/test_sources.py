"""codegen.sources: one entry point per source kind, and `api.load_each` dispatching to them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from codegen import api
from codegen.errors import CodegenError
from codegen.snapshot_format import snapshot_bytes
from codegen.sources.files import read_bytes
from codegen.sources.ids import parse_ref, ref_text
from codegen.sources.local import analyze_model_dir, model_dir_signatures
from codegen.sources.remote.refs import parse_model_ref
from codegen.sources.remote.replies import Permanent, classify
from codegen.sources.signature_file import read_signature_file
from codegen.sources.snapshot import read_snapshots
from codegen.spec import ModelRef

from ..conftest import MODELS, ROOT

HELLO = ROOT / "signatures" / "hello-world.json"
ALIASES = MODELS / "aliases"


def test_load_each_dispatches_to_the_entry_point_of_each_kind() -> None:
    file_item, _ = read_signature_file(HELLO)
    dir_item, _ = analyze_model_dir(ALIASES)
    outcomes = api.load_each([HELLO, ALIASES], [None, None])
    assert [o.error for o in outcomes] == [None, None]
    assert [o.loaded for o in outcomes] == [file_item, dir_item]
    assert dir_item.spec.ref.path == "codegen-tests/local-models/aliases"
    assert dir_item.raw == model_dir_signatures(ALIASES)[0]


def test_snapshots_round_trip_and_a_snapshot_is_also_a_signature_file(tmp_path: Path) -> None:
    item, _ = read_signature_file(HELLO)
    folder = tmp_path / ".codegen"
    folder.mkdir()
    (folder / "hello_world.json").write_bytes(snapshot_bytes(item))
    (folder / "lock.json").write_text("{}")  # not a snapshot, and not read as one
    assert read_snapshots(tmp_path)[0] == [item]
    again, _ = read_signature_file(folder / "hello_world.json")
    assert again == item  # the snapshot's own ids and source, not the file's name


def test_a_non_snapshot_in_the_snapshot_folder_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / ".codegen"
    folder.mkdir()
    (folder / "stray.json").write_text(HELLO.read_text())
    with pytest.raises(CodegenError, match=r"stray\.json: not a snapshot"):
        read_snapshots(tmp_path)
    assert read_snapshots(tmp_path / "missing") == ([], [])


def test_a_folder_that_is_not_a_model_directory(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("model: {id: m}\n")  # no model.py
    for load in (analyze_model_dir, model_dir_signatures):
        with pytest.raises(CodegenError, match="not a Clarifai model directory"):
            load(tmp_path)


def test_size_limits_are_named_in_their_unit(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2049)
    with pytest.raises(CodegenError, match=r"big: file is larger than 2 KiB$"):
        read_bytes(big, 2048)
    assert read_bytes(big, 2049) == b"x" * 2049
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    with pytest.raises(CodegenError, match=r"file is larger than 1 MiB$"):
        read_bytes(big, 1024 * 1024)
    with pytest.raises(CodegenError, match="no such file"):
        read_bytes(tmp_path / "nope", 10)


def test_ref_and_model_reference_validate_ids_alike() -> None:
    assert parse_ref("u/a/m@v1") == parse_model_ref("u/a/m@v1")
    assert ref_text(parse_ref("u/a/m@v1")) == "u/a/m@v1"
    assert ref_text(parse_ref("u/a/m")) == "u/a/m"
    for bad in ("u/a b/m", "u/a/m@v 1"):
        with pytest.raises(CodegenError, match=r"invalid (app|version) id") as by_ref:
            parse_ref(bad)
        with pytest.raises(CodegenError) as by_url:
            parse_model_ref(bad)
        assert by_ref.value.message == by_url.value.message


def test_remote_settings_only_when_something_is_pulled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLARIFAI_API_BASE", "not a url")  # offline work never reads it
    assert api.remote_sources([HELLO, "u/a/m", ALIASES]) == ["u/a/m"]
    assert api.remote_settings([HELLO, ALIASES]) is None
    with pytest.raises(CodegenError, match="invalid API base"):
        api.remote_settings([HELLO, "u/a/m"])
    settings = api.remote_settings(["u/a/m"], "pat", "http://127.0.0.1:9", concurrency=3)
    assert settings is not None and (settings.api_base, settings.concurrency) == (
        "http://127.0.0.1:9",
        3,
    )


def test_pick_method_names_the_methods_there_are() -> None:
    found = {"predict": "a", "generate": "b"}
    assert api.pick_method(found, None, "x.json") == ["a", "b"]
    assert api.pick_method(found, "generate", "x.json") == ["b"]
    with pytest.raises(
        CodegenError, match=r"^x\.json: no method 'nope'; the model has: predict, generate$"
    ):
        api.pick_method(found, "nope", "x.json")


def test_unsnapshotted_lists_configured_models_without_a_snapshot(tmp_path: Path) -> None:
    item, _ = read_signature_file(HELLO)
    (tmp_path / ".codegen").mkdir()
    (tmp_path / ".codegen" / "hello_world.json").write_bytes(snapshot_bytes(item))
    configured = [item.source, "u/a/other"]
    assert api.unsnapshotted(tmp_path, configured) == ["u/a/other"]
    assert api.unsnapshotted(tmp_path / "new", configured) == configured


def test_a_path_with_a_nul_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CodegenError, match=r"not a usable path \(it contains a NUL\)$"):
        read_bytes(tmp_path / "a\0b.json", 10)


def test_a_reply_with_a_huge_number_is_a_clear_error() -> None:
    """An integer of more than 4,300 digits makes `json.loads` raise a plain ValueError."""
    content = b'{"status": {"code": 10000}, "n": ' + b"9" * 5000 + b"}"
    with pytest.raises(Permanent, match=r"unreadable JSON \(ValueError\)"):
        classify(ModelRef("u", "a", "m"), 200, content, httpx.Headers())
