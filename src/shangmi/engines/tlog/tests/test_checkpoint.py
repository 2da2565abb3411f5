"""C2SP tlog-checkpoint v1.0.0: exact text, strict parsing, signing and opening."""

import base64
import hashlib

import pytest

from shangmi.engines.tlog.checkpoint import (
    MAX_TREE_SIZE,
    Checkpoint,
    CheckpointError,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from shangmi.engines.tlog.hashing import EMPTY_ROOT
from shangmi.engines.tlog.keys import parse_verifier_key, signer_from_seed
from shangmi.engines.tlog.note import (
    InvalidSignatureError,
    MalformedNoteError,
    UnverifiedNoteError,
    sign_note,
)

ORIGIN = "evidence.shangmi.example/log"
SIGNER = signer_from_seed(ORIGIN, hashlib.sha256(b"test_checkpoint signer").digest())
ROOT = hashlib.sha256(b"root").digest()
ROOT64 = base64.b64encode(ROOT).decode()

# The example of c2sp.org/tlog-checkpoint (its key is not published).
C2SP_EXAMPLE = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)

# Real checkpoints of the Go checksum database, whose key name (sum.golang.org) is not its origin.
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_CHECKPOINTS = [
    (
        "go.sum database tree\n63512409\nF7eHRPqN/cqPtqti14NKdGGaI1Giw8coWP3KxihFZbg=\n\n"
        "— sum.golang.org Az3gri1OBHKT87Xj8UXU8zjoHGy/X+7Nl94f8TZkELVaasolmGApUsWqwVG9vE6hgqYb/ph/w2vdkLIVRH7bMB/FPQ4=\n",
        63512409,
    ),
    (
        "go.sum database tree\n15368405\n/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=\n\n"
        "— sum.golang.org Az3grqJGUaSGukG9p8nI2vKgiFn7qGHxn0W+mrwyI6Gz3F0t1J3LzmWk/p96Ybf295EjwdSwlzgijq5WA9d1Ded7owM=\n",
        15368405,
    ),
    (
        "go.sum database tree\n63096908\n8lHrQPRYe4KT4WQ9/Qk8/taKnD6IRHbFgfN7vQE2Y54=\n\n"
        "— sum.golang.org Az3gri/oVBN1jAhNZ/iS+W31psFAWRT20/GyrhpU6taFwulQGetBkH5S7wpGXdS935jiIGiUUAXBVHzT/P6fYhqAmAk=\n",
        63096908,
    ),
]


def test_format_is_exact():
    cp = Checkpoint(origin=ORIGIN, size=42, root_hash=ROOT)
    assert cp.format() == f"{ORIGIN}\n42\n{ROOT64}\n"
    assert (
        Checkpoint(ORIGIN, 0, EMPTY_ROOT).format()
        == f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    )
    with_ext = Checkpoint(ORIGIN, 1, ROOT, ("ext one", "扩展 2"))
    assert with_ext.format() == f"{ORIGIN}\n1\n{ROOT64}\next one\n扩展 2\n"


def test_the_c2sp_example_parses_and_formats_back_exactly():
    body = C2SP_EXAMPLE.split("\n\n")[0] + "\n"
    cp = parse_checkpoint(body)
    assert cp == Checkpoint(
        "example.com/behind-the-sofa",
        20852163,
        base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    )
    assert cp.format() == body
    assert Checkpoint.parse(body) == cp
    # Its key is unknown to us: the checkpoint must not be trusted.
    other = signer_from_seed("example.com/behind-the-sofa", bytes(32)).verifier
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(C2SP_EXAMPLE, "example.com/behind-the-sofa", other)


@pytest.mark.parametrize("note,size", SUMDB_CHECKPOINTS)
def test_real_sum_golang_org_checkpoints_verify(note, size):
    verifier = parse_verifier_key(SUMDB_VKEY)
    cp = open_checkpoint(note, "go.sum database tree", verifier, require_origin_key_name=False)
    assert (cp.origin, cp.size, cp.extensions) == ("go.sum database tree", size, ())
    assert cp.format() == note.split("\n\n")[0] + "\n"
    # By default the log's key name must be its origin, as for our own log.
    with pytest.raises(CheckpointError) as exc:
        open_checkpoint(note, "go.sum database tree", verifier)
    assert (
        str(exc.value)
        == "the verifier key is named 'sum.golang.org', not the log origin 'go.sum database tree'"
    )
    tampered = note.replace(f"\n{size}\n", f"\n{size + 1}\n")
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(tampered, "go.sum database tree", verifier, require_origin_key_name=False)


