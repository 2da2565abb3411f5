"""Insider-risk scoring speed: per-user-day features + scoring from Parquet (issue 8 point 8).

    .venv/bin/python benchmarks/risk_speed.py [--events 50000000] [--users 2000] [--dir DIR] [--keep] [--repeat 3]

Builds a Parquet event store of ``--events`` synthetic events directly with polars, one zstd file a day
holding what ingestion writes (SCHEMA columns and the 64-bit keys of user, object and destination, keys.py)
and one key dictionary, with realistic cardinalities: 2,000 users over 365 days; web visits 45 %, file
opens 31 %, writes 6 %, mail 5 %, logons/logoffs 8 %, the rest downloads, uploads, prints, exports and
(rarely) USB; ~200,000 distinct file paths (4 % under registered carriers), ~500,000 distinct URLs over
~3,000 domains, recipient lists for mail.

Then, on the same files and in the same run, times
(a) the reference: ``scan.group_by(["user", "day"]).agg(pl.len())`` (streaming engine), and
(b) ``scoring.score(store, context)``: classes of the dictionary's strings, the compiled per-event pass
    (register, destinations, off-hours …), registered matches and grants, the daily table, baselines,
    indicators, scores, and the explanations,
and reports events/s of each (best of ``--repeat``), the ratio, and the peak RSS when the store is reused.
Target: (b) ≥ 10,000,000 events/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shangmi.engines.risk import features, keys  # noqa: E402
from shangmi.engines.risk.context import Context, HrDates, RegisterEntry  # noqa: E402
from shangmi.engines.risk.schema import ACTION, COLUMNS, SCHEMA  # noqa: E402
from shangmi.engines.risk.scoring import score  # noqa: E402

START = date(2026, 1, 1)
DAYS = 365
ACTION_SHARES = {
    "web_visit": 0.45,
    "file_open": 0.3133,
    "file_write": 0.06,
    "email_send": 0.05,
    "logon": 0.04,
    "logoff": 0.04,
    "download": 0.02,
    "file_copy": 0.01,
    "usb_copy": 0.0005,
    "print": 0.008,
    "upload": 0.005,
    "app_export": 0.003,
    "usb_connect": 0.0002,
}
PROJECTS = 12
SHARES = ("研发", "生产", "销售", "财务", "行政", "IT", "公共")
FOLDERS = ("会议纪要", "技术文档", "测试报告", "报价单", "合同模板", "周报", "预算", "通知公告")
EXTS = (".docx", ".xlsx", ".pptx", ".pdf", ".txt", ".dwg")
PERSONAL = (
    "pan.baidu.com",
    "www.aliyundrive.com",
    "mail.qq.com",
    "mail.163.com",
    "www.dropbox.com",
    "qq.com",
    "gmail.com",
)
COMPETITORS = ("huaxin-jingmi.example", "dongsheng-zhizao.example")
OWN = "lanxi.example"


def pools(seed: int) -> dict[str, pl.Series]:
    """String pools the events draw from."""
    paths = []
    for i in range(200_000):
        if i % 25 == 0:  # 4 % registered drawings
            paths.append(rf"\\fs01\研发\图纸\P{i % PROJECTS + 1:02d}\总装\LX-{i:06d}_A.dwg")
        else:
            share, folder = SHARES[i % len(SHARES)], FOLDERS[(i // 7) % len(FOLDERS)]
            ext = ".7z" if i % 997 == 0 else EXTS[i % len(EXTS)]  # a few archives
            paths.append(rf"\\fs01\{share}\{folder}\文档_{i:06d}{ext}")
    named = [
        *PERSONAL,
        *COMPETITORS,
        f"crm.{OWN}",
        f"pan.{OWN}",
        f"oa.{OWN}",
        "www.zhaopin.com",
        "www.51job.com",
    ]
    named += ["www.liepin.com", "www.baidu.com", "news.sina.com.cn", "www.linkedin.com", "cn.bing.com"]
    domains = named + [f"site{i:04d}.example.com" for i in range(3000 - len(named))]
    urls = [f"https://{domains[i % 3000]}/page/{i:07d}?q={i % 97}" for i in range(500_000)]
    # mostly colleagues and customers; personal mail and a competitor are rare
    recipients = [OWN] * 300 + [f"{OWN},supplier{i}.example" for i in range(100)]
    recipients += [f"customer{i}.example" for i in range(20_000)] + [
        "gmail.com",
        f"{OWN},qq.com",
        COMPETITORS[0],
    ]
    return {
        "path": pl.Series(paths),
        "domain": pl.Series(domains),
        "url": pl.Series(urls),
        "recipients": pl.Series(recipients),
        "user": pl.Series([f"U{i:05d}" for i in range(4000)]),
    }


def _r(salt: int, k: int) -> pl.Expr:
    """A pseudo-random integer in [0, k) per row."""
    return (pl.col("i").hash(salt) % k).cast(pl.Int64)


def build_store(folder: Path, events: int, users: int, seed: int) -> None:
    """Write `events` events as events/day=YYYY-MM-DD/part.parquet, generated one day at a time."""
    p = pools(seed)
    names = list(ACTION_SHARES)
    bounds = []
    acc = 0.0
    for name in names:
        acc += ACTION_SHARES[name]
        bounds.append(acc)
    per_day = events // DAYS
    out = folder / "events"
    dictionaries = []
    for d in range(DAYS):
        day = START + timedelta(days=d)
        n = per_day + (1 if d < events - per_day * DAYS else 0)
        base = pl.DataFrame({"i": pl.int_range(d * 10**8, d * 10**8 + n, eager=True, dtype=pl.UInt64)})
        u = _r(seed + 1, 1 << 30).cast(pl.Float64) / (1 << 30)
        act = pl.lit(len(names) - 1, dtype=pl.Int64)
        for idx in reversed(range(len(names))):
            act = pl.when(u < bounds[idx]).then(idx).otherwise(act)
        frame = base.with_columns(
            a=act,
            uid=(_r(seed + 2, users) * 37 + d) % users,  # every user every day
            sec=_r(seed + 3, 11 * 3600),  # 00:00–11:00 UTC = 08:00–19:00 in Asia/Shanghai
            fidx=_r(seed + 4, 200_000),
            widx=_r(seed + 5, 500_000),
            didx=_r(seed + 6, 3000),
            ridx=_r(seed + 7, p["recipients"].len()),
            nbytes=_r(seed + 8, 5_000_000),
            cnt=_r(seed + 9, 4).cast(pl.Int32),
        ).with_columns(action=pl.col("a").replace_strict(dict(enumerate(names)), return_dtype=pl.String))
        action = pl.col("action")
        web = action.is_in(("web_visit", "download", "upload"))
        frame = frame.select(
            (
                pl.lit(datetime(day.year, day.month, day.day, tzinfo=UTC))
                + pl.duration(seconds=pl.col("sec"))
            ).alias("time"),
            p["user"].gather(frame["uid"]).alias("user"),
            pl.format("PC-{}", pl.col("uid") + 1000).alias("host"),
            action.cast(ACTION).alias("action"),
            pl.when(web)
            .then(p["url"].gather(frame["widx"]))
            .when(action.is_in(("logon", "logoff", "usb_connect")))
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(p["path"].gather(frame["fidx"]))
            .alias("object"),
            pl.when(web)
            .then(p["domain"].gather(frame["widx"] % 3000))
            .when(action == "email_send")
            .then(p["recipients"].gather(frame["ridx"]))
            .when(action == "usb_copy")
            .then(pl.lit("E:"))
            .when(action == "print")
            .then(pl.lit("PRN-2F-01"))
            .when(action == "app_export")
            .then(pl.lit(f"crm.{OWN}"))
            .alias("destination"),
            pl.when(action.is_in(("file_open", "logon", "logoff", "web_visit")))
            .then(None)
            .otherwise(pl.col("nbytes"))
            .alias("bytes"),
            pl.when(action.is_in(("email_send", "print", "app_export"))).then(pl.col("cnt")).alias("count"),
            pl.lit("bench").alias("source"),
        )
        # as ingestion writes them: the SCHEMA columns, the key columns, and a dictionary of the keys
        frame = frame.with_columns(day=pl.lit(day)).select(COLUMNS).sort("time")
        keyed = keys.with_keys(frame.lazy()).collect()
        dictionaries.append(keys.dictionary(keyed.lazy()).collect())
        target = out / f"day={day.isoformat()}"
        target.mkdir(parents=True, exist_ok=True)
        keyed.write_parquet(target / "part.parquet", compression="zstd", statistics=True)
        if d % 60 == 0:
            print(f"  day {d}/{DAYS}", file=sys.stderr)
    keys.merge(dictionaries).write_parquet(folder / "keys.parquet", compression="zstd")


class BenchStore:
    """The benchmark's files read as the scorer reads an EventStore: `scan()` for the events and
    `encoded()` for the feature pass (the day files with their key columns, and the key dictionary)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files = {
            date.fromisoformat(p.parent.name.removeprefix("day=")): p
            for p in sorted((folder / "events").glob("day=*/part.parquet"))
        }

    def scan(self) -> pl.LazyFrame:
        return pl.scan_parquet(
            list(self.files.values()), hive_partitioning=False, schema=SCHEMA, extra_columns="ignore"
        ).select(COLUMNS)

    def encoded(self) -> features.Encoded:
        schema = {**SCHEMA, **keys.KEY_COLUMNS}
        days = {
            day: pl.scan_parquet(p, hive_partitioning=False, schema=schema) for day, p in self.files.items()
        }
        return features.Encoded(days, pl.read_parquet(self.folder / "keys.parquet"))


