"""The self-check's system facts on known data built through the register's and the people side's
actions: exact numerators, denominators and texts; another organisation's rows never count; the
twelve-month windows include today and the first day of the window and exclude the day before."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from shangmi.apps.accounts import actions as accounts
from shangmi.apps.accounts.models import Membership
from shangmi.apps.assessment.facts import FACT_KEYS, Fact, compute_fact, compute_facts
from shangmi.apps.assessment.framework import KNOWN_FACTS
from shangmi.apps.evidence.actions import deposit_create
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.actions import agreements as agr
from shangmi.apps.people.actions import trainings as tra
from shangmi.apps.people.actions.departures import departure_close, employee_resign
from shangmi.apps.people.actions.trainings import year_before
from shangmi.apps.people.models import DepartureItem, Employee, ExternalParty, Position
from shangmi.apps.registry import actions as registry
from shangmi.apps.registry.models import AccessGrant, DesignationReview, SecretPoint, TradeSecret
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SINCE = year_before(TODAY) + timedelta(days=1)  # the first day of the twelve months
BEFORE = year_before(TODAY)  # the last day outside them
LONG_AGO = TODAY - timedelta(days=800)
PDF = b"%PDF-1.4\n% signed\n%%EOF\n"
SECRET = {
    "category": "technical",
    "subcategory": "process",
    "level": "core",
    "period_kind": "long_term",
    "period_until": None,
    "department": "研发部",
}


@pytest.fixture(autouse=True)
def own_log(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.EVIDENCE_TSA_URL = ""
    with translation.override("zh-hans"):
        yield


def memberships(org) -> dict[str, Membership]:
    rows = Membership.objects.filter(organisation=org).select_related("organisation", "user")
    return {m.role: m for m in rows}


@pytest.fixture
def a(enterprise):
    return memberships(enterprise[0])


@pytest.fixture
def b(other_enterprise):
    return memberships(other_enterprise[0])


def fact(key, org):
    return compute_fact(key, org.pk, TODAY)


def figures(key, org) -> tuple[int, int | None]:
    got = fact(key, org)
    return got.numerator, got.denominator


def apply(m, name="压铸工艺") -> TradeSecret:
    return registry.secret_apply(member=m["officer"], points=[("预热曲线", "")], name=name, **SECRET)


def designate(m, name="压铸工艺") -> TradeSecret:
    secret = apply(m, name)
    registry.secret_review(member=m["officer"], secret=secret, decision="pass", searched="专利库", found="无")
    return registry.secret_approve(member=m["manager"], secret=secret, approve=True)


def person(org, number, *, position=None, key=False, state="employed", hired_on=None) -> Employee:
    fields = {"position": position, "is_key_person": key, "state": state, "hired_on": hired_on or LONG_AGO}
    return Employee.objects.create(organisation=org, number=number, name=f"员工{number}", **fields)


def signed(m, kind, employee=None, party=None, **fields):
    agreement = agr.agreement_draft(m["officer"], kind, employee=employee, party=party, **fields)
    agr.agreement_send(m["officer"], agreement)
    return agr.agreement_sign(m["officer"], agreement, "scan.pdf", PDF, TODAY)


def training(m, held_on, **extra):
    fields = {"topic": "保密培训", "held_on": held_on, "trainer": "王老师", **extra}
    return tra.training_add(member=m["officer"], **fields)


def test_texts_and_ratios():
    nda = Fact("entrusted_nda", "签署保密协议的涉密人员", 52, 60, "/people/", empty="无涉密人员")
    assert (nda.ratio, nda.text) == (52 / 60, "签署保密协议的涉密人员：87%（52/60）")
    none = Fact("entrusted_nda", "签署保密协议的涉密人员", 0, 0, "", empty="无涉密人员")
    assert (none.ratio, none.text) == (None, "签署保密协议的涉密人员：无涉密人员（0/0）")
    count = Fact("trainings_12m", "近12个月保密培训", 4, None, "", unit="次")
    assert (count.ratio, count.text) == (None, "近12个月保密培训：4 次")
    # Never "100%" short of the whole, never "0%" above nothing.
    assert [Fact("k", "x", n, d, "").text for n, d in ((199, 200), (1, 1000), (0, 5), (5, 5))] == [
        "x：99%（199/200）",
        "x：1%（1/1000）",
        "x：0%（0/5）",
        "x：100%（5/5）",
    ]


def test_every_fact_a_framework_may_name_and_nothing_on_an_empty_register(enterprise):
    assert set(FACT_KEYS) == KNOWN_FACTS and len(FACT_KEYS) == 16
    facts = compute_facts(enterprise[0].pk, TODAY)
    assert list(facts) == list(FACT_KEYS)
    expected = {
        "officers": (1, None, "/accounts/members/"),
        "secrets_designated": (0, None, "/registry/?state=designated"),
        "secrets_level_period": (0, 0, "/registry/?state=designated"),
        "secret_points": (0, 0, "/registry/?state=designated"),
        "nonpublic_checks": (0, 0, "/registry/?state=designated"),
        "carriers_marked": (0, 0, "/registry/?unmarked=1"),
        "grants_acknowledged": (0, 0, "/registry/acknowledgements/"),
        "entrusted_nda": (0, 0, "/people/?entrusted=1&state=employed"),
        "key_noncompete": (0, 0, "/people/?key=1&state=employed"),
        "onboarding_complete": (0, 0, "/people/onboarding/"),
        "trainings_12m": (0, None, "/people/trainings/"),
        "staff_trained_12m": (0, 0, "/people/trainings/"),
        "departures_closed_12m": (0, 0, "/people/departures/"),
        "positions_graded": (0, 0, "/people/positions/"),
        "external_ndas": (0, None, "/people/agreements/?state=signed"),
    }
    assert {k: (f.numerator, f.denominator, f.url) for k, f in facts.items() if k in expected} == expected
    assert (facts["deposits_12m"].denominator, facts["deposits_12m"].url) == (None, "/evidence/")
    assert all(f.ratio is None for f in facts.values())
    assert facts["secret_points"].text == "已列明密点的商业秘密：无已定密的商业秘密（0/0）"
    assert list(compute_facts(enterprise[0].pk, TODAY, ["trainings_12m", "officers"])) == [
        "trainings_12m",
        "officers",
    ]
    with pytest.raises(KeyError):
        compute_fact("nope", enterprise[0].pk, TODAY)
    with pytest.raises(KeyError):
        compute_facts(enterprise[0].pk, TODAY, ["officers", "nope"])


def test_officers_are_active_officer_memberships(enterprise, other_enterprise, make_member, a):
    org = enterprise[0]
    make_member(org, "officer")
    gone = make_member(org, "officer")
    accounts.membership_deactivate(
        actor=a["admin"].user, membership=Membership.objects.get(user=gone, organisation=org)
    )
    make_member(other_enterprise[0], "officer")
    assert fact("officers", org).text == "专（兼）职保密员：2 人"
    assert figures("officers", other_enterprise[0]) == (2, None)


def test_designated_secrets_their_level_period_points_and_nonpublic_checks(enterprise, a, b):
    org = enterprise[0]
    designate(a, "完整")
    no_period = designate(a, "缺期限")
    TradeSecret.objects.filter(pk=no_period.pk).update(period_kind="date", period_until=None)
    common = {"organisation": org, "category": "technical", "subcategory": "process", "department": "研发部"}
    TradeSecret.objects.create(
        code="IMP-1", name="导入", level="", period_kind="long_term", state="designated", **common
    )
    unchecked = TradeSecret.objects.create(
        code="IMP-2", name="导入", level="core", period_kind="long_term", state="designated", **common
    )
    SecretPoint.objects.create(secret=unchecked, number=1, title="配比")
    DesignationReview.objects.create(
        secret=unchecked, reviewer=a["officer"].user, decision="pass", searched="", found=""
    )
    registry.secret_declassify(member=a["officer"], secret=designate(a, "已解密"), reason="published")
    apply(a, "申请中")
    designate(b, "乙")
    assert figures("secrets_designated", org) == (4, None)
    assert fact("secrets_level_period", org).text == "已确定密级和保密期限的商业秘密：50%（2/4）"
    assert figures("secret_points", org) == (3, 4)
    assert figures("nonpublic_checks", org) == (2, 4)
    assert figures("secrets_designated", b["officer"].organisation) == (1, None)


def test_carriers_marked_among_active_carriers_of_live_secrets(a, b):
    secret = designate(a)
    add = registry.carrier_add
    registry.carrier_mark(
        member=a["officer"], carrier=add(member=a["officer"], secret=secret, kind="paper", name="1")
    )
    add(member=a["officer"], secret=secret, kind="paper", name="2")
    gone = add(member=a["officer"], secret=secret, kind="paper", name="3")
    registry.carrier_mark(member=a["officer"], carrier=gone)
    registry.carrier_destroy(
        member=a["officer"], carrier=gone, method="shred", witness="李", destroyed_on=TODAY
    )
    applied = apply(a, "申请中")
    add(member=a["officer"], secret=applied, kind="sample", name="4")
    old = designate(a, "将解密")
    add(member=a["officer"], secret=old, kind="paper", name="5")
    registry.secret_declassify(member=a["officer"], secret=old, reason="published")
    registry.carrier_mark(
        member=b["officer"], carrier=add(member=b["officer"], secret=designate(b), kind="paper", name="乙")
    )
    assert fact("carriers_marked", a["officer"].organisation).text == "已标识的在用载体：33%（1/3）"


def test_grants_acknowledged_by_person_and_by_every_holder_of_a_position(
    enterprise, make_member, a, b, django_assert_num_queries
):
    org = enterprise[0]
    secret, officer = designate(a), a["officer"]
    worker, other = make_member(org), make_member(org)
    holders = [make_member(org, title="工艺工程师") for _ in range(2)]
    inspector = make_member(org, title="质检员")

    def grant(secret=secret, member=officer, **to):
        return registry.grant_add(member=member, secret=secret, reason="工作需要", **to)

    def ack(user, g):
        registry.grant_acknowledge(
            member=Membership.objects.get(user=user, organisation=g.organisation), grant=g
        )

    ack(worker, grant(user=worker))  # done
    grant(user=other)  # waiting
    ack(holders[0], grant(position="工艺工程师"))  # one of two holders: waiting
    ack(inspector, grant(position="质检员"))  # its only holder: done
    grant(position="无人岗位")  # nobody holds it: left out
    registry.grant_revoke(member=officer, grant=grant(user=a["manager"].user))
    expired = grant(user=a["employee"].user)
    AccessGrant.objects.filter(pk=expired.pk).update(expires_on=TODAY - timedelta(days=1))
    old = designate(a, "将解密")
    ack(worker, grant(secret=old, user=worker))
    registry.secret_declassify(member=officer, secret=old, reason="published")
    ack(b["employee"].user, grant(secret=designate(b), member=b["officer"], user=b["employee"].user))
    with django_assert_num_queries(3):  # grants, position holders, their acknowledgements
        got = fact("grants_acknowledged", org)
    assert got.text == "已确认知悉的有效授权：50%（2/4）"
    assert figures("grants_acknowledged", b["officer"].organisation) == (1, 1)


def test_entrusted_nda_key_noncompete_and_graded_positions(enterprise, other_enterprise, a):
    org = enterprise[0]
    core = Position.objects.create(organisation=org, name="工艺工程师", sensitivity="core")
    plain = Position.objects.create(organisation=org, name="行政", sensitivity="none")
    sales = Position.objects.create(organisation=org, name="销售", sensitivity="important")
    signed(a, "nda", person(org, "E1", position=core))
    lapsed = {"effective_on": TODAY - timedelta(days=400), "expires_on": TODAY - timedelta(days=1)}
    signed(a, "nda", person(org, "E2", position=core), **lapsed)
    e3 = person(org, "E3", position=plain, key=True)
    agr.agreement_draft(a["officer"], "nda", employee=e3)
    signed(a, "non_compete", e3, scope="铝合金压铸", region="浙江省", months=12, monthly_compensation="6000")
    signed(a, "nda", person(org, "E4", key=True))
    signed(a, "nda", person(org, "E5", position=plain))  # not entrusted
    person(org, "E6", position=core, state="onboarding")
    person(org, "E7", position=sales, state="resigning")
    ended = signed(a, "nda", person(org, "E8", position=sales))
    agr.agreement_terminate(a["officer"], ended, "调岗")
    stranger = Position.objects.create(organisation=other_enterprise[0], name="工艺", sensitivity="none")
    person(other_enterprise[0], "X1", position=stranger, key=True)
    assert fact("entrusted_nda", org).text == "签署保密协议的涉密人员：40%（2/5）"
    assert fact("key_noncompete", org).text == "签署竞业限制协议的关键人员：50%（1/2）"
    assert fact("positions_graded", org).text == "涉密人员所在岗位已定涉密等级：67%（2/3）"
    assert figures("positions_graded", other_enterprise[0]) == (0, 1)


def test_onboarding_complete_for_people_hired_in_the_window(
    enterprise, other_enterprise, a, django_assert_num_queries
):
    org = enterprise[0]

    def hired(number, day, *, complete=True, state="employed"):
        employee = person(org, number, hired_on=day, state=state)
        signed(a, "nda", employee)
        if complete:
            signed(a, "clean_hands", employee)
            tra.attendance_record(
                member=a["officer"], training=training(a, day + timedelta(days=10)), employee=employee
            )
        return employee

    hired("N1", TODAY - timedelta(days=100))
    hired("N2", TODAY - timedelta(days=100), complete=False)
    hired("N3", SINCE)  # the first day of the window
    hired("N4", BEFORE)  # the day before: outside
    person(org, "N5", hired_on=TODAY, state="onboarding")  # training still due: not complete
    person(org, "N6", hired_on=TODAY - timedelta(days=50), state="left")
    person(other_enterprise[0], "X1", hired_on=TODAY)
    with django_assert_num_queries(4):  # people, their agreements, their attendances, the policy
        got = fact("onboarding_complete", org)
    assert got.text == "近12个月入职且入职检查全部完成的人员：50%（2/4）"


def test_trainings_and_staff_trained_in_the_last_twelve_months(enterprise, other_enterprise, a, b):
    org = enterprise[0]
    today, first, old = training(a, TODAY), training(a, SINCE), training(a, BEFORE)
    training(a, TODAY + timedelta(days=1))  # not held yet
    quiz = training(a, TODAY - timedelta(days=30), pass_mark=60)
    training(b, TODAY)
    record = tra.attendance_record
    record(member=a["officer"], training=today, employee=person(org, "A1"))
    record(member=a["officer"], training=old, employee=person(org, "A2"))
    record(member=a["officer"], training=quiz, employee=person(org, "A3"), score=50)  # failed
    person(org, "A4")
    record(member=a["officer"], training=first, employee=person(org, "A5", state="onboarding"))
    record(member=a["officer"], training=first, employee=person(org, "A6"))
    person(other_enterprise[0], "X1")
    assert fact("trainings_12m", org).text == "近12个月保密培训：3 次"
    assert fact("staff_trained_12m", org).text == "近12个月参加保密培训的在职员工：40%（2/5）"
    assert figures("staff_trained_12m", other_enterprise[0]) == (0, 1)


def test_departures_closed_among_people_who_left_in_the_window(enterprise, other_enterprise, a, b):
    def leaver(m, number, last_day, *, close):
        employee = person(m["officer"].organisation, number)
        resigned = last_day - timedelta(days=30)
        departure = employee_resign(
            member=m["officer"], employee=employee, resignation_on=resigned, last_day=last_day
        )
        if close:
            DepartureItem.objects.filter(departure=departure).update(done_at=timezone.now(), outcome="done")
            departure_close(member=m["officer"], departure=departure)

    leaver(a, "D1", TODAY - timedelta(days=30), close=True)
    leaver(a, "D2", TODAY - timedelta(days=10), close=False)
    leaver(a, "D3", SINCE, close=True)
    leaver(a, "D4", BEFORE, close=True)
    leaver(a, "D5", TODAY + timedelta(days=10), close=False)  # still at work
    leaver(a, "D6", TODAY, close=False)
    leaver(b, "X1", TODAY, close=True)
    assert (
        fact("departures_closed_12m", enterprise[0]).text == "近12个月离职且离职审计已完成的人员：50%（2/4）"
    )
    assert figures("departures_closed_12m", other_enterprise[0]) == (1, 1)


def test_deposits_in_the_window_by_local_day(enterprise, other_enterprise, a):
    org = enterprise[0]
    Deposit.objects.filter(organisation=org).update(created_at=timezone.now() - timedelta(days=800))

    def deposit(at, organisation=org):
        d = digest_bytes(str(at).encode())
        digests = {"sha256": d.sha256, "sm3": d.sm3, "size": d.size}
        row = deposit_create(organisation=organisation, actor=None, kind="file", **digests)
        Deposit.objects.filter(pk=row.pk).update(created_at=at)

    local = timezone.get_current_timezone()
    deposit(datetime.combine(SINCE, time.min, tzinfo=local))
    deposit(datetime.combine(SINCE, time.min, tzinfo=local) - timedelta(seconds=1))
    deposit(datetime.combine(TODAY, time(23, 59, 59), tzinfo=local))
    deposit(datetime.combine(TODAY + timedelta(days=1), time.min, tzinfo=local))
    deposit(timezone.now(), other_enterprise[0])
    assert fact("deposits_12m", org).text == "近12个月存证：2 份"


def test_external_ndas_signed_with_parties(enterprise, other_enterprise, a, b):
    org = enterprise[0]
    supplier = ExternalParty.objects.create(organisation=org, kind="processor", name="精工模具")
    partner = ExternalParty.objects.create(organisation=org, kind="partner", name="合作方")
    signed(a, "processing_nda", party=supplier)
    pending = agr.agreement_draft(a["officer"], "cooperation_nda", party=partner)
    agr.agreement_send(a["officer"], pending)
    agr.agreement_terminate(a["officer"], signed(a, "cooperation_nda", party=partner), "合作结束")
    signed(a, "nda", person(org, "E1"))
    foreign = ExternalParty.objects.create(organisation=other_enterprise[0], kind="processor", name="乙方")
    signed(b, "processing_nda", party=foreign)
    assert fact("external_ndas", org).text == "与外部单位签署的保密协议：1 份"
