"""Export a register built through the actions, import it into a second, empty enterprise whose members
have the same names, export again: the two workbooks hold the same register. Plus what the import stores
(states, codes, one deposited `import` event per secret, deposits of digests) and how fast it is."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shangmi.apps.accounts.models import Membership
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry.actions.imports import register_import
from shangmi.apps.registry.models import AccessGrant, Carrier, SecretEvent, SecretPoint, TradeSecret
from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.tests.excel_support import (
    SHA_A,
    SM3_A,
    build_register,
    download,
    make_workbook,
    point_row,
    secret_row,
    sheet_values,
)
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db
DATA_SHEETS = [s.name for s in cols.SHEETS]


@pytest.fixture
def twin(make_org, make_member, enterprise):
    """A second enterprise, empty, whose members have the names of the first's (not their e-mails)."""
    org, people = enterprise
    twin_org = make_org("enterprise", name="丙公司")
    twin_people = {role: make_member(twin_org, role, name=user.name) for role, user in people.items()}
    officer = Membership.objects.select_related("organisation", "user").get(
        organisation=twin_org, user=twin_people["officer"]
    )
    return twin_org, twin_people, officer


def test_export_import_export_gives_the_same_register(members, application, enterprise, twin, login):
    register = build_register(members, application)
    org, people = enterprise
    twin_org, twin_people, twin_officer = twin

    first = login(people["officer"]).get("/registry/export.xlsx")
    assert first.status_code == 200
    first_bytes = download(first)
    result = register_import(member=twin_officer, workbook_bytes=first_bytes)
    assert (result.secrets, result.points, result.carriers, result.grants) == (4, 7, 4, 3)
    assert (result.designated, result.declassified) == (3, 1)
    second = login(twin_people["officer"]).get("/registry/export.xlsx")
    second_bytes = download(second)

    # The four data sheets are equal cell by cell: codes (kept), people (same names), dates, digests,
    # states, the acknowledgement time to the second.
    for name in DATA_SHEETS:
        assert sheet_values(first_bytes, name) == sheet_values(second_bytes, name), name
    secrets = sheet_values(first_bytes, cols.SECRETS.name)
    assert len(secrets) == 5 and secrets[0][0] == "编号"
    assert {row[0] for row in secrets[1:]} == {s.code for s in register.values()}
    # What must differ is only on the information sheet: the organisation and the time of export.
    # (The exporter is the same name in both.)
    info_first, info_second = (sheet_values(b, cols.INSTRUCTIONS_SHEET) for b in (first_bytes, second_bytes))
    assert len(info_first) == len(info_second)
    differing = [a[0] for a, b in zip(info_first, info_second, strict=True) if a != b]
    assert differing in (["单位"], ["单位", "导出时间"])  # the clock may tick between the two exports
    assert [r[1] for r in info_first if r[:1] == ("单位",)] == [org.name]
    assert [r[1] for r in info_second if r[:1] == ("单位",)] == [twin_org.name]


