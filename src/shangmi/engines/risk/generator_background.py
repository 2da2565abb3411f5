"""Background activity: what every employee does on an ordinary day, as vectorised Polars streams.

Per present user-day: one logon and one logoff; 20–150 file opens of the department's share, their own
documents, the common share and (for people entrusted with carriers) the registered carriers they are
granted; a few writes, local copies and deletes; web visits (search, news, company portal, suppliers);
salespeople's CRM use (5–25 customer records visited, 5–50% of their cards downloaded depending on
the person, 90% in their own book);
mail sent inside the company and to customers / suppliers, with occasional attachments, and mail read;
sometimes a USB stick (mostly production and IT) with a few copies of unregistered documents; now and
then uploads of documents to the company cloud. Rare noise: a few people visit job sites or personal
clouds, upload a photo to a personal cloud, or mail a document to their own webmail.

Precondition: `ctx` holds the organisation and the scenario overrides. Cost: linear in events."""

from __future__ import annotations

import polars as pl

from . import generator_vocab as v
from .generator_context import (
    DEVICE,
    EMAIL,
    FILE,
    HTTP,
    LOGON,
    PROFILES,
    Context,
    Tables,
    _count,
    _explode,
    _phrase,
    _profile_expr,
    _time,
    _url,
    common_idx,
    dept_idx,
    downloads,
    granted_idx,
    local_idx,
    path,
    pattern_idx,
    sessions,
    shape,
)
from .generator_org import BOOK_SIZE, FIRST_CUSTOMER
from .generator_random import below, between, chance, derive, part, row_key, with_mixed

USB_DIRS = ("资料", "照片", "备份", "安装包", "文档", "音乐", "新建文件夹")
TECHNICAL = (v.ENGINEER, v.DESIGNER, v.RELEASE, v.PRODUCTION, v.IT)


def background(ctx: Context, day_lo: int, day_hi: int) -> dict[str, list[pl.LazyFrame]]:
    """Background events of every user on days [day_lo, day_hi), by file (lazy, internal shape)."""
    plan = sessions(ctx, None, day_lo, day_hi).lazy()
    plan = plan.with_columns(row_key(LOGON, 0, pl.col("u"), pl.col("d"), pl.lit(1)).alias("_k"))
    ud = with_mixed(plan, "_k", ["c0", "c1", "c2", "c3"], derive(ctx.seed, "counts")).drop("_k").collect()
    device, usb_files = _device_and_usb(ctx, ud)
    return {
        "logon": _logon(ctx, ud),
        "device": device,
        "file": _file(ctx, ud) + usb_files,
        "http": _http(ctx, ud),
        "email": _email(ctx, ud),
    }


def _logon(ctx: Context, ud: pl.DataFrame) -> list[pl.LazyFrame]:
    out = []
    for stream, column, activity in ((1, "t_on", "Logon"), (2, "t_off", "Logoff")):
        rows = _explode(ud, pl.lit(1), LOGON, stream, ctx.seed, words=1)
        rows = rows.with_columns(sec=pl.col("midnight") + pl.col(column))
        out.append(shape(rows, "logon", activity=pl.lit(activity)))
    return out


