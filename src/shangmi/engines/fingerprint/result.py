"""The scan result: per-file reports, the (suspect, item) pairs, skipped files and the input manifest.

`ScanResult.to_json()` is the JSON of issue 7 point 3 (format ``shangmi-fp-scan/1``):

* top level: ``format``, ``engine_version``, ``threshold``, ``parameters``, ``index`` (path, SHA-256, counts),
  ``key_id`` (empty without a case key), ``started_at``/``finished_at`` (UTC, ISO 8601), ``stats``;
* ``pairs``: every (suspect, item) pair sharing live fingerprints, best first, each with ``suspect``,
  ``item``, ``score`` (0-1; the threshold applies to it), ``above_threshold``, containment both ways,
  ``longest_run`` (+ unit), ``method``, per-channel figures and ``regions`` (suspect and item unit ranges);
* ``skipped``: files not fingerprinted, with ``reason`` and ``message``;
* ``manifest``: SHA-256 and size of every input file, ZIP member and archive.

`ScanResult.from_json` reads it back (for reports written later, e.g. by the web application).
"""

from __future__ import annotations

from dataclasses import dataclass, field

FORMAT = "shangmi-fp-scan/1"


@dataclass
class FileReport:
    path: str
    size: int
    sha256: str
    kind: str
    status: str
    reason: str = ""
    message: str = ""
    unit: str = ""
    fingerprints: int = 0
    pairs: list[dict] = field(default_factory=list)


@dataclass
class ScanResult:
    threshold: float
    params: dict
    engine_version: str
    index: dict
    key_id: str
    started_at: str
    finished_at: str
    seconds: float
    files: list[FileReport]
    archives: list[dict] = field(default_factory=list)
    item_roots: dict[str, str] = field(default_factory=dict)

    def pairs(self) -> list[dict]:
        """Every (suspect, item) pair, best first."""
        out = []
        for f in self.files:
            for p in f.pairs:
                out.append(
                    {"suspect": f.path, "suspect_unit": f.unit, "suspect_kind": f.kind}
                    | p
                    | {"above_threshold": p["score"] >= self.threshold}
                )
        out.sort(key=lambda p: (-p["score"], p["suspect"], p["item"]))
        return out

    def matches(self) -> list[dict]:
        """Pairs at or above the threshold."""
        return [p for p in self.pairs() if p["above_threshold"]]

    def skipped(self) -> list[dict]:
        return [
            {"suspect": f.path, "reason": f.reason, "message": f.message}
            for f in self.files
            if f.status in ("skipped", "digest_only")
        ]

    def stats(self) -> dict:
        total = sum(f.size for f in self.files)
        seconds = max(self.seconds, 1e-9)
        return {
            "files": len(self.files),
            "bytes": total,
            "skipped": sum(1 for f in self.files if f.status == "skipped"),
            "digest_only": sum(1 for f in self.files if f.status == "digest_only"),
            "pairs": sum(len(f.pairs) for f in self.files),
            "matches": len(self.matches()),
            "seconds": round(self.seconds, 3),
            "files_per_s": round(len(self.files) / seconds, 1),
            "mb_per_s": round(total / 1e6 / seconds, 2),
        }

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "engine_version": self.engine_version,
            "threshold": self.threshold,
            "parameters": self.params,
            "index": self.index,
            "key_id": self.key_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "stats": self.stats(),
            "pairs": self.pairs(),
            "skipped": self.skipped(),
            "manifest": [
                {"path": f.path, "size": f.size, "sha256": f.sha256, "kind": f.kind, "status": f.status}
                for f in self.files
            ]
            + self.archives,
            "item_roots": self.item_roots,
        }

    @classmethod
    def from_json(cls, data: dict) -> ScanResult:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} result")
        by_path: dict[str, FileReport] = {}
        archives = []
        for m in data["manifest"]:
            if m["status"] == "archive" or (m["kind"] == "zip" and m["status"] == "unreadable"):
                archives.append(m)
                continue
            by_path[m["path"]] = FileReport(m["path"], m["size"], m["sha256"], m["kind"], m["status"])
        for s in data["skipped"]:
            if s["suspect"] in by_path:
                by_path[s["suspect"]].reason = s["reason"]
                by_path[s["suspect"]].message = s["message"]
        skip_keys = {"suspect", "suspect_unit", "suspect_kind", "above_threshold"}
        for p in data["pairs"]:
            f = by_path[p["suspect"]]
            f.unit = p.get("suspect_unit", "")
            f.pairs.append({k: v for k, v in p.items() if k not in skip_keys})
        stats = data.get("stats", {})
        return cls(
            threshold=data["threshold"],
            params=data["parameters"],
            engine_version=data["engine_version"],
            index=data["index"],
            key_id=data.get("key_id", ""),
            started_at=data["started_at"],
            finished_at=data["finished_at"],
            seconds=stats.get("seconds", 0.0),
            files=sorted(by_path.values(), key=lambda f: f.path),
            archives=archives,
            item_roots=data.get("item_roots", {}),
        )
