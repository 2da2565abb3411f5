"""`shangmi risk score`, run as a real command on a small generated organisation (generate → ingest →
score), no database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from .support import cli_env, ok, shangmi

NO_DJANGO = """
import sys
from shangmi.cli import app
app(["risk", "score", "--store", sys.argv[1], "--json", sys.argv[2]], standalone_mode=False)
assert not any(name == "django" or name.startswith("django.") for name in sys.modules), "django was imported"
"""


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """A 60-person organisation over 150 days with one scenario of each kind and three look-alikes,
    ingested into an event store through the real commands."""
    root = tmp_path_factory.mktemp("risk-score")
    unused = root / "unused"
    ok(
        shangmi(
            "risk", "generate", "--users", "60", "--days", "150", "--seed", "5", "--scenarios", "4",
            "--lookalikes", "3", "--out", str(root / "logs"), data_dir=unused,
        )
    )  # fmt: skip
    ok(
        shangmi(
            "risk",
            "ingest",
            str(root / "logs"),
            "--preset",
            "cert-r6",
            "--store",
            str(root / "store"),
            data_dir=unused,
        )
    )
    truth = json.loads((root / "logs" / "truth.json").read_text(encoding="utf-8"))
    return root, truth


def side(root, *names: str) -> list[str]:
    flags = {
        "hr": "hr.csv",
        "register": "register.csv",
        "grants": "grants.csv",
        "competitors": "competitors.txt",
    }
    args: list[str] = []
    for name in names:
        args += [f"--{name}", str(root / "logs" / flags[name])]
    return args


def test_flags_every_injected_scenario_and_explains_it(org, tmp_path):
    root, truth = org
    out = tmp_path / "alerts.json"
    result = ok(
        shangmi(
            "risk", "score", "--store", str(root / "store"), *side(root, "hr", "register", "grants", "competitors"),
            "--json", str(out), data_dir=tmp_path / "unused",
        )
    )  # fmt: skip
    assert not (tmp_path / "unused").exists()
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["engine"] == "shangmi-risk/1"
    assert document["users_scored"] == 60
    assert document["parameters"]["register"].endswith("register.csv")
    assert document["weights"]["usb_registered"] == 30.0
    alerts = {a["user"]: a for a in document["alerts"]}
    for item in truth["scenarios"]:
        alert = alerts[item["user"]]
        assert alert["severity"] in ("high", "critical"), (item["kind"], alert["score"], alert["indicators"])
        assert alert["indicators"] and alert["top_events"]
        first = alert["indicators"][0]
        assert {"key", "label_zh", "label_en", "value", "weight", "contribution"} <= set(first)
        assert len(alert["top_events"]) <= 20
        assert {"time", "action", "object", "destination", "bytes", "reason"} <= set(alert["top_events"][0])
        start, end = date.fromisoformat(alert["window"]["start"]), date.fromisoformat(alert["window"]["end"])
        assert (end - start).days <= 29
        assert date.fromisoformat(item["start"]) <= end
    for item in truth["lookalikes"]:
        assert alerts.get(item["user"], {"severity": "low"})["severity"] not in ("high", "critical"), item[
            "kind"
        ]
    thefts = [alerts[i["user"]] for i in truth["scenarios"] if i["kind"] == "drawing_theft"]
    assert thefts and all(
        any(s["level"] == "core" or s["level"] == "important" for s in a["secrets"]) for a in thefts
    )
    assert all(a["last_day"] for a in thefts)  # from hr.csv
    high = sum(1 for a in document["alerts"] if a["severity"] in ("high", "critical"))
    assert document["alerts_by_severity"]["high"] + document["alerts_by_severity"]["critical"] == high
    assert "critical" in result.stderr and str(out) in result.stderr


def test_without_hr_the_last_days_come_from_ldap(org, tmp_path):
    root, truth = org
    out = tmp_path / "alerts.json"
    ok(
        shangmi(
            "risk", "score", "--store", str(root / "store"), "--json", str(out), data_dir=tmp_path / "unused"
        )
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["parameters"]["hr"]["inferred_from"] == "ldap snapshots"
    assert document["parameters"]["own_domains"]["domains"] == ["lanxi.example"]
    alerts = {a["user"]: a for a in document["alerts"]}
    hr = {
        line.split(",")[0]: line.split(",")[2]
        for line in (root / "logs" / "hr.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    last_month = date.fromisoformat(truth["end"]).replace(day=1)
    leavers = [
        i
        for i in truth["scenarios"]
        if i["kind"] in ("drawing_theft", "last_day_upload")
        and date.fromisoformat(hr[i["user"]]) < last_month  # still listed in the last snapshot otherwise
    ]
    assert leavers
    for item in leavers:
        alert = alerts[item["user"]]
        real = date.fromisoformat(hr[item["user"]])
        assert alert["last_day_inferred"] is True
        inferred = date.fromisoformat(alert["last_day"])
        assert (inferred.year, inferred.month) == (real.year, real.month) and inferred.day >= real.day


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing-store", "not an event store"),
        ("register", "register.csv: line 2: level 'secret' is not one of"),
        ("hr", "hr.csv: line 3: last_day '2026-02-30' is not a date"),
        ("competitors", "competitors.txt: line 2: 'not a domain' is not a domain name"),
        ("weights", "weights.json: unknown key 'usb'"),
        ("tz", "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_input_exits_2_naming_the_file_and_line(org, tmp_path, setup, message):
    root, _ = org
    store = str(root / "store")
    args: list[str] = []
    if setup == "missing-store":
        store = str(tmp_path / "nothing")
    elif setup == "register":
        (tmp_path / "register.csv").write_text("pattern,level\nA/**,secret\n", encoding="utf-8")
        args = ["--register", str(tmp_path / "register.csv")]
    elif setup == "hr":
        (tmp_path / "hr.csv").write_text(
            "user,resignation_date,last_day\nA1,,2026-02-01\nB2,,2026-02-30\n", encoding="utf-8"
        )
        args = ["--hr", str(tmp_path / "hr.csv")]
    elif setup == "competitors":
        (tmp_path / "competitors.txt").write_text("rival.cn\nnot a domain\n", encoding="utf-8")
        args = ["--competitors", str(tmp_path / "competitors.txt")]
    elif setup == "weights":
        (tmp_path / "weights.json").write_text('{"usb": 3}', encoding="utf-8")
        args = ["--weights", str(tmp_path / "weights.json")]
    else:
        args = ["--tz", "Mars/Olympus"]
    out = tmp_path / "alerts.json"
    result = shangmi(
        "risk", "score", "--store", store, *args, "--json", str(out), data_dir=tmp_path / "unused"
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert not out.exists()


def test_weights_file_overrides_defaults(org, tmp_path):
    root, truth = org
    (tmp_path / "weights.json").write_text(json.dumps({"competitor_mail": 0, "high": 60}), encoding="utf-8")
    out = tmp_path / "alerts.json"
    ok(
        shangmi(
            "risk", "score", "--store", str(root / "store"), *side(root, "competitors"), "--weights",
            str(tmp_path / "weights.json"), "--json", str(out), data_dir=tmp_path / "unused",
        )
    )  # fmt: skip
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["weights"]["competitor_mail"] == 0.0 and document["weights"]["high"] == 60.0
    for alert in document["alerts"]:
        assert all(i["key"] != "competitor_mail" or i["contribution"] == 0 for i in alert["indicators"])


def test_score_never_imports_django(org, tmp_path):
    root, _ = org
    result = subprocess.run(
        [sys.executable, "-c", NO_DJANGO, str(root / "store"), str(tmp_path / "a.json")],
        env=cli_env(tmp_path / "unused"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["users_scored"] == 60
