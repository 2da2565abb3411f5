"""Destination classes: where a file, an e-mail or a web request went.

Built-in lists name the personal cloud drives, personal webmail services and job sites people in China
(and elsewhere) use. A domain belongs to a class when it equals a listed domain or is a sub-domain of
one (suffix match on label boundaries: `pan.baidu.com` and `d.pcs.baidu.com`… `x.pan.baidu.com` match
`pan.baidu.com`; `notpan.baidu.com` does not). The organisation's own domains win over every list (its
own OneDrive tenant or mail is not personal), then competitor domains, then the built-in lists.

A destination may hold several domains separated by commas, semicolons or spaces (an e-mail's
recipients); `flags()` tells for each class whether ANY of them belongs to it.

Cost: `classify()` and `flags()` are regex expressions; the feature builder applies them only to the
distinct destinations of a store (thousands), then uses exact `is_in` look-ups on the events."""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

OWN = "own"
COMPETITOR = "competitor"
PERSONAL_CLOUD = "personal_cloud"
PERSONAL_WEBMAIL = "personal_webmail"
JOB_SITE = "job_site"
EXTERNAL = "external"  # any other domain outside the organisation
NONE = "none"  # empty destination: nothing left the machine

# The order is the precedence for a single domain matching several lists (more specific first).
CLASSES = (OWN, COMPETITOR, PERSONAL_CLOUD, PERSONAL_WEBMAIL, JOB_SITE, EXTERNAL, NONE)

LABELS: dict[str, tuple[str, str]] = {
    OWN: ("本单位", "own organisation"),
    COMPETITOR: ("竞争对手", "competitor"),
    PERSONAL_CLOUD: ("个人网盘", "personal cloud drive"),
    PERSONAL_WEBMAIL: ("个人邮箱", "personal webmail"),
    JOB_SITE: ("招聘网站", "job site"),
    EXTERNAL: ("外部", "external"),
    NONE: ("无", "none"),
}

PERSONAL_CLOUD_DOMAINS: tuple[str, ...] = (
    # 百度网盘 (pan/yun are the web front ends, baidupcs.com the upload/download back end)
    "pan.baidu.com",
    "yun.baidu.com",
    "wangpan.baidu.com",
    "baidupcs.com",
    # 阿里云盘
    "aliyundrive.com",
    "alipan.com",
    # 腾讯微云
    "weiyun.com",
    "share.weiyun.com",
    # 坚果云
    "jianguoyun.com",
    # 115 网盘
    "115.com",
    "115cdn.com",
    # 天翼云盘, 和彩云, 夸克网盘, 蓝奏云
    "cloud.189.cn",
    "caiyun.139.com",
    "yun.139.com",
    "pan.quark.cn",
    "lanzou.com",
    "lanzoui.com",
    "lanzoux.com",
    # international
    "dropbox.com",
    "dropboxusercontent.com",
    "drive.google.com",
    "docs.google.com",
    "onedrive.live.com",
    "1drv.ms",
    "icloud.com",
    "mega.nz",
    "mega.io",
    "wetransfer.com",
    "box.net",
)

PERSONAL_WEBMAIL_DOMAINS: tuple[str, ...] = (
    # QQ邮箱 / Foxmail
    "qq.com",
    "mail.qq.com",
    "foxmail.com",
    "vip.qq.com",
    # 网易 163 / 126 / yeah.net
    "163.com",
    "126.com",
    "yeah.net",
    "188.com",
    # 新浪, 搜狐
    "sina.com",
    "sina.cn",
    "vip.sina.com",
    "sohu.com",
    # 中国移动 139, 中国电信 189
    "139.com",
    "189.cn",
    "aliyun.com",
    # international
    "gmail.com",
    "googlemail.com",
    "mail.google.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
)

JOB_SITE_DOMAINS: tuple[str, ...] = (
    "zhaopin.com",  # 智联招聘
    "51job.com",  # 前程无忧
    "liepin.com",  # 猎聘
    "zhipin.com",  # BOSS直聘
    "lagou.com",  # 拉勾
    "kanzhun.com",  # 看准
    "maimai.cn",  # 脉脉
    "linkedin.com",
    "indeed.com",
    "monster.com",
    "careerbuilder.com",
    "glassdoor.com",
    "simplyhired.com",
    "dice.com",
    "jobsdb.com",
    "jobhuntersbible.com",
    "job-hunt.org",
)

