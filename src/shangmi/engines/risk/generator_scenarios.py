"""Injected insider-risk scenarios (issue 8 point 5), built event by event in plain Python.

Signatures (what each leaves in the CERT files; `u` is the scenario user, paths are Windows paths):

drawing_theft — an engineer who resigns (hr.csv; LDAP drops them after the last day):
  * collection, on ~60% of the working days in the 60–90 days before the resignation: 40–80 registered
    drawings under `\\\\fs01\\研发\\图纸\\Pnn\\**` (35% in projects not granted to u), each a `File Open`
    then a `File Copy` of the same path (to_removable_media False, content "备份到 D:\\temp\\backup");
  * archive, one day in the notice period: `File Write D:\\temp\\backup\\资料.7z`, then `File Write` of an
    innocuous name (e.g. `D:\\temp\\家庭照片2019.7z`) and `File Delete` of the .7z;
  * exfiltration, up to three days in the last three weeks before the last day: a USB session
    (device Connect … Disconnect) copying the innocuous archive and 10–20 of the drawings with
    to_removable_media True; a `WWW Upload` of the archive to pan.baidu.com or www.aliyundrive.com
    (url `https://<cloud>/upload?name=<archive>`, content = the archive's local path); a second USB
    session with 5–10 drawings when there is a third day.
last_day_upload — a designer on her last day or the working day before (hr.csv lists her): a `WWW Visit`
  of `https://pan.baidu.com/disk/home`, then 10–30 × (`File Open` of a design source under
  `D:\\design\\src\\**`, `WWW Upload` to `https://pan.baidu.com/upload?name=<basename>` with content =
  the full local path).
customer_list — a salesman on one working day: 79 × (`WWW Visit https://crm.lanxi.example/customers/<id>`,
  `WWW Download …/customers/<id>/card.pdf`) within about an hour (60% outside his own book), then 2–3
  mails `Send` to `<contact>@<side company domain>` (listed in competitors.txt) with 5–15 attachments
  `C:\\Users\\<u>\\Downloads\\card_<id>.pdf(<size>)` each.
usb_burst — on ~70% of the working days of the 3–6 weeks before the burst, 1–6 `WWW Visit`s of job
  sites (zhaopin, 51job, liepin, linkedin) and once a `WWW Upload` of `个人简历.docx`; on the burst day,
  after 18:00, a USB session with 200–400 `File Copy` rows (to_removable_media True), 25% of them
  registered carriers (half outside u's grants), within about 45 minutes.
"""

from __future__ import annotations

import random

import polars as pl

from . import generator_vocab as v
from .generator_context import FILES, MAX_PER_DAY, Context, sessions
from .generator_org import BOOK_SIZE, GeneratorError
from .generator_plan import Injection, ScenarioParams
from .generator_random import INJECTED_STREAM, row_key

FILE_CODE = {name: i for i, name in enumerate(FILES)}
_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "logon": {"activity": pl.String()},
    "device": {"file_tree": pl.String(), "activity": pl.String()},
    "file": {
        "filename": pl.String(),
        "activity": pl.String(),
        "to_rm": pl.Boolean(),
        "from_rm": pl.Boolean(),
        "content": pl.String(),
    },
    "http": {"url": pl.String(), "activity": pl.String(), "content": pl.String()},
    "email": {
        "to": pl.String(),
        "cc": pl.String(),
        "bcc": pl.String(),
        "from": pl.String(),
        "activity": pl.String(),
        "size": pl.Int64(),
        "attachments": pl.String(),
        "content": pl.String(),
    },
}


class Recorder:
    """Collects the rows of one injection; times are seconds after local midnight of day `d`."""

    def __init__(self, ctx: Context, inj: Injection, tag: int, session: dict[int, tuple[int, int]]) -> None:
        self.ctx, self.inj, self.tag, self._session = ctx, inj, tag, session
        self.rows: dict[str, list[tuple]] = {f: [] for f in FILES}
        self.uid = inj.user.user_id

    def at_work(self, d: int) -> bool:
        return d in self._session

    def session(self, d: int) -> tuple[int, int]:
        return self._session[d]

    def start_at(self, d: int, rng: random.Random, earliest: int, latest: int, needs: int) -> int:
        """A start time `earliest`–`latest` s after logon that leaves `needs` seconds before logoff."""
        on, off = self._session[d]
        return max(on + 300, min(on + rng.randint(earliest, latest), off - needs - 300))

    def file(
        self, d: int, s: int, name: str, activity: str, *, to_rm=False, from_rm=False, content=""
    ) -> None:
        self.rows["file"].append((d, s, name, activity, to_rm, from_rm, content))

    def http(self, d: int, s: int, url: str, activity: str, content: str = "") -> None:
        self.rows["http"].append((d, s, url, activity, content))

    def mail(self, d: int, s: int, to: str, *, size: int, attachments: str = "", content: str = "") -> None:
        own = self.inj.user.email
        self.rows["email"].append((d, s, to, "", "", own, "Send", size, attachments, content))

    def device(self, d: int, s: int, activity: str, tree: str = "") -> None:
        self.rows["device"].append((d, s, tree, activity))


