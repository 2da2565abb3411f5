"""The programme through its actions: draft → submit → county review (return, resubmit, recommend) →
city acceptance → notice with objections → recognition → annual review → revocation and the two-year ban;
jurisdiction and illegal steps that change nothing; notifications and audit at each step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from shangmi.apps.accounts.models import Notification
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.bases import actions, checklist
from shangmi.apps.bases.models import AppState, BaseApplication
from shangmi.apps.bases.queries import access_application, applications_of

pytestmark = pytest.mark.django_db

FORM = {
    "head": "王越",
    "address": "越城区解放大道 1 号",
    "postcode": "312000",
    "contact": "李保密",
    "contact_title": "保密员",
    "phone": "0575-88001234",
    "work_summary": "成立领导小组，建立台账，全员培训。",
    "size": "120",
    "output_value": "35000.5",
}
CHECKLIST = {
    k: "yes" for k in ("organisation", "guarantee", "rules", "training", "key_positions", "no_infringement")
}


def _submitted(p) -> BaseApplication:
    a = actions.application_create(member=p.officer, kind="point", level="city")
    a = actions.application_update(member=p.officer, application=a, data=FORM, checklist_input=CHECKLIST)
    return actions.application_submit(member=p.officer, application=a)


def _recognised(p) -> BaseApplication:
    a = _submitted(p)
    actions.application_review(member=p.county, application=a, recommend=True, opinion="同意推荐")
    actions.application_accept(
        member=p.city,
        application=a,
        prereview_notes="材料齐全",
        site_notes="现场核查",
        opinion="通过",
        passed=True,
    )
    today = timezone.localdate()
    actions.notice_publish(
        member=p.city, application=a, start=today - timedelta(days=10), end=today - timedelta(days=3)
    )
    return actions.application_recognise(
        member=p.city, application=a, document_number="绍市监竞〔2026〕12号", recognised_on=today
    )


def test_a_point_from_draft_to_recognition(programme):
    p = programme.people
    draft = actions.application_create(member=p.officer, kind="point", level="city")
    assert draft.state == AppState.DRAFT and draft.name == "绍兴越秀纺织有限公司"
    assert draft.district.code == "330602" and draft.address.startswith("越城区")
    # Pre-filled from the platform (here one officer and no self-check), with the evidence kept.
    assert set(draft.checklist) >= {"_evidence"}

    a = actions.application_update(member=p.officer, application=draft, data=FORM, checklist_input=CHECKLIST)
    assert checklist.all_met(checklist.evaluate(a))
    a = actions.application_submit(member=p.officer, application=a)
    assert a.state == AppState.SUBMITTED
    assert Notification.objects.filter(recipient=p.county.user, title__contains="待审核推荐").exists()
    # Drafts are the applicant's; once submitted the county and the city see it, another county does not.
    assert access_application(p.county, a.pk) and access_application(p.city, a.pk)
    with pytest.raises(Http404):
        access_application(p.other_county, a.pk)

    # The county returns it; the applicant edits and resubmits; the county recommends.
    actions.application_review(member=p.county, application=a, recommend=False, opinion="请补充培训记录")
    a.refresh_from_db()
    assert a.state == AppState.RETURNED and a.editable
    assert Notification.objects.filter(recipient=p.officer.user, title__contains="退回").exists()
    actions.application_update(
        member=p.officer, application=a, data={"work_summary": "补充：2026 年培训 3 次"}
    )
    actions.application_submit(member=p.officer, application=a)
    actions.application_review(member=p.county, application=a, recommend=True, opinion="同意推荐")
    a.refresh_from_db()
    assert a.state == AppState.RECOMMENDED and a.recommend_opinion == "同意推荐"
    assert Notification.objects.filter(recipient=p.city.user, title__contains="待验收").exists()

    # The city accepts with notes and an attachment, then notices, takes an objection, dismisses it, recognises.
    actions.attachment_add(
        member=p.city, application=a, uploaded=SimpleUploadedFile("现场.jpg", b"\xff\xd8photo")
    )
    actions.application_accept(
        member=p.city,
        application=a,
        prereview_notes="材料齐全",
        site_notes="现场核查",
        opinion="通过",
        passed=True,
    )
    today = timezone.localdate()
    actions.notice_publish(
        member=p.city, application=a, start=today - timedelta(days=7), end=today - timedelta(days=1)
    )
    objection = actions.objection_add(
        member=p.city,
        application=a,
        raised_by="某竞争企业",
        content="培训记录不实",
        received_on=today - timedelta(days=2),
    )
    with pytest.raises(ValidationError, match="未处理的公示异议"):
        actions.application_recognise(
            member=p.city, application=a, document_number="绍市监竞〔2026〕12号", recognised_on=today
        )
    actions.objection_resolve(member=p.city, objection=objection, upheld=False, note="经核查培训记录属实")
    a = actions.application_recognise(
        member=p.city, application=a, document_number="绍市监竞〔2026〕12号", recognised_on=today
    )
    assert a.state == AppState.RECOGNISED and a.document_number == "绍市监竞〔2026〕12号"
    steps = list(a.events.values_list("action", flat=True))
    assert steps == [
        "create", "update", "submit", "return", "update", "submit", "recommend",
        "attach", "accept", "notice", "objection", "objection_dismissed", "recognise",
    ]  # fmt: skip
    verbs = set(AuditEvent.objects.filter(verb__startswith="bases.").values_list("verb", flat=True))
    assert {"bases.submit", "bases.recommend", "bases.accept", "bases.recognise"} <= verbs


def test_steps_belong_to_their_bureau_and_state(programme):
    p = programme.people
    a = _submitted(p)
    before = BaseApplication.objects.get(pk=a.pk).updated_at
    # The city cannot recommend a city-level base (the county does); another county cannot either.
    for member in (p.city, p.other_county, p.officer):
        with pytest.raises(PermissionDenied):
            actions.application_review(member=member, application=a, recommend=True, opinion="x")
    # The county cannot accept; acceptance is not possible before a recommendation.
    with pytest.raises(PermissionDenied):
        actions.application_accept(
            member=p.county, application=a, prereview_notes="x", site_notes="", opinion="x", passed=True
        )
    with pytest.raises(ValidationError, match="待审核推荐"):
        actions.application_accept(
            member=p.city, application=a, prereview_notes="x", site_notes="", opinion="x", passed=True
        )
    # Returning needs a reason.
    with pytest.raises(ValidationError):
        actions.application_review(member=p.county, application=a, recommend=False, opinion="  ")
    a.refresh_from_db()
    assert a.state == AppState.SUBMITTED and a.updated_at == before
    # A submitted application cannot be edited.
    with pytest.raises(ValidationError):
        actions.application_update(member=p.officer, application=a, data={"head": "x"})


def test_county_level_bases_stay_with_the_county(programme):
    p = programme.people
    a = actions.application_create(member=p.officer, kind="point", level="county")
    actions.application_update(member=p.officer, application=a, data=FORM)
    actions.application_submit(member=p.officer, application=a)
    actions.application_review(member=p.county, application=a, recommend=True, opinion="同意")
    with pytest.raises(PermissionDenied):
        actions.application_accept(
            member=p.city, application=a, prereview_notes="x", site_notes="", opinion="x", passed=True
        )
    a = actions.application_accept(
        member=p.county, application=a, prereview_notes="x", site_notes="", opinion="通过", passed=True
    )
    assert a.state == AppState.ACCEPTED


def test_submission_checks_fields_and_deadline(programme, settings):
    p = programme.people
    a = actions.application_create(member=p.officer, kind="zone", level="city")
    with pytest.raises(ValidationError) as caught:
        actions.application_submit(member=p.officer, application=a)
    assert {"head", "postcode", "contact", "phone", "work_summary"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        actions.application_update(
            member=p.officer,
            application=a,
            data={"postcode": "31200", "size": "many"},
            checklist_input={"trainings": "two"},
        )
    assert {"postcode", "size", "check_trainings"} <= set(caught.value.message_dict)
    actions.application_update(member=p.officer, application=a, data=FORM)
    # Last year's deadline has always passed.
    a.year = timezone.localdate().year - 1
    a.save(update_fields=["year"])
    with pytest.raises(ValidationError, match="截止"):
        actions.application_submit(member=p.officer, application=a)
    a.refresh_from_db()
    assert a.state == AppState.DRAFT


def test_zone_checklist_is_judged_by_the_articles_thresholds(programme):
    p = programme.people
    a = actions.application_create(member=p.officer, kind="zone", level="city")
    a = actions.application_update(
        member=p.officer,
        application=a,
        data={"provincial_built": "0", "city_built": "2"},
        checklist_input={
            "protecting_share": "29.5",
            "trainings": "2",
            "service_visits": "6",
            "policy": "yes",
        },
    )
    met = {o.rule.key: o.met for o in checklist.evaluate(a)}
    assert met["protecting_share"] is False and met["trainings"] is True and met["service_visits"] is True
    assert met["built"] is False and met["policy"] is True and met["trained_share"] is None
    a = actions.application_update(member=p.officer, application=a, data={"city_built": "3"})
    assert {o.rule.key: o.met for o in checklist.evaluate(a)}["built"] is True


def test_an_upheld_objection_ends_the_application(programme):
    p = programme.people
    a = _submitted(p)
    actions.application_review(member=p.county, application=a, recommend=True, opinion="同意推荐")
    actions.application_accept(
        member=p.city, application=a, prereview_notes="x", site_notes="", opinion="通过", passed=True
    )
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        actions.notice_publish(member=p.city, application=a, start=today, end=today - timedelta(days=1))
    actions.notice_publish(member=p.city, application=a, start=today, end=today + timedelta(days=5))
    with pytest.raises(ValidationError, match="公示结束之后"):
        actions.application_recognise(member=p.city, application=a, document_number="X", recognised_on=today)
    o = actions.objection_add(
        member=p.city, application=a, raised_by="群众", content="曾侵犯他人商业秘密", received_on=today
    )
    actions.objection_resolve(member=p.city, objection=o, upheld=True, note="经查属实")
    a.refresh_from_db()
    assert a.state == AppState.REJECTED


def test_annual_review_revocation_and_the_two_year_ban(programme):
    p = programme.people
    a = _recognised(p)
    year = timezone.localdate().year
    with pytest.raises(ValidationError):
        actions.annual_review_record(member=p.city, application=a, year=year, passed=False, notes="")
    actions.annual_review_record(member=p.city, application=a, year=year, passed=False, notes="培训未开展")
    with pytest.raises(ValidationError, match="已复核"):
        actions.annual_review_record(member=p.city, application=a, year=year, passed=True, notes="")
    with pytest.raises(ValidationError) as caught:
        actions.application_revoke(
            member=p.city, application=a, reason="bogus", document_number="", revoked_on=None
        )
    assert {"reason", "document_number", "revoked_on"} <= set(caught.value.message_dict)
    actions.application_revoke(
        member=p.city,
        application=a,
        reason="false_materials",
        document_number="绍市监竞〔2026〕30号",
        revoked_on=timezone.localdate(),
    )
    a.refresh_from_db()
    assert a.state == AppState.REVOKED
    until = actions.ban_until(programme.firm.pk)
    assert until is not None and (until - timezone.localdate()).days >= 365 * 2 - 1
    with pytest.raises(ValidationError, match="不得再次申报"):
        actions.application_create(member=p.officer, kind="point", level="city")
    # Two years later the ban has run out.
    a.revoked_on = timezone.localdate() - timedelta(days=2 * 366)
    a.save(update_fields=["revoked_on"])
    assert actions.ban_until(programme.firm.pk) is None
    actions.application_create(member=p.officer, kind="point", level="city")


def test_who_sees_what(programme):
    p = programme.people
    draft = actions.application_create(member=p.officer, kind="point", level="city")
    submitted = _submitted(p)
    assert set(applications_of(p.officer)) == {draft, submitted}
    assert set(applications_of(p.county)) == {submitted}
    assert set(applications_of(p.city)) == {submitted}
    for member in (p.employee, p.other_county, p.outsider):
        assert not applications_of(member).exists()
    # A draft withdrawn before it was ever submitted never reaches the bureaus.
    actions.application_withdraw(member=p.officer, application=draft)
    assert set(applications_of(p.county)) == {submitted}
    with pytest.raises(PermissionDenied):
        actions.application_create(member=p.employee, kind="point", level="city")
    with pytest.raises(PermissionDenied):
        actions.application_submit(member=p.outsider, application=draft)


def test_a_provincial_base_is_recommended_by_the_city_and_accepted_by_the_province(
    programme, make_org, make_member
):
    from shangmi.apps.accounts.models import Membership

    p = programme.people
    province = make_org("regulator", name="浙江省市场监督管理局", region="330000")
    staff = Membership.objects.select_related("organisation__region", "user").get(
        organisation=province, user=make_member(province, "staff")
    )
    a = actions.application_create(member=p.officer, kind="point", level="province")
    actions.application_update(member=p.officer, application=a, data=FORM)
    actions.application_submit(member=p.officer, application=a)
    assert actions.reviewing_bureau(a) == programme.city and actions.accepting_bureau(a) == province
    with pytest.raises(PermissionDenied):
        actions.application_review(member=p.county, application=a, recommend=True, opinion="x")
    actions.application_review(member=p.city, application=a, recommend=True, opinion="推荐省级")
    with pytest.raises(PermissionDenied):
        actions.application_accept(
            member=p.city, application=a, prereview_notes="x", site_notes="", opinion="x", passed=True
        )
    a = actions.application_accept(
        member=staff, application=a, prereview_notes="x", site_notes="", opinion="通过", passed=True
    )
    assert a.state == AppState.ACCEPTED
    assert Notification.objects.filter(recipient=staff.user, title__contains="待验收").exists()