def _device_and_usb(ctx: Context, ud: pl.DataFrame) -> tuple[list[pl.LazyFrame], list[pl.LazyFrame]]:
    t = ctx.tables
    rate = pl.col("usb_rate") * pl.when(pl.col("workday")).then(1.0).otherwise(0.3)
    lazy = ud.lazy().filter(chance("c3", 0, rate)).with_columns(usb_len=300 + below("c3", 1, 3000))
    usb = lazy.with_columns(
        usb_on=pl.col("midnight")
        + pl.col("t_on")
        + 60
        + below("c3", 2, (pl.col("t_off") - pl.col("t_on") - pl.col("usb_len") - 120).clip(1)),
        usb_n=1 + below("c3", 3, 5),
    ).collect()
    dirs = pl.Series(USB_DIRS)
    connect = _explode(usb, pl.lit(1), DEVICE, 1, ctx.seed)
    tree = pl.concat_str(
        [
            pl.lit(v.USB_DRIVE + "\\;" + v.USB_DRIVE + "\\"),
            pl.lit(dirs).gather(below("h0", 0, len(dirs))),
            pl.lit(";" + v.USB_DRIVE + "\\"),
            pl.lit(dirs).gather(below("h0", 1, len(dirs))),
        ]
    )
    device = [
        shape(
            connect.with_columns(sec=pl.col("usb_on")), "device", file_tree=tree, activity=pl.lit("Connect")
        ),
        shape(
            _explode(usb, pl.lit(1), DEVICE, 2, ctx.seed, words=1).with_columns(
                sec=pl.col("usb_on") + pl.col("usb_len")
            ),
            "device",
            file_tree=pl.lit(""),
            activity=pl.lit("Disconnect"),
        ),
    ]
    copies = _explode(usb, pl.col("usb_n"), FILE, 5, ctx.seed)
    copy_name = path(
        t,
        pl.when((pl.col("prof") == v.PRODUCTION) & chance("h1", 0, 0.05) & (pl.col("grants").list.len() > 0))
        .then(granted_idx(t, "h1", 1, 2))
        .when(chance("h1", 3, 0.5))
        .then(local_idx(t, "h0", 1))
        .otherwise(dept_idx(t, "h0", 2)),
    )
    reads = _explode(usb, below("c2", 3, 4), FILE, 6, ctx.seed)
    usb_path = pl.concat_str(
        [
            pl.lit(v.USB_DRIVE + "\\"),
            pl.lit(dirs).gather(below("h0", 1, len(dirs))),
            pl.lit("\\"),
            pl.lit(t.local).gather(below("h0", 2, len(t.local))),
        ]
    )
    inside = pl.col("usb_on") + 30 + below("h0", 0, (pl.col("usb_len") - 60).clip(1))
    files = [
        shape(
            copies.with_columns(sec=inside),
            "file",
            filename=copy_name,
            activity=pl.lit("File Copy"),
            to_rm=pl.lit(True),
            from_rm=pl.lit(False),
            content=_phrase("h0", 3, t),
        ),
        shape(
            reads.with_columns(sec=inside),
            "file",
            filename=usb_path,
            activity=pl.lit("File Open"),
            to_rm=pl.lit(False),
            from_rm=pl.lit(True),
            content=_phrase("h0", 3, t),
        ),
    ]
    return device, files


def _file(ctx: Context, ud: pl.DataFrame) -> list[pl.LazyFrame]:
    t = ctx.tables
    has_grants = pl.col("grants").list.len() > 0
    drawings = len(ctx.org.drawing_patterns)
    any_drawing = pattern_idx(t, below("h2", 0, drawings), "h2", 1)
    open_name = path(
        t,
        pl.when(chance("h0", 0, _profile_expr("registered")) & has_grants)
        .then(
            pl.when((pl.col("prof") == v.ENGINEER) & chance("h1", 3, 0.003))
            .then(any_drawing)
            .otherwise(granted_idx(t, "h0", 1, 2))
        )
        .when(chance("h1", 0, 0.15))
        .then(local_idx(t, "h1", 1))
        .when(chance("h1", 2, 0.12))
        .then(common_idx(t, "h0", 3))
        .otherwise(dept_idx(t, "h0", 3)),
    )
    writes_reg = pl.col("prof").replace_strict(
        {v.DESIGNER: 0.3, v.ENGINEER: 0.1}, default=0.0, return_dtype=pl.Float64
    )
    write_name = path(
        t,
        pl.when(chance("h0", 0, writes_reg) & has_grants)
        .then(granted_idx(t, "h0", 1, 2))
        .when(chance("h1", 0, 0.6))
        .then(local_idx(t, "h1", 1))
        .otherwise(dept_idx(t, "h0", 3)),
    )
    copy_name = path(
        t,
        pl.when((pl.col("prof") == v.ENGINEER) & chance("h0", 0, 0.05) & has_grants)
        .then(granted_idx(t, "h0", 1, 2))
        .otherwise(dept_idx(t, "h0", 3)),
    )
    specs = (
        (1, _count(_profile_expr("opens"), "c0", 0), open_name, "File Open"),
        (2, _count(_profile_expr("writes"), "c0", 2), write_name, "File Write"),
        (3, pl.when(chance("c1", 0, 0.25)).then(1 + below("c1", 1, 2)).otherwise(0), copy_name, "File Copy"),
        (
            4,
            pl.when(chance("c1", 2, 0.4)).then(1 + below("c1", 3, 2)).otherwise(0),
            path(t, local_idx(t, "h1", 1)),
            "File Delete",
        ),
    )
    out = []
    for stream, n, name, activity in specs:
        rows = _explode(ud, n, FILE, stream, ctx.seed, words=3).with_columns(sec=_time("h2", 3))
        out.append(
            shape(
                rows,
                "file",
                filename=name,
                activity=pl.lit(activity),
                to_rm=pl.lit(False),
                from_rm=pl.lit(False),
                content=_phrase("h2", 2, t),
            )
        )
    return out