def frames(ctx: Context, recorders: list[Recorder]) -> dict[str, pl.DataFrame]:
    """The injected rows of all recorders, by file, in the internal shape plus the day `d`."""
    out = {}
    for name in FILES:
        schema = {"d": pl.Int64(), "s": pl.Int64(), **_SCHEMAS[name]}
        parts = []
        for rec in recorders:
            if rec.rows[name]:
                part = pl.DataFrame(rec.rows[name], schema=schema, orient="row")
                parts.append(
                    part.with_columns(u=pl.lit(rec.inj.user.index, pl.Int64), tag=pl.lit(rec.tag, pl.Int32))
                )
        frame = pl.concat(parts) if parts else pl.DataFrame(schema={**schema, "u": pl.Int64, "tag": pl.Int32})
        midnight = ctx.midnight(0)
        frame = frame.with_columns(idx=pl.int_range(pl.len()).over("u", "d"))
        if frame.height and frame["idx"].max() >= MAX_PER_DAY:  # type: ignore[operator]
            raise GeneratorError(f"more than {MAX_PER_DAY} injected {name} events for one user on one day")
        frame = frame.with_columns(
            sec=midnight + pl.col("d") * 86400 + pl.col("s"),
            key=row_key(FILE_CODE[name], INJECTED_STREAM, pl.col("u"), pl.col("d"), pl.col("idx")),
        )
        out[name] = frame.select("d", "sec", "key", "u", "tag", *_SCHEMAS[name])
    return out


def build(ctx: Context, injections: list[Injection], params: ScenarioParams) -> list[Recorder]:
    """Run each injection's builder against the users' real working sessions."""
    from .generator_lookalikes import BUILDERS as LOOKALIKES

    pairs = sorted({(inj.user.index, d) for inj in injections for d in range(max(0, inj.start), inj.end + 1)})
    frame = pl.DataFrame(
        {"u": [p[0] for p in pairs], "d": [p[1] for p in pairs]}, schema={"u": pl.Int64, "d": pl.Int64}
    )
    table = sessions(ctx, frame, 0, ctx.days)
    by_user: dict[int, dict[int, tuple[int, int]]] = {}
    for u, d, on, off in table.select("u", "d", "t_on", "t_off").iter_rows():
        by_user.setdefault(u, {})[d] = (on, off)
    builders = {**BUILDERS, **LOOKALIKES}
    recorders = []
    for tag, inj in enumerate(injections):
        rec = Recorder(ctx, inj, tag, by_user.get(inj.user.index, {}))
        builders[inj.kind](rec, params)
        recorders.append(rec)
    return recorders


def _basename(path: str) -> str:
    return path.rsplit("\\", 1)[-1]


def _usb_session(
    rec: Recorder, d: int, t: int, names: list[str], rng: random.Random, gap: tuple[int, int]
) -> int:
    rec.device(d, t, "Connect", f"{v.USB_DRIVE}\\;{v.USB_DRIVE}\\资料")
    t += rng.randint(15, 40)
    for name in names:
        rec.file(d, t, name, "File Copy", to_rm=True, content="复制 到 移动 存储")
        t += rng.randint(*gap)
    rec.device(d, t + rng.randint(60, 180), "Disconnect")
    return t


