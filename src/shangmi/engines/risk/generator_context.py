"""Context of a generation run and the vectorised building blocks of the background streams.

One row per (user, day) decides presence and the working session (logon, logoff); each stream then
explodes those rows into events (file opens, web visits, mails …) whose every attribute is drawn from the
counter-based generator in `generator_random` keyed by (file, stream, user, day, index). Cost is linear in
the number of events, about 1–2 µs an event on two cores.

Rows leave here in the generator's internal shape: `sec` (local epoch seconds), `key` (unique UInt64),
`u` (user index), `tag` (null for background), plus the file's own columns; `generator.py` sorts, adds
ids and writes the CERT r6 layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from . import generator_vocab as v
from .generator_org import Organisation
from .generator_random import below, between, chance, derive, part, row_key, with_mixed

LOGON, DEVICE, FILE, HTTP, EMAIL = range(5)
FILES = ("logon", "device", "file", "http", "email")
EPOCH = date(1970, 1, 1)
MAX_DAY_COUNT = 8000  # the row key has 13 bits for the day
LOCAL_DOCS = 100  # documents in each user's own folder
MAX_PER_DAY = 1 << 12  # rows of one stream for one user on one day (the sort key keeps 12 bits of the index)
HOUR = 3600
WEEKEND_FACTOR = 0.3
LEAVE_RATE = 0.04
WEEKEND_WORK_RATE = 0.02


@dataclass(frozen=True)
class Profile:
    opens: tuple[int, int]
    writes: tuple[int, int]
    visits: tuple[int, int]
    sends: tuple[int, int]
    views: tuple[int, int]
    registered: float  # share of file opens on granted carriers (when the user has grants)
    external: float  # share of sent mail to customers / suppliers
    cloud: float  # chance of company-cloud uploads on a working day


PROFILES: dict[int, Profile] = {
    v.ENGINEER: Profile((30, 150), (3, 15), (15, 60), (2, 10), (5, 25), 0.15, 0.10, 0.03),
    v.DESIGNER: Profile((30, 120), (5, 20), (15, 60), (2, 8), (5, 20), 0.30, 0.05, 0.08),
    v.RELEASE: Profile((30, 100), (5, 20), (10, 40), (2, 8), (5, 20), 0.0, 0.02, 0.02),
    v.PRODUCTION: Profile((20, 80), (2, 10), (10, 40), (1, 6), (3, 15), 0.15, 0.10, 0.01),
    v.SALES: Profile((20, 60), (2, 10), (15, 50), (4, 15), (8, 30), 0.05, 0.45, 0.02),
    v.FINANCE: Profile((40, 120), (5, 20), (10, 40), (2, 8), (5, 20), 0.10, 0.05, 0.01),
    v.ADMIN: Profile((20, 60), (3, 12), (20, 70), (3, 12), (8, 30), 0.0, 0.05, 0.02),
    v.IT: Profile((30, 90), (3, 12), (20, 80), (2, 10), (5, 25), 0.0, 0.10, 0.03),
}


def _concat(groups: list[tuple[str, ...]]) -> tuple[pl.Series, pl.Series, pl.Series]:
    flat = [s for g in groups for s in g]
    offsets, at = [], 0
    for g in groups:
        offsets.append(at)
        at += len(g)
    return (
        pl.Series(flat),
        pl.Series(offsets, dtype=pl.Int64),
        pl.Series([len(g) for g in groups], dtype=pl.Int64),
    )


@dataclass
class Tables:
    """String tables gathered by index in the vectorised streams. `paths` holds every file path a
    background event can name — the registered carriers (pattern by pattern, from 0), the department
    shares, the common share, then LOCAL_DOCS documents per user — and `names` their base names."""

    user: pl.Series
    pc: pl.Series
    email: pl.Series
    paths: pl.Series
    names: pl.Series
    reg_off: pl.Series
    reg_len: pl.Series
    dept0: int
    common0: int
    common_len: int
    local0: int
    local: pl.Series  # document names
    mail: pl.Series  # colleagues' addresses grouped by department
    customers: pl.Series
    suppliers: pl.Series
    url: pl.Series
    url_off: dict[str, tuple[int, int]]
    phrases: pl.Series


@dataclass
class Context:
    org: Organisation
    seed: int
    start: date
    days: int
    tables: Tables = field(init=False)
    users: pl.DataFrame = field(init=False)
    calendar: pl.DataFrame = field(init=False)
    # (u, d, forced, late): days a scenario needs the user present, and later logoffs.
    overrides: pl.DataFrame = field(init=False)
    crm_quiet: set[int] = field(default_factory=set)  # users whose CRM use a look-alike produces

    def __post_init__(self) -> None:
        self.tables = build_tables(self.org)
        self.users = users_frame(self.org, self.days)
        self.calendar = calendar_frame(self.start, self.days)
        self.set_overrides([], {})

    def set_overrides(self, forced: list[tuple[int, int]], late: dict[tuple[int, int], int]) -> None:
        keys = sorted(set(forced) | set(late))
        self.overrides = pl.DataFrame(
            {
                "u": [k[0] for k in keys],
                "d": [k[1] for k in keys],
                "forced": [k in set(forced) for k in keys],
                "late": [late.get(k) for k in keys],
            },
            schema={"u": pl.Int64, "d": pl.Int64, "forced": pl.Boolean, "late": pl.Int64},
        )

    def midnight(self, day: int) -> int:
        return ((self.start - EPOCH).days + day) * 86400


def build_tables(org: Organisation) -> Tables:
    reg, reg_off, reg_len = _concat([p.files for p in org.patterns])
    dept = [f for files in org.dept_files for f in files]
    names = org.local_names
    local = [
        f"C:\\Users\\{u.user_id}\\Documents\\{names[(u.index * 131 + k) % len(names)]}"
        for u in org.users
        for k in range(LOCAL_DOCS)
    ]
    paths = pl.Series([*reg, *dept, *org.common_files, *local])
    mail_groups = [tuple(u.email for u in org.users if u.dept == d) for d in range(len(v.DEPARTMENTS))]
    mail, _, _ = _concat(mail_groups)
    url_order = list(org.urls)
    url, off, lens = _concat([org.urls[k] for k in url_order])
    return Tables(
        user=pl.Series([u.user_id for u in org.users]),
        pc=pl.Series([u.pc for u in org.users]),
        email=pl.Series([u.email for u in org.users]),
        paths=paths,
        names=paths.str.extract(r"([^\\]+)$"),
        reg_off=reg_off,
        reg_len=reg_len,
        dept0=len(reg),
        common0=len(reg) + len(dept),
        common_len=len(org.common_files),
        local0=len(reg) + len(dept) + len(org.common_files),
        local=pl.Series(names),
        mail=mail,
        customers=pl.Series(org.customers),
        suppliers=pl.Series(org.suppliers),
        url=url,
        url_off={k: (int(off[i]), int(lens[i])) for i, k in enumerate(url_order)},
        phrases=pl.Series(v.PHRASES),
    )


def users_frame(org: Organisation, days: int) -> pl.DataFrame:
    dept_sizes = [len(f) for f in org.dept_files]
    dept_off = [sum(dept_sizes[:d]) for d in range(len(dept_sizes))]
    members = [sum(1 for u in org.users if u.dept == d) for d in range(len(v.DEPARTMENTS))]
    mail_off = [sum(members[:d]) for d in range(len(members))]
    users = org.users
    emails = {u.index: u.email for u in users}
    return pl.DataFrame(
        {
            "u": [u.index for u in users],
            "dept": [u.dept for u in users],
            "prof": [u.profile for u in users],
            "act": [u.activity for u in users],
            "on_off": [u.start_offset for u in users],
            "last": [days - 1 if u.last_day is None else u.last_day for u in users],
            "grants": [list(u.grants) for u in users],
            "usb_rate": [u.usb_rate for u in users],
            "job": [u.job_browser and not u.special for u in users],
            "cloud_visit": [u.cloud_visitor for u in users],
            "cloud_up": [u.cloud_uploader and not u.special for u in users],
            "webmail": [u.webmail_sender and not u.special for u in users],
            "book": [u.book for u in users],
            "crm_rate": [u.crm_rate for u in users],
            "dept_off": [dept_off[u.dept] for u in users],
            "dept_len": [dept_sizes[u.dept] for u in users],
            "mail_off": [mail_off[u.dept] for u in users],
            "mail_len": [members[u.dept] for u in users],
            "sup": [emails.get(u.supervisor, "") if u.supervisor is not None else "" for u in users],
        },
        schema_overrides={"grants": pl.List(pl.Int64)},
    ).with_columns(pl.col(pl.Int32, pl.Int64).cast(pl.Int64))


def calendar_frame(start: date, days: int) -> pl.DataFrame:
    base = (start - EPOCH).days
    return pl.DataFrame(
        {
            "d": list(range(days)),
            "workday": [(start.weekday() + d) % 7 < 5 for d in range(days)],
            "midnight": [(base + d) * 86400 for d in range(days)],
        },
        schema={"d": pl.Int64, "workday": pl.Boolean, "midnight": pl.Int64},
    )


def sessions(ctx: Context, pairs: pl.DataFrame | None, day_lo: int, day_hi: int) -> pl.DataFrame:
    """Presence and working session of each (user, day): `present`, `t_on`, `t_off` (seconds after local
    midnight). `pairs` restricts to given (u, d) rows; otherwise every user on every day in [lo, hi)."""
    cal = ctx.calendar.lazy().filter(pl.col("d").is_between(day_lo, day_hi - 1))
    if pairs is None:
        base = ctx.users.lazy().join(cal, how="cross")
    else:
        base = pairs.lazy().select("u", "d").join(ctx.users.lazy(), on="u").join(cal, on="d")
    frame = base.filter(pl.col("d") <= pl.col("last")).join(ctx.overrides.lazy(), on=["u", "d"], how="left")
    frame = frame.with_columns(row_key(LOGON, 0, pl.col("u"), pl.col("d"), pl.lit(0)).alias("_k"))
    frame = with_mixed(frame, "_k", ["_a", "_b"], derive(ctx.seed, "session"))
    wd = pl.col("workday")
    on_work = 8 * HOUR + 1800 + pl.col("on_off") + between("_a", 1, -1200, 1200)
    on_weekend = 10 * HOUR + below("_a", 1, 3 * HOUR)
    off_work = (
        pl.when(chance("_a", 3, 0.06))
        .then(19 * HOUR + 1800 + below("_b", 0, 3 * HOUR))
        .otherwise(pl.col("t_on") + 8 * HOUR + 1800 + below("_a", 2, 5400))
    )
    frame = frame.with_columns(
        present=pl.col("forced").fill_null(False)
        | pl.when(wd).then(~chance("_a", 0, LEAVE_RATE)).otherwise(chance("_a", 0, WEEKEND_WORK_RATE)),
        t_on=pl.when(wd).then(on_work).otherwise(on_weekend),
    )
    frame = frame.with_columns(
        t_off=pl.max_horizontal(
            pl.when(wd).then(off_work).otherwise(pl.col("t_on") + 2 * HOUR + below("_b", 0, 3 * HOUR)),
            pl.col("late").fill_null(0),
        )
    )
    return frame.filter("present").drop("_k", "_a", "_b", "forced", "late").collect()


def _explode(
    days: pl.DataFrame, n: pl.Expr, file: int, stream: int, seed: int, words: int = 2
) -> pl.LazyFrame:
    """One row per event: `n` rows for each user-day, with a unique `key` and `words` mixed words."""
    frame = (
        days.lazy()
        .with_columns(n.cast(pl.Int64).clip(0, MAX_PER_DAY - 1).alias("_n"))
        .filter(pl.col("_n") > 0)
    )
    frame = frame.with_columns(pl.int_ranges(0, pl.col("_n")).alias("idx")).explode("idx")
    frame = frame.with_columns(row_key(file, stream, pl.col("u"), pl.col("d"), pl.col("idx")).alias("key"))
    return with_mixed(frame, "key", [f"h{i}" for i in range(words)], derive(seed, "stream", file, stream))


def _count(lo_hi: pl.Expr, word: str, j: int) -> pl.Expr:
    """lo + (hi − lo)·triangular, scaled by the user's activity and by the weekend factor."""
    lo, hi = lo_hi.struct.field("lo"), lo_hi.struct.field("hi")
    tri = (part(word, j) + part(word, (j + 1) % 4)).cast(pl.Float64) / 131072.0
    scale = pl.col("act") * pl.when(pl.col("workday")).then(1.0).otherwise(WEEKEND_FACTOR)
    return ((lo + (hi - lo) * tri) * scale).round(0).cast(pl.Int64)