def test_what_the_import_stores(members, application, enterprise, twin, login):
    register = build_register(members, application)
    org, people = enterprise
    twin_org, twin_people, twin_officer = twin
    data = download(login(people["officer"]).get("/registry/export.xlsx"))
    deposits_before = Deposit.objects.filter(organisation=twin_org).count()

    result = register_import(member=twin_officer, workbook_bytes=data)

    imported = {s.code: s for s in TradeSecret.objects.filter(organisation=twin_org)}
    assert set(imported) == {s.code for s in register.values()}
    core = imported[register["core"].code]
    assert core.state == "designated" and core.designated_at is not None
    assert core.responsible == twin_people["employee"] and core.applicant == twin_people["officer"]
    assert str(core.value_estimate) == "120.50" and core.period_until == register["core"].period_until
    assert "模具预热曲线" in core.search_text
    declassified = imported[register["declassified"].code]
    assert declassified.state == "declassified" and declassified.declassified_at is None
    assert list(core.points.values_list("number", "title")) == [(1, "模具预热曲线"), (2, "保压时间")]

    document = Carrier.objects.get(organisation=twin_org, sha256=SHA_A)
    assert (document.sm3, document.size, document.custodian) == (SM3_A, 48213, twin_people["employee"])
    assert (document.deposit.sha256, document.deposit.sm3, document.deposit.kind) == (SHA_A, SM3_A, "file")
    destroyed = Carrier.objects.get(organisation=twin_org, state="destroyed")
    assert (destroyed.destroy_method, destroyed.destroy_witness) == ("shred", "王监销")
    assert destroyed.destroyed_on == timezone.localdate() - timedelta(days=1)

    grant = AccessGrant.objects.get(organisation=twin_org, user=twin_people["employee"])
    original = AccessGrant.objects.get(organisation=org, user=people["employee"])
    assert grant.acknowledged_at == original.acknowledged_at.replace(microsecond=0)
    assert grant.expires_on == original.expires_on and grant.granted_by == twin_people["officer"]
    assert AccessGrant.objects.filter(organisation=twin_org, position="工艺工程师").count() == 1

    # One `import` event per secret, its record deposited, holding the whole imported entry.
    events = SecretEvent.objects.filter(organisation=twin_org)
    assert sorted(events.values_list("kind", flat=True)) == ["import"] * 4
    event = events.get(secret=core)
    digest = digest_bytes(event.record.encode())
    assert (event.deposit.sha256, event.deposit.kind) == (digest.sha256, "record")
    record = json.loads(event.record)
    assert record["event"] == "import" and record["secret"] == core.code
    assert record["data"]["workbook_sha256"] == digest_bytes(data).sha256 == result.workbook_sha256
    assert [c["carrier"] for c in record["data"]["snapshot"]["carriers"]] == [
        c.code for c in Carrier.objects.filter(secret=core).order_by("id")
    ]
    # Deposits: the workbook, two electronic carriers, four records.
    assert Deposit.objects.filter(organisation=twin_org).count() - deposits_before == 1 + 2 + 4
    # One audit event for the whole import, naming every secret it created.
    [audit] = AuditEvent.objects.filter(organisation=twin_org, verb="registry.import")
    assert sorted(audit.changes["secrets_imported"]) == sorted(imported)
    assert audit.changes["workbook_sha256"] == result.workbook_sha256 and audit.changes["secrets"] == 4


def test_empty_codes_are_generated_and_children_name_the_secret(members):
    officer = members["officer"]
    year = timezone.localdate().year
    data = make_workbook(
        secrets=[secret_row("", 名称="无编号的秘密"), secret_row("", 名称="另一个")],
        points=[point_row("无编号的秘密", "密点甲"), point_row("另一个", "密点乙")],
        carriers=[{"秘密编号": "无编号的秘密", "类型": "纸质文件", "名称": "图册"}],
    )
    register_import(member=officer, workbook_bytes=data)
    short = officer.organisation.short_code
    codes = dict(TradeSecret.objects.filter(organisation=officer.organisation).values_list("name", "code"))
    assert codes == {"无编号的秘密": f"{short}-{year}-0001", "另一个": f"{short}-{year}-0002"}
    assert Carrier.objects.get(name="图册").code == f"{short}-{year}-0001-C01"
    designated_at = TradeSecret.objects.get(name="无编号的秘密").designated_at
    assert timezone.localtime(designated_at).date() == date(2024, 5, 6)


def test_a_thousand_secrets_import_in_seconds(members, capsys):
    """The bulk path: rows, events and deposits in bulk; the statements do not grow with the rows
    (beyond one per 1,000 rows of a bulk insert)."""
    officer = members["officer"]
    n = 1000
    data = make_workbook(
        secrets=[secret_row(f"B-{i:04d}", 责任人=officer.user.name) for i in range(n)],
        points=[point_row(f"B-{i:04d}", f"密点 {k}") for i in range(n) for k in (1, 2)],
        carriers=[
            {
                "秘密编号": f"B-{i:04d}",
                "类型": "电子文档",
                "名称": f"文件 {i}",
                "SHA-256": f"{i:064x}",
                "SM3": f"{i + 1:064x}",
                "大小（字节）": i,
            }
            for i in range(n)
        ],
        grants=[{"秘密编号": f"B-{i:04d}", "岗位": "研发", "知悉事由": "研发需要"} for i in range(n)],
    )
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = register_import(member=officer, workbook_bytes=data)
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nimport of {n} secrets ({len(data)} bytes): {seconds:.2f} s, {len(queries)} queries")
    assert (result.secrets, result.points, result.carriers, result.grants) == (n, 2 * n, n, n)
    assert SecretPoint.objects.filter(secret__organisation=officer.organisation).count() == 2 * n
    assert len(queries) < 100
    assert seconds < 30
