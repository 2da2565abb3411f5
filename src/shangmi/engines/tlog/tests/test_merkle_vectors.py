"""RFC 6962 / RFC 9162 proof verification against the published vectors (../shared/vectors/merkle/).

One test per JSON file, named by its path; `wantErr` decides for every file. The acceptance rule for the
README's edge cases is in verify.py's module docstring and docs/tlog-proofs.md.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from shangmi.engines.tlog.hashing import EMPTY_ROOT
from shangmi.engines.tlog.verify import (
    MalformedHashError,
    OutOfRangeError,
    ProofError,
    ProofLengthError,
    RootMismatchError,
    verify_consistency,
    verify_inclusion,
)

REPOSITORY = Path(__file__).resolve().parents[5]
VECTORS = REPOSITORY.parent / "shared" / "vectors" / "merkle"  # ../shared/vectors beside the checkout


def _files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "", validate=True)


def _check(path: Path) -> None:
    v = json.loads(path.read_text(encoding="utf-8"))
    proof = [_b64(p) for p in v["proof"] or []]
    if "leafIdx" in v:
        verify_inclusion(v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), proof, _b64(v["root"]))
    else:
        verify_consistency(v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]), proof)


def _want_err(path: Path) -> bool:
    want = json.loads(path.read_text(encoding="utf-8"))["wantErr"]
    assert isinstance(want, bool), path
    return want


@pytest.mark.parametrize(
    "path", _files("inclusion") + _files("consistency"), ids=lambda p: str(p.relative_to(VECTORS))
)
def test_vector(path: Path) -> None:
    if _want_err(path):
        with pytest.raises(ProofError):
            _check(path)
    else:
        _check(path)


def test_vector_folders_were_found() -> None:
    inclusion, consistency = _files("inclusion"), _files("consistency")
    assert len(inclusion) > 50 and len(consistency) > 50, VECTORS
    assert len(inclusion) + len(consistency) > 100
    accepted = [p for p in inclusion + consistency if not _want_err(p)]
    assert len(accepted) >= 10  # both happy paths and rejections are exercised


# The README's named edge cases, with the reason each is accepted or rejected.


def _vector(relative: str) -> dict:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("relative", "error"),
    [
        ("inclusion/single-entry/empty-leaf.json", MalformedHashError),
        ("inclusion/single-entry/empty-root.json", MalformedHashError),
        ("inclusion/single-entry/empty-root-and-leaf.json", MalformedHashError),
        ("inclusion/additional/0/random-leaf.json", MalformedHashError),
        ("inclusion/additional/1/empty-root.json", MalformedHashError),
        ("inclusion/additional/2/empty-root-and-random-leaf.json", OutOfRangeError),
        ("consistency/additional/sizes-are-equal-zero-and-proof-is-empty.json", RootMismatchError),
        ("consistency/additional/sizes-are-equal-zero-but-roots-are-not.json", RootMismatchError),
        (
            "consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-zero.json",
            ProofLengthError,
        ),
        ("consistency/additional/size1-is-zero-and-size2-is-not-zero.json", OutOfRangeError),
        (
            "consistency/additional/consistency-check-on-empty-tree-size1-is-zero-is-useless.json",
            OutOfRangeError,
        ),
        ("consistency/additional/size1-is-greater-than-size2.json", OutOfRangeError),
        ("consistency/additional/sizes-are-equal-one-but-roots-are-not.json", RootMismatchError),
        (
            "consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-one.json",
            ProofLengthError,
        ),
        ("consistency/1/wrong-root1.json", MalformedHashError),
        ("consistency/1/truncated-proof.json", ProofLengthError),
        ("consistency/1/trailing-garbage.json", ProofLengthError),
    ],
)
def test_edge_case_rejected_for_the_documented_reason(relative: str, error: type[ProofError]) -> None:
    with pytest.raises(error):
        _check(VECTORS / relative)


def test_equal_sizes_with_equal_opaque_roots_are_consistent() -> None:
    v = _vector("consistency/additional/sizes-are-equal-one-and-proof-is-empty.json")
    assert len(_b64(v["root1"])) != 32 and v["root1"] == v["root2"]
    verify_consistency(1, 1, _b64(v["root1"]), _b64(v["root2"]), [])


def test_the_empty_tree_is_consistent_only_with_itself() -> None:
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(RootMismatchError):
        verify_consistency(0, 0, b"\x00" * 32, b"\x00" * 32, [])
    with pytest.raises(OutOfRangeError):
        verify_consistency(0, 1, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(OutOfRangeError):
        verify_inclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)
