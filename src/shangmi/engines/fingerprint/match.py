"""Scoring one (suspect, item) pair from shared fingerprints, with the regions that match.

Per channel c, over fingerprints that are not suppressed (public or in more than N items):

* containment of the suspect in the item  C_s = W(S ∩ I) / W(S),  of the item in the suspect
  C_i = W(S ∩ I) / W(I), where W sums the weights of distinct fingerprints: 1 / (number of registered items
  holding the fingerprint), 1 for one held by a single item or by none (`weights.py`). Material common to
  several registered items therefore counts less than material specific to one;
* runs: matched suspect fingerprints whose token positions are at most w apart (the winnowing window: inside
  a common passage no two consecutive fingerprints are further apart) form one run; a run spans
  (last - first + k) tokens; `longest` is the longest run;
* channel score  s_c = max(C_s, C_i) * min(1, longest / t_c), t_c = w + k - 1 the guarantee threshold: the
  share of the smaller side that is found in the other, discounted when no common passage reaches the
  length that winnowing guarantees to detect.

Spreadsheets (`rec`) are scored per row: a row matches when it shares a strong value (e-mail, phone,
organisation name) or two values with a row of the other side; C_s and C_i are shares of matched rows.

The pair score, to which the decision threshold applies, is for code
``max((s_ast + C_i(lit) + C_s(lit)) / 3, s_raw)``: structure and verbatim literals (messages, constants)
measured both ways, since an independent solution of the same task shares much of the structure but rarely
the same literals in both directions; or a long enough shared text (code pasted into comments or prose).
Otherwise it is the maximum over the channels both sides have. An identical file (SHA-256) scores 1.
The shipped threshold 0.5 reads: on average half of the evidence of the smaller side is found in the other.
Cost: O(m log m) for m shared fingerprints.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from . import weights
from .document import Document
from .params import Params
from .suspect import SuspectCache


class Posting(NamedTuple):
    """Where an item holds a fingerprint (a tuple: scans build one per fetched posting, cheaply)."""

    fp: int
    pos: int
    first: int
    last: int


@dataclass
class Region:
    channel: str
    suspect_first: int
    suspect_last: int
    item_first: int
    item_last: int
    tokens: int
    fingerprints: int

    def to_json(self) -> dict:
        return {
            "channel": self.channel,
            "suspect": [self.suspect_first, self.suspect_last],
            "item": [self.item_first, self.item_last],
            "tokens": self.tokens,
            "fingerprints": self.fingerprints,
        }


@dataclass
class ChannelMatch:
    shared: int
    suspect_total: int
    item_total: int
    containment_suspect: float
    containment_item: float
    longest: int
    score: float

    def to_json(self) -> dict:
        return {
            "shared": self.shared,
            "suspect_fingerprints": self.suspect_total,
            "item_fingerprints": self.item_total,
            "containment_suspect_in_item": round(self.containment_suspect, 4),
            "containment_item_in_suspect": round(self.containment_item, 4),
            "longest_run": self.longest,
            "score": round(self.score, 4),
        }


@dataclass
class PairMatch:
    item: str
    score: float
    containment_suspect: float
    containment_item: float
    longest: int
    longest_unit: str
    method: str
    channels: dict[str, ChannelMatch] = field(default_factory=dict)
    regions: list[Region] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "item": self.item,
            "score": round(self.score, 4),
            "containment_suspect_in_item": round(self.containment_suspect, 4),
            "containment_item_in_suspect": round(self.containment_item, 4),
            "longest_run": self.longest,
            "longest_run_unit": self.longest_unit,
            "method": self.method,
            "channels": {k: v.to_json() for k, v in self.channels.items()},
            "regions": [r.to_json() for r in self.regions],
        }


_POS, _FIRST, _LAST = itemgetter(1), itemgetter(2), itemgetter(3)  # fields of a Posting


def _span_len(span: tuple[int, int]) -> int:
    return span[1] - span[0]


def _spans(positions: list[int], gap: int) -> list[tuple[int, int]]:
    """Index spans [lo, hi) of sorted positions whose neighbours are at most `gap` apart."""
    spans = []
    lo = 0
    for i in range(1, len(positions)):
        if positions[i] - positions[i - 1] > gap:
            spans.append((lo, i))
            lo = i
    spans.append((lo, len(positions)))
    return spans


def _runs(positions: list[int], gap: int) -> list[tuple[int, int, int]]:
    """Split sorted positions into runs whose neighbours are at most `gap` apart: (first, last, count)."""
    runs = []
    start = prev = positions[0]
    count = 1
    for p in positions[1:]:
        if p - prev > gap:
            runs.append((start, prev, count))
            start, count = p, 0
        prev = p
        count += 1
    runs.append((start, prev, count))
    return runs


def _stream_channel(
    name: str,
    doc: Document,
    postings: list[Posting],
    suppressed: set[int],
    item_total: int,
    params: Params,
    shared_items: dict[int, int],
    item_weight: float,
    suspect: SuspectCache,
) -> tuple[ChannelMatch, list[Region]]:
    ch = doc.channels[name]
    view = suspect.get_channel(name, ch, suppressed, shared_items)
    k, w = (params.k[name], params.w[name]) if name in params.k else (1, 1)
    t = params.guarantee(name)
    item_at: dict[int, list[Posting]] = defaultdict(list)
    for post in postings:
        item_at[post.fp].append(post)
    valid = view.valid
    shared = valid & item_at.keys()
    idx = view.indices(shared)
    regions: list[Region] = []
    longest = 0
    if idx:
        # map/itemgetter instead of generator expressions: this loop runs for every region of every pair
        # (hundreds of thousands per scan); the values and the (stable) sort order are unchanged.
        fps, ch_first, ch_last = ch.fps, ch.first.__getitem__, ch.last.__getitem__
        positions = list(map(ch.pos.__getitem__, idx))
        for lo, hi in _spans(positions, w):
            members = idx[lo:hi]
            first, last = positions[lo], positions[hi - 1]
            tokens = last - first + k
            longest = max(longest, tokens)
            item_posts = sorted([p for i in members for p in item_at[fps[i]]], key=_POS)
            blo, bhi = max(_spans(list(map(_POS, item_posts)), w), key=_span_len)
            chosen = item_posts[blo:bhi]
            regions.append(
                Region(
                    name,
                    min(map(ch_first, members)),
                    max(map(ch_last, members)),
                    min(map(_FIRST, chosen)),
                    max(map(_LAST, chosen)),
                    tokens,
                    len(members),
                )
            )
    common = weights.total(shared, shared_items)
    suspect_weight = view.weight
    cs = common / suspect_weight if suspect_weight else 0.0
    ci = min(1.0, common / item_weight) if item_weight else 0.0
    score = max(cs, ci) * min(1.0, longest / t) if shared else 0.0
    return ChannelMatch(len(shared), len(valid), item_total, cs, ci, longest, score), regions


def _record_channel(
    doc: Document, postings: list[Posting], suppressed: set[int], item_rows: int
) -> tuple[ChannelMatch, list[Region]]:
    ch = doc.channels["rec"]
    item_rows_of: dict[int, list[int]] = defaultdict(list)
    for post in postings:
        item_rows_of[post.fp].append(post.first)
    suspect_rows: dict[int, list[int]] = defaultdict(list)
    for fp, unit in zip(ch.fps, ch.first, strict=True):
        if fp not in suppressed:
            suspect_rows[unit].append(fp)
    matched_suspect: dict[int, int] = {}
    matched_item: set[int] = set()
    shared_fps: set[int] = set()
    for unit, fps in suspect_rows.items():
        counts: dict[int, int] = defaultdict(int)
        strong: set[int] = set()
        for fp in set(fps):
            for row in set(item_rows_of.get(fp, ())):
                counts[row] += 1
                if fp & 1:
                    strong.add(row)
                shared_fps.add(fp)
        hits = [row for row, n in counts.items() if n >= 2 or row in strong]
        if hits:
            matched_suspect[unit] = min(hits)
            matched_item.update(hits)
    regions: list[Region] = []
    longest = 0
    if matched_suspect:
        order = sorted(suspect_rows)
        rank = {u: i for i, u in enumerate(order)}
        for first, last, count in _runs(sorted(rank[u] for u in matched_suspect), 1):
            units = order[first : last + 1]
            rows = [matched_suspect[u] for u in units if u in matched_suspect]
            longest = max(longest, count)
            regions.append(Region("rec", units[0], units[-1], min(rows), max(rows), count, count))
    cs = len(matched_suspect) / len(suspect_rows) if suspect_rows else 0.0
    ci = min(1.0, len(matched_item) / item_rows) if item_rows else 0.0
    score = max(cs, ci) if matched_suspect else 0.0
    return ChannelMatch(len(shared_fps), len(suspect_rows), item_rows, cs, ci, longest, score), regions


def score_pair(
    doc: Document,
    item: str,
    item_kind: str,
    item_unit: str,
    postings: dict[str, list[Posting]],
    totals: dict[str, int],
    suppressed: set[int],
    params: Params,
    shared_items: dict[int, int] | None = None,
    weighted: dict[str, float] | None = None,
    suspect: SuspectCache | None = None,
) -> PairMatch | None:
    """Score a suspect Document against one item given the item's postings of the shared fingerprints
    (per channel) and the item's totals (distinct non-suppressed fingerprints per channel; for `rec`, rows).
    `shared_items` maps a fingerprint held by several registered items to their number and `weighted` holds
    the item's weighted totals (both from the index; absent, every fingerprint weighs 1). `suspect` caches
    item-independent facts of `doc` across the pairs of one scanned file (`suspect.py`).
    None when nothing but suppressed material is shared."""
    shared_items = shared_items or {}
    weighted = weighted or {}
    suspect = SuspectCache() if suspect is None else suspect
    channels: dict[str, ChannelMatch] = {}
    regions: list[Region] = []
    for name, posts in postings.items():
        if name == "sha" or name not in doc.channels or not posts:
            continue
        if name == "rec":
            cm, regs = _record_channel(doc, posts, suppressed, totals.get("rec", 0))
        else:
            item_total = totals.get(name, 0)
            cm, regs = _stream_channel(
                name,
                doc,
                posts,
                suppressed,
                item_total,
                params,
                shared_items,
                weighted.get(name, item_total),
                suspect,
            )
        if cm.shared:
            channels[name] = cm
            regions.extend(regs)
    if postings.get("sha"):
        exact = ChannelMatch(1, 1, 1, 1.0, 1.0, 1, 1.0)
        channels["sha"] = exact
        regions.append(Region("sha", 0, 0, 0, 0, 1, 1))
        return PairMatch(item, 1.0, 1.0, 1.0, doc.size, "byte", "identical", channels, regions)
    if not channels:
        return None
    if "ast" in channels:
        code = channels["ast"].score
        if totals.get("lit") and doc.channels.get("lit") and doc.channels["lit"].fps:
            lit = channels.get("lit")
            code = (code + (lit.containment_item + lit.containment_suspect if lit else 0.0)) / 3
        raw = channels["raw"].score if "raw" in channels else 0.0
        score, method = (code, "code") if code >= raw else (raw, "text")
    else:
        method, best = max(((n, c.score) for n, c in channels.items()), key=lambda x: x[1])
        score = best
    lead = channels.get({"code": "ast", "text": "raw"}.get(method, method)) or max(
        channels.values(), key=lambda c: c.score
    )
    unit = {"rec": "rows", "ent": "entities", "lit": "literals"}.get(method, "tokens")
    regions.sort(key=lambda r: (r.channel, r.suspect_first))
    return PairMatch(
        item,
        score,
        lead.containment_suspect,
        lead.containment_item,
        lead.longest,
        unit,
        method,
        channels,
        regions,
    )