def context(users: int) -> Context:
    register = tuple(
        RegisterEntry(rf"\\fs01\研发\图纸\P{k:02d}\**", "core" if k <= 3 else "important")
        for k in range(1, PROJECTS + 1)
    )
    register += (
        RegisterEntry(r"\\fs01\销售\报价单\**", "important"),
        RegisterEntry(r"\\fs01\财务\预算\**", "general"),
    )
    # 95 % of the staff are entrusted with every carrier; the others with none
    grants = {f"U{u:05d}": tuple(e.pattern for e in register) for u in range(users) if u % 20}
    hr = {f"U{u:05d}": HrDates(None, START + timedelta(days=(u * 7) % DAYS)) for u in range(0, users, 20)}
    peers = {f"U{u:05d}": f"{SHARES[u % len(SHARES)]}/role{u % 3}" for u in range(users)}
    return Context(
        register=register,
        grants=grants,
        hr=hr,
        competitors=COMPETITORS,
        own_domains=(OWN,),
        peer_groups=peers,
    )


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=50_000_000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the store in --dir")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    folder = args.dir or Path(tempfile.mkdtemp(prefix="risk-speed-"))
    built = not (args.keep and (folder / "keys.parquet").is_file())
    if built:
        shutil.rmtree(folder / "events", ignore_errors=True)
        started = time.perf_counter()
        build_store(folder, args.events, args.users, args.seed)
        print(f"built the store in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    store = BenchStore(folder)
    lf = store.scan()
    events = lf.select(pl.len()).collect().item()
    size = sum(f.stat().st_size for f in (folder / "events").rglob("*.parquet"))
    ctx = context(args.users)

    reference, ref_frame = best(
        lambda: lf.group_by(["user", "day"]).agg(pl.len()).collect(engine="streaming"), args.repeat
    )
    feature_time, _ = best(lambda: features.build(store, ctx), args.repeat)
    full, alerts = best(lambda: score(store, ctx), args.repeat)
    ref_rate, feat_rate, full_rate = events / reference, events / feature_time, events / full
    # Peak RSS of this process; it measures scoring only when the store was reused, not built here.
    peak = "—" if built else f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GB"
    print(
        f"{events:,} events, {size / 2**20:,.0f} MiB Parquet, {ref_frame.height:,} user-days, {len(alerts)} alerts"
    )
    print(
        "\n| date | events | reference group-by | features | features + scoring + explanations | "
        "full ÷ reference | peak RSS | machine |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        f"| {datetime.now(UTC):%Y-%m-%d} | {events:,} | {ref_rate / 1e6:,.1f} M ev/s ({reference:.2f}s) "
        f"| {feat_rate / 1e6:,.1f} M ev/s ({feature_time:.2f}s) | {full_rate / 1e6:,.1f} M ev/s ({full:.2f}s) "
        f"| {full_rate / ref_rate:.2f} | {peak} | {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"load {os.getloadavg()[0]:.1f} |"
    )
    if args.dir is None and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
