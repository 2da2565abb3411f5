"""C2SP signed notes: published vectors, the opening rules and every malformation."""

import base64

import pytest

from shangmi.engines.tlog.keys import generate_signer, parse_signer_key, parse_verifier_key, signer_from_seed
from shangmi.engines.tlog.note import (
    MAX_NOTE_BYTES,
    InvalidSignatureError,
    MalformedNoteError,
    NoteError,
    NoteSignature,
    OpenedNote,
    UnverifiedNoteError,
    open_note,
    parse_note,
    sign_note,
)

# The example of golang.org/x/mod/sumdb/note (its documentation and tests).
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
NOTE = TEXT + "\n" + PETER_SIG

# The example of c2sp.org/signed-note (its key is not published: it can only be parsed).
C2SP_NOTE = (
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed è subito sera.\n"
    "\n"
    "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)

PETER = parse_verifier_key(PETER_VKEY)
ENOCH = parse_verifier_key(ENOCH_VKEY)


def test_signing_reproduces_the_published_note_exactly():
    assert sign_note(TEXT, parse_signer_key(PETER_SKEY)) == NOTE


def test_opening_the_published_note():
    opened = open_note(NOTE, [PETER])
    assert opened == OpenedNote(text=TEXT, verified=["PeterNeumann"])
    text, names = opened
    assert (text, names) == (TEXT, ["PeterNeumann"])
    assert open_note(NOTE.encode(), PETER) == opened


def test_unknown_signatures_are_ignored_and_known_ones_reported_in_order():
    two = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(two, [PETER]).verified == ["PeterNeumann"]
    assert open_note(two, [ENOCH]).verified == ["EnochRoot"]
    assert open_note(two, [ENOCH, PETER]).verified == ["PeterNeumann", "EnochRoot"]
    with pytest.raises(UnverifiedNoteError) as exc:
        open_note(two, [])
    assert str(exc.value) == "note is not signed by any known key (known: none)"
    assert exc.value.note is not None
    assert exc.value.note.text == TEXT
    assert [(s.name, s.key_id) for s in exc.value.note.signatures] == [
        ("PeterNeumann", 0xC74F20A3),
        ("EnochRoot", 0xAF0CFE78),
    ]


def test_the_c2sp_example_parses_with_its_blank_line_inside_the_text():
    parsed = parse_note(C2SP_NOTE)
    assert (
        parsed.text
        == "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    )
    (sig,) = parsed.signatures
    assert sig.name == "quasimodo.example/salvatore"
    assert sig.key_id == 0x367BA04B
    assert len(sig.signature) == 64
    assert sig.line + "\n" == C2SP_NOTE.split("\n\n")[-1]
    with pytest.raises(UnverifiedNoteError):
        open_note(C2SP_NOTE, [PETER, ENOCH])


@pytest.mark.parametrize("byte", range(4, 68))
def test_a_bit_flip_in_the_signature_rejects_the_note(byte):
    blob = bytearray(base64.b64decode(PETER_SIG.split(" ")[2]))
    blob[byte] ^= 0x01 << (byte % 8)
    note = TEXT + "\n— PeterNeumann " + base64.b64encode(bytes(blob)).decode() + "\n"
    with pytest.raises(InvalidSignatureError) as exc:
        open_note(note, [PETER])
    assert str(exc.value) == "signature line 1 by known key PeterNeumann+c74f20a3 does not verify"
    assert isinstance(exc.value, UnverifiedNoteError)


@pytest.mark.parametrize("byte", range(4))
def test_a_bit_flip_in_the_key_id_makes_the_signature_unknown(byte):
    blob = bytearray(base64.b64decode(PETER_SIG.split(" ")[2]))
    blob[byte] ^= 0x80
    note = TEXT + "\n— PeterNeumann " + base64.b64encode(bytes(blob)).decode() + "\n"
    with pytest.raises(UnverifiedNoteError) as exc:
        open_note(note, [PETER])
    assert not isinstance(exc.value, InvalidSignatureError)


def test_a_changed_text_is_rejected():
    for text in [TEXT.replace("answer", "Answer"), TEXT + "x\n", TEXT[:-1] + " \n", "\n" + TEXT]:
        with pytest.raises(InvalidSignatureError):
            open_note(text + "\n" + PETER_SIG, [PETER])


def test_a_wrong_key_name_or_another_key_with_the_same_name_does_not_verify():
    with pytest.raises(UnverifiedNoteError):
        open_note(NOTE.replace("PeterNeumann", "PeterNeuman"), [PETER])
    impostor = signer_from_seed("PeterNeumann", bytes(range(32))).verifier  # same name, other key ID
    with pytest.raises(UnverifiedNoteError) as exc:
        open_note(NOTE, [impostor])
    assert (
        str(exc.value) == f"note is not signed by any known key (known: PeterNeumann+{impostor.key_id:08x})"
    )


def test_a_bad_signature_by_a_known_key_rejects_the_note_even_beside_a_good_one():
    blob = bytearray(base64.b64decode(ENOCH_SIG.split(" ")[2]))
    blob[10] ^= 1
    bad_enoch = "— EnochRoot " + base64.b64encode(bytes(blob)).decode() + "\n"
    with pytest.raises(InvalidSignatureError, match="signature line 2 by known key EnochRoot"):
        open_note(TEXT + "\n" + PETER_SIG + bad_enoch, [PETER, ENOCH])
    # Unknown to this verifier set: ignored.
    assert open_note(TEXT + "\n" + PETER_SIG + bad_enoch, [PETER]).verified == ["PeterNeumann"]


@pytest.mark.parametrize(
    "note,message",
    [
        (TEXT, "note has no blank line between the text and the signatures"),
        (TEXT + "\n", "note has no signature lines after the last blank line"),
        (NOTE[:-1], "note does not end with a newline after the last signature line"),
        (NOTE + "\n", "note has no signature lines after the last blank line"),
        ("\x01" + NOTE, "note line 1 contains the control character U+0001"),
        (NOTE.replace("\n", "\r\n"), "note line 1 contains the control character U+000D"),
        (
            TEXT.replace("then", "\tthen") + "\n" + PETER_SIG,
            "note line 2 contains the control character U+0009",
        ),
        ("\ud800" + NOTE, "note line 1 contains a lone surrogate U+D800"),
        (
            NOTE.replace("PeterNeumann", "Peter Neumann"),
            "signature line 1 must be '— <key name> <base64 signature>'",
        ),
        (
            NOTE.replace("PeterNeumann", "Peter+Neumann"),
            "signature line 1: key name 'Peter+Neumann' contains a plus sign",
        ),
        (NOTE.replace("— ", "- "), "signature line 1 does not start with an em dash (U+2014) and a space"),
        (NOTE.replace("— ", "\u2013 "), "signature line 1 does not start with an em dash"),
        (NOTE.replace("— ", "—"), "signature line 1 does not start with an em dash"),
        (NOTE.replace("AM=\n", "AM= \n"), "signature line 1 must be"),
        (NOTE.replace("AM=\n", "AM\n"), "signature line 1: signature is not valid base64"),
        (NOTE.replace("x08go", "x08g!"), "signature line 1: signature is not valid base64"),
        (
            TEXT + "\n— PeterNeumann x08gow==\n",
            "signature line 1: signature is 4 bytes; at least a 4-byte key ID and 1 byte",
        ),
        (TEXT + "\n— PeterNeumann x08gpB==\n", "signature line 1: signature is not canonical base64"),
        (NOTE + "Unexpected line.\n", "signature line 2 does not start with an em dash"),
        (TEXT + "\n" + PETER_SIG + "\n" + "\n", "note has no signature lines after the last blank line"),
    ],
)
def test_malformed_notes_are_rejected_naming_the_problem(note, message):
    with pytest.raises(MalformedNoteError) as exc:
        open_note(note, [PETER])
    assert str(exc.value).startswith(message)


def test_non_utf8_bytes_are_rejected():
    with pytest.raises(MalformedNoteError, match=r"note is not valid UTF-8 \(byte 0\)"):
        open_note(b"\xff" + NOTE.encode(), [PETER])
    with pytest.raises(MalformedNoteError, match=r"note is not valid UTF-8 \(byte 3\)"):
        open_note(b"abc\xc3(" + NOTE.encode(), [PETER])


def test_an_extra_blank_line_moves_the_split_and_breaks_the_signature():
    # Two blank lines: the text would gain a newline, so the signature no longer matches.
    with pytest.raises(InvalidSignatureError):
        open_note(TEXT + "\n\n" + PETER_SIG, [PETER])
    # A blank line between signature lines: the first signature becomes part of the text.
    note = TEXT + "\n" + PETER_SIG + "\n" + ENOCH_SIG
    assert parse_note(note).text == TEXT + "\n" + PETER_SIG
    with pytest.raises(UnverifiedNoteError):
        open_note(note, [PETER])
    with pytest.raises(InvalidSignatureError):
        open_note(note, [PETER, ENOCH])


def test_size_and_signature_count_limits():
    assert len(open_note(TEXT + "\n" + PETER_SIG * 100, [PETER]).verified) == 1
    with pytest.raises(MalformedNoteError, match="note has 101 signatures, more than the limit of 100"):
        open_note(TEXT + "\n" + PETER_SIG * 101, [PETER])
    with pytest.raises(MalformedNoteError, match="note has 3 signatures, more than the limit of 2"):
        open_note(TEXT + "\n" + PETER_SIG * 3, [PETER], max_signatures=2)
    big = "x" * MAX_NOTE_BYTES + "\n" + "\n" + PETER_SIG
    with pytest.raises(MalformedNoteError, match=f"more than the limit of {MAX_NOTE_BYTES}"):
        open_note(big, [PETER])
    with pytest.raises(MalformedNoteError, match=f"is {len(big.encode())} bytes, more than the limit"):
        open_note(big.encode(), [PETER])
    with pytest.raises(MalformedNoteError, match="more than the limit of 100 bytes"):
        open_note(NOTE, [PETER], max_bytes=100)
    # Multi-byte characters count as bytes, not characters.
    with pytest.raises(MalformedNoteError):
        open_note("商" * 100 + "\n\n" + PETER_SIG, [PETER], max_bytes=350)


def test_at_least_sixteen_distinct_signatures_are_accepted():
    signers = [signer_from_seed(f"witness{i}.example", bytes([i]) * 32) for i in range(16)]
    note = sign_note(TEXT, *signers)
    assert note.count("\n— ") == 16
    opened = open_note(note, [s.verifier for s in reversed(signers)])
    assert opened.verified == [f"witness{i}.example" for i in range(16)]


def test_sign_note_checks_its_text_and_signers():
    signer = parse_signer_key(PETER_SKEY)
    with pytest.raises(MalformedNoteError, match="note text must end with a newline"):
        sign_note(TEXT[:-1], signer)
    with pytest.raises(MalformedNoteError, match="note text line 2 contains the control character U\\+000D"):
        sign_note("a\nb\r\n", signer)
    with pytest.raises(ValueError, match="at least one signer"):
        sign_note(TEXT)
    with pytest.raises(TypeError):
        sign_note(TEXT, PETER)  # a verifier cannot sign
    with pytest.raises(MalformedNoteError, match="would be more than the limit of 150 bytes"):
        sign_note(TEXT, signer, max_bytes=150)


@pytest.mark.parametrize(
    "text",
    [
        "\n",
        "one line\n",
        "a\n\nb\n",
        "a\n\n\n",
        "— looks like a signature\n",
        "商业秘密 🙂\n",
        "trailing\n\n",
    ],
)
def test_round_trips_of_unusual_texts(text):
    skey, vkey = generate_signer("evidence.shangmi.example/log")
    note = sign_note(text, parse_signer_key(skey))
    assert open_note(note, [parse_verifier_key(vkey)]) == (text, ["evidence.shangmi.example/log"])


def test_duplicate_identical_verifiers_are_fine():
    assert open_note(NOTE, [PETER, parse_verifier_key(PETER_VKEY)]).verified == ["PeterNeumann"]


def test_errors_share_one_base_class():
    assert issubclass(MalformedNoteError, NoteError)
    assert issubclass(UnverifiedNoteError, NoteError)
    assert issubclass(InvalidSignatureError, UnverifiedNoteError)
    assert issubclass(NoteError, ValueError)


def test_signature_line_formatting():
    sig = NoteSignature(name="a.example", key_id=0x01020304, signature=b"\xff")
    assert sig.line == "— a.example AQIDBP8="
