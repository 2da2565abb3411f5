"""The leaf format: canonical, versioned, digests only."""

import hashlib
import json

import pytest

from shangmi.engines.tlog.leaf import Leaf, LeafError, parse_leaf
from shangmi.engines.tlog.material import digest_bytes, digest_file, digest_files, sm3_available

META = hashlib.sha256(b'{"name":"test.txt"}').hexdigest()
EXAMPLE = (
    b"shangmi-leaf/1\n"
    b"kind file\n"
    b"sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
    b"sm3 55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23\n"
    b"size 4\n"
    b"meta fb6e4d729a6942042d94b73fdf819fdcf5cc76c8ec2f0a2b3cc22b2a595b9755\n"
    b"client shangmi-cli/0.1.0\n"
)


def example_leaf() -> Leaf:
    d = digest_bytes(b"test")
    return Leaf(kind="file", sha256=d.sha256, sm3=d.sm3, size=d.size, meta=META, client="shangmi-cli/0.1.0")


def test_sm3_matches_the_gbt_32905_vector():
    assert sm3_available()
    assert digest_bytes(b"abc").sm3 == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_the_documented_example_is_exactly_what_the_code_writes():
    assert example_leaf().to_bytes() == EXAMPLE
    assert parse_leaf(EXAMPLE) == example_leaf()


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda b: b.replace(b"shangmi-leaf/1", b"shangmi-leaf/2"), "line 1"),
        (lambda b: b[:-1], "newline"),
        (lambda b: b + b"extra 1\n", "expected 7 lines"),
        (lambda b: b.replace(b"size 4", b"size 04"), "canonical decimal"),
        (lambda b: b.replace(b"size 4", b"size  4"), "line 5"),
        (lambda b: b.replace(b"sha256 9f86", b"sha256 9F86"), "sha256"),
        (lambda b: b.replace(b"kind file\nsha256", b"sha256", 1), "expected 7 lines"),
        (lambda b: b.replace(b"kind file", b"kind File"), "kind"),
        (lambda b: b.replace(b"client shangmi-cli/0.1.0", b"client shangmi cli"), "line 7"),
        (lambda b: b.replace(b"\n", b"\r\n"), "line"),
        (lambda b: b.replace(b"file", "文件".encode()), "ASCII"),
        (lambda b: b + b" " * 2000, "more than"),
    ],
)
def test_non_canonical_leaves_are_refused_naming_the_problem(mutate, message):
    with pytest.raises(LeafError, match=message):
        parse_leaf(mutate(EXAMPLE))


def test_leaf_fields_are_validated_on_construction():
    good = example_leaf()
    with pytest.raises(LeafError, match="size"):
        Leaf(**{**good.__dict__, "size": -1})
    with pytest.raises(LeafError, match="meta"):
        Leaf(**{**good.__dict__, "meta": "ab"})


def test_leaf_holds_no_names_or_content():
    text = example_leaf().to_bytes().decode()
    assert "test.txt" not in text and json.dumps("test") not in text


def test_file_digests_stream_and_run_in_parallel(tmp_path):
    files = []
    for i in range(5):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(bytes([i]) * (3 * (1 << 20) + i))
        files.append(path)
    seen = []
    results = dict(digest_files(files, workers=2, on_bytes=seen.append))
    for path in files:
        data = path.read_bytes()
        assert results[path].sha256 == hashlib.sha256(data).hexdigest()
        assert results[path].sm3 == hashlib.new("sm3", data).hexdigest()
        assert results[path].size == len(data)
    assert sum(seen) == sum(p.stat().st_size for p in files)
    assert digest_file(tmp_path / "f0.bin") == results[files[0]]


def test_unreadable_file_is_named(tmp_path):
    from shangmi.engines.tlog.material import MaterialError

    with pytest.raises(MaterialError, match="missing.bin"):
        digest_file(tmp_path / "missing.bin")
