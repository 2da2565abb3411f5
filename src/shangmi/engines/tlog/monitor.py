"""Monitoring a log from outside: each new checkpoint must extend the last one seen.

A monitor keeps the last verified checkpoint. For every new one it checks the signature, then proves
consistency from the log's own tiles (fetched like any tlog-tiles client would). A smaller tree is a
rollback; the same size with another root, or a failed consistency proof, is a fork. Either is an alarm.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .checkpoint import Checkpoint, open_checkpoint
from .keys import Verifier
from .merkle import consistency_proof
from .storage import TileHashReader
from .verify import ProofError, verify_consistency

Fetch = Callable[[str], bytes]  # path below the log root (e.g. "checkpoint", "tile/0/000") -> bytes


class LogAlarm(Exception):
    """The log showed two incompatible histories (fork) or went back in time (rollback)."""


@dataclass(frozen=True)
class MonitorState:
    origin: str
    size: int
    root_hash: str  # hex
    note: str

    def save(self, path: Path) -> None:
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        temp.replace(path)

    @classmethod
    def load(cls, path: Path) -> MonitorState | None:
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text(encoding="utf-8")))


class _FetchStorage:
    """The read side of the storage interface over any fetch function (HTTP, files)."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch

    def read(self, path: str) -> bytes:
        return self._fetch(path)

    def exists(self, path: str) -> bool:
        try:
            self._fetch(path)
        except FileNotFoundError:
            return False
        return True


def check(
    previous: MonitorState | None, fetch: Fetch, origin: str, verifier: Verifier
) -> tuple[MonitorState, str]:
    """Fetch and verify the current checkpoint against `previous`. Returns the new state and a message.

    Raises LogAlarm on a rollback or fork, and ValueError subclasses when the checkpoint is not validly
    signed. Cost: one checkpoint plus at most ~2·log2(n)/8 tiles.
    """
    note = fetch("checkpoint").decode("utf-8")
    current: Checkpoint = open_checkpoint(note, origin, verifier)
    state = MonitorState(origin, current.size, current.root_hash.hex(), note)
    if previous is None:
        return state, f"first checkpoint: size {current.size}"
    old_root = bytes.fromhex(previous.root_hash)
    if current.size < previous.size:
        raise LogAlarm(f"ROLLBACK: the log shrank from {previous.size} to {current.size}")
    if current.size == previous.size:
        if current.root_hash != old_root:
            raise LogAlarm(f"FORK: two different roots for size {current.size}")
        return state, f"unchanged: size {current.size}"
    reader = TileHashReader(_FetchStorage(fetch), current.size)
    try:
        proof = consistency_proof(previous.size, current.size, reader)
        verify_consistency(previous.size, current.size, old_root, current.root_hash, proof)
    except ProofError as error:
        raise LogAlarm(
            f"FORK: size {current.size} is not consistent with size {previous.size}: {error}"
        ) from error
    return state, f"consistent: {previous.size} → {current.size}"