def test_sign_and_open_round_trip_exactly():
    cp = Checkpoint(ORIGIN, 1234, ROOT)
    note = sign_checkpoint(cp, SIGNER)
    body, sigs = note.split("\n\n")
    assert body + "\n" == cp.format()
    assert sigs.startswith(f"— {ORIGIN} ")
    assert base64.b64decode(sigs.split(" ")[2])[:4] == SIGNER.key_id.to_bytes(4, "big")
    assert open_checkpoint(note, ORIGIN, SIGNER.verifier) == cp
    assert open_checkpoint(note.encode(), ORIGIN, SIGNER.verifier) == cp
    assert sign_checkpoint(cp, SIGNER) == note  # Ed25519 is deterministic


def test_extension_lines_are_opaque_kept_and_signed():
    cp = Checkpoint(ORIGIN, 7, ROOT, ("opaque extension", "Ω second"))
    note = sign_checkpoint(cp, SIGNER)
    assert open_checkpoint(note, ORIGIN, SIGNER.verifier).extensions == ("opaque extension", "Ω second")
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(note.replace("opaque extension", "opaque extension!"), ORIGIN, SIGNER.verifier)
    stripped = note.replace("opaque extension\nΩ second\n", "")
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(stripped, ORIGIN, SIGNER.verifier)


def test_witness_cosignatures_and_other_keys_are_ignored():
    cp = Checkpoint(ORIGIN, 9, ROOT)
    witness = signer_from_seed("witness.example", bytes([7]) * 32)
    note = sign_note(cp.format(), SIGNER, witness)
    assert open_checkpoint(note, ORIGIN, SIGNER.verifier) == cp
    only_witness = sign_note(cp.format(), witness)
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(only_witness, ORIGIN, SIGNER.verifier)


@pytest.mark.parametrize(
    "text,message",
    [
        (f"{ORIGIN}\n012\n{ROOT64}\n", "line 2 (tree size) '012' has a leading zero"),
        (f"{ORIGIN}\n00\n{ROOT64}\n", "line 2 (tree size) '00' has a leading zero"),
        (f"{ORIGIN}\n-1\n{ROOT64}\n", "line 2 (tree size) '-1' is not ASCII decimal"),
        (f"{ORIGIN}\n+1\n{ROOT64}\n", "line 2 (tree size) '+1' is not ASCII decimal"),
        (f"{ORIGIN}\n 1\n{ROOT64}\n", "line 2 (tree size) ' 1' is not ASCII decimal"),
        (f"{ORIGIN}\n1_000\n{ROOT64}\n", "line 2 (tree size) '1_000' is not ASCII decimal"),
        (f"{ORIGIN}\n１\n{ROOT64}\n", "line 2 (tree size) '１' is not ASCII decimal"),
        (f"{ORIGIN}\n\n{ROOT64}\n", "line 2 (tree size) '' is not ASCII decimal"),
        (f"{ORIGIN}\n{2**63}\n{ROOT64}\n", "line 2 (tree size) 9223372036854775808 is larger than 2^63-1"),
        (
            f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",
            "line 3 (root hash) is 31 bytes, expected 32",
        ),
        (
            f"{ORIGIN}\n1\n{base64.b64encode(ROOT + b'x').decode()}\n",
            "line 3 (root hash) is 33 bytes, expected 32",
        ),
        (f"{ORIGIN}\n1\n{ROOT64[:-1]}\n", "line 3 (root hash)"),
        (
            f"{ORIGIN}\n1\n{ROOT64.rstrip('=')}\n",
            f"line 3 (root hash) {ROOT64.rstrip('=')!r} is not valid base64",
        ),
        (f"{ORIGIN}\n1\n{ROOT.hex()}\n", "line 3 (root hash) is 48 bytes, expected 32"),
        (f"{ORIGIN}\n1\n{ROOT64[:42]}B=\n", "line 3 (root hash) is not canonical base64"),
        (f"{ORIGIN}\n1\n{ROOT64}", "checkpoint must end with a newline"),
        (f"{ORIGIN}\n1\n", "checkpoint has 2 lines; origin, tree size and root hash are required"),
        (f"\n1\n{ROOT64}\n", "line 1 (origin) is empty"),
        (f"{ORIGIN}\n1\n{ROOT64}\n\n", "line 4 (extension) is empty"),
        (f"{ORIGIN}\n1\n{ROOT64}\next\n\nmore\n", "line 5 (extension) is empty"),
        (f"{ORIGIN}\r\n1\n{ROOT64}\n", "line 1 (origin) contains the control character U+000D"),
    ],
)
def test_strict_parsing_names_the_line(text, message):
    with pytest.raises(CheckpointError) as exc:
        parse_checkpoint(text)
    assert str(exc.value).startswith(message)