def _http(ctx: Context, ud: pl.DataFrame) -> list[pl.LazyFrame]:
    t = ctx.tables
    cloud_share = pl.when(pl.col("cloud_visit")).then(0.03).otherwise(0.0)
    supplier_share = pl.when(pl.col("prof").is_in(TECHNICAL)).then(0.2).otherwise(0.05)
    r = below("h0", 0, 10000).cast(pl.Float64) / 10000.0
    visit_url = (
        pl.when(r < cloud_share)
        .then(_url(t, "cloud", "h0", 1))
        .when(r < cloud_share + 0.03)
        .then(_url(t, "webmail", "h0", 1))
        .when(r < cloud_share + 0.03 + supplier_share)
        .then(_url(t, "supplier", "h0", 1))
        .when(r < cloud_share + 0.33 + supplier_share)
        .then(_url(t, "search", "h0", 1))
        .when(r < cloud_share + 0.53 + supplier_share)
        .then(_url(t, "news", "h0", 1))
        .otherwise(_url(t, "portal", "h0", 1))
    )
    sales = (pl.col("prof") == v.SALES) & pl.col("workday") & ~pl.col("u").is_in(sorted(ctx.crm_quiet))
    n_sales = sum(1 for u in ctx.org.users if u.book >= 0)
    customer = (
        pl.when(chance("h0", 1, 0.9))
        .then(pl.col("book") + below("h0", 2, BOOK_SIZE))
        .otherwise(FIRST_CUSTOMER + below("h0", 2, max(1, n_sales * BOOK_SIZE)))
    )
    crm = pl.concat_str([pl.lit(f"https://{v.CRM}/customers/"), customer.cast(pl.String)])
    crm_visits = (between("c1", 0, 5, 25) * pl.col("act")).round(0)
    spread = 0.5 + part("c1", 1).cast(pl.Float64) / 65536.0  # 0.5–1.5 × the person's usual share
    crm_downloads = (crm_visits * pl.col("crm_rate") * spread).round(0)
    doc = local_idx(t, "h0", 1)
    user = pl.lit(t.user).gather(pl.col("u"))
    photo = pl.concat_str([pl.lit("IMG_"), (1000 + below("h0", 2, 9000)).cast(pl.String), pl.lit(".jpg")])
    cloud_domain = pl.lit(pl.Series(v.PERSONAL_CLOUDS[:5])).gather(below("h0", 3, 5))
    specs = (
        (1, _count(_profile_expr("visits"), "c0", 1), visit_url, "WWW Visit", _phrase("h1", 0, t)),
        (2, pl.when(sales).then(crm_visits).otherwise(0), crm, "WWW Visit", pl.lit("客户 详情")),
        (
            3,
            pl.when(sales).then(crm_downloads).otherwise(0),
            pl.concat_str([crm, pl.lit("/card.pdf")]),
            "WWW Download",
            pl.lit("客户 名片"),
        ),
        (
            4,
            pl.when(chance("c1", 2, 0.3)).then(1 + below("c1", 3, 2)).otherwise(0),
            _url(t, "download", "h0", 1),
            "WWW Download",
            _phrase("h1", 0, t),
        ),
        (
            5,
            pl.when(chance("c2", 0, _profile_expr("cloud")) & pl.col("workday"))
            .then(1 + below("c2", 1, 4))
            .otherwise(0),
            pl.concat_str([pl.lit(f"https://{v.COMPANY_CLOUD}/upload?name="), pl.lit(t.names).gather(doc)]),
            "WWW Upload",
            path(t, doc),
        ),
        (
            6,
            pl.when(pl.col("cloud_up") & chance("c2", 2, 0.004)).then(1).otherwise(0),
            pl.concat_str([pl.lit("https://"), cloud_domain, pl.lit("/upload?name="), photo]),
            "WWW Upload",
            pl.concat_str([pl.lit("C:\\Users\\"), user, pl.lit("\\Pictures\\"), photo]),
        ),
        (
            7,
            pl.when(pl.col("job") & chance("c2", 3, 0.05)).then(1 + below("c3", 3, 3)).otherwise(0),
            _url(t, "job", "h0", 1),
            "WWW Visit",
            pl.lit("职位 招聘"),
        ),
    )
    out = []
    for stream, n, url, activity, content in specs:
        rows = _explode(ud, n, HTTP, stream, ctx.seed).with_columns(sec=_time("h1", 2))
        out.append(shape(rows, "http", url=url, activity=pl.lit(activity), content=content))
    return out


def _colleague(t: Tables, word: str, j: int) -> pl.Expr:
    return pl.lit(t.mail).gather(pl.col("mail_off") + below(word, j, pl.col("mail_len")))