def _profile_expr(attr: str) -> pl.Expr:
    mapping = {p: getattr(prof, attr) for p, prof in PROFILES.items()}
    if isinstance(next(iter(mapping.values())), tuple):
        lo = pl.col("prof").replace_strict({p: t[0] for p, t in mapping.items()}, return_dtype=pl.Int64)
        hi = pl.col("prof").replace_strict({p: t[1] for p, t in mapping.items()}, return_dtype=pl.Int64)
        return pl.struct(lo.alias("lo"), hi.alias("hi"))
    return pl.col("prof").replace_strict(mapping, return_dtype=pl.Float64)


def _time(word: str, j: int) -> pl.Expr:
    """A second inside the session."""
    return (
        pl.col("midnight")
        + pl.col("t_on")
        + 60
        + below(word, j, (pl.col("t_off") - pl.col("t_on") - 120).clip(1))
    )


def _phrase(word: str, j: int, t: Tables) -> pl.Expr:
    return pl.lit(t.phrases).gather(below(word, j, len(t.phrases)))


def path(t: Tables, index: pl.Expr) -> pl.Expr:
    """The path at `index` of the path table (null for a null index)."""
    return pl.lit(t.paths).gather(index)


def local_idx(t: Tables, word: str, j: int) -> pl.Expr:
    """One of the user's own documents (C:\\Users\\<user>\\Documents\\…)."""
    return t.local0 + pl.col("u") * LOCAL_DOCS + below(word, j, LOCAL_DOCS)