def _drawing_theft(rec: Recorder, p: ScenarioParams) -> None:
    inj, ctx, rng = rec.inj, rec.ctx, rec.inj.rng
    org, user = ctx.org, inj.user
    granted = [g for g in user.grants if g in org.drawing_patterns]
    others = [g for g in org.drawing_patterns if g not in granted]
    total = rng.randint(*p.theft_copies)
    beyond = round(total * p.theft_beyond_grants) if others else 0
    own_files = [f for g in granted for f in org.patterns[g].files]
    other_files = [f for g in others for f in org.patterns[g].files]
    drawings = rng.sample(own_files, total - beyond) + rng.sample(other_files, beyond)
    rng.shuffle(drawings)
    archive_day = inj.marks["archive"][0]
    collect = [d for d in inj.marks["collect"] if rec.at_work(d)]
    active = sorted(rng.sample(collect, max(1, round(len(collect) * 0.6)))) if collect else [archive_day]
    by_day: dict[int, list[str]] = {}
    for i, name in enumerate(drawings):
        by_day.setdefault(active[i * len(active) // len(drawings)], []).append(name)
    for d, names in sorted(by_day.items()):
        t = rec.start_at(d, rng, 1800, 4 * 3600, len(names) * 400)
        for name in names:
            rec.file(d, t, name, "File Open", content="图纸 查看")
            rec.file(d, t + rng.randint(5, 30), name, "File Copy", content="备份到 D:\\temp\\backup")
            t += rng.randint(60, 360)
    archive = r"D:\temp\backup\资料.7z"
    disguise = "D:\\temp\\" + rng.choice(v.INNOCUOUS_ARCHIVES)
    d = archive_day
    t = rec.start_at(d, rng, 3600, 5 * 3600, 600)
    rec.file(d, t, archive, "File Write", content=f"7z 压缩 {len(drawings)} 个文件")
    rec.file(d, t + rng.randint(30, 90), disguise, "File Write", content="重命名")
    rec.file(d, t + rng.randint(95, 120), archive, "File Delete")
    cloud = rng.choice(("pan.baidu.com", "www.aliyundrive.com"))
    exfil = inj.marks["exfil"]
    direct = rng.sample(drawings, min(len(drawings), rng.randint(10, 20)))
    t = rec.start_at(exfil[0], rng, 3600, 6 * 3600, 1800)
    t = _usb_session(rec, exfil[0], t, [disguise, *direct], rng, (8, 30))
    d = exfil[1] if len(exfil) > 1 else exfil[0]
    t = t + 900 if d == exfil[0] else rec.start_at(d, rng, 1800, 5 * 3600, 900)
    rec.file(d, t, disguise, "File Open")
    rec.http(d, t + 20, f"https://{cloud}/disk/home", "WWW Visit", "网盘 登录")
    rec.http(
        d,
        t + rng.randint(40, 90),
        f"https://{cloud}/upload?name={_basename(disguise)}",
        "WWW Upload",
        disguise,
    )
    usb_total = len(direct) + 1
    if len(exfil) > 2:
        more = rng.sample(drawings, min(len(drawings), rng.randint(5, 10)))
        _usb_session(rec, exfil[2], rec.start_at(exfil[2], rng, 1800, 5 * 3600, 900), more, rng, (8, 30))
        usb_total += len(more)
    inj.details.update(
        drawings_copied=len(drawings),
        beyond_grants=beyond,
        archive=archive,
        disguised_as=disguise,
        cloud=cloud,
        usb_copies=usb_total,
    )


def _last_day_upload(rec: Recorder, p: ScenarioParams) -> None:
    inj, ctx, rng = rec.inj, rec.ctx, rec.inj.rng
    design = next(pt for pt in ctx.org.patterns if pt.kind == "design")
    names = rng.sample(design.files, min(len(design.files), rng.randint(*p.upload_files)))
    d = inj.start
    t = rec.start_at(d, rng, 3600, 5 * 3600, len(names) * 100)
    rec.http(d, t, "https://pan.baidu.com/disk/home", "WWW Visit", "百度网盘 登录")
    for name in names:
        t += rng.randint(20, 90)
        rec.file(d, t, name, "File Open", content="设计 源文件")
        rec.http(
            d,
            t + rng.randint(3, 10),
            f"https://pan.baidu.com/upload?name={_basename(name)}",
            "WWW Upload",
            name,
        )
    inj.details.update(files=len(names), cloud="pan.baidu.com")


def _customer_list(rec: Recorder, p: ScenarioParams) -> None:
    inj, ctx, rng = rec.inj, rec.ctx, rec.inj.rng
    user = inj.user
    sales = [u.book for u in ctx.org.users if u.book >= 0]
    own = list(range(user.book, user.book + BOOK_SIZE))
    others = [c for b in sales if b != user.book for c in range(b, b + BOOK_SIZE)]
    n_own = min(len(own), round(p.crm_records * 0.4)) if others else p.crm_records
    ids = rng.sample(own, n_own) + rng.sample(others, min(len(others), p.crm_records - n_own))
    rng.shuffle(ids)
    d = inj.start
    t = rec.start_at(d, rng, 3600, 4 * 3600, len(ids) * 45 + 4000)
    for cid in ids:
        url = f"https://{v.CRM}/customers/{cid}"
        rec.http(d, t, url, "WWW Visit", "客户 详情")
        rec.http(d, t + rng.randint(5, 15), url + "/card.pdf", "WWW Download", "客户 名片")
        t += rng.randint(20, 40)
    side = str(inj.details["side_domain"])
    mails = rng.randint(*p.side_mails)
    attached = 0
    for _ in range(mails):
        t += rng.randint(300, 900)
        chosen = rng.sample(ids, min(len(ids), rng.randint(*p.side_attachments)))
        sizes = [rng.randint(60_000, 250_000) for _ in chosen]
        entries = ";".join(
            f"C:\\Users\\{rec.uid}\\Downloads\\card_{cid}.pdf({size})"
            for cid, size in zip(chosen, sizes, strict=True)
        )
        contact = rng.choice(("boss", "li.ming", "caigou", "sales"))
        rec.mail(
            d,
            t,
            f"{contact}@{side}",
            size=2000 + sum(sizes),
            attachments=entries,
            content="客户 资料 请 查收",
        )
        attached += len(chosen)
    inj.details.update(records=len(ids), own_book=n_own, mails=mails, attachments=attached)


def _usb_burst(rec: Recorder, p: ScenarioParams) -> None:
    inj, ctx, rng = rec.inj, rec.ctx, rec.inj.rng
    org, user = ctx.org, inj.user
    burst = inj.end
    present = [d for d in range(inj.start, burst) if rec.at_work(d)]
    hunting = [d for d in present if rng.random() < 0.7]
    if len(hunting) < 3:  # short periods: still a pattern of several days
        hunting = sorted(set(hunting) | set(rng.sample(present, min(3, len(present)))))
    resume_day = rng.choice(hunting) if hunting else burst
    for d in hunting:
        on, off = rec.session(d)
        for _ in range(rng.randint(1, 6)):
            site = rng.choice(v.JOB_SITES)
            path = rng.choice(("jobs", "job", "search", "company"))
            url = f"https://{site}/{path}/{rng.randint(10_000_000, 99_999_999)}"
            rec.http(d, rng.randint(on + 300, off - 300), url, "WWW Visit", "职位 招聘 薪资")
    on, off = rec.session(resume_day)
    resume_site = rng.choice(v.JOB_SITES[:2])
    resume = f"C:\\Users\\{rec.uid}\\Documents\\个人简历.docx"
    rec.http(
        resume_day,
        rng.randint(on + 300, off - 300),
        f"https://{resume_site}/resume/upload",
        "WWW Upload",
        resume,
    )
    total = rng.randint(*p.usb_files)
    n_reg = round(total * p.usb_registered)
    mine = [f for g in user.grants for f in org.patterns[g].files]
    foreign = [
        f
        for i, pt in enumerate(org.patterns)
        if i not in user.grants and pt.kind != "design"
        for f in pt.files
    ]
    beyond = n_reg // 2 if foreign else 0
    registered = rng.sample(mine, min(len(mine), n_reg - beyond)) + rng.sample(foreign, beyond)
    ordinary = [f for f in org.dept_files[user.dept]] + [
        f"C:\\Users\\{rec.uid}\\Documents\\{n}" for n in org.local_names
    ]
    names = registered + rng.sample(ordinary, min(len(ordinary), total - len(registered)))
    rng.shuffle(names)
    on, off = rec.session(burst)
    t = max(on + 3600, 18 * 3600 + rng.randint(600, 2400))
    _usb_session(rec, burst, t, names, rng, (3, 9))
    inj.details.update(
        job_hunting_days=len(hunting),
        files=len(names),
        registered=len(registered),
        beyond_grants=beyond,
        resume_upload=resume_site,
    )


BUILDERS = {
    "drawing_theft": _drawing_theft,
    "last_day_upload": _last_day_upload,
    "customer_list": _customer_list,
    "usb_burst": _usb_burst,
}

__all__ = ["BUILDERS", "Recorder", "build", "frames"]
