"""Log sources, settings and alert triage through their actions and pages: roles, validation, audit,
and nothing changed on refusal."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shangmi.apps.accounts.models import Membership
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.monitoring import actions
from shangmi.apps.monitoring.models import Alert, AlertNote, LogSource, MonitoringSettings

pytestmark = pytest.mark.django_db


def _member(user, org):
    return Membership.objects.select_related("organisation", "user").get(user=user, organisation=org)


@pytest.fixture
def officer(enterprise):
    org, people = enterprise
    return _member(people["officer"], org)


def _alert(org, **fields) -> Alert:
    values = {
        "user_key": "LXW0007",
        "score": 91.0,
        "severity": "critical",
        "window_start": date(2026, 10, 1),
        "window_end": date(2026, 10, 31),
        "explanation": {"indicators": [{"key": "cloud", "label_zh": "上传到个人网盘", "label_en": "Upload"}]},
    }
    return Alert.objects.create(organisation=org, **{**values, **fields})


def test_source_validation_names_the_field(officer, tmp_path):
    with pytest.raises(ValidationError) as refused:
        actions.source_create(member=officer, name="", kind="folder", preset="csv", folder="relative/dir")
    assert set(refused.value.message_dict) == {"name", "preset", "folder"}
    with pytest.raises(ValidationError) as refused:
        actions.source_create(
            member=officer, name="文件服务器", kind="folder", preset="dlp", folder=str(tmp_path / "none")
        )
    assert "没有目录" in refused.value.message_dict["folder"][0]
    assert not LogSource.objects.exists()
    source = actions.source_create(
        member=officer, name="文件服务器", kind="folder", preset="dlp", folder=str(tmp_path)
    )
    assert source.folder == str(tmp_path)
    with pytest.raises(ValidationError, match="同名"):
        actions.source_create(member=officer, name="文件服务器", kind="upload", preset="dlp")
    assert AuditEvent.objects.filter(verb="monitoring.source_create").count() == 1


def test_only_officer_and_admin_manage(enterprise):
    org, people = enterprise
    for role in ("manager", "employee"):
        with pytest.raises(PermissionDenied):
            actions.source_create(member=_member(people[role], org), name="x", kind="upload", preset="dlp")
        with pytest.raises(PermissionDenied):
            actions.scoring_request(member=_member(people[role], org))
    assert not LogSource.objects.exists()


def test_settings_keep_domains_one_a_line_and_refuse_bad_weights(officer):
    with pytest.raises(ValidationError) as refused:
        actions.settings_update(
            member=officer, own_domains="", competitor_domains="", watchlist="", weights="{oops"
        )
    assert "weights" in refused.value.message_dict
    with pytest.raises(ValidationError, match="没有这些指标"):
        actions.settings_update(
            member=officer,
            own_domains="",
            competitor_domains="",
            watchlist="",
            weights='{"no_such_indicator": 3}',
        )
    assert not MonitoringSettings.objects.exists()
    row = actions.settings_update(
        member=officer,
        own_domains=" Lanxi.example \n\n# comment\npan.lanxi.example",
        competitor_domains="rival.example",
        watchlist="",
        weights="",
    )
    assert row.own_domains == "lanxi.example\npan.lanxi.example" and row.weights == {}


def test_triage_steps_are_noted_and_audited(enterprise, officer):
    org, people = enterprise
    alert = _alert(org)
    with pytest.raises(ValidationError):
        actions.alert_dismiss(member=officer, alert=alert, reason=" ")
    with pytest.raises(ValidationError):
        actions.alert_assign(member=officer, alert=alert, assignee_id=people["employee"].pk)
    alert.refresh_from_db()
    assert alert.state == "open" and not AlertNote.objects.exists()
    alert = actions.alert_assign(member=officer, alert=alert, assignee_id=people["manager"].pk)
    assert (alert.state, alert.assignee) == ("assigned", people["manager"])
    alert = actions.alert_escalate(member=officer, alert=alert, note="移交法务")
    alert = actions.alert_dismiss(member=officer, alert=alert, reason="经核实为向本单位网盘备份")
    alert = actions.alert_reopen(member=officer, alert=alert)
    assert [n.action for n in alert.notes.all()] == ["assign", "escalate", "dismiss", "reopen"]
    assert AuditEvent.objects.filter(verb__startswith="monitoring.alert_").count() == 4


def test_another_organisation_cannot_triage(enterprise, other_enterprise):
    alert = _alert(enterprise[0])
    outsider = _member(other_enterprise[1]["officer"], other_enterprise[0])
    with pytest.raises(PermissionDenied):
        actions.alert_dismiss(member=outsider, alert=alert, reason="不是我们的")
    alert.refresh_from_db()
    assert alert.state == "open"


def test_pages_by_role(enterprise, other_enterprise, login):
    org, people = enterprise
    alert = _alert(org, person_label="王伟（LX0004）")
    officer = login(people["officer"])
    assert officer.get("/monitoring/").status_code == 200
    page = officer.get("/monitoring/alerts/?severity=critical").content.decode()
    assert "LXW0007" in page and "王伟（LX0004）" in page
    assert "LXW0007" not in officer.get("/monitoring/alerts/?severity=low").content.decode()
    detail = officer.get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    assert "上传到个人网盘" in detail and 'id="triage"' in detail
    manager = login(people["manager"])
    assert 'id="triage"' not in manager.get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    assert manager.post(f"/monitoring/alerts/{alert.pk}/dismiss/", {"reason": "x"}).status_code == 403
    assert login(people["employee"]).get("/monitoring/").status_code == 403
    foreign = login(other_enterprise[1]["officer"])
    assert foreign.get(f"/monitoring/alerts/{alert.pk}/").status_code == 404
    assert "LXW0007" not in foreign.get("/monitoring/alerts/").content.decode()
    response = officer.post(f"/monitoring/alerts/{alert.pk}/dismiss/", {"reason": "已核实"}, follow=True)
    assert "已排除" in response.content.decode()
