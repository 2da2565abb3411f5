"""The log monitor: consistent growth passes; rollback and fork raise the alarm."""

import shutil

import pytest

from shangmi.engines.tlog.checkpoint import Checkpoint, sign_checkpoint
from shangmi.engines.tlog.keys import generate_signer, parse_signer_key
from shangmi.engines.tlog.monitor import LogAlarm, MonitorState, check
from shangmi.engines.tlog.note import UnverifiedNoteError
from shangmi.engines.tlog.sequencer import Log
from shangmi.engines.tlog.storage import FileStorage

ORIGIN = "monitor.test/log"


@pytest.fixture
def signer():
    secret, _public = generate_signer(ORIGIN)
    return parse_signer_key(secret)


def open_log(path, signer):
    return Log(
        path, ORIGIN, lambda size, root: sign_checkpoint(Checkpoint(ORIGIN, size, root), signer), fsync=False
    )


def fetcher(path):
    return FileStorage(path, fsync=False).read


def test_growth_is_consistent_and_state_round_trips(tmp_path, signer):
    log = open_log(tmp_path / "log", signer)
    log.append_batch([f"e{i}".encode() for i in range(300)])
    state, message = check(None, fetcher(tmp_path / "log"), ORIGIN, signer.verifier)
    assert state.size == 300 and message.startswith("first")
    for more in (1, 255, 700):
        log.append_batch([f"n{more}-{i}".encode() for i in range(more)])
        state, message = check(state, fetcher(tmp_path / "log"), ORIGIN, signer.verifier)
        assert message.startswith("consistent")
    state.save(tmp_path / "state.json")
    assert MonitorState.load(tmp_path / "state.json") == state
    log.close()


def test_rollback_raises_the_alarm(tmp_path, signer):
    log = open_log(tmp_path / "log", signer)
    log.append_batch([b"a", b"b"])
    log.close()
    shutil.copytree(tmp_path / "log", tmp_path / "old")
    log = open_log(tmp_path / "log", signer)
    log.append_batch([b"c"])
    log.close()
    state, _ = check(None, fetcher(tmp_path / "log"), ORIGIN, signer.verifier)
    with pytest.raises(LogAlarm, match="ROLLBACK"):
        check(state, fetcher(tmp_path / "old"), ORIGIN, signer.verifier)


def test_a_fork_with_the_same_key_raises_the_alarm(tmp_path, signer):
    honest = open_log(tmp_path / "honest", signer)
    honest.append_batch([b"1", b"2", b"3"])
    state, _ = check(None, fetcher(tmp_path / "honest"), ORIGIN, signer.verifier)
    evil = open_log(tmp_path / "evil", signer)  # same key, rewritten history
    evil.append_batch([b"1", b"X", b"3", b"4", b"5"])
    with pytest.raises(LogAlarm, match="FORK"):
        check(state, fetcher(tmp_path / "evil"), ORIGIN, signer.verifier)
    same_size = open_log(tmp_path / "evil2", signer)
    same_size.append_batch([b"1", b"2", b"Y"])
    with pytest.raises(LogAlarm, match="FORK: two different roots"):
        check(state, fetcher(tmp_path / "evil2"), ORIGIN, signer.verifier)


def test_a_checkpoint_signed_by_another_key_is_refused(tmp_path, signer):
    other = parse_signer_key(generate_signer(ORIGIN)[0])
    log = open_log(tmp_path / "log", other)
    log.append_batch([b"a"])
    with pytest.raises(UnverifiedNoteError):
        check(None, fetcher(tmp_path / "log"), ORIGIN, signer.verifier)
