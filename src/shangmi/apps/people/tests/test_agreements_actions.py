"""Agreement and non-compete actions: drafting with generated numbers and documents, the state machine
(illegal steps refused in Chinese and nothing changed), the signed scan deposited, the 24-month limit,
payments, the three-month unpaid warning and the decision at departure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.actions import agreements as actions
from shangmi.apps.people.actions import non_compete
from shangmi.apps.people.actions.parties import party_add, party_update
from shangmi.apps.people.documents.agreements import TEMPLATE_VERSION
from shangmi.apps.people.models import Agreement, CompensationPayment, NonCompeteTerms, PersonEvent
from shangmi.apps.people.storage import read_document
from shangmi.apps.registry.actions.validation import TransitionRefused
from shangmi.engines.tlog.material import digest_bytes

from .test_agreements_support import PDF, TERMS, draft, employee, party, signed, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(enterprise):
    return employee(enterprise[0])


def test_draft_numbers_per_year_and_keeps_the_generated_document(members, person):
    officer = members["officer"]
    year = timezone.localdate().year
    first = draft(officer, "nda", person, effective_on=date(2026, 1, 1), expires_on=date(2029, 12, 31))
    second = draft(officer, "clean_hands", person)
    assert (first.number, second.number) == (f"AGR-{year}-0001", f"AGR-{year}-0002")
    assert (first.state, first.template_version, first.created_by) == (
        "draft",
        TEMPLATE_VERSION,
        officer.user,
    )
    data = read_document(first.organisation_id, first.generated_sha256)
    assert digest_bytes(data).sha256 == first.generated_sha256 and data.startswith(b"PK")
    [event] = PersonEvent.objects.filter(agreement=first)
    assert (event.kind, event.employee, event.deposit.kind) == ("agr_draft", person, "record")
    assert first.generated_sha256 in event.record and first.number in event.record


def test_custom_number_must_be_unique(members, person):
    draft(members["officer"], "nda", person, number="BM-001")
    before = stored()
    with pytest.raises(ValidationError) as error:
        draft(members["officer"], "nda", person, number="BM-001")
    assert error.value.message_dict == {"number": ["协议编号“BM-001”已被使用"]}
    assert stored() == before


def test_kinds_need_the_right_counterparty(members, enterprise, other_enterprise, person):
    officer = members["officer"]
    supplier = party(enterprise[0])
    before = stored()
    with pytest.raises(ValidationError) as error:
        draft(officer, "nda", None)
    assert error.value.message_dict == {"employee": ["“员工保密合同”须与员工签订，请选择员工"]}
    with pytest.raises(ValidationError) as error:
        draft(officer, "processing_nda", person)
    assert error.value.message_dict == {
        "party": ["“委托加工保密合同”须与外部单位签订，请选择外部单位"],
        "employee": ["与外部单位签订的协议不填写员工"],
    }
    foreign = employee(other_enterprise[0], number="X1", name="外人")
    with pytest.raises(ValidationError) as error:
        draft(officer, "nda", foreign)
    assert error.value.message_dict == {"employee": ["不是本单位登记的员工"]}
    with pytest.raises(ValidationError) as error:
        draft(officer, "bogus", person)
    assert list(error.value.message_dict) == ["kind"]
    with pytest.raises(ValidationError) as error:
        draft(officer, "nda", person, effective_on=date(2026, 5, 1), expires_on=date(2026, 4, 1))
    assert error.value.message_dict == {"expires_on": ["到期日期应晚于生效日期"]}
    assert stored() == before
    agreement = draft(officer, "processing_nda", None, supplier)
    assert (agreement.party, agreement.employee, agreement.counterparty) == (supplier, None, supplier.name)


def test_only_officers_and_admins_draft(members, person):
    before = stored()
    for role in ("manager", "employee"):
        with pytest.raises(PermissionDenied):
            draft(members[role], "nda", person)
    assert stored() == before
    assert draft(members["admin"], "nda", person).state == "draft"


def test_send_sign_and_the_scan_is_deposited(members, person):
    officer = members["officer"]
    agreement = actions.agreement_send(officer, draft(officer, "nda", person))
    assert agreement.state == "sent" and agreement.sent_at is not None
    today = timezone.localdate()
    agreement = actions.agreement_sign(officer, agreement, "../签署件.pdf", PDF, today)
    digest = digest_bytes(PDF)
    agreement.refresh_from_db()
    assert (agreement.state, agreement.signed_on, agreement.effective_on) == ("signed", today, today)
    assert (agreement.scan_name, agreement.scan_sha256, agreement.scan_size) == (
        "签署件.pdf",
        digest.sha256,
        len(PDF),
    )
    deposit = Deposit.objects.get(pk=agreement.scan_deposit_id)
    assert (deposit.kind, deposit.sha256, deposit.sm3, deposit.size) == (
        "file",
        digest.sha256,
        digest.sm3,
        len(PDF),
    )
    assert read_document(agreement.organisation_id, digest.sha256) == PDF
    kinds = list(PersonEvent.objects.filter(agreement=agreement).values_list("kind", flat=True))
    assert kinds == ["agr_draft", "agr_send", "agr_sign"]
    assert digest.sha256 in PersonEvent.objects.get(agreement=agreement, kind="agr_sign").record


def test_sign_refuses_bad_input_and_writes_nothing(members, person):
    officer = members["officer"]
    agreement = actions.agreement_send(officer, draft(officer, "nda", person))
    before = stored()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        actions.agreement_sign(officer, agreement, "scan.exe", b"MZ\x90\x00", tomorrow)
    assert error.value.message_dict == {
        "signed_on": ["签署日期不能晚于今天"],
        "file": ["只接受 PDF、图片（PNG/JPG）、Office 文件或 UTF-8 文本（.txt/.csv/.log）"],
    }
    with pytest.raises(ValidationError) as error:
        actions.agreement_sign(officer, agreement, "", b"", None)
    assert error.value.message_dict == {"signed_on": ["请填写签署日期"], "file": ["文件是空的"]}
    assert stored() == before


def test_illegal_transitions_are_refused_in_chinese_and_change_nothing(members, person):
    officer = members["officer"]
    agreement = signed(officer, "nda", person)
    before = stored()
    with pytest.raises(TransitionRefused) as error:
        actions.agreement_send(officer, agreement)
    assert error.value.messages == [
        f"协议“{agreement.number}”当前状态为“已签署”，不能发送；只有“草稿”状态可以。"
    ]
    with pytest.raises(TransitionRefused) as error:
        actions.agreement_sign(officer, agreement, "scan.pdf", PDF, timezone.localdate())
    assert "不能登记签署；只有“草稿、已发送”状态可以" in error.value.messages[0]
    with pytest.raises(TransitionRefused):
        actions.agreement_expire(agreement)  # no expiry date
    assert stored() == before
    with pytest.raises(ValidationError) as error:
        actions.agreement_terminate(officer, agreement, "  ")
    assert error.value.message_dict == {"reason": ["请写明终止原因"]}
    assert stored() == before
    ended = actions.agreement_terminate(officer, agreement, "劳动合同解除，改签新协议")
    assert (ended.state, ended.termination_reason) == ("terminated", "劳动合同解除，改签新协议")
    before = stored()
    with pytest.raises(TransitionRefused) as error:
        actions.agreement_terminate(officer, ended, "再次终止")
    assert "当前状态为“已终止”，不能终止" in error.value.messages[0]
    assert stored() == before


def test_steps_need_an_officer(members, person):
    agreement = draft(members["officer"], "nda", person)
    before = stored()
    for role in ("manager", "employee"):
        with pytest.raises(PermissionDenied):
            actions.agreement_send(members[role], agreement)
        with pytest.raises(PermissionDenied):
            actions.agreement_sign(members[role], agreement, "s.pdf", PDF, timezone.localdate())
        with pytest.raises(PermissionDenied):
            actions.agreement_terminate(members[role], agreement, "x")
    assert stored() == before


def test_expire_marks_signed_agreements_past_their_date(members, person):
    officer = members["officer"]
    today = timezone.localdate()
    agreement = signed(officer, "nda", person, expires_on=today + timedelta(days=10))
    with pytest.raises(TransitionRefused):
        actions.agreement_expire(agreement, today=today)
    expired = actions.agreement_expire(agreement, today=today + timedelta(days=11))
    assert expired.state == "expired"
    event = PersonEvent.objects.get(agreement=agreement, kind="agr_expire")
    assert (event.actor, event.employee) == (None, person)


# --- non-compete ------------------------------------------------------------------------------------


def test_non_compete_terms_are_set_at_draft(members, person):
    agreement = draft(members["officer"], "non_compete", person)
    terms = NonCompeteTerms.objects.get(agreement=agreement)
    assert (terms.scope, terms.region, terms.months, terms.monthly_compensation, terms.decision) == (
        TERMS["scope"],
        TERMS["region"],
        12,
        Decimal("6000.00"),
        "pending",
    )


def test_twenty_five_months_is_refused_citing_the_law_and_nothing_is_written(members, person):
    before = stored()
    with pytest.raises(ValidationError) as error:
        draft(members["officer"], "non_compete", person, months=25)
    assert error.value.message_dict == {
        "months": [
            "竞业限制期限不得超过二十四个月（《中华人民共和国劳动合同法》第二十四条），填写的是 25 个月"
        ]
    }
    assert stored() == before
    assert Agreement.objects.count() == 0
    assert draft(members["officer"], "non_compete", person, months=24).non_compete.months == 24


def test_non_compete_needs_every_term(members, person):
    before = stored()
    with pytest.raises(ValidationError) as error:
        draft(
            members["officer"],
            "non_compete",
            person,
            scope="",
            region="",
            months="",
            monthly_compensation="0",
        )
    assert error.value.message_dict == {
        "scope": ["请写明竞业限制的范围：哪些业务、产品或竞争单位"],
        "region": ["请写明竞业限制的地域范围"],
        "months": ["请填写竞业限制期限（月）"],
        "monthly_compensation": ["月补偿金应大于 0 元：没有补偿的竞业限制对劳动者没有约束力"],
    }
    assert stored() == before


def test_add_months():
    assert non_compete.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert non_compete.add_months(date(2026, 3, 31), 24) == date(2028, 3, 31)
    assert non_compete.add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


@pytest.fixture
def leaver(enterprise):
    """An employee whose last day was a little over four months ago."""
    last_day = non_compete.add_months(timezone.localdate(), -4).replace(day=1) - timedelta(days=1)
    return employee(enterprise[0], number="E900", name="李四", state="resigning", last_day=last_day)


def test_decide_enforce_sets_the_period_from_the_last_day(members, leaver):
    officer = members["officer"]
    agreement = signed(officer, "non_compete", leaver, signed_on=timezone.localdate() - timedelta(days=1))
    terms = non_compete.non_compete_decide(officer, agreement, "enforce", "")
    assert (terms.decision, terms.starts_on, terms.ends_on, terms.decided_by) == (
        "enforce",
        leaver.last_day + timedelta(days=1),
        non_compete.add_months(leaver.last_day, 12),
        officer.user,
    )
    assert terms.decided_at is not None
    event = PersonEvent.objects.get(agreement=agreement, kind="nc_decision")
    assert event.employee == leaver and '"decision":"enforce"' in event.record
    before = stored()
    with pytest.raises(TransitionRefused) as error:
        non_compete.non_compete_decide(officer, agreement, "waive", "改变主意")
    assert error.value.messages == [f"“{agreement.number}”已作出竞业限制决定：履行竞业限制"]
    assert stored() == before


def test_waive_needs_a_reason_and_enforce_a_signed_agreement(members, leaver):
    officer = members["officer"]
    agreement = draft(officer, "non_compete", leaver)
    nda = draft(officer, "nda", leaver)
    before = stored()
    with pytest.raises(ValidationError) as error:
        non_compete.non_compete_decide(officer, agreement, "waive", " ")
    assert error.value.message_dict == {"reason": ["放弃竞业限制时请写明理由"]}
    with pytest.raises(TransitionRefused) as error:
        non_compete.non_compete_decide(officer, agreement, "enforce", "")
    assert "只有已签署的竞业限制协议可以履行" in error.value.messages[0]
    with pytest.raises(TransitionRefused):
        non_compete.non_compete_decide(officer, nda, "waive", "x")
    with pytest.raises(PermissionDenied):
        non_compete.non_compete_decide(members["manager"], agreement, "waive", "x")
    assert stored() == before
    terms = non_compete.non_compete_decide(officer, agreement, "waive", "该员工未接触核心技术")
    assert (terms.decision, terms.decision_reason, terms.starts_on) == ("waive", "该员工未接触核心技术", None)


def test_enforce_needs_the_last_day(members, person):
    officer = members["officer"]
    agreement = signed(officer, "non_compete", person)
    before = stored()
    with pytest.raises(TransitionRefused) as error:
        non_compete.non_compete_decide(officer, agreement, "enforce", "")
    assert error.value.messages == ["张三 尚未确定最后工作日，无法确定竞业限制的起止日期"]
    assert stored() == before


@pytest.fixture
def enforced(members, leaver):
    agreement = signed(members["officer"], "non_compete", leaver)
    non_compete.non_compete_decide(members["officer"], agreement, "enforce", "")
    return Agreement.objects.get(pk=agreement.pk)


def test_three_unpaid_months_warn_and_a_payment_ends_the_streak(members, enforced):
    terms = enforced.non_compete
    today = timezone.localdate()
    # The restriction started on the first of the month four months ago: four months have ended unpaid.
    assert terms.starts_on == non_compete.add_months(today, -4).replace(day=1)
    assert non_compete.unpaid_streak(terms, today) == 4
    assert non_compete.unpaid_warning(terms, today)
    latest = non_compete.add_months(today, -1).replace(day=1)
    payment = non_compete.payment_record(
        members["officer"], enforced, latest, "6000", today, reference="银行回单 0001"
    )
    assert (payment.month, payment.amount, payment.reference) == (latest, Decimal("6000.00"), "银行回单 0001")
    assert non_compete.unpaid_streak(terms, today) == 0 and not non_compete.unpaid_warning(terms, today)
    event = PersonEvent.objects.get(agreement=enforced, kind="compensation")
    assert event.employee == enforced.employee
    # Two months: no warning yet.
    CompensationPayment.objects.all().delete()
    for months_back in (3, 4):
        non_compete.payment_record(
            members["officer"], enforced, non_compete.add_months(today, -months_back), "6000", today
        )
    assert non_compete.unpaid_streak(terms, today) == 2 and not non_compete.unpaid_warning(terms, today)


def test_payments_one_per_month_and_checked(members, enforced):
    officer = members["officer"]
    today = timezone.localdate()
    month = enforced.non_compete.starts_on
    non_compete.payment_record(officer, enforced, month + timedelta(days=3), "6000", today)
    assert CompensationPayment.objects.get().month == month  # kept as the month's first day
    before = stored()
    with pytest.raises(ValidationError) as error:
        non_compete.payment_record(officer, enforced, month, "-1", today + timedelta(days=1), "x" * 65)
    assert error.value.message_dict == {
        "month": [f"{month:%Y-%m} 的补偿已登记"],
        "amount": ["金额应为大于 0 的数字（元）"],
        "paid_on": ["支付日期不能晚于今天"],
        "reference": ["凭证号最长 64 字"],
    }
    with pytest.raises(ValidationError) as error:
        non_compete.payment_record(officer, enforced, month - timedelta(days=40), "6000", today)
    assert list(error.value.message_dict) == ["month"]
    with pytest.raises(PermissionDenied):
        non_compete.payment_record(members["employee"], enforced, month, "6000", today)
    assert stored() == before


def test_payments_need_an_enforced_non_compete(members, leaver):
    officer = members["officer"]
    agreement = draft(officer, "non_compete", leaver)
    before = stored()
    with pytest.raises(TransitionRefused) as error:
        non_compete.payment_record(officer, agreement, timezone.localdate(), "6000", timezone.localdate())
    assert "尚未决定履行竞业限制" in error.value.messages[0]
    assert stored() == before
    assert non_compete.unpaid_streak(agreement.non_compete, timezone.localdate()) == 0


# --- parties ----------------------------------------------------------------------------------------


def test_party_add_and_update(members):
    officer = members["officer"]
    supplier = party_add(member=officer, kind="supplier", name=" 甬江材料有限公司 ", contact="陈工")
    assert (supplier.name, supplier.kind, supplier.contact) == ("甬江材料有限公司", "supplier", "陈工")
    before = stored()
    with pytest.raises(ValidationError) as error:
        party_add(member=officer, kind="alien", name="甬江材料有限公司")
    assert error.value.message_dict == {
        "kind": ["类型应为：供应商、委托加工方、合作伙伴、外部专家、其他"],
        "name": ["已登记名为“甬江材料有限公司”的外部单位"],
    }
    with pytest.raises(PermissionDenied):
        party_add(member=members["manager"], kind="supplier", name="某公司")
    assert stored() == before
    updated = party_update(
        member=officer, party=supplier, kind="partner", name="甬江材料有限公司", phone="123"
    )
    assert (updated.kind, updated.phone) == ("partner", "123")
