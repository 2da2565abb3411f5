"""The scenario generator: reproducible CERT r6 files whose injected scenarios leave their signatures and
whose look-alikes do not. Small organisations (20 users × 30 days) so the whole module runs in seconds."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from shangmi.engines.risk.generator import (
    HEADERS,
    GeneratorError,
    OutputExistsError,
    ScenarioParams,
    generate,
)

CERT_FILES = ("logon.csv", "device.csv", "file.csv", "email.csv", "http.csv")
LDAP_HEADER = (
    "employee_name,user_id,email,role,projects,business_unit,functional_unit,department,team,supervisor"
)
DATE = "%m/%d/%Y %H:%M:%S"
ID = re.compile(r"^\{[A-Z0-9]{4}-[A-Z0-9]{8}-[A-Z0-9]{8}\}$")
PERSONAL_CLOUDS = (
    "pan.baidu.com",
    "www.aliyundrive.com",
    "share.weiyun.com",
    "www.jianguoyun.com",
    "115.com",
)
JOB_SITES = ("www.zhaopin.com", "www.51job.com", "www.liepin.com", "www.linkedin.com")
CRM_CARD = r"^https://crm\.lanxi\.example/customers/\d+/card\.pdf$"


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def read(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / name, infer_schema=False)


def matches(path: str | None, pattern: str) -> bool:
    """Register globs here are all `<prefix>\\**`: anything below the prefix, case-insensitive."""
    assert pattern.endswith("\\**")
    return bool(path) and path.lower().startswith(pattern[:-2].lower())  # type: ignore[union-attr]


class Run:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        self.files = {name: read(folder, name) for name in CERT_FILES}
        self.register = [
            row["pattern"] for row in csv.DictReader((folder / "register.csv").open(encoding="utf-8"))
        ]
        self.grants: dict[str, list[str]] = {}
        for row in csv.DictReader((folder / "grants.csv").open(encoding="utf-8")):
            self.grants.setdefault(row["user"], []).append(row["pattern"])
        self.hr = {row["user"]: row for row in csv.DictReader((folder / "hr.csv").open(encoding="utf-8"))}
        self.competitors = (folder / "competitors.txt").read_text(encoding="utf-8").split()

    def one(self, kind: str) -> dict:
        found = [s for s in self.truth["scenarios"] + self.truth["lookalikes"] if s["kind"] == kind]
        assert len(found) == 1, kind
        return found[0]

    def of(self, name: str, user: str) -> pl.DataFrame:
        frame = self.files[name].filter(pl.col("user") == user)
        return frame.with_columns(day=pl.col("date").str.strptime(pl.Datetime, DATE).dt.date())

    def registered(self, path: str | None) -> bool:
        return any(matches(path, p) for p in self.register)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "a"
    generate(out, users=20, days=30, seed=7)
    return out


@pytest.fixture(scope="module")
def run(folder) -> Run:
    return Run(folder)


def test_same_seed_gives_identical_bytes(folder, tmp_path):
    report = generate(tmp_path / "b", users=20, days=30, seed=7)
    assert tree(tmp_path / "b") == tree(folder)
    assert report.events == sum(len(read(folder, n)) for n in CERT_FILES)


def test_another_seed_gives_other_files(folder, tmp_path):
    generate(tmp_path / "c", users=20, days=30, seed=8)
    other, mine = tree(tmp_path / "c"), tree(folder)
    for name in (*CERT_FILES, "truth.json", "LDAP/2026-01.csv"):
        assert other[name] != mine[name], name


def test_every_file_has_exactly_the_cert_r6_header(folder):
    for name in CERT_FILES:
        first = (folder / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == ",".join(HEADERS[name.removesuffix(".csv")])
    assert HEADERS["file"] == (
        "id", "date", "user", "pc", "filename", "activity", "to_removable_media", "from_removable_media", "content"
    )  # fmt: skip
    assert HEADERS["email"] == (
        "id", "date", "user", "pc", "to", "cc", "bcc", "from", "activity", "size", "attachments", "content"
    )  # fmt: skip
    for month in (folder / "LDAP").glob("*.csv"):
        assert month.read_text(encoding="utf-8").split("\n", 1)[0] == LDAP_HEADER
    assert (folder / "hr.csv").read_text(encoding="utf-8").startswith("user,resignation_date,last_day\n")
    assert (folder / "register.csv").read_text(encoding="utf-8").startswith("pattern,level\n")
    assert (folder / "grants.csv").read_text(encoding="utf-8").startswith("user,pattern\n")


def test_dates_parse_ids_are_unique_and_rows_are_in_time_order(run):
    seen: set[str] = set()
    for name, frame in run.files.items():
        assert frame.height > 0, name
        parsed = frame["date"].str.strptime(pl.Datetime, DATE, strict=True)
        assert parsed.null_count() == 0
        assert parsed.is_sorted(), name
        assert parsed.min() >= dt.datetime(2026, 1, 1)  # noqa: DTZ001 - CERT local times are naive
        assert parsed.max() < dt.datetime(2026, 1, 31)  # noqa: DTZ001
        assert frame["id"].str.contains(ID.pattern).all(), name
        ids = set(frame["id"])
        assert len(ids) == frame.height and not ids & seen, name
        seen |= ids
    activities = {name: set(frame["activity"]) for name, frame in run.files.items()}
    assert activities["logon.csv"] == {"Logon", "Logoff"}
    assert activities["device.csv"] == {"Connect", "Disconnect"}
    assert activities["file.csv"] == {"File Open", "File Write", "File Copy", "File Delete"}
    assert activities["email.csv"] == {"Send", "View"}
    assert activities["http.csv"] == {"WWW Visit", "WWW Download", "WWW Upload"}
    files = run.files["file.csv"]
    assert set(files["to_removable_media"]) == set(files["from_removable_media"]) == {"True", "False"}
    sizes = run.files["email.csv"]["size"].cast(pl.Int64, strict=True)
    assert sizes.min() > 0
    attachments = run.files["email.csv"]["attachments"].drop_nulls()
    assert attachments.len() > 0
    assert attachments.str.contains(r"^([^;()]+\(\d+\))(;[^;()]+\(\d+\))*$").all()


def test_a_user_never_acts_after_the_last_day(run):
    assert run.hr
    for user, row in run.hr.items():
        last = dt.date.fromisoformat(row["last_day"])
        assert dt.date.fromisoformat(row["resignation_date"]) < last
        for name in CERT_FILES:
            days = run.of(name, user)["day"]
            assert days.len() == 0 or days.max() <= last, (user, name)


def test_ldap_drops_a_departed_user_after_the_last_day(tmp_path):
    out = tmp_path / "ldap"
    params = ScenarioParams(benign_departures=3.0)
    generate(out, users=20, days=60, seed=7, scenarios=["customer_list"], lookalikes=[], params=params)
    months = sorted(p.name for p in (out / "LDAP").glob("*.csv"))
    assert months == ["2026-01.csv", "2026-02.csv", "2026-03.csv"]
    members = {m: set(read(out, f"LDAP/{m}")["user_id"]) for m in months}
    assert len(members["2026-01.csv"]) == 20
    hr = list(csv.DictReader((out / "hr.csv").open(encoding="utf-8")))
    dropped = 0
    for row in hr:
        last = dt.date.fromisoformat(row["last_day"])
        for month in months:
            first = dt.date.fromisoformat(month.removesuffix(".csv") + "-01")
            assert (row["user"] in members[month]) == (last >= first), (row, month)
            dropped += last < first
    assert dropped > 0  # at least one leaver is absent from a later month


def test_truth_lists_the_injected_users_and_their_events_exist(run):
    truth = run.truth
    assert truth["seed"] == 7 and truth["users"] == 20 and truth["days"] == 30
    assert [s["kind"] for s in truth["scenarios"]] == [
        "drawing_theft",
        "last_day_upload",
        "customer_list",
        "usb_burst",
    ]
    assert [s["kind"] for s in truth["lookalikes"]] == ["own_cloud", "release_engineer", "normal_crm"]
    users = [s["user"] for s in truth["scenarios"] + truth["lookalikes"]]
    assert len(set(users)) == len(users)
    ldap = set(read(run.folder, "LDAP/2026-01.csv")["user_id"])
    for item in truth["scenarios"] + truth["lookalikes"]:
        assert item["user"] in ldap
        assert item["start"] <= item["end"]
        assert item["event_count"] == sum(len(v) for v in item["events"].values()) > 0
        for name, ids in item["events"].items():
            rows = run.files[name].filter(pl.col("id").is_in(ids))
            assert rows.height == len(ids), (item["kind"], name)
            assert set(rows["user"]) == {item["user"]}
    for kind in ("drawing_theft", "last_day_upload"):
        assert run.one(kind)["user"] in run.hr


def test_drawing_theft_collects_archives_and_exfiltrates_before_leaving(run):
    item = run.one("drawing_theft")
    user = item["user"]
    last = dt.date.fromisoformat(run.hr[user]["last_day"])
    resignation = dt.date.fromisoformat(run.hr[user]["resignation_date"])
    files = run.of("file.csv", user).filter(pl.col("id").is_in(item["events"]["file.csv"]))
    drawings = [r"\\fs01\研发\图纸" + "\\" in (f or "") for f in files["filename"]]
    assert sum(drawings) > 0
    staged = files.filter((pl.col("activity") == "File Copy") & (pl.col("to_removable_media") == "False"))
    assert staged.height == item["details"]["drawings_copied"] >= 40
    assert all(run.registered(f) for f in staged["filename"])
    assert staged["day"].max() < resignation
    grants = run.grants[user]
    beyond = [f for f in staged["filename"] if not any(matches(f, g) for g in grants)]
    assert len(beyond) == item["details"]["beyond_grants"] > 0
    writes = files.filter(pl.col("activity") == "File Write")["filename"].to_list()
    assert any(w.endswith(".7z") for w in writes) and item["details"]["disguised_as"] in writes
    usb = files.filter(pl.col("to_removable_media") == "True")
    assert usb.height >= 11 and usb["day"].max() <= last
    assert sum(run.registered(f) for f in usb["filename"]) >= 10
    uploads = run.of("http.csv", user).filter(pl.col("activity") == "WWW Upload")
    cloud = uploads.filter(pl.col("url").str.starts_with(f"https://{item['details']['cloud']}/"))
    assert cloud.height >= 1 and cloud["content"].to_list()[0] == item["details"]["disguised_as"]
    connects = run.of("device.csv", user).filter(pl.col("id").is_in(item["events"]["device.csv"]))
    assert "Connect" in set(connects["activity"])


def test_last_day_upload_sends_registered_design_sources_to_a_personal_cloud(run):
    item = run.one("last_day_upload")
    user = item["user"]
    last = dt.date.fromisoformat(run.hr[user]["last_day"])
    uploads = run.of("http.csv", user).filter(
        (pl.col("activity") == "WWW Upload") & pl.col("url").str.starts_with("https://pan.baidu.com/")
    )
    assert uploads.height == item["details"]["files"] >= 10
    assert set(uploads["day"]) == {dt.date.fromisoformat(item["start"])}
    assert (last - uploads["day"][0]).days in (0, 1, 2, 3)  # the last day or the working day before
    assert all(matches(c, r"D:\design\src\**") and run.registered(c) for c in uploads["content"])
    opened = set(run.of("file.csv", user).filter(pl.col("activity") == "File Open")["filename"])
    assert set(uploads["content"]) <= opened


def test_customer_list_downloads_79_records_in_a_day_and_mails_a_competitor(run):
    item = run.one("customer_list")
    user = item["user"]
    day = dt.date.fromisoformat(item["start"])
    http = run.of("http.csv", user)
    cards = http.filter((pl.col("activity") == "WWW Download") & pl.col("url").str.contains(CRM_CARD))
    per_day = Counter(cards["day"].to_list())
    assert 79 <= per_day[day] <= 79 + 20
    assert max(n for d, n in per_day.items() if d != day) <= 20  # his ordinary days
    side = item["details"]["side_domain"]
    assert side in run.competitors
    mails = run.of("email.csv", user).filter(
        (pl.col("activity") == "Send") & pl.col("to").str.ends_with("@" + side)
    )
    assert mails.height == item["details"]["mails"] >= 2
    assert set(mails["day"]) == {day}
    assert all(a.count("card_") >= 5 for a in mails["attachments"])


def test_usb_burst_follows_weeks_of_job_hunting(run):
    item = run.one("usb_burst")
    user = item["user"]
    burst = dt.date.fromisoformat(item["end"])
    copies = run.of("file.csv", user).filter(
        (pl.col("activity") == "File Copy")
        & (pl.col("to_removable_media") == "True")
        & (pl.col("day") == burst)
    )
    assert copies.height >= 200
    assert sum(run.registered(f) for f in copies["filename"]) == item["details"]["registered"] >= 50
    times = copies["date"].str.strptime(pl.Datetime, DATE)
    assert times.min().hour >= 18 and (times.max() - times.min()) < dt.timedelta(hours=2)
    assert "Connect" in set(run.of("device.csv", user).filter(pl.col("day") == burst)["activity"])
    jobs = run.of("http.csv", user).filter(
        pl.col("url").str.extract(r"^https://([^/]+)/").is_in(JOB_SITES) & (pl.col("day") < burst)
    )
    assert jobs["day"].n_unique() >= 3


def test_look_alikes_do_not_leave_the_scenario_signatures(run):
    cloud = run.one("own_cloud")
    uploads = run.of("http.csv", cloud["user"]).filter(pl.col("activity") == "WWW Upload")
    assert uploads.height >= cloud["details"]["uploads"] >= 20
    assert uploads["url"].str.starts_with("https://pan.lanxi.example/upload?name=").all()
    assert sum(run.registered(c) for c in uploads["content"]) > 0  # real carriers, but to our own cloud

    release = run.one("release_engineer")
    files = run.of("file.csv", release["user"])
    copies = files.filter(pl.col("activity") == "File Copy")
    assert copies.height >= 100 and not any(run.registered(f) for f in copies["filename"])
    assert (copies["to_removable_media"] == "False").all()
    written = files.filter(pl.col("filename").str.starts_with("\\\\fs01\\release\\"))
    assert written.height >= 100 and (written["activity"] == "File Write").all()
    per_release = Counter(copies.filter(pl.col("id").is_in(release["events"]["file.csv"]))["day"].to_list())
    assert len(per_release) == len(release["details"]["releases"]) >= 2

    crm = run.one("normal_crm")
    http = run.of("http.csv", crm["user"])
    cards = http.filter((pl.col("activity") == "WWW Download") & pl.col("url").str.contains(CRM_CARD))
    visits = http.filter((pl.col("activity") == "WWW Visit") & pl.col("url").str.contains(r"/customers/\d+$"))
    assert max(Counter(cards["day"].to_list()).values()) <= 25
    assert (
        12
        <= min(Counter(visits["day"].to_list()).values())
        <= max(Counter(visits["day"].to_list()).values())
        <= 25
    )
    hours = visits["date"].str.strptime(pl.Datetime, DATE).dt.hour()
    assert hours.max() - hours.min() >= 6  # spread over the working day

    for item in (cloud, release, crm):
        user = item["user"]
        assert user not in run.hr
        mails = run.of("email.csv", user).filter(pl.col("activity") == "Send")
        assert not any(c in (to or "") for to in mails["to"] for c in run.competitors)
        ups = run.of("http.csv", user).filter(pl.col("activity") == "WWW Upload")
        assert not any(u.startswith(f"https://{c}/") for u in ups["url"] for c in PERSONAL_CLOUDS)


def test_background_is_not_adversarial(run):
    special = {s["user"] for s in run.truth["scenarios"] + run.truth["lookalikes"]}
    mails = run.files["email.csv"].filter(~pl.col("user").is_in(special) & (pl.col("activity") == "Send"))
    recipients = pl.concat_str([pl.col("to"), pl.col("cc"), pl.col("bcc")], separator=";", ignore_nulls=True)
    assert not mails.select(
        recipients.str.contains("|".join(re.escape(c) for c in run.competitors)).any()
    ).item()
    files = run.files["file.csv"].filter(~pl.col("user").is_in(special))
    usb_registered = [
        f for f in files.filter(pl.col("to_removable_media") == "True")["filename"] if run.registered(f)
    ]
    assert len(usb_registered) <= 3
    uploads = run.files["http.csv"].filter(
        ~pl.col("user").is_in(special) & (pl.col("activity") == "WWW Upload")
    )
    assert not any(run.registered(c) for c in uploads["content"])
    cards = (
        run.files["http.csv"]
        .filter(~pl.col("user").is_in(special) & pl.col("url").str.contains(CRM_CARD))
        .with_columns(day=pl.col("date").str.slice(0, 10))
        .group_by("user", "day")
        .len()
    )
    assert cards.height > 0 and cards["len"].max() <= 20


def test_explicit_kinds_and_counts(tmp_path):
    report = generate(tmp_path / "k", users=20, days=30, seed=3, scenarios=["usb_burst"], lookalikes=0)
    assert [(i.kind, i.lookalike) for i in report.injected] == [("usb_burst", False)]
    truth = json.loads((tmp_path / "k" / "truth.json").read_text(encoding="utf-8"))
    assert truth["lookalikes"] == [] and len(truth["scenarios"]) == 1
    assert report.rows["logon.csv"] > 0 and report.bytes > 0 and report.events_per_second > 0


def test_refuses_a_non_empty_folder_unless_overwriting(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        generate(out, users=20, days=30)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    generate(out, users=20, days=30, overwrite=True)
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "truth.json").is_file()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"users": 5}, "users must be at least 10"),
        ({"days": 10}, "days must be between"),
        ({"scenarios": ["bogus"]}, "unknown scenario kind 'bogus'"),
        ({"lookalikes": -1}, "must not be negative"),
        ({"scenarios": 30}, "add users"),
    ],
)
def test_bad_parameters_are_refused_before_writing(tmp_path, kwargs, message):
    out = tmp_path / "bad"
    args = {"users": 20, "days": 30, **kwargs}
    with pytest.raises(GeneratorError, match=message):
        generate(out, **args)
    assert not out.exists()