def test_origins_need_not_look_like_urls():
    cp = parse_checkpoint(f"go.sum database tree\n0\n{ROOT64}\n")
    assert cp.origin == "go.sum database tree"
    assert parse_checkpoint(f"{ORIGIN}\n{MAX_TREE_SIZE}\n{ROOT64}\n").size == 2**63 - 1


def test_non_utf8_checkpoint_bytes_are_rejected():
    with pytest.raises(CheckpointError, match=r"not valid UTF-8 \(byte 0\)"):
        parse_checkpoint(b"\xff\n1\n" + ROOT64.encode() + b"\n")
    with pytest.raises(MalformedNoteError, match="not valid UTF-8"):
        open_checkpoint(
            b"\xff" + sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), SIGNER).encode(), ORIGIN, SIGNER.verifier
        )


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"origin": ""}, "origin is empty"),
        ({"origin": "a\nb"}, "origin contains the control character U+000A"),
        ({"size": -1}, "tree size must be an integer from 0 to 2^63-1, got -1"),
        ({"size": 2**63}, "tree size must be an integer"),
        ({"size": True}, "tree size must be an integer"),
        ({"size": "1"}, "tree size must be an integer"),
        ({"root_hash": ROOT[:31]}, "root hash must be 32 bytes, got 31"),
        ({"root_hash": ROOT64}, "root hash must be 32 bytes"),
        ({"extensions": ("",)}, "extension line 1 is empty"),
        ({"extensions": ("ok", "a\nb")}, "extension line 2 contains the control character U+000A"),
        ({"extensions": "abc"}, "extensions must be a tuple of lines"),
    ],
)
def test_constructor_validates(kwargs, message):
    args = {"origin": ORIGIN, "size": 1, "root_hash": ROOT, **kwargs}
    with pytest.raises(CheckpointError) as exc:
        Checkpoint(**args)
    assert str(exc.value).startswith(message)


def test_signing_requires_the_key_name_to_be_the_origin():
    with pytest.raises(CheckpointError) as exc:
        sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), SIGNER)
    assert str(exc.value) == (
        f"the log key is named {ORIGIN!r} but the checkpoint origin is 'other.example/log'; they must be equal"
    )


def test_opening_checks_origin_key_and_body():
    cp = Checkpoint(ORIGIN, 5, ROOT)
    note = sign_checkpoint(cp, SIGNER)
    with pytest.raises(CheckpointError, match="not the log origin 'other.example/log'"):
        open_checkpoint(note, "other.example/log", SIGNER.verifier)
    with pytest.raises(CheckpointError, match=f"checkpoint is from origin {ORIGIN!r}, expected 'x.example'"):
        open_checkpoint(note, "x.example", SIGNER.verifier, require_origin_key_name=False)
    impostor = signer_from_seed(ORIGIN, bytes([9]) * 32)
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(note, ORIGIN, impostor.verifier)
    forged = sign_checkpoint(cp, impostor)
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(forged, ORIGIN, SIGNER.verifier)
    not_a_checkpoint = sign_note("hello\n", SIGNER)
    with pytest.raises(CheckpointError) as exc:
        open_checkpoint(not_a_checkpoint, ORIGIN, SIGNER.verifier)
    assert (
        str(exc.value)
        == "signed note is not a checkpoint: checkpoint has 1 lines; origin, tree size and root hash are required"
    )
    leading_zero = sign_note(f"{ORIGIN}\n05\n{ROOT64}\n", SIGNER)
    with pytest.raises(CheckpointError, match="has a leading zero"):
        open_checkpoint(leading_zero, ORIGIN, SIGNER.verifier)


@pytest.mark.parametrize("bit", range(0, 256, 7))
def test_a_bit_flip_in_the_root_breaks_the_signature(bit):
    note = sign_checkpoint(Checkpoint(ORIGIN, 5, ROOT), SIGNER)
    root = bytearray(ROOT)
    root[bit // 8] ^= 1 << (bit % 8)
    mutated = note.replace(ROOT64, base64.b64encode(bytes(root)).decode())
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(mutated, ORIGIN, SIGNER.verifier)
