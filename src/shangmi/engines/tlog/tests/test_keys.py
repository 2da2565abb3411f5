"""Signed-note key names, key IDs, verifier/signer key texts and the signer key file."""

import base64
import hashlib
import os
import stat
from concurrent.futures import ProcessPoolExecutor

import pytest

from shangmi.engines.tlog.keys import (
    KeyFileError,
    KeyFormatError,
    Signer,
    Verifier,
    check_key_name,
    format_verifier_key,
    generate_signer,
    is_valid_key_name,
    key_id,
    load_or_create_signer,
    parse_signer_key,
    parse_verifier_key,
    signer_from_seed,
)

# Published vectors: the golang.org/x/mod/sumdb/note documentation and tests, and the real key of
# sum.golang.org (compiled into every Go toolchain).
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"


@pytest.mark.parametrize(
    "vkey,name,kid",
    [
        (PETER_VKEY, "PeterNeumann", 0xC74F20A3),
        (ENOCH_VKEY, "EnochRoot", 0xAF0CFE78),
        (SUMDB_VKEY, "sum.golang.org", 0x033DE0AE),
    ],
)
def test_published_verifier_keys_parse_and_round_trip(vkey, name, kid):
    v = parse_verifier_key(vkey)
    assert (v.name, v.key_id) == (name, kid)
    assert v.verifier_key == vkey
    assert format_verifier_key(name, v.public_key) == vkey
    # The key ID rule of c2sp.org/signed-note for Ed25519, spelled out.
    digest = hashlib.sha256(name.encode() + b"\x0a" + b"\x01" + v.public_key).digest()
    assert int.from_bytes(digest[:4], "big") == kid == key_id(name, b"\x01" + v.public_key)


def test_published_signer_key_matches_its_verifier_key():
    s = parse_signer_key(PETER_SKEY)
    assert s.name == "PeterNeumann"
    assert s.key_id == 0xC74F20A3
    assert s.verifier_key == PETER_VKEY
    assert s.signer_key() == PETER_SKEY
    assert s.verifier == parse_verifier_key(PETER_VKEY)


def test_every_truncation_and_single_character_change_of_a_verifier_key_is_refused():
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(KeyFormatError):
                    parse_verifier_key(PETER_VKEY[i:j])
    for i in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        with pytest.raises(KeyFormatError):
            parse_verifier_key(mangled)


def test_every_single_character_change_of_a_signer_key_is_refused():
    for i in range(len(PETER_SKEY)):
        mangled = PETER_SKEY[:i] + chr(ord(PETER_SKEY[i]) + 1) + PETER_SKEY[i + 1 :]
        with pytest.raises(KeyFormatError):
            parse_signer_key(mangled)


def _vkey_with(name: str, data: bytes) -> str:
    return f"{name}+{key_id(name, data):08x}+{base64.b64encode(data).decode()}"


@pytest.mark.parametrize(
    "text,message",
    [
        ("PeterNeumann+c74f20a3", "must have the form <name>+<8 hex digits>+<base64 key>"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name '' is empty"),
        (
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "contains a space character U+0020",
        ),
        (
            "Peter\u3000N+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "contains a space character U+3000",
        ),
        (
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "is not 8 lower-case hex digits",
        ),
        (
            "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "is not 8 lower-case hex digits",
        ),
        (
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "key ID c74f20a4 does not match the key (expected c74f20a3)",
        ),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=", "not valid base64"),
        (
            "PeterNeumann+c74f20a3+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",
            "key data is not canonical base64",
        ),
        ("PeterNeumann+c74f20a3+ ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not valid base64"),
        (
            _vkey_with("PeterNeumann", b"\x02" + bytes(32)),
            "signature type 0x02 is not supported (only 0x01, Ed25519)",
        ),
        (_vkey_with("PeterNeumann", b"\x01" + bytes(31)), "Ed25519 key data must be 1 + 32 bytes, got 32"),
        ("PeterNeumann+c74f20a3+", "key data is empty"),
    ],
)
def test_malformed_verifier_keys_name_the_problem(text, message):
    with pytest.raises(KeyFormatError) as exc:
        parse_verifier_key(text)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "must start with 'PRIVATE+KEY+'",
        ),
        (
            "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "key ID c74f20a4 does not match",
        ),
        (
            "PRIVATE+KEY+PeterNeuman+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "does not match the key",
        ),
        ("private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "must start with"),
    ],
)
def test_malformed_signer_keys_name_the_problem(text, message):
    with pytest.raises(KeyFormatError) as exc:
        parse_signer_key(text)
    assert message in str(exc.value)


def test_key_names():
    assert is_valid_key_name("evidence.shangmi.example/log")
    assert is_valid_key_name("商秘.example/日志")
    for bad in ["", "a b", "a+b", "a\tb", "a\nb", "a\u00a0b", "a\u2028b", "a\x01b"]:
        assert not is_valid_key_name(bad), bad
    with pytest.raises(KeyFormatError, match=r"key name 'a\+b' contains a plus sign"):
        check_key_name("a+b")


def test_generated_keys_sign_and_verify_and_differ():
    skey, vkey = generate_signer("evidence.shangmi.example/log")
    signer, verifier = parse_signer_key(skey), parse_verifier_key(vkey)
    assert signer.verifier == verifier
    assert vkey.startswith("evidence.shangmi.example/log+") and skey == "PRIVATE+KEY+" + skey[12:]
    sig = signer.sign(b"hello\n")
    assert len(sig) == 64
    assert verifier.verify(b"hello\n", sig)
    assert not verifier.verify(b"hello!\n", sig)
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    assert not verifier.verify(b"hello\n", flipped)
    assert not verifier.verify(b"hello\n", sig[:63])
    assert generate_signer("evidence.shangmi.example/log")[0] != skey


