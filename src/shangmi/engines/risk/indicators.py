"""The indicators: each turns the user × day feature table into a value over a trailing window and a
strength in [0, 1]; the scorer multiplies strengths by editable weights (scoring.Weights).

Three shapes of strength, chosen per indicator for what its value means:

* `ramp(lo, hi)` — 0 at or below `lo` (what ordinary work produces), rising linearly to 1 at `hi`
  (unambiguous). Used for counts of events that are questionable but happen innocently now and then.
* `threshold(t)` — a policy limit: 0 below `t`, 0.5 at `t`, 1 at 2·t (crossing the limit is itself the
  finding; how far it is crossed adds the rest).
* `zscore` — distance from a baseline in standard deviations, as `ramp(z_low, z_high)`, with a floor of
  1 on the deviation so a person who never did something is not infinitely surprising, and a minimum
  volume below which no deviation counts.

All per-user windows are rolling sums or maxima over the dense table, so one pass computes the indicator
values for every user and every window end at once. Cost: O(users × days × indicators)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from shangmi.engines.risk.context import Context

if TYPE_CHECKING:
    from shangmi.engines.risk.scoring import Weights


@dataclass(frozen=True)
class Indicator:
    key: str
    label_zh: str
    label_en: str
    unit_zh: str
    unit_en: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "registered_beyond_grants",
        "超出知悉范围访问登记载体",
        "registered carriers accessed beyond the person's grants",
        "个文件",
        "files",
    ),
    Indicator(
        "volume_vs_self",
        "外发量高于本人30日基线",
        "outbound volume above the person's own 30-day baseline",
        "倍标准差",
        "standard deviations",
    ),
    Indicator(
        "volume_vs_peers",
        "外发量高于同岗位同部门人员",
        "outbound volume above the peer group (department/role)",
        "倍标准差",
        "standard deviations",
    ),
    Indicator(
        "cumulative_exfil",
        "30日内各渠道累计外发超出常量",
        "30-day outbound volume across channels above the usual",
        "个文件",
        "items",
    ),
    Indicator("personal_cloud_upload", "上传至个人网盘", "uploads to personal cloud drives", "次", "uploads"),
    Indicator(
        "usb_registered",
        "登记载体拷贝至移动介质",
        "registered carriers copied to removable media",
        "次",
        "copies",
    ),
    Indicator(
        "personal_email_attachments",
        "带附件发往个人邮箱",
        "mail with attachments to personal webmail",
        "封",
        "messages",
    ),
    Indicator(
        "print_volume",
        "打印量异常",
        "print volume above the person's baseline",
        "倍标准差",
        "standard deviations",
    ),
    Indicator(
        "offhours",
        "非工作时间处理登记载体或外发异常",
        "off-hours handling of registered or outgoing files above the person's baseline",
        "倍标准差",
        "standard deviations",
    ),
    Indicator(
        "sequence",
        "收集→打包或改名→外发序列",
        "collection → archive or rename → exfiltration sequence",
        "",
        "",
    ),
    Indicator(
        "customer_records",
        "单日下载客户记录超过阈值",
        "customer records downloaded in a day above the threshold",
        "条",
        "records",
    ),
    Indicator(
        "competitor_mail", "发往竞争对手域名", "mail or uploads to competitor domains", "次", "messages"
    ),
    Indicator("job_search", "浏览招聘网站", "days visiting job sites", "天", "days"),
)
BY_KEY = {i.key: i for i in INDICATORS}
DEPARTURE = Indicator("departure_window", "离职前后敏感期加权", "departure window weighting", "倍", "×")
WATCHLIST = Indicator("watchlist", "重点关注人员加权", "watchlist weighting", "倍", "×")


def ramp(value: pl.Expr, lo: float, hi: float) -> pl.Expr:
    return ((value - lo) / (hi - lo)).clip(0.0, 1.0)


def threshold(value: pl.Expr, t: float) -> pl.Expr:
    return pl.when(value >= t).then((0.5 + 0.5 * (value - t) / t).clip(0.0, 1.0)).otherwise(0.0)


def _z(x: str, mean: str, std: str, minimum: float) -> pl.Expr:
    value = pl.col(x).cast(pl.Float64)
    z = (value - pl.col(mean)) / pl.max_horizontal(pl.col(std), pl.lit(1.0))
    return pl.when((value >= minimum) & pl.col(mean).is_not_null()).then(z).otherwise(0.0).clip(0.0)


# Rolling windows run per user: over an integer id of each user's run of rows (the table is sorted by
# user), which polars groups several times faster than the user's name.
_RUN = "_user_run"


def _last_within(flag: pl.Expr, days: int) -> pl.Expr:
    """Whether `flag` held on this day or one of the `days` days before (per user, dense table)."""
    return flag.cast(pl.Int32).rolling_max(days + 1, min_samples=1).over(_RUN).cast(pl.Boolean)


def values(table: pl.DataFrame, context: Context, weights: Weights) -> pl.DataFrame:
    """Per user and window end (each day): `v_<key>` (the indicator's value over the window ending that
    day) and `s_<key>` (its strength), plus `multiplier` (departure and watchlist) and `in_departure`."""
    w = weights.window_days
    c = pl.col

    def total(name: str | pl.Expr) -> pl.Expr:
        expr = c(name) if isinstance(name, str) else name
        return expr.rolling_sum(w, min_samples=1).over(_RUN)

    def peak(expr: pl.Expr) -> pl.Expr:
        return expr.rolling_max(w, min_samples=1).over(_RUN)

    z_self = _z("exfil_items", "exfil_items_self_mean", "exfil_items_self_std", weights.min_exfil_items)
    z_peer = _z("exfil_items", "exfil_items_peer_mean", "exfil_items_peer_std", weights.min_exfil_items)
    reference = pl.coalesce(c("exfil_items_self_mean"), c("exfil_items_peer_mean"), pl.lit(0.0))
    excess = (c("exfil_items") - reference).clip(0.0)
    z_print = _z("print_pages", "print_pages_self_mean", "print_pages_self_std", weights.min_print_pages)
    z_off = _z(
        "offhours_sensitive",
        "offhours_sensitive_self_mean",
        "offhours_sensitive_self_std",
        weights.min_offhours_events,
    )
    # collection: unusually many registered carriers touched, or several beyond grants, in one day
    z_reg = _z("registered_objects", "registered_objects_self_mean", "registered_objects_self_std", 10)
    collection = (z_reg >= weights.z_low) | (c("registered_beyond_grants") >= 3)
    obfuscation = (c("archives_created") > 0) | (c("registered_renamed") > 0)
    personal_out = (
        c("cloud_personal_uploads") + c("webmail_personal_with_attachments") + c("competitor_mails")
    ) > 0
    risky_out = personal_out | (c("usb_copies") > 0)
    # without an archive step, a collection is only followed by exfiltration when registered material or a
    # personal channel is involved (copying ordinary documents to USB after a busy day is not)
    pointed_out = personal_out | (c("registered_exfil") > 0)
    n = weights.sequence_days
    staged = table.with_columns(pl.col("user").rle_id().alias(_RUN)).with_columns(
        _coll=collection,
        _obf=obfuscation,
        _out=risky_out,
        _pointed=pointed_out,
        _z_self=z_self,
        _z_peer=z_peer,
        _excess=excess,
        _z_print=z_print,
        _z_off=z_off,
        _beyond=c("registered_beyond_grants").cast(pl.Float64) if context.grants is not None else pl.lit(0.0),
    )
    staged = staged.with_columns(
        _coll_recent=_last_within(c("_coll"), n),
        _obf_recent=_last_within(c("_obf"), n),
    ).with_columns(
        # an obfuscation day that itself had a collection within n days before it
        _obf_after_coll=_last_within(c("_obf") & c("_coll_recent"), n),
    )
    sequence = (
        pl.when(c("_out") & c("_obf_after_coll"))
        .then(1.0)
        .when(c("_out") & c("_obf_recent"))
        .then(0.6)
        .when(c("_pointed") & c("_coll_recent"))
        .then(0.4)
        .otherwise(0.0)
    )
    v = {
        "registered_beyond_grants": total("_beyond"),
        "volume_vs_self": peak(c("_z_self")),
        "volume_vs_peers": peak(c("_z_peer")),
        "cumulative_exfil": total("_excess"),
        "personal_cloud_upload": total("cloud_personal_uploads"),
        "usb_registered": total("usb_registered"),
        "personal_email_attachments": total("webmail_personal_with_attachments"),
        "print_volume": peak(c("_z_print")),
        "offhours": peak(c("_z_off")),
        "sequence": peak(sequence),
        "customer_records": peak(c("customer_records")),
        "competitor_mail": total("competitor_mails"),
        "job_search": total((c("job_site_visits") > 0).cast(pl.Int64)),
    }
    out = staged.select("user", "day", *(expr.cast(pl.Float64).alias(f"v_{k}") for k, expr in v.items()))
    zl, zh = weights.z_low, weights.z_high
    s = {
        "registered_beyond_grants": ramp(c("v_registered_beyond_grants"), 2, 20),
        "volume_vs_self": ramp(c("v_volume_vs_self"), zl, zh),
        "volume_vs_peers": ramp(c("v_volume_vs_peers"), zl, zh),
        "cumulative_exfil": ramp(c("v_cumulative_exfil"), 20, 200),
        "personal_cloud_upload": ramp(c("v_personal_cloud_upload"), 0, 10),
        "usb_registered": ramp(c("v_usb_registered"), 0, 10),
        "personal_email_attachments": ramp(c("v_personal_email_attachments"), 0, 10),
        "print_volume": ramp(c("v_print_volume"), zl, zh),
        "offhours": ramp(c("v_offhours"), zl, zh),
        "sequence": c("v_sequence"),
        "customer_records": threshold(c("v_customer_records"), weights.customer_records_per_day),
        "competitor_mail": ramp(c("v_competitor_mail"), 0, 2),
        "job_search": ramp(c("v_job_search"), 2, 15),
    }
    out = out.with_columns(*(expr.alias(f"s_{k}") for k, expr in s.items()))
    return _multipliers(out, context, weights)


def _multipliers(frame: pl.DataFrame, context: Context, weights: Weights) -> pl.DataFrame:
    """Add `in_departure` (the window end lies from `departure_before_days` before to
    `departure_after_days` after the person's last day — from HR, or resignation + notice when only the
    resignation is known), `watched`, and `multiplier` = departure × watchlist weighting."""
    rows: list[tuple[str, dt.date]] = []
    for user, dates in context.hr.items():
        if dates.last_day is not None:
            rows.append((user, dates.last_day))
        elif dates.resignation is not None:
            rows.append((user, dates.resignation + dt.timedelta(days=weights.notice_days)))
    last_days = pl.DataFrame(rows, schema={"user": pl.String, "_last": pl.Date}, orient="row")
    frame = frame.join(last_days, on="user", how="left", maintain_order="left")
    before = dt.timedelta(days=weights.departure_before_days)
    after = dt.timedelta(days=weights.departure_after_days)
    last_day = pl.col("_last")
    inside = (
        last_day.is_not_null() & (pl.col("day") >= last_day - before) & (pl.col("day") <= last_day + after)
    ).fill_null(False)
    watched = pl.col("user").is_in(sorted(context.watchlist)) if context.watchlist else pl.lit(False)
    frame = frame.with_columns(in_departure=inside, watched=watched)
    multiplier = pl.when(pl.col("in_departure")).then(weights.departure_multiplier).otherwise(1.0) * pl.when(
        pl.col("watched")
    ).then(weights.watchlist_multiplier).otherwise(1.0)
    return frame.with_columns(multiplier=multiplier).drop("_last")
