"""Parameters of fingerprinting and matching, stored inside every index and every scan result.

Winnowing (Schleimer, Wilkerson, Aiken 2003) hashes every k-gram of a token stream and keeps, in every window
of w consecutive k-gram hashes, the rightmost minimum. Two guarantees follow per channel:

* noise threshold k: a match shorter than k tokens is never seen;
* guarantee threshold t = w + k - 1: a common run of at least t tokens always shares a fingerprint.

Channels and their tokens:

=====  ===========================================================  ====  ====  =======
name   tokens                                                       k     w     t
=====  ===========================================================  ====  ====  =======
ast    tree-sitter node types; identifiers and literals abstracted  12    4     15
lit    literal values of code of 2+ characters, one per token       1     1     1
raw    words and CJK characters of text (also code's comments)      8     8     15
rec    normalised field values of a spreadsheet row                 1     1     1
ent    DXF entity shapes, translation- and layer-free               1     1     1
sha    SHA-256 of the whole file                                    1     1     1
=====  ===========================================================  ====  ====  =======

The score of a (suspect, item) pair, the figure the decision `threshold` applies to, is defined in
`match.py`. `max_item_share` is the N of issue 7: a fingerprint found in more than N registered items is
common material and is dropped, as is every fingerprint of the public reference corpus.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

ENGINE_VERSION = "shangmi-fp 1.1"
FORMAT_VERSION = 2

CHANNELS = ("ast", "lit", "raw", "rec", "ent", "sha")
CHANNEL_ID = {name: i + 1 for i, name in enumerate(CHANNELS)}
CHANNEL_NAME = {i: name for name, i in CHANNEL_ID.items()}


@dataclass(frozen=True)
class Params:
    """Everything that changes fingerprints or scores. Frozen; compared field by field between an index
    and a scan (a mismatch raises `errors.IndexError_`)."""

    k: dict[str, int] = field(default_factory=lambda: {"ast": 12, "raw": 8})
    w: dict[str, int] = field(default_factory=lambda: {"ast": 4, "raw": 8})
    threshold: float = 0.5
    max_item_share: int = 10
    max_file_bytes: int = 64 * 1024 * 1024
    max_zip_member_bytes: int = 256 * 1024 * 1024
    max_zip_ratio: int = 200
    max_zip_depth: int = 2
    file_timeout_s: float = 30.0
    tlsh_max_distance: int = 100

    def guarantee(self, channel: str) -> int:
        """t = w + k - 1 tokens for a winnowed channel, 1 for a set channel."""
        if channel in self.k:
            return self.k[channel] + self.w[channel] - 1
        return 1

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["guarantee"] = {c: self.guarantee(c) for c in CHANNELS}
        return data

    @classmethod
    def from_json(cls, data: dict) -> Params:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def matching_fields(self) -> dict:
        """The fields that must agree between an index and a scan (fingerprint-shaping ones)."""
        return {"k": self.k, "w": self.w}
