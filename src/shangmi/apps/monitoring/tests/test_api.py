"""The monitoring API: 401 anonymous, 404 foreign, 403 role, 422 bad input with nothing written, triage
and sources."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from shangmi.apps.accounts import actions as accounts_actions
from shangmi.apps.monitoring.models import Alert, AlertNote, LogSource, LogUpload

pytestmark = pytest.mark.django_db

API = "/api/v1/monitoring"


class Api:
    def __init__(self, user, organisation):
        _token, secret = accounts_actions.token_create(actor=user, organisation=organisation, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str):
        return self.client.get(API + path, **self.headers)

    def post(self, path: str, body=None):
        data = "" if body is None else json.dumps(body)
        return self.client.post(API + path, data, content_type="application/json", **self.headers)


def _alert(org) -> Alert:
    return Alert.objects.create(
        organisation=org,
        user_key="LXW0012",
        score=80.0,
        severity="critical",
        window_start=date(2026, 4, 1),
        window_end=date(2026, 4, 30),
        explanation={"indicators": []},
    )


def test_anonymous_gets_401(client):
    for path in ("/alerts", "/summary", "/sources", "/runs", "/uploads"):
        assert client.get(API + path).status_code == 401


def test_alerts_filters_detail_and_triage(enterprise, other_enterprise):
    org, people = enterprise
    alert = _alert(org)
    api = Api(people["officer"], org)
    assert [a["user_key"] for a in api.get("/alerts?severity=critical").json()["items"]] == ["LXW0012"]
    assert api.get("/alerts?severity=low").json()["items"] == []
    assert api.get("/summary").json() == {"by_severity": {"critical": 1}, "by_state": {"open": 1}}
    refused = api.post(f"/alerts/{alert.pk}/triage", {"action": "dismiss", "reason": ""})
    assert refused.status_code == 422 and "reason" in refused.text
    done = api.post(f"/alerts/{alert.pk}/triage", {"action": "dismiss", "reason": "经核实为正常备份"})
    assert done.json()["state"] == "dismissed"
    assert api.get(f"/alerts/{alert.pk}").json()["notes"][0]["text"] == "经核实为正常备份"
    foreign = Api(other_enterprise[1]["officer"], other_enterprise[0])
    assert foreign.get(f"/alerts/{alert.pk}").status_code == 404
    assert foreign.post(f"/alerts/{alert.pk}/triage", {"action": "reopen"}).status_code == 404
    assert foreign.get("/alerts").json()["items"] == []
    manager = Api(people["manager"], org)
    assert manager.get(f"/alerts/{alert.pk}").status_code == 200
    assert manager.post(f"/alerts/{alert.pk}/triage", {"action": "reopen"}).status_code == 403
    assert Api(people["employee"], org).get("/alerts").status_code == 403
    assert AlertNote.objects.count() == 1


def test_sources_and_uploads(enterprise, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    org, people = enterprise
    api = Api(people["officer"], org)
    refused = api.post("/sources", {"name": "x", "kind": "folder", "preset": "dlp", "folder": "relative"})
    assert refused.status_code == 422 and "folder" in refused.text and not LogSource.objects.exists()
    source = api.post("/sources", {"name": "DLP 导出", "kind": "upload", "preset": "dlp"}).json()
    body = b"timestamp,user,host,action,object,destination,bytes,count\n"
    response = api.client.post(
        f"{API}/sources/{source['id']}/uploads",
        {"file": _file("dlp.csv", body)},
        **api.headers,
    )
    assert response.status_code == 201, response.text
    upload = LogUpload.objects.get()
    assert (upload.name, upload.size, upload.state) == ("dlp.csv", len(body), "queued")
    assert api.post("/runs").status_code == 202
    assert Api(people["manager"], org).post("/runs").status_code == 403


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
