"""Per-user-day features from hand-built events, with exact expected values."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shangmi.engines.risk import features
from shangmi.engines.risk.context import Context, RegisterEntry

from .scoring_support import DRAWING1, DRAWING2, OWN, REGISTER_ROWS, START, at, event, frame, routine

CONTEXT = Context(
    register=tuple(RegisterEntry(p, level) for p, level in REGISTER_ROWS),
    grants={"alice": (r"\\fs01\研发\图纸\P01\**",)},
    competitors=("rival.cn",),
    own_domains=OWN,
)


def one_day() -> pl.DataFrame:
    day = 0
    return frame(
        [
            event(at(day, 23, 5), "alice", "logon"),  # off-hours, not sensitive
            event(at(day, 10), "alice", "file_open", DRAWING1),  # registered, granted
            event(at(day, 10, 1), "alice", "file_open", DRAWING2),  # registered, beyond grants
            event(at(day, 10, 2), "alice", "usb_copy", DRAWING2, "E:", 100),  # registered to USB
            event(at(day, 10, 3), "alice", "file_write", r"D:\temp\资料.7z"),  # archive
            event(
                at(day, 10, 4),
                "alice",
                "upload",
                "https://pan.baidu.com/upload?name=a.7z",
                "pan.baidu.com",
                50,
            ),
            event(
                at(day, 10, 5),
                "alice",
                "upload",
                "https://pan.lanxi.example/upload?name=b",
                "pan.lanxi.example",
                7,
            ),
            event(at(day, 10, 6), "alice", "email_send", r"C:\a.docx;C:\b.docx", "gmail.com", 300, 2),
            event(at(day, 10, 7), "alice", "email_send", r"C:\c.pdf", "lanxi.example,rival.cn", 40, 1),
            event(at(day, 10, 8), "alice", "email_send", r"C:\d.pdf", "lanxi.example", 30, 1),  # internal
            event(at(day, 10, 9), "alice", "email_send", None, "supplier.example", 5, 0),  # no attachment
            event(at(day, 10, 10), "alice", "email_send", r"C:\e.pdf", "supplier.example", 20, 1),
            event(at(day, 10, 11), "alice", "print", r"C:\f.pdf", "PRN-1", None, 5),
            event(at(day, 10, 12), "alice", "print", r"C:\g.pdf", "PRN-1", None, None),  # 1 page
            *(
                event(
                    at(day, 11, k),
                    "alice",
                    "download",
                    f"https://crm.lanxi.example/customers/{k}/card.pdf",
                    "crm.lanxi.example",
                )
                for k in range(3)
            ),
            event(at(day, 11, 30), "alice", "app_export", "customers.xlsx", "crm.lanxi.example", None, 40),
            event(at(day, 12), "alice", "web_visit", "https://www.zhaopin.com/jobs/1", "www.zhaopin.com"),
            event(at(day, 12, 1), "alice", "web_visit", "https://news.sina.com.cn/a", "news.sina.com.cn"),
            event(at(day, 12, 2), "alice", "file_copy", r"C:\x.docx"),
            event(at(day, 20, 30), "alice", "usb_copy", r"C:\notes.txt", "E:", 10),  # off-hours, sensitive
        ]
    )


def test_one_day_of_every_channel_gives_exact_features():
    table, matches, grouped = features.build(one_day().lazy(), CONTEXT)
    assert table.height == 1
    row = table.row(0, named=True)
    expected = {
        "events": 22,
        "offhours_events": 2,
        "offhours_sensitive": 1,
        "registered_events": 3,
        "registered_objects": 2,
        "registered_beyond_grants": 1,
        "registered_level": 3,  # core
        "usb_copies": 2,
        "usb_registered": 1,
        "cloud_personal_uploads": 1,
        "cloud_personal_bytes": 50,
        "cloud_own_uploads": 1,
        "webmail_personal_with_attachments": 1,
        "competitor_mails": 1,
        "external_attachments": 1,  # the supplier mail with an attachment
        "prints": 2,
        "print_pages": 6,
        "archives_created": 1,
        "customer_records": 43,
        "job_site_visits": 1,
        # USB 2 + personal cloud 1 + webmail 2 attachments + competitor 1 + supplier 1
        "exfil_items": 7,
        "exfil_bytes": 100 + 10 + 50 + 300 + 40 + 20,
        "registered_exfil": 1,
    }
    assert {k: row[k] for k in expected} == expected
    named = matches.with_columns(object=pl.col("o").map_batches(grouped.objects.gather))
    assert sorted(
        named.select("object", "level", "granted", "registered_events", "usb_registered").iter_rows()
    ) == [
        (DRAWING1, "core", True, 1, 0),
        (DRAWING2, "important", False, 2, 1),
    ]
    classes = grouped.destinations.filter(pl.col("destination") == "pan.baidu.com").row(0, named=True)
    assert classes["personal_cloud"] and not classes["own"]


def test_without_grants_nothing_is_beyond_grants():
    context = Context(register=CONTEXT.register, own_domains=OWN)
    table, _, _ = features.build(one_day().lazy(), context)
    assert table["registered_beyond_grants"].to_list() == [0]
    assert table["registered_objects"].to_list() == [2]


def test_prefilter_false_positives_are_dropped_by_the_exact_match():
    # `\\fs01\研发\图纸\P01\` is the prefilter literal; a path that has it but is not under the anchored
    # root passes the prefilter and must not count as registered, nor make an off-hours copy sensitive
    # beyond being a USB copy
    rows = [
        event(at(0), "bob", "usb_copy", r"C:\copy\\fs01\研发\图纸\P01\a.dwg", "E:", 1),
        event(at(0, 23), "bob", "file_open", r"C:\copy\\fs01\研发\图纸\P01\a.dwg"),
    ]
    table, matches, grouped = features.build(frame(rows).lazy(), CONTEXT)
    assert grouped.registered.height == 0
    assert matches.height == 0
    assert table.select("registered_events", "usb_registered", "registered_objects").row(0) == (0, 0, 0)
    assert table.select("offhours_events", "offhours_sensitive").row(0) == (1, 0)


def test_the_table_is_dense_from_a_users_first_day_to_the_last_day():
    rows = [
        event(at(0), "alice", "logon"),
        event(at(3), "alice", "logon"),
        event(at(2), "bob", "logon"),
        event(at(4), "bob", "logon"),
    ]
    table, _, _ = features.build(frame(rows).lazy(), Context())
    days = {
        user: [(d - START).days for d in group["day"]]
        for (user,), group in table.group_by("user", maintain_order=True)
    }
    assert days == {"alice": [0, 1, 2, 3, 4], "bob": [2, 3, 4]}
    alice = table.filter(pl.col("user") == "alice")
    assert alice["events"].to_list() == [1, 0, 0, 1, 0]
    assert alice["history"].to_list() == [0, 1, 2, 3, 4]


def test_weekends_are_off_hours():
    saturday = 5  # START is a Monday
    rows = [
        event(at(saturday, 11), "alice", "logon"),
        event(at(saturday, 11, 1), "alice", "usb_copy", "C:\\a", "E:"),
    ]
    table, _, _ = features.build(frame(rows).lazy(), Context())
    assert table.select("offhours_events", "offhours_sensitive").row(0) == (2, 1)
    assert (START + dt.timedelta(days=saturday)).weekday() == 5


def test_own_baseline_and_peer_baseline():
    users = [f"u{i}" for i in range(6)]
    rows = routine(users, 28)
    # u0 sends one external attachment every weekday, then 21 on day 29 (a Tuesday)
    for day in range(28):
        if (START + dt.timedelta(days=day)).weekday() < 5:
            rows.append(event(at(day, 14), "u0", "email_send", "C:\\a.pdf", "supplier.example", 10, 1))
    rows.append(event(at(29, 14), "u0", "email_send", "C:\\big.pdf", "supplier.example", 10, 21))
    rows += routine(users, 1, first=29)
    context = Context(own_domains=OWN, peer_groups=dict.fromkeys(users, "研发部/工程师"))
    table, _, _ = features.build(frame(rows).lazy(), context)
    u0 = table.filter(pl.col("user") == "u0").sort("day")
    last = u0.row(-1, named=True)
    assert last["exfil_items"] == 21
    # the previous 30 days (day -1 .. 28 clipped to the user's 29 days on record): 20 weekdays of 1 item
    assert last["history"] == 29
    assert last["exfil_items_self_mean"] == pytest.approx(20 / 29)
    mean = 20 / 29
    assert last["exfil_items_self_std"] == pytest.approx((mean - mean * mean) ** 0.5)
    # peers: 6 users × 29 days, 20 items in total
    assert last["exfil_items_peer_mean"] == pytest.approx(20 / (6 * 29))
    early = u0.filter(pl.col("history") < features.MIN_HISTORY_DAYS)
    assert early["exfil_items_self_mean"].null_count() == early.height


def test_small_peer_groups_are_not_a_reference():
    users = ["a", "b", "c"]
    context = Context(peer_groups=dict.fromkeys(users, "财务部/会计"))
    table, _, _ = features.build(frame(routine(users, 20)).lazy(), context)
    assert table["exfil_items_peer_mean"].null_count() == table.height


def test_empty_events():
    table, matches, _ = features.build(frame([]).lazy(), CONTEXT)
    assert table.height == 0 and matches.height == 0


def test_off_hours_follow_daylight_saving_time():
    """In a zone with daylight saving the local hour is converted per event (not a fixed shift)."""
    berlin = Context(timezone="Europe/Berlin")
    utc = dt.UTC
    rows = [
        # 05:30 UTC is 07:30 in summer (work starts at 7) but 06:30 in winter
        event(dt.datetime(2026, 7, 1, 5, 30, tzinfo=utc), "u0", "logon"),
        event(dt.datetime(2026, 1, 7, 5, 30, tzinfo=utc), "u0", "logon"),
    ]
    table, _, _ = features.build(frame(rows).lazy(), berlin)
    off = dict(table.select("day", "offhours_events").iter_rows())
    assert off[dt.date(2026, 7, 1)] == 0 and off[dt.date(2026, 1, 7)] == 1


def test_kernel_tables_and_filters_find_exactly_their_keys():
    import numpy as np

    from shangmi.engines.risk import kernel

    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**63, 5000, dtype=np.uint64) * np.uint64(2)
    others = rng.integers(0, 2**63, 5000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd: not keys
    entries, words = kernel.table(keys), kernel.key_filter(keys)
    found = [kernel._find.py_func(entries, k) for k in keys[:500]]
    assert found == list(range(500))
    assert all(kernel._find.py_func(entries, k) == -1 for k in others[:500])
    assert all(kernel._maybe.py_func(words, k) for k in keys)  # a filter never loses a key
    assert sum(bool(kernel._maybe.py_func(words, k)) for k in others) < 0.15 * len(others)