def test_signer_repr_hides_the_secret():
    signer = parse_signer_key(PETER_SKEY)
    assert repr(signer) == "Signer(name='PeterNeumann', key_id=0xc74f20a3)"
    assert PETER_SKEY.rsplit("+", 1)[1][:10] not in repr(signer) + str(signer)


def test_constructors_check_sizes():
    with pytest.raises(KeyFormatError, match="seed must be 32 bytes"):
        Signer("a", bytes(31))
    with pytest.raises(KeyFormatError, match="public key must be 32 bytes"):
        Verifier("a", bytes(33))
    with pytest.raises(KeyFormatError, match="key name 'a b'"):
        signer_from_seed("a b", bytes(32))


# --- the key file -----------------------------------------------------------------------------------

NAME = "evidence.shangmi.example/log"


def test_first_run_creates_a_0600_key_file_even_with_a_permissive_umask(tmp_path):
    path = tmp_path / "keys" / "log.key"
    old = os.umask(0)
    try:
        signer = load_or_create_signer(path, NAME)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text() == signer.signer_key() + "\n"
    assert signer.name == NAME
    assert sorted(p.name for p in path.parent.iterdir()) == ["log.key"]  # no temporary file left
    again = load_or_create_signer(path, NAME)
    assert again.verifier_key == signer.verifier_key


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o610])
def test_a_key_file_readable_by_group_or_others_is_refused_and_left_alone(tmp_path, mode):
    path = tmp_path / "log.key"
    skey, _ = generate_signer(NAME)
    path.write_text(skey + "\n")
    path.chmod(mode)
    with pytest.raises(KeyFileError) as exc:
        load_or_create_signer(path, NAME)
    assert str(exc.value).startswith(f"signer key file {path} has mode {mode:04o}: it must not be readable")
    assert path.read_text() == skey + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_0400_key_file_is_accepted(tmp_path):
    path = tmp_path / "log.key"
    skey, vkey = generate_signer(NAME)
    path.write_text(skey + "\n")
    path.chmod(0o400)
    assert load_or_create_signer(path, NAME).verifier_key == vkey


def test_the_environment_value_is_preferred_over_the_file(tmp_path):
    path = tmp_path / "log.key"
    file_signer = load_or_create_signer(path, NAME)
    env_skey, env_vkey = generate_signer(NAME)
    before = path.read_bytes()
    assert load_or_create_signer(path, NAME, env_value=env_skey).verifier_key == env_vkey
    assert load_or_create_signer(path, NAME, env_value=f"  {env_skey}\n").verifier_key == env_vkey
    assert path.read_bytes() == before
    # A blank value counts as "not set".
    assert load_or_create_signer(path, NAME, env_value="  ").verifier_key == file_signer.verifier_key


def test_the_environment_value_does_not_create_a_file(tmp_path):
    path = tmp_path / "log.key"
    skey, _ = generate_signer(NAME)
    load_or_create_signer(path, NAME, env_value=skey)
    assert not path.exists()


def test_keys_for_another_origin_or_garbage_are_refused(tmp_path):
    other_skey, _ = generate_signer("other.example/log")
    with pytest.raises(KeyFileError) as exc:
        load_or_create_signer(tmp_path / "x.key", NAME, env_value=other_skey)
    assert str(exc.value) == (
        "the signer key from the environment holds the key of 'other.example/log', but the log origin is "
        "'evidence.shangmi.example/log'"
    )
    with pytest.raises(KeyFileError, match="signer key from the environment: signer key must start with"):
        load_or_create_signer(tmp_path / "x.key", NAME, env_value="not a key")
    path = tmp_path / "other.key"
    path.write_text(other_skey)
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match=f"signer key file {path} holds the key of 'other.example/log'"):
        load_or_create_signer(path, NAME)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(KeyFileError, match="is not UTF-8 text"):
        load_or_create_signer(path, NAME)
    path.write_text("PRIVATE+KEY+garbage")
    with pytest.raises(KeyFileError, match=f"signer key file {path}: signer key must have the form"):
        load_or_create_signer(path, NAME)
    with pytest.raises(KeyFileError, match="is not a regular file"):
        load_or_create_signer(tmp_path, NAME)


def test_an_invalid_origin_is_refused_before_touching_the_disk(tmp_path):
    with pytest.raises(KeyFormatError, match="contains a space"):
        load_or_create_signer(tmp_path / "k", "bad origin")
    assert not (tmp_path / "k").exists()


def _racer(path: str) -> str:
    return load_or_create_signer(path, NAME).verifier_key


def test_concurrent_first_runs_agree_on_one_key(tmp_path):
    path = str(tmp_path / "race" / "log.key")
    with ProcessPoolExecutor(max_workers=6) as pool:
        keys = list(pool.map(_racer, [path] * 12))
    assert len(set(keys)) == 1
    assert load_or_create_signer(path, NAME).verifier_key == keys[0]
    assert os.listdir(tmp_path / "race") == ["log.key"]


def test_symlinked_key_files(tmp_path):
    target = tmp_path / "real.key"
    skey, vkey = generate_signer(NAME)
    target.write_text(skey + "\n")
    target.chmod(0o600)
    link = tmp_path / "log.key"
    link.symlink_to(target)
    assert load_or_create_signer(link, NAME).verifier_key == vkey  # the target's mode is what counts
    dangling = tmp_path / "dangling.key"
    dangling.symlink_to(tmp_path / "missing")
    with pytest.raises(KeyFileError, match=f"signer key file {dangling} is a link to a missing file"):
        load_or_create_signer(dangling, NAME)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.key", "log.key", "real.key"]
