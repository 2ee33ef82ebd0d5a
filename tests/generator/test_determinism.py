"""Same input -> same bytes, whatever the hash seed (sets and dicts must never leak order)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..conftest import ROOT, SIGNATURES, run_cli


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def test_output_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    rel = [str(p.relative_to(ROOT)) for p in SIGNATURES]
    digests = set()
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"seed{seed}" / "generated"
        result = run_cli("generate", *rel, "-o", str(out), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        digests.add(digest(out))
    assert len(digests) == 1
