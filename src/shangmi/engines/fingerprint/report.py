"""Evidence-grade HTML report of a scan (issue 7 point 5), self-contained and usable offline.

`write_html(result, out_dir)` writes ``index.html`` (parameters, engine version, index digest, the suspect
files with matches, skipped files with reasons, the input manifest) and one page per suspect file with
every matched item: score, containment both ways, longest run, and each region side by side (suspect left,
registered item right) with the matched units highlighted. Content is shown only when the files can be
read here (the suspect path, the item under the root recorded in the index); otherwise, e.g. for a keyed
index handed to an appraiser, regions are given as unit ranges only. The report states how similar and
where; it draws no legal conclusion. Returns the paths written. Cost: one read of each matched file.
"""

from __future__ import annotations

import hashlib
import html
import json
import zipfile
from pathlib import Path

from . import extract, records
from .result import ScanResult

CONTEXT = 2
MAX_UNITS = 400
CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2rem;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top}
th{background:#f6f8fa;text-align:left}.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:.85rem;white-space:pre-wrap;margin:0}
mark{background:#ffe08a}.u{color:#8c959f;user-select:none}.note{color:#57606a;font-size:.9rem}
.hit{font-weight:bold;color:#b35900}
"""
NOTE = (
    "本报告陈述相似程度与相似位置，不作法律结论；是否构成实质性相同由鉴定人判断。 / "
    "This report states how similar and where; the legal conclusion is left to the appraiser."
)


def _read(path: str) -> bytes | None:
    try:
        if "!" in path and not Path(path).exists():
            archive, member = path.split("!", 1)
            with zipfile.ZipFile(archive) as zf:
                return zf.read(member.split("!")[0])
        return Path(path).read_bytes()
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return None


def units_text(name: str, data: bytes, unit: str) -> dict[int, str]:
    """unit number -> displayed text, for the units of one file ({} when it cannot be shown)."""
    try:
        if unit == "line":
            return dict(enumerate(extract.decode(data).split("\n"), start=1))
        if unit == "paragraph":
            return dict(extract.docx_paragraphs(data, 256 * 1024 * 1024))
        if unit == "page-line":
            return dict(extract.pdf_lines(data))
        if unit == "row":
            rows = (
                records.xlsx_rows(data, 256 * 1024 * 1024)
                if name.lower().endswith((".xlsx", ".xlsm"))
                else records.csv_rows(data)
            )
            return {u: " | ".join(cells) for u, cells in rows}
    except Exception:  # a report never fails on a file that changed since the scan
        return {}
    return {}


def unit_label(unit: str, value: int) -> str:
    if unit == "page-line":
        return f"p.{value // extract.PAGE} l.{value % extract.PAGE}"
    if unit == "row" and value >= records.SHEET:
        return f"sheet {value // records.SHEET} row {value % records.SHEET}"
    return f"{unit} {value}"


def _excerpt(texts: dict[int, str], first: int, last: int, unit: str) -> str:
    if not texts:
        return '<p class="note">(content not available here; ranges only)</p>'
    keys = sorted(k for k in texts if first - CONTEXT <= k <= last + CONTEXT)[:MAX_UNITS]
    out = []
    for k in keys:
        line = html.escape(texts[k].rstrip("\r"))
        label = html.escape(unit_label(unit, k))
        body = f"<mark>{line}</mark>" if first <= k <= last else line
        out.append(f'<span class="u">{label:>12}</span>  {body}')
    return "<pre>" + "\n".join(out) + "</pre>"


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )


def _params_table(result: ScanResult) -> str:
    rows = [
        ("engine_version", result.engine_version),
        ("threshold", result.threshold),
        ("index", f"{result.index.get('path')} (SHA-256 {result.index.get('sha256')})"),
        ("items / live fingerprints", f"{result.index.get('items')} / {result.index.get('fingerprints')}"),
        ("key_id", result.key_id or "(no case key)"),
        ("started / finished (UTC)", f"{result.started_at} / {result.finished_at}"),
        ("parameters", json.dumps(result.params, sort_keys=True, ensure_ascii=False)),
    ]
    return (
        "<table>"
        + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
        + "</table>"
    )


def write_html(result: ScanResult, out_dir: Path, *, show_content: bool = True) -> list[Path]:
    """Write the report into `out_dir` (created); return the files written, index.html first."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with_pairs = [f for f in result.files if f.pairs]
    links = []
    for f in with_pairs:
        page = f"s-{hashlib.sha256(f.path.encode()).hexdigest()[:16]}.html"
        written.append(_suspect_page(result, f, out_dir / page, show_content))
        best = max(p["score"] for p in f.pairs)
        flag = ' class="hit"' if best >= result.threshold else ""
        links.append(
            f'<tr><td><a href="{page}">{html.escape(f.path)}</a></td><td{flag}>{best:.3f}</td>'
            f"<td>{len(f.pairs)}</td><td><code>{f.sha256}</code></td></tr>"
        )
    skipped = "".join(
        f"<tr><td>{html.escape(s['suspect'])}</td><td>{html.escape(s['reason'])}</td><td>{html.escape(s['message'])}</td></tr>"
        for s in result.skipped()
    )
    manifest = "".join(
        f"<tr><td>{html.escape(m['path'])}</td><td>{m['size']}</td><td><code>{m['sha256']}</code></td><td>{html.escape(m['status'])}</td></tr>"
        for m in result.to_json()["manifest"]
    )
    stats = result.stats()
    body = (
        "<h1>鉴定辅助比对报告 / Forensic matching report</h1>"
        f'<p class="note">{NOTE}</p>{_params_table(result)}'
        f"<p>{stats['files']} files, {stats['bytes']} bytes, {stats['pairs']} pairs sharing fingerprints, "
        f"{stats['matches']} at or above the threshold {result.threshold}.</p>"
        "<h2>Suspect files with shared fingerprints</h2><table><tr><th>suspect</th><th>best score</th><th>items</th>"
        f"<th>SHA-256</th></tr>{''.join(links)}</table>"
        f"<h2>Skipped files</h2><table><tr><th>file</th><th>reason</th><th>message</th></tr>{skipped}</table>"
        f"<h2>Input manifest</h2><table><tr><th>file</th><th>bytes</th><th>SHA-256</th><th>status</th></tr>{manifest}</table>"
    )
    index = out_dir / "index.html"
    index.write_text(_page("Forensic matching report", body), encoding="utf-8")
    return [index, *written]


def _suspect_page(result: ScanResult, f, path: Path, show_content: bool) -> Path:
    suspect_data = _read(f.path) if show_content else None
    suspect_texts = units_text(f.path, suspect_data, f.unit) if suspect_data else {}
    parts = [
        f"<h1>{html.escape(f.path)}</h1><p class='note'>{NOTE}</p>",
        f"<p>SHA-256 <code>{f.sha256}</code>, {f.size} bytes, kind {html.escape(f.kind)}, "
        f"{f.fingerprints} fingerprints.</p>{_params_table(result)}",
    ]
    for p in f.pairs:
        item_texts: dict[int, str] = {}
        root = result.item_roots.get(p["item"])
        if show_content and root and p.get("regions"):
            data = _read(str(Path(root) / p["item"]))
            item_texts = units_text(p["item"], data, p.get("item_unit", "")) if data else {}
        flag = "hit" if p["score"] >= result.threshold else ""
        cs, ci = p.get("containment_suspect_in_item"), p.get("containment_item_in_suspect")
        parts.append(
            f"<h2>→ {html.escape(p['item'])}</h2><table><tr><th>score</th><td class='{flag}'>{p['score']:.3f}</td>"
            f"<th>method</th><td>{html.escape(p['method'])}</td></tr>"
            f"<tr><th>containment suspect in item</th><td>{cs}</td><th>containment item in suspect</th><td>{ci}</td></tr>"
            f"<tr><th>longest run</th><td>{p.get('longest_run')} {html.escape(p.get('longest_run_unit', ''))}</td>"
            f"<th>channels</th><td><code>{html.escape(json.dumps(p.get('channels', {}), sort_keys=True))}</code></td></tr></table>"
        )
        for r in p.get("regions", [])[:200]:
            s0, s1 = r["suspect"]
            i0, i1 = r["item"]
            parts.append(
                f"<h3>{html.escape(r['channel'])}: suspect {html.escape(unit_label(f.unit, s0))}–{html.escape(unit_label(f.unit, s1))}"
                f" ↔ item {html.escape(unit_label(p.get('item_unit', ''), i0))}–{html.escape(unit_label(p.get('item_unit', ''), i1))}"
                f" ({r['tokens']} tokens, {r['fingerprints']} fingerprints)</h3><div class='side'>"
                f"<div>{_excerpt(suspect_texts, s0, s1, f.unit)}</div><div>{_excerpt(item_texts, i0, i1, p.get('item_unit', ''))}</div></div>"
            )
    path.write_text(_page(f.path, "".join(parts)), encoding="utf-8")
    return path
