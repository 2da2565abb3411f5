"""Scoring: each indicator alone, corroboration, the departure window, look-alikes, the JSON document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from shangmi.engines.risk import scoring
from shangmi.engines.risk.context import Context, HrDates, RegisterEntry
from shangmi.engines.risk.indicators import INDICATORS
from shangmi.engines.risk.schema import ENGINE_VERSION

from .scoring_support import DRAWING1, OWN, REGISTER_ROWS, START, at, event, frame, routine

USERS = [f"u{i}" for i in range(6)]
DAY = 36  # a Tuesday, after 36 days of routine
CONTEXT = Context(
    register=tuple(RegisterEntry(p, level) for p, level in REGISTER_ROWS),
    grants={u: (r"\\fs01\研发\图纸\P01\**",) for u in USERS},
    competitors=("rival.cn",),
    own_domains=OWN,
    peer_groups=dict.fromkeys(USERS, "研发部/工程师"),
)


def p01(n: int) -> str:
    return rf"\\fs01\研发\图纸\P01\总装\LX-P01-{n:04d}_A.dwg"


def p02(n: int) -> str:
    return rf"\\fs01\研发\图纸\P02\总装\LX-P02-{n:04d}_A.dwg"


def run(extra: list[dict], context: Context = CONTEXT, weights: scoring.Weights | None = None):
    rows = routine(USERS, 40) + extra
    alerts = scoring.score(frame(rows).lazy(), context, weights)
    return {a.user: a for a in alerts}, alerts


def contributions(alert: scoring.Alert) -> dict[str, float]:
    return {i["key"]: i["contribution"] for i in alert.indicators if i["contribution"] > 0}


SINGLE = {
    # indicator: (events for u0, expected contribution)
    "registered_beyond_grants": ([event(at(DAY, 10, k), "u0", "file_open", p02(k)) for k in range(20)], 25.0),
    "usb_registered": ([event(at(DAY, 10, k), "u0", "usb_copy", p01(k), "E:", 1000) for k in range(5)], 15.0),
    "personal_cloud_upload": (
        [
            event(
                at(DAY, 10, k),
                "u0",
                "upload",
                f"https://pan.baidu.com/upload?name={k}.docx",
                "pan.baidu.com",
                9,
            )
            for k in range(5)
        ],
        12.5,
    ),
    "personal_email_attachments": (
        [event(at(DAY, 10, k), "u0", "email_send", rf"C:\{k}.docx", "qq.com", 9, 1) for k in range(3)],
        6.0,
    ),
    "competitor_mail": ([event(at(DAY, 10), "u0", "email_send", None, "rival.cn", 100, 0)], 15.0),
    "customer_records": (
        [
            event(
                at(DAY, 10, k // 60, k % 60),
                "u0",
                "download",
                f"https://crm.lanxi.example/c/{k}",
                "crm.lanxi.example",
            )
            for k in range(60)
        ],
        15.0,
    ),
    "job_search": (
        [
            event(at(d, 12), "u0", "web_visit", "https://www.51job.com/x", "www.51job.com")
            for d in range(22, 36)
        ],
        25.0 * 0 + 5.0 * (10 - 2) / 13,
    ),
    "print_volume": ([event(at(DAY, 10), "u0", "print", r"C:\a.pdf", "PRN-1", None, 40)], 10.0),
    "offhours": (
        [event(at(DAY, 22, k), "u0", "usb_copy", rf"C:\notes{k}.txt", "E:", 10) for k in range(6)],
        round(10.0 * (6 - 3) / 7, 1),
    ),
}


@pytest.mark.parametrize("key", sorted(SINGLE))
def test_each_indicator_triggers_alone(key):
    events, expected = SINGLE[key]
    if key == "job_search":
        # weekdays only among days 22..35: 10 days
        events = [e for e in events if e["day"].weekday() < 5]
        assert len(events) == 10
    by_user, alerts = run(events, weights=scoring.Weights(low=1))  # show the small ones too
    assert contributions(by_user["u0"]) == {key: pytest.approx(expected, abs=0.05)}
    assert by_user["u0"].severity in ("low", "medium")
    assert [a.user for a in alerts] == ["u0"]  # the routine of the others raises nothing


def test_volume_above_own_and_peer_baselines():
    events = [event(at(DAY, 10), "u0", "email_send", r"C:\big.zip", "supplier.example", 10**6, 30)]
    by_user, _ = run(events)
    assert contributions(by_user["u0"]) == {
        "volume_vs_self": 15.0,  # 30 items against a baseline of 0: z = 30 with the floor of 1
        "volume_vs_peers": 10.0,
        "cumulative_exfil": pytest.approx(15.0 * (30 - 20) / 180, abs=0.05),
    }


def test_collection_archive_exfiltration_sequence():
    events = [
        *(event(at(DAY - 3, 10, k), "u0", "file_open", p02(k)) for k in range(3)),  # collection beyond grants
        event(at(DAY - 2, 16), "u0", "file_write", r"D:\temp\资料.7z"),  # obfuscation
        event(at(DAY, 11), "u0", "usb_copy", r"D:\temp\资料.7z", "E:", 5 * 10**6),  # exfiltration
    ]
    by_user, _ = run(events)
    found = contributions(by_user["u0"])
    assert found["sequence"] == 20.0
    assert set(found) == {"sequence", "registered_beyond_grants"}
    # the archive without anything leaving is no sequence
    by_user, _ = run(events[:-1], weights=scoring.Weights(low=1))
    assert contributions(by_user["u0"]) == {"registered_beyond_grants": 1.4}


def test_renaming_a_registered_carrier_is_the_obfuscation_step():
    """The sequence with a rename instead of an archive: the registered drawing leaves under an innocent
    name, by USB, two days after it was renamed."""
    disguised = r"D:\temp\旅游照片.jpg"
    events = [
        *(event(at(DAY - 3, 10, k), "u0", "file_open", p02(k)) for k in range(3)),  # collection beyond grants
        event(at(DAY - 2, 16), "u0", "file_rename", p01(7), disguised),  # obfuscation
        event(at(DAY, 11), "u0", "usb_copy", disguised, "E:", 5 * 10**6),  # exfiltration
    ]
    by_user, _ = run(events, weights=scoring.Weights(explain_min_score=0))
    found = contributions(by_user["u0"])
    assert found["sequence"] == 20.0
    assert set(found) == {"sequence", "registered_beyond_grants"}
    reasons = {e["reason"] for e in by_user["u0"].top_events}
    assert "rename" in reasons
    # renaming an ordinary file is no obfuscation step: the same USB copy makes no sequence
    collection, exfiltration = events[:3], events[-1]
    renamed = event(at(DAY - 2, 16), "u0", "file_rename", r"D:\周报.docx", disguised)
    ordinary = [*collection, renamed, exfiltration]
    by_user, _ = run(ordinary, weights=scoring.Weights(low=1))
    assert "sequence" not in contributions(by_user["u0"])
    # a rename to an archive's name is one, registered or not
    archived = event(at(DAY - 2, 16), "u0", "file_rename", r"D:\周报.docx", r"D:\周报.7z")
    to_archive = [*collection, archived, exfiltration]
    by_user, _ = run(to_archive)
    assert contributions(by_user["u0"])["sequence"] == 20.0


def test_no_single_indicator_reaches_high_even_in_the_departure_window():
    weights = scoring.Weights()
    for indicator in INDICATORS:
        assert weights.weight(indicator.key) * weights.departure_multiplier < weights.high, indicator.key


def test_corroborated_findings_reach_high():
    events = [event(at(DAY, 10, k), "u0", "usb_copy", p01(k), "E:", 1000) for k in range(10)]
    events += [
        event(at(DAY, 11, k), "u0", "upload", f"https://pan.baidu.com/upload?name={k}", "pan.baidu.com", 9)
        for k in range(10)
    ]
    by_user, _ = run(events)
    alert = by_user["u0"]
    # 30 + 25 + 15 (own baseline) + 10 (peers) + 8 (collection → personal cloud)
    assert alert.severity == "critical" and alert.score == 88.0
    assert alert.window == (START + dt.timedelta(days=DAY - 29), START + dt.timedelta(days=DAY))
    assert {s["pattern"]: s["level"] for s in alert.secrets} == {r"\\fs01\研发\图纸\P01\**": "core"}
    assert alert.secrets[0]["usb_copies"] == 10 and alert.secrets[0]["files"] == 10
    reasons = [e["reason"] for e in alert.top_events]
    assert len(reasons) == 20
    assert set(reasons) == {"usb_registered", "personal_cloud"}


def test_departure_window_multiplies_the_score():
    events, _ = SINGLE["usb_registered"]
    last_day = START + dt.timedelta(days=DAY + 20)
    context = dataclasses.replace(CONTEXT, hr={"u0": HrDates(None, last_day)})
    by_user, _ = run(events, context)
    alert = by_user["u0"]
    assert alert.score == 22.5
    assert contributions(alert) == {"usb_registered": 15.0, "departure_window": 7.5}
    assert alert.last_day == last_day
    # more than 90 days before the last day is outside the window (the table ends on day 39)
    far = dataclasses.replace(CONTEXT, hr={"u0": HrDates(None, START + dt.timedelta(days=39 + 91))})
    assert run(events, far)[0]["u0"].score == 15.0
    # resignation only: the last day is taken to be notice_days later
    resigned = dataclasses.replace(CONTEXT, hr={"u0": HrDates(START + dt.timedelta(days=DAY + 10), None)})
    assert run(events, resigned)[0]["u0"].score == 22.5


def test_watchlist_multiplies_the_score():
    events, _ = SINGLE["usb_registered"]
    by_user, _ = run(events, dataclasses.replace(CONTEXT, watchlist=frozenset({"u0"})))
    assert by_user["u0"].score == 18.8  # 15 × 1.25, rounded to one decimal
    assert contributions(by_user["u0"])["watchlist"] == 3.8


def test_look_alikes_stay_quiet():
    events = []
    for day in (8, 15, 22, DAY):  # uploads of granted carriers to the company's own cloud
        for k in range(40):
            events.append(event(at(day, 10, k), "u0", "file_open", p01(k)))
            name = f"LX-P01-{k:04d}_A.dwg"
            events.append(
                event(
                    at(day, 10, k, 30),
                    "u0",
                    "upload",
                    f"https://pan.lanxi.example/upload?name={name}",
                    "pan.lanxi.example",
                    10**5,
                )
            )
    for day in (9, 23):  # a release: build artefacts copied to the release share
        for k in range(200):
            art = rf"D:\build\out\1.{day}\firmware\part{k}.zip"
            events.append(event(at(day, 14, k // 60, k % 60), "u1", "file_copy", art))
            events.append(
                event(
                    at(day, 14, k // 60, k % 60), "u1", "file_write", rf"\\fs01\release\1.{day}\part{k}.zip"
                )
            )
    for day in range(40):  # everyday CRM work
        if (START + dt.timedelta(days=day)).weekday() < 5:
            for k in range(15):
                events.append(
                    event(
                        at(day, 9 + k // 3),
                        "u2",
                        "download",
                        f"https://crm.lanxi.example/c/{k}",
                        "crm.lanxi.example",
                    )
                )
    for k in range(30):  # a Saturday at the office
        events.append(event(at(33, 10, k), "u3", "file_open", rf"\\fs01\研发\会议纪要\{k}.docx"))
    by_user, alerts = run(events)
    assert alerts == []


def test_no_register_no_grants_still_scores_channels():
    events, _ = SINGLE["personal_cloud_upload"]
    by_user, alerts = run(events, Context(own_domains=OWN))
    assert contributions(by_user["u0"]) == {"personal_cloud_upload": 12.5}
    assert alerts.notes["grants"].startswith("not given")


def test_alerts_to_json_document():
    events, _ = SINGLE["usb_registered"]
    _, alerts = run(events)
    document = scoring.alerts_to_json(alerts, {"store": "x"})
    assert document["engine"] == ENGINE_VERSION
    assert document["users_scored"] == 6
    assert document["parameters"]["store"] == "x"
    assert document["weights"] == scoring.Weights().to_dict()
    assert document["alerts_by_severity"] == {"low": 1, "medium": 0, "high": 0, "critical": 0}
    dt.datetime.fromisoformat(document["generated_at"])
    alert = document["alerts"][0]
    assert alert["user"] == "u0" and alert["severity"] == "low" and alert["severity_zh"] == "低"
    assert alert["window"] == {
        "start": str(START + dt.timedelta(days=DAY - 29)),
        "end": str(START + dt.timedelta(days=DAY)),
    }
    indicator, cumulative = alert["indicators"]
    assert cumulative["key"] == "cumulative_exfil" and cumulative["value"] == 5.0  # shown, below the usual
    assert cumulative["contribution"] == 0.0
    assert indicator == {
        "key": "usb_registered",
        "label_zh": "登记载体拷贝至移动介质",
        "label_en": "registered carriers copied to removable media",
        "unit_zh": "次",
        "unit_en": "copies",
        "value": 5.0,
        "weight": 30.0,
        "strength": 0.5,
        "contribution": 15.0,
    }
    assert alert["top_events"] == []  # below explain_min_score
    json.dumps(document, ensure_ascii=False)


def test_top_events_are_explained_above_the_threshold():
    events, _ = SINGLE["usb_registered"]
    _, alerts = run(events, weights=scoring.Weights(explain_min_score=10))
    top = alerts[0].top_events
    assert [e["object"] for e in top] == [p01(k) for k in range(5)]
    assert top[0] == {
        "time": "2026-04-07T10:00:00+08:00",
        "action": "usb_copy",
        "object": p01(0),
        "destination": "E:",
        "bytes": 1000,
        "reason": "usb_registered",
        "reason_zh": "登记载体拷贝至移动介质",
        "reason_en": "registered carrier copied to removable media",
    }


def test_weights_from_json(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"usb_registered": 40, "window_days": 14, "high": 60}))
    weights = scoring.Weights.from_json(path)
    assert (weights.usb_registered, weights.window_days, weights.high) == (40.0, 14, 60.0)
    assert isinstance(weights.window_days, int)
    for data, message in (
        ({"usb": 1}, "unknown key 'usb'"),
        ({"usb_registered": -1}, "usb_registered must be a non-negative number"),
        ({"usb_registered": "10"}, "usb_registered must be a non-negative number"),
        ({"medium": 80}, "bands must satisfy"),
    ):
        path.write_text(json.dumps(data))
        with pytest.raises(scoring.WeightsError, match=message):
            scoring.Weights.from_json(path)
    path.write_text("{not json")
    with pytest.raises(scoring.WeightsError, match="not JSON"):
        scoring.Weights.from_json(path)


def test_severity_bands():
    weights = scoring.Weights()
    assert [weights.severity(s) for s in (0, 9.9, 10, 24.9, 25, 49.9, 50, 74.9, 75, 100)] == [
        None,
        None,
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
        "critical",
    ]


def test_drawing_theft_story_is_critical_with_its_secrets():
    """A compact version of the generator's drawing_theft: collection beyond grants, an archive, USB."""
    events = [
        event(at(d, 10, k), "u0", "file_copy", p02(d * 10 + k)) for d in range(20, 30) for k in range(3)
    ]
    events.append(event(at(33, 17), "u0", "file_write", r"D:\temp\backup\资料.7z"))
    events += [event(at(DAY, 11, k), "u0", "usb_copy", p02(200 + k), "E:", 10**6) for k in range(12)]
    context = dataclasses.replace(
        CONTEXT, hr={"u0": HrDates(START + dt.timedelta(days=20), START + dt.timedelta(days=DAY + 3))}
    )
    by_user, _ = run(events, context)
    alert = by_user["u0"]
    assert alert.severity == "critical"
    assert {"usb_registered", "sequence", "registered_beyond_grants", "departure_window"} <= set(
        contributions(alert)
    )
    assert alert.secrets[0]["pattern"] == r"\\fs01\研发\图纸\P02\**" and alert.secrets[0]["beyond_grants"] > 0
    assert DRAWING1 not in {e["object"] for e in alert.top_events}


def test_a_job_site_visit_is_explained_with_its_url():
    """Web visits' URLs are not in the key dictionary; the explanation reads them from their day."""
    visits = [
        event(at(DAY - k, 12), "u0", "web_visit", f"https://www.zhaopin.com/jobs/{k}", "www.zhaopin.com")
        for k in range(10)
    ]
    copies = [event(at(DAY, 10, k), "u0", "usb_copy", p01(k), "E:", 1000) for k in range(3)]
    by_user, _ = run([*visits, *copies], weights=scoring.Weights(explain_min_score=0))
    jobs = [e for e in by_user["u0"].top_events if e["reason"] == "job_site"]
    assert sorted(e["object"] for e in jobs) == sorted(f"https://www.zhaopin.com/jobs/{k}" for k in range(10))
    assert all(e["destination"] == "www.zhaopin.com" and e["bytes"] is None for e in jobs)