# Separators between domains in one destination value, and characters that may precede a host.
_SEP = r"[,;\s]"
_DOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def normalise_domain(text: str) -> str:
    """Lower-case a configured domain and strip what people paste around one (scheme, `@`, `*.`, path,
    port, trailing dot). Returns "" when nothing is left."""
    value = text.strip().lower()
    for prefix in ("https://", "http://", "@", "*.", "."):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    value = value.split("/", 1)[0].split(":", 1)[0].rstrip(".")
    return value


def is_domain(text: str) -> bool:
    return bool(_DOMAIN_RE.match(text))


def suffix_regex(domains: Iterable[str]) -> str | None:
    """A case-insensitive regex that finds any of `domains` (or a sub-domain) as one whole host inside a
    destination value: a host may be preceded by start, a separator, `@`, `.` or `//` and followed by
    end, a separator, `/`, `:` or `>`. None when `domains` is empty."""
    names = sorted({d for d in domains if d}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in names)
    return rf"(?i)(?:^|{_SEP}|[@./<])(?:{alternatives})(?:$|{_SEP}|[/:>])"


def classify(
    destination: pl.Expr,
    *,
    own: Iterable[str] = (),
    competitors: Iterable[str] = (),
    extra: dict[str, Iterable[str]] | None = None,
) -> pl.Expr:
    """The class of a destination (a String expression) as a String expression, by precedence
    own > competitor > personal_cloud > personal_webmail > job_site > external; "none" when empty.
    For a list of recipients this is the class of the highest-precedence member, so mixed own+gmail
    recipients classify as own: use `flags()` when ANY member matters. `extra` adds domains to the
    built-in classes (class name -> domains).

    Cost: up to five regex searches per row; meant for small frames (distinct destinations)."""
    lists = _lists(own, competitors, extra)
    result = pl.lit(EXTERNAL)
    for name in reversed((OWN, COMPETITOR, PERSONAL_CLOUD, PERSONAL_WEBMAIL, JOB_SITE)):
        pattern = suffix_regex(lists[name])
        if pattern is not None:
            result = pl.when(destination.str.contains(pattern)).then(pl.lit(name)).otherwise(result)
    empty = destination.is_null() | (destination.str.strip_chars() == "")
    return pl.when(empty).then(pl.lit(NONE)).otherwise(result)


def flags(
    destinations: pl.Series,
    *,
    own: Iterable[str] = (),
    competitors: Iterable[str] = (),
    extra: dict[str, Iterable[str]] | None = None,
) -> pl.DataFrame:
    """For each distinct destination value: whether ANY of its hosts is own, competitor, personal cloud,
    personal webmail, job site or other external (Boolean columns named after the classes; a host takes
    one class by precedence, so `alice@corp.sharepoint.com` with own `sharepoint.com` is own only).

    Cost: splits the values into hosts and runs five regexes per host; linear in the total length of the
    distinct values."""
    lists = _lists(own, competitors, extra)
    frame = pl.DataFrame({"destination": destinations.cast(pl.String)}).unique().drop_nulls()
    hosts = (
        frame.with_columns(host=pl.col("destination").str.replace_all(r"[,;\s]+", ",").str.split(","))
        .explode("host")
        .filter(pl.col("host") != "")
        # an address keeps its domain only; a URL its host
        .with_columns(host=pl.col("host").str.replace(r"^[^@]*@", "").str.replace(r"^[a-z]+://", ""))
        .with_columns(
            cls=classify(pl.col("host"), own=lists[OWN], competitors=lists[COMPETITOR], extra=extra)
        )
    )
    out = hosts.group_by("destination").agg(
        [(pl.col("cls") == name).any().alias(name) for name in CLASSES if name != NONE]
    )
    return frame.join(out, on="destination", how="left").with_columns(
        [pl.col(name).fill_null(False) for name in CLASSES if name != NONE]
    )


def _lists(
    own: Iterable[str], competitors: Iterable[str], extra: dict[str, Iterable[str]] | None
) -> dict[str, tuple[str, ...]]:
    lists: dict[str, list[str]] = {
        OWN: [normalise_domain(d) for d in own],
        COMPETITOR: [normalise_domain(d) for d in competitors],
        PERSONAL_CLOUD: list(PERSONAL_CLOUD_DOMAINS),
        PERSONAL_WEBMAIL: list(PERSONAL_WEBMAIL_DOMAINS),
        JOB_SITE: list(JOB_SITE_DOMAINS),
    }
    for name, domains in (extra or {}).items():
        if name not in lists:
            raise ValueError(f"unknown destination class {name!r}")
        lists[name].extend(normalise_domain(d) for d in domains)
    return {name: tuple(d for d in values if d) for name, values in lists.items()}
