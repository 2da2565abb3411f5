"""The agreement pages: the list (filters, pagination, warnings, Excel export), drafting, the agreement's
page with its downloads and steps (send, sign with the scan, terminate, payments, the decision), and the
external parties. Each route: anonymous sent to log in, another enterprise 404, the employee refused,
the happy path, and bad input that writes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shangmi.apps.people.actions import agreements as actions
from shangmi.apps.people.actions import non_compete
from shangmi.apps.people.models import Agreement, CompensationPayment, ExternalParty
from shangmi.apps.people.storage import read_document
from shangmi.engines.tlog.material import digest_bytes

from .test_agreements_document import text_of
from .test_agreements_support import PDF, TERMS, draft, employee, party, signed, stored, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(enterprise):
    return employee(enterprise[0])


@pytest.fixture
def agreement(members, person):
    return draft(members["officer"], "nda", person)


def _routes(a, p) -> dict[str, str]:
    base = f"/people/agreements/{a.pk}"
    return {
        "list": "/people/agreements/",
        "new": "/people/agreements/new/",
        "export": "/people/agreements/export.xlsx",
        "detail": f"{base}/",
        "document": f"{base}/document.docx",
        "send": f"{base}/send/",
        "sign": f"{base}/sign/",
        "terminate": f"{base}/terminate/",
        "payments": f"{base}/payments/",
        "decide": f"{base}/decide/",
        "parties": "/people/parties/",
        "party_new": "/people/parties/new/",
        "party_edit": f"/people/parties/{p.pk}/edit/",
    }


def test_anonymous_is_sent_to_log_in(client, enterprise, agreement):
    for name, url in _routes(agreement, party(enterprise[0])).items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    assert client.get(f"/people/agreements/{agreement.pk}/scan/").status_code == 302


def test_other_enterprise_finds_nothing(login, enterprise, other_enterprise, agreement):
    routes = _routes(agreement, party(enterprise[0]))
    before = stored()
    for role in ("officer", "admin", "manager"):
        client = login(other_enterprise[1][role])
        for name in ("detail", "document", "sign", "terminate", "payments", "decide", "party_edit"):
            assert client.get(routes[name]).status_code == 404, (role, name)
        for name in ("send", "sign", "terminate", "payments", "decide", "party_edit"):
            assert client.post(routes[name], {"reason": "x"}).status_code == 404, (role, name)
        assert client.get(f"/people/agreements/{agreement.pk}/scan/").status_code == 404
        assert agreement.number not in client.get(routes["list"]).content.decode()
    assert stored() == before


def test_employee_sees_only_their_own_agreements_and_manages_nothing(login, enterprise, members, agreement):
    org, people = enterprise
    own = employee(org, number="E002", name="本人", user=people["employee"])
    mine = draft(members["officer"], "clean_hands", own)
    client = login(people["employee"])
    listing = client.get("/people/agreements/").content.decode()
    assert mine.number in listing and agreement.number not in listing
    assert 'id="agreement-new"' not in listing and 'id="agreements-export"' not in listing
    assert client.get(f"/people/agreements/{mine.pk}/").status_code == 200
    assert client.get(f"/people/agreements/{mine.pk}/document.docx").status_code == 200
    assert client.get(f"/people/agreements/{agreement.pk}/").status_code == 404
    routes = _routes(mine, party(org))
    before = stored()
    for name in ("new", "export", "sign", "terminate", "payments", "decide", "parties", "party_new"):
        assert client.get(routes[name]).status_code == 403, name
    assert client.get(routes["party_edit"]).status_code == 404
    for name in ("send", "sign", "terminate", "payments", "decide", "new", "party_new"):
        assert client.post(routes[name], {"reason": "x", "kind": "nda"}).status_code == 403, name
    assert stored() == before


def test_manager_reads_but_does_not_act(login, enterprise, agreement):
    client = login(enterprise[1]["manager"])
    page = client.get(f"/people/agreements/{agreement.pk}/").content.decode()
    assert agreement.number in page and 'id="agreement-send"' not in page
    assert client.get("/people/agreements/export.xlsx").status_code == 200
    before = stored()
    assert client.post(f"/people/agreements/{agreement.pk}/send/").status_code == 403
    assert client.get("/people/agreements/new/").status_code == 403
    assert stored() == before


def test_list_filters_and_pages(login, enterprise, members, person):
    officer = members["officer"]
    supplier = party(enterprise[0])
    nda = draft(officer, "nda", person)
    processing = draft(officer, "processing_nda", None, supplier)
    actions.agreement_send(officer, processing)
    client = login(enterprise[1]["officer"])
    page = client.get("/people/agreements/").content.decode()
    assert nda.number in page and processing.number in page
    page = client.get("/people/agreements/", {"kind": "processing_nda"}).content.decode()
    assert processing.number in page and nda.number not in page
    page = client.get("/people/agreements/", {"state": "draft"}).content.decode()
    assert nda.number in page and processing.number not in page
    page = client.get("/people/agreements/", {"q": "精工"}).content.decode()
    assert processing.number in page and nda.number not in page
    page = client.get("/people/agreements/", {"q": "E001"}).content.decode()
    assert nda.number in page and processing.number not in page
    for _n in range(50):
        draft(officer, "clean_hands", person)
    first = client.get("/people/agreements/")
    assert len(first.context["page"].object_list) == 50 and first.context["page"].paginator.count == 52
    second = client.get("/people/agreements/", {"page": 2}).content.decode()
    assert nda.number in second  # the oldest come last


@pytest.fixture
def enforced(members, enterprise):
    today = timezone.localdate()
    last_day = non_compete.add_months(today, -4).replace(day=1) - timedelta(days=1)
    leaver = employee(enterprise[0], number="E900", name="李四", state="resigning", last_day=last_day)
    agreement = signed(members["officer"], "non_compete", leaver)
    non_compete.non_compete_decide(members["officer"], agreement, "enforce", "")
    return Agreement.objects.get(pk=agreement.pk)


def test_unpaid_warning_on_the_list_and_the_page(login, enterprise, enforced, agreement):
    client = login(enterprise[1]["officer"])
    listing = client.get("/people/agreements/").content.decode()
    assert 'id="unpaid-warnings"' in listing and "已连续 4 个月未支付" in listing
    assert "补偿连续 4 个月未付" in listing
    only = client.get("/people/agreements/", {"unpaid": "1"}).content.decode()
    assert enforced.number in only and agreement.number not in only
    page = client.get(f"/people/agreements/{enforced.pk}/").content.decode()
    assert 'id="unpaid-warning"' in page and "竞业限制补偿已连续 4 个月未支付" in page
    assert 'id="payment-new"' in page


def test_export_xlsx(login, enterprise, enforced, agreement):
    response = login(enterprise[1]["officer"]).get("/people/agreements/export.xlsx", {"kind": "non_compete"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["协议台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("协议编号", "协议类型", "签署对象")
    assert len(rows) == 2
    assert rows[1][0] == enforced.number and rows[1][2] == "李四" and rows[1][-1] == 4
    assert rows[1][9] == digest_bytes(PDF).sha256


def test_new_agreement_page(login, enterprise, person):
    client = login(enterprise[1]["officer"])
    page = client.get(
        "/people/agreements/new/", {"employee": person.pk, "kind": "non_compete"}
    ).content.decode()
    assert 'id="non-compete-fields"' in page and f'<option value="{person.pk}" selected>' in page
    response = client.post(
        "/people/agreements/new/",
        {"kind": "non_compete", "employee": str(person.pk), "party": "", "number": "", **TERMS},
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/agreements/{agreement.pk}/"
    assert agreement.non_compete.months == 12 and agreement.generated_sha256


def test_new_agreement_refuses_25_months_and_writes_nothing(login, enterprise, person):
    client = login(enterprise[1]["officer"])
    before = stored()
    response = client.post(
        "/people/agreements/new/",
        {"kind": "non_compete", "employee": str(person.pk), **{**TERMS, "months": "25"}},
    )
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {
        "months": [
            "竞业限制期限不得超过二十四个月（《中华人民共和国劳动合同法》第二十四条），填写的是 25 个月"
        ]
    }
    response = client.post("/people/agreements/new/", {"kind": "nda", "employee": ""})
    assert response.context["form"].errors == {"employee": ["“员工保密合同”须与员工签订，请选择员工"]}
    assert stored() == before


def test_detail_and_document_download(login, enterprise, agreement):
    client = login(enterprise[1]["officer"])
    page = client.get(f"/people/agreements/{agreement.pk}/").content.decode()
    assert agreement.generated_sha256 in page and 'id="agreement-send"' in page and "张三" in page
    response = client.get(f"/people/agreements/{agreement.pk}/document.docx")
    assert response.status_code == 200
    assert digest_bytes(response.content).sha256 == agreement.generated_sha256
    assert "张三" in text_of(response.content)
    assert client.get(f"/people/agreements/{agreement.pk}/scan/").status_code == 404  # not signed yet


def test_send_sign_and_download_the_scan(login, enterprise, agreement):
    client = login(enterprise[1]["officer"])
    response = client.post(f"/people/agreements/{agreement.pk}/send/")
    assert response.status_code == 302 and Agreement.objects.get().state == "sent"
    url = f"/people/agreements/{agreement.pk}/sign/"
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    today = timezone.localdate()
    response = client.post(url, {"file": upload(), "signed_on": today.isoformat()})
    assert response.status_code == 302 and response["Location"] == f"/people/agreements/{agreement.pk}/"
    agreement.refresh_from_db()
    assert (agreement.state, agreement.signed_on, agreement.scan_sha256) == (
        "signed",
        today,
        digest_bytes(PDF).sha256,
    )
    assert agreement.scan_deposit.sha256 == digest_bytes(PDF).sha256
    scan = client.get(f"/people/agreements/{agreement.pk}/scan/")
    assert scan.status_code == 200 and scan.content == PDF and scan["Content-Type"] == "application/pdf"
    page = client.get(f"/people/agreements/{agreement.pk}/").content.decode()
    assert 'id="scan-sha256"' in page and 'id="download-scan"' in page
    # Signed: the sign page says why it cannot be signed again, and a POST changes nothing.
    before = stored()
    assert "当前状态为“已签署”，不能登记签署" in client.get(url).content.decode()
    response = client.post(url, {"file": upload(), "signed_on": today.isoformat()})
    assert response.status_code == 200 and "不能登记签署" in response.content.decode()
    assert client.post(f"/people/agreements/{agreement.pk}/send/").status_code == 302
    assert stored() == before


def test_sign_bad_input_writes_nothing(login, enterprise, agreement):
    client = login(enterprise[1]["officer"])
    before = stored()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/people/agreements/{agreement.pk}/sign/",
        {"file": upload(b"MZ\x90", "virus.exe"), "signed_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {
        "file": ["只接受 PDF、图片（PNG/JPG）、Office 文件或 UTF-8 文本（.txt/.csv/.log）"],
        "signed_on": ["签署日期不能晚于今天"],
    }


def test_terminate_page(login, enterprise, agreement):
    client = login(enterprise[1]["officer"])
    url = f"/people/agreements/{agreement.pk}/terminate/"
    before = stored()
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors == {"reason": ["请写明终止原因"]}
    assert stored() == before
    response = client.post(url, {"reason": "合作取消"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.state, agreement.termination_reason) == ("terminated", "合作取消")


def test_payments_page(login, enterprise, enforced):
    client = login(enterprise[1]["officer"])
    url = f"/people/agreements/{enforced.pk}/payments/"
    month = enforced.non_compete.starts_on
    before = stored()
    response = client.post(url, {"month": month.strftime("%Y-%m"), "amount": "0", "paid_on": ""})
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {
        "amount": ["金额应为大于 0 的数字（元）"],
        "paid_on": ["请填写支付日期"],
    }
    today = timezone.localdate().isoformat()
    response = client.post(
        url, {"month": month.strftime("%Y-%m"), "amount": "6000", "paid_on": today, "reference": "HD01"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#payments")
    payment = CompensationPayment.objects.get()
    assert (payment.month, str(payment.amount), payment.reference) == (month, "6000.00", "HD01")
    assert "HD01" in client.get(f"/people/agreements/{enforced.pk}/").content.decode()


def test_payments_page_refuses_a_pending_non_compete(login, enterprise, members, person):
    agreement = draft(members["officer"], "non_compete", person)
    client = login(enterprise[1]["officer"])
    url = f"/people/agreements/{agreement.pk}/payments/"
    assert "尚未决定履行竞业限制" in client.get(url).content.decode()
    before = stored()
    response = client.post(url, {"month": "2026-01", "amount": "1", "paid_on": "2026-01-31"})
    assert response.status_code == 200 and stored() == before


def test_decide_page(login, enterprise, members, person):
    agreement = draft(members["officer"], "non_compete", person)
    client = login(enterprise[1]["officer"])
    url = f"/people/agreements/{agreement.pk}/decide/"
    assert 'type="radio" name="decision" value="enforce"' in client.get(url).content.decode()
    before = stored()
    response = client.post(url, {"decision": "waive", "reason": ""})
    assert response.context["form"].errors == {"reason": ["放弃竞业限制时请写明理由"]}
    assert stored() == before
    response = client.post(url, {"decision": "waive", "reason": "岗位不接触核心技术"})
    assert response.status_code == 302
    terms = Agreement.objects.get().non_compete
    assert (terms.decision, terms.decision_reason, terms.decided_by) == (
        "waive",
        "岗位不接触核心技术",
        members["officer"].user,
    )
    assert "已作出竞业限制决定：放弃竞业限制" in client.get(url).content.decode()


def test_parties_pages(login, enterprise):
    client = login(enterprise[1]["officer"])
    before = stored()
    response = client.post("/people/parties/new/", {"kind": "", "name": ""})
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {
        "kind": ["类型应为：供应商、委托加工方、合作伙伴、外部专家、其他"],
        "name": ["请填写单位或个人名称"],
    }
    response = client.post("/people/parties/new/", {"kind": "expert", "name": "刘教授", "contact": "刘教授"})
    assert response.status_code == 302 and response["Location"] == "/people/parties/"
    expert = ExternalParty.objects.get()
    assert (expert.kind, expert.organisation) == ("expert", enterprise[0])
    listing = client.get("/people/parties/").content.decode()
    assert "刘教授" in listing and f"/people/parties/{expert.pk}/edit/" in listing
    response = client.post(
        f"/people/parties/{expert.pk}/edit/", {"kind": "expert", "name": "刘教授", "phone": "139"}
    )
    assert response.status_code == 302 and ExternalParty.objects.get().phone == "139"
    manager = login(enterprise[1]["manager"])
    assert "刘教授" in manager.get("/people/parties/").content.decode()
    assert manager.get(f"/people/parties/{expert.pk}/edit/").status_code == 403


def test_generated_file_is_kept_as_generated(members, agreement):
    data = read_document(agreement.organisation_id, agreement.generated_sha256)
    assert digest_bytes(data).sha256 == agreement.generated_sha256