def dept_idx(t: Tables, word: str, j: int) -> pl.Expr:
    """A document on the user's department share."""
    return t.dept0 + pl.col("dept_off") + below(word, j, pl.col("dept_len"))


def common_idx(t: Tables, word: str, j: int) -> pl.Expr:
    return t.common0 + below(word, j, t.common_len)


def granted_idx(t: Tables, word: str, j: int, k: int) -> pl.Expr:
    """A carrier under one of the user's granted patterns (null when the user has none)."""
    pid = pl.col("grants").list.get(below(word, j, pl.col("grants").list.len()), null_on_oob=True)
    return pl.lit(t.reg_off).gather(pid) + below(word, k, pl.lit(t.reg_len).gather(pid))


def pattern_idx(t: Tables, pid: pl.Expr, word: str, j: int) -> pl.Expr:
    """A carrier under pattern `pid` (a column or expression)."""
    return pl.lit(t.reg_off).gather(pid) + below(word, j, pl.lit(t.reg_len).gather(pid))


def downloads(t: Tables, word: str, j: int) -> pl.Expr:
    """C:\\Users\\<user>\\Downloads\\<a document name> (attachments of mail read)."""
    user = pl.lit(t.user).gather(pl.col("u"))
    name = pl.lit(t.local).gather(below(word, j, len(t.local)))
    return pl.concat_str([pl.lit("C:\\Users\\"), user, pl.lit("\\Downloads\\"), name])


def _url(t: Tables, category: str, word: str, j: int) -> pl.Expr:
    off, n = t.url_off[category]
    return pl.lit(t.url).gather(off + below(word, j, n))


FILE_COLUMNS = ("filename", "activity", "to_rm", "from_rm", "content")
HTTP_COLUMNS = ("url", "activity", "content")
EMAIL_COLUMNS = ("to", "cc", "bcc", "from", "activity", "size", "attachments", "content")
DEVICE_COLUMNS = ("file_tree", "activity")
LOGON_COLUMNS = ("activity",)
COLUMNS = {
    "logon": LOGON_COLUMNS,
    "device": DEVICE_COLUMNS,
    "file": FILE_COLUMNS,
    "http": HTTP_COLUMNS,
    "email": EMAIL_COLUMNS,
}


def shape(frame: pl.LazyFrame, file: str, **exprs: pl.Expr) -> pl.LazyFrame:
    """Select the internal columns of `file` in order."""
    cols = [pl.col("sec"), pl.col("key"), pl.col("u"), pl.lit(None, pl.Int32).alias("tag")]
    return frame.with_columns(**exprs).select(*cols, *(pl.col(c) for c in COLUMNS[file]))