def _attachment(t: Tables, word: str, j: int, k: int, read: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """`path(size)` of an attachment: one of the user's documents (sent) or a download (mail read)."""
    size = 10_000 + below(word, k, 65536) * 40
    where = downloads(t, word, j) if read else path(t, local_idx(t, word, j))
    return pl.concat_str([where, pl.lit("("), size.cast(pl.String), pl.lit(")")]), size


def _email(ctx: Context, ud: pl.DataFrame) -> list[pl.LazyFrame]:
    t = ctx.tables
    external = (
        pl.when(pl.col("prof") == v.SALES)
        .then(pl.lit(t.customers).gather(below("h1", 0, len(t.customers))))
        .otherwise(pl.lit(t.suppliers).gather(below("h1", 0, len(t.suppliers))))
    )
    anyone = pl.lit(t.mail).gather(below("h1", 1, len(t.mail)))
    primary = (
        pl.when(chance("h0", 0, _profile_expr("external")))
        .then(external)
        .when(chance("h0", 1, 0.8))
        .then(_colleague(t, "h0", 2))
        .otherwise(anyone)
    )
    k = below("h0", 3, 3)
    to = pl.concat_str(
        [
            primary,
            pl.when(k >= 1).then(pl.concat_str([pl.lit(";"), _colleague(t, "h1", 2)])),
            pl.when(k >= 2).then(pl.concat_str([pl.lit(";"), _colleague(t, "h1", 3)])),
        ],
        ignore_nulls=True,
    )
    att1, size1 = _attachment(t, "h2", 0, 1)
    att2, size2 = _attachment(t, "h2", 2, 3)
    has_att = chance("h3", 0, 0.15)
    two = chance("h3", 1, 0.3)
    attachments = (
        pl.when(has_att & two)
        .then(pl.concat_str([att1, pl.lit(";"), att2]))
        .when(has_att)
        .then(att1)
        .otherwise(pl.lit(""))
    )
    body = 1500 + below("h3", 2, 30000)
    size = body + pl.when(has_att).then(size1).otherwise(0) + pl.when(has_att & two).then(size2).otherwise(0)
    own = pl.lit(t.email).gather(pl.col("u"))
    sends = _explode(ud, _count(_profile_expr("sends"), "c1", 2), EMAIL, 1, ctx.seed, words=4)
    out = [
        shape(
            sends.with_columns(sec=_time("h3", 3)),
            "email",
            to=to,
            cc=pl.when(chance("h1", 0, 0.2) & (pl.col("sup") != ""))
            .then(pl.col("sup"))
            .otherwise(pl.lit("")),
            bcc=pl.when(chance("h1", 1, 0.01)).then(_colleague(t, "h2", 0)).otherwise(pl.lit("")),
            **{"from": own},
            activity=pl.lit("Send"),
            size=size,
            attachments=attachments,
            content=_phrase("h0", 3, t),
        )
    ]
    sender = (
        pl.when(chance("h0", 0, 0.7))
        .then(_colleague(t, "h0", 1))
        .when(pl.col("prof") == v.SALES)
        .then(pl.lit(t.customers).gather(below("h0", 2, len(t.customers))))
        .otherwise(pl.lit(t.suppliers).gather(below("h0", 2, len(t.suppliers))))
    )
    view_att, view_size = _attachment(t, "h2", 0, 1, read=True)
    view_has = chance("h3", 0, 0.1)
    views = _explode(ud, _count(_profile_expr("views"), "c1", 3), EMAIL, 2, ctx.seed, words=4)
    out.append(
        shape(
            views.with_columns(sec=_time("h3", 3)),
            "email",
            to=own,
            cc=pl.lit(""),
            bcc=pl.lit(""),
            **{"from": sender},
            activity=pl.lit("View"),
            size=1500 + below("h3", 2, 30000) + pl.when(view_has).then(view_size).otherwise(0),
            attachments=pl.when(view_has).then(view_att).otherwise(pl.lit("")),
            content=_phrase("h0", 3, t),
        )
    )
    webmail_n = pl.when(pl.col("webmail") & chance("c2", 2, 0.003) & pl.col("workday")).then(1).otherwise(0)
    private = pl.concat_str(
        [
            (10_000_000 + pl.col("u") * 7919 % 90_000_000).cast(pl.String),
            pl.lit("@"),
            pl.lit(pl.Series(v.WEBMAIL_DOMAINS[:3])).gather(pl.col("u") % 3),
        ]
    )
    mails = _explode(ud, webmail_n, EMAIL, 3, ctx.seed, words=4)
    out.append(
        shape(
            mails.with_columns(sec=_time("h3", 3)),
            "email",
            to=private,
            cc=pl.lit(""),
            bcc=pl.lit(""),
            **{"from": own},
            activity=pl.lit("Send"),
            size=1500 + size1,
            attachments=att1,
            content=pl.lit("备份"),
        )
    )
    return out


__all__ = ["PROFILES", "background"]
