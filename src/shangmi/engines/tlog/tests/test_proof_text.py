"""c2sp.org/tlog-proof@v1 texts: exact format, strict parsing, opening, and the documented examples."""

import base64
import hashlib
from pathlib import Path

import pytest

from shangmi.engines.tlog.checkpoint import Checkpoint, CheckpointError, sign_checkpoint
from shangmi.engines.tlog.hashing import leaf_hash, node_hash
from shangmi.engines.tlog.keys import signer_from_seed
from shangmi.engines.tlog.note import InvalidSignatureError, UnverifiedNoteError, sign_note
from shangmi.engines.tlog.proof_text import (
    HEADER,
    MAX_PROOF_BYTES,
    OpenedProof,
    ProofText,
    ProofTextError,
    format_proof,
    inclusion_proof_length,
    open_proof,
    parse_proof,
)

ORIGIN = "evidence.shangmi.example/log"
DOC_SEED = hashlib.sha256(b"shangmi documentation example key - never use it for a real log").digest()
SIGNER = signer_from_seed(ORIGIN, DOC_SEED)
DOC = Path(__file__).resolve().parents[5] / "docs" / "evidence-log-formats.md"


# RFC 6962 section 2.1 written out directly, independent of the engine's merkle module.
def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def path(m: int, hashes: list[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if m < k:
        return [*path(m, hashes[:k]), mth(hashes[k:])]
    return [*path(m - k, hashes[k:]), mth(hashes[:k])]


def root_from_proof(leaf: bytes, index: int, size: int, proof: tuple[bytes, ...]) -> bytes | None:
    """RFC 9162 section 2.1.3.2."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def tree(size: int) -> tuple[list[bytes], str]:
    leaves = [leaf_hash(f"example entry {i}\n".encode()) for i in range(size)]
    note = sign_checkpoint(Checkpoint(ORIGIN, size, mth(leaves)), SIGNER)
    return leaves, note


def documentation_examples() -> dict[str, str]:
    """The examples shown in docs/evidence-log-formats.md, regenerated deterministically."""
    leaves, note = tree(5)
    return {
        "verifier_key": SIGNER.verifier_key,
        "signed_checkpoint": note,
        "proof": format_proof(2, path(2, leaves), note),
        "proof_with_extra": format_proof(4, path(4, leaves), note, extra=b"example context"),
    }


def test_every_index_of_small_trees_round_trips_and_verifies():
    for size in range(1, 18):
        leaves, note = tree(size)
        for index in range(size):
            proof = tuple(path(index, leaves))
            assert len(proof) == inclusion_proof_length(index, size)
            text = format_proof(index, proof, note)
            parsed = parse_proof(text)
            assert parsed == ProofText(index=index, proof_hashes=proof, signed_checkpoint=note)
            assert parsed.format() == text
            opened = open_proof(text, ORIGIN, SIGNER.verifier)
            assert opened == OpenedProof(proof=parsed, checkpoint=Checkpoint(ORIGIN, size, mth(leaves)))
            got = root_from_proof(leaves[index], index, size, opened.proof.proof_hashes)
            assert got == opened.checkpoint.root_hash


def test_the_text_is_exactly_the_c2sp_layout():
    leaves, note = tree(5)
    text = format_proof(2, path(2, leaves), note)
    b64 = [base64.b64encode(h).decode() for h in path(2, leaves)]
    assert text == f"c2sp.org/tlog-proof@v1\nindex 2\n{b64[0]}\n{b64[1]}\n{b64[2]}\n\n{note}"
    assert (
        note == f"{ORIGIN}\n5\n{base64.b64encode(mth(leaves)).decode()}\n\n— {ORIGIN} " + note.split(" ")[-1]
    )
    with_extra = format_proof(2, path(2, leaves), note, extra=b"\x00\xffctx")
    assert with_extra == text.replace("\nindex 2\n", "\nextra AP9jdHg=\nindex 2\n")
    assert parse_proof(with_extra).extra == b"\x00\xffctx"
    assert format_proof(2, path(2, leaves), note, extra=b"") == text  # empty extra: no line


def test_a_one_leaf_tree_has_no_hash_lines():
    leaves, note = tree(1)
    text = format_proof(0, [], note)
    assert text == f"{HEADER}\nindex 0\n\n{note}"
    assert parse_proof(text.encode()).proof_hashes == ()
    assert parse_proof(text).origin == ORIGIN


def _proof() -> tuple[str, str, list[bytes]]:
    leaves, note = tree(5)
    return format_proof(2, path(2, leaves), note), note, leaves


TEXT, NOTE, LEAVES = _proof()
H = [base64.b64encode(h).decode() for h in path(2, LEAVES)]


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "line 1: expected 'c2sp.org/tlog-proof@v1', found the end of the text"),
        (TEXT.replace(HEADER, "c2sp.org/tlog-proof@v2"), "line 1 must be 'c2sp.org/tlog-proof@v1'"),
        (TEXT.replace(HEADER, HEADER + " "), "line 1 must be"),
        ("\ufeff" + TEXT, "line 1 must be"),
        (HEADER + "\n", "line 2: expected 'index <n>' or 'extra <base64>', found the end of the text"),
        (
            TEXT.replace("index 2", "index 02"),
            "line 2 must be 'index <n>' (decimal, no leading zeros), got 'index 02'",
        ),
        (TEXT.replace("index 2", "index -2"), "line 2 must be 'index <n>'"),
        (TEXT.replace("index 2", "index  2"), "line 2 must be 'index <n>'"),
        (TEXT.replace("index 2", "index"), "line 2 must be 'index <n>'"),
        (TEXT.replace("index 2", "Index 2"), "line 2 must be 'index <n>'"),
        (TEXT.replace("index 2", "index ２"), "line 2 must be 'index <n>'"),
        (TEXT.replace("index 2", f"index {2**63}"), "line 2 (index) is larger than 2^63-1"),
        (TEXT.replace("index 2\n", "index 2\nextra AAAA\n"), "line 3 (proof hash) is not valid base64"),
        (TEXT.replace("index 2\n", "extra \nindex 2\n"), "line 2 (extra) is empty"),
        (TEXT.replace("index 2\n", "extra AB==\nindex 2\n"), "line 2 (extra) is not canonical base64"),
        (TEXT.replace("index 2\n", "extra !!\nindex 2\n"), "line 2 (extra) is not valid base64"),
        (TEXT.replace(H[0], H[0][:-2] + "="), "line 3 (proof hash) is not valid base64"),
        (
            TEXT.replace(H[1], base64.b64encode(b"\x01" * 31).decode()),
            "line 4 (proof hash) is 31 bytes, expected 32",
        ),
        (TEXT.replace(H[1], H[1].rstrip("=")), "line 4 (proof hash) is not valid base64"),
        (TEXT.replace(H[2] + "\n\n", H[2] + "\n"), "line 6 (proof hash) is not valid base64"),
        (
            TEXT.split("\n\n")[0] + "\n",
            "line 6: expected a proof hash or the blank line before the checkpoint",
        ),
        (TEXT.split("\n\n")[0] + "\n\n", "line 7: the signed checkpoint is missing"),
        (TEXT.replace(NOTE, NOTE.split("\n\n")[0] + "\n"), "checkpoint note: note has no blank line"),
        (TEXT.replace(NOTE, NOTE[:-1]), "checkpoint note: note does not end with a newline"),
        (
            TEXT.replace(f"\n{ORIGIN}\n5\n", f"\n{ORIGIN}\n05\n"),
            "checkpoint: line 2 (tree size) '05' has a leading zero",
        ),
        (TEXT.replace("\n", "\r\n"), "line 1 contains the control character U+000D"),
        (TEXT.replace(H[0], "\t" + H[0]), "line 3 contains the control character U+0009"),
    ],
)
def test_strict_parsing_names_the_line(text, message):
    with pytest.raises(ProofTextError) as exc:
        parse_proof(text)
    assert str(exc.value).startswith(message)


def test_non_utf8_oversize_and_too_many_hashes_are_rejected():
    with pytest.raises(ProofTextError, match=r"proof is not valid UTF-8 \(byte 3\)"):
        parse_proof(b"c2s\xff" + TEXT.encode())
    with pytest.raises(ProofTextError, match=f"more than the limit of {MAX_PROOF_BYTES}"):
        parse_proof(TEXT.encode() + b"x" * MAX_PROOF_BYTES)
    many = TEXT.replace(H[0] + "\n", (H[0] + "\n") * 64)
    with pytest.raises(ProofTextError, match="line 66: more than 63 proof hashes"):
        parse_proof(many)


def test_parsing_is_syntax_only_and_opening_checks_the_rest():
    leaves, note = tree(5)
    wrong_count = f"{HEADER}\nindex 2\n{H[0]}\n\n{note}"
    parsed = parse_proof(wrong_count)  # syntactically fine
    assert parsed.proof_hashes == (path(2, leaves)[0],)
    with pytest.raises(ProofTextError) as exc:
        open_proof(wrong_count, ORIGIN, SIGNER.verifier)
    assert str(exc.value) == "inclusion proof has 1 hashes; a proof for index 2 in a tree of 5 has 3"
    beyond = f"{HEADER}\nindex 5\n{H[0]}\n\n{note}"
    with pytest.raises(ProofTextError, match="index 5 is not below the checkpoint's tree size 5"):
        open_proof(beyond, ORIGIN, SIGNER.verifier)


def test_opening_rejects_forged_foreign_and_misattributed_proofs():
    with pytest.raises(CheckpointError, match="not the log origin 'other.example/log'"):
        open_proof(TEXT, "other.example/log", SIGNER.verifier)
    impostor = signer_from_seed(ORIGIN, bytes([3]) * 32)
    with pytest.raises(UnverifiedNoteError):
        open_proof(TEXT, ORIGIN, impostor.verifier)
    sig = NOTE.split(" ")[-1].strip()
    blob = bytearray(base64.b64decode(sig))
    blob[20] ^= 0x10
    forged = TEXT.replace(sig, base64.b64encode(bytes(blob)).decode())
    with pytest.raises(InvalidSignatureError):
        open_proof(forged, ORIGIN, SIGNER.verifier)
    other_log = signer_from_seed("other.example/log", bytes([4]) * 32)
    other_checkpoint = Checkpoint("other.example/log", 5, mth(LEAVES))
    foreign = format_proof(2, path(2, LEAVES), sign_checkpoint(other_checkpoint, other_log))
    with pytest.raises(UnverifiedNoteError):
        open_proof(foreign, ORIGIN, SIGNER.verifier)
    # Our key over another origin's checkpoint: the signature holds, the origin does not.
    misattributed = format_proof(2, path(2, LEAVES), sign_note(other_checkpoint.format(), SIGNER))
    with pytest.raises(
        CheckpointError, match=f"checkpoint is from origin 'other.example/log', expected {ORIGIN!r}"
    ):
        open_proof(misattributed, ORIGIN, SIGNER.verifier)


@pytest.mark.parametrize("line", range(3))
def test_a_bit_flip_in_a_proof_hash_still_opens_but_no_longer_reaches_the_root(line):
    hashes = path(2, LEAVES)
    mutated = bytearray(hashes[line])
    mutated[line * 5] ^= 0x04
    hashes[line] = bytes(mutated)
    opened = open_proof(format_proof(2, hashes, NOTE), ORIGIN, SIGNER.verifier)
    assert root_from_proof(LEAVES[2], 2, 5, opened.proof.proof_hashes) != opened.checkpoint.root_hash


@pytest.mark.parametrize(
    "args,message",
    [
        ((-1, [], NOTE), "index must be an integer from 0 to 2^63-1, got -1"),
        ((True, [], NOTE), "index must be an integer"),
        ((2, [b"\x00" * 31, b"\x00" * 32, b"\x00" * 32], NOTE), "proof hash 1 is 31 bytes, expected 32"),
        ((2, [b"\x00" * 32], NOTE), "inclusion proof has 1 hashes; a proof for index 2 in a tree of 5 has 3"),
        ((7, [], NOTE), "index 7 is not below the checkpoint's tree size 5"),
        ((0, [], "not a note\n"), "checkpoint note: note has no blank line"),
        ((0, [], sign_note("hello\n", SIGNER)), "checkpoint: checkpoint has 1 lines"),
    ],
)
def test_format_refuses_what_cannot_be_a_proof(args, message):
    with pytest.raises(ProofTextError) as exc:
        format_proof(*args)
    assert str(exc.value).startswith(message)


def test_inclusion_proof_lengths():
    assert [inclusion_proof_length(i, 7) for i in range(7)] == [3, 3, 3, 3, 3, 3, 2]
    assert inclusion_proof_length(0, 1) == 0
    assert inclusion_proof_length(2**63 - 2, 2**63 - 1) == 62
    assert inclusion_proof_length(0, 2**63 - 1) == 63
    with pytest.raises(ValueError):
        inclusion_proof_length(3, 3)


def test_the_documented_examples_are_what_the_code_writes():
    if not DOC.exists():
        pytest.skip("docs/ not present (installed package)")
    doc = DOC.read_text(encoding="utf-8")
    for name, text in documentation_examples().items():
        assert text.rstrip("\n") in doc, name
