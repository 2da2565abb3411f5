"""The demonstration-base programme in the demo: the Shaoxing targets of annex 1 of 绍市监管竞争〔2021〕4号
for this year, one 示范点 recognised (上虞精研化工) and one waiting for the city's acceptance (柯桥锦程轻纺),
made through the real actions by the enterprises' officers and the bureaus' staff. 绍兴越秀纺织印染 is left
without an application for the user to try. Loaded once (skipped if any application exists)."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shangmi.apps.accounts.models import Membership
from shangmi.apps.bases import actions
from shangmi.apps.bases.models import BaseApplication

TARGETS_CSV = """各区、县（市）,省级商业秘密保护基地,市级商业秘密保护基地,县级商业秘密保护基地,各地贯标企业数
越城区,1,5,10,20
柯桥区,1,5,10,20
上虞区,1,5,10,20
诸暨市,1,5,10,20
嵊州市,1,5,10,20
新昌县,1,5,10,20
合计,6,30,60,120
"""
POINT_CHECKLIST = {
    k: "yes" for k in ("organisation", "guarantee", "rules", "training", "key_positions", "no_infringement")
}


def _member(email: str) -> Membership:
    return Membership.objects.select_related("user", "organisation__region").get(user__email=email)


def _apply(officer: Membership, head: str, phone: str) -> BaseApplication:
    application = actions.application_create(member=officer, kind="point", level="city")
    actions.application_update(
        member=officer,
        application=application,
        data={
            "head": head,
            "address": officer.organisation.address or officer.organisation.name,
            "postcode": "312000",
            "org_type": "有限责任公司",
            "contact": officer.user.name,
            "contact_title": "保密员",
            "phone": phone,
            "work_summary": "成立由总经理牵头的保密工作领导小组，建立商业秘密台账，签订保密协议，每年全员轮训。",
        },
        checklist_input=POINT_CHECKLIST,
    )
    return actions.application_submit(member=officer, application=application)


def load_bases() -> None:
    if BaseApplication.objects.exists():
        return
    city = _member("staff@sx-amr.example")
    today = timezone.localdate()
    waiting = _apply(_member("officer@sx-demo2.example"), "陈锦程", "0575-84001234")
    actions.application_review(
        member=_member("staff2@sx-amr.example"),
        application=waiting,
        recommend=True,
        opinion="材料齐全，同意推荐。",
    )

    done = _apply(_member("officer@sx-demo3.example"), "马精研", "0575-82001234")
    actions.application_review(
        member=_member("staff3@sx-amr.example"), application=done, recommend=True, opinion="同意推荐。"
    )
    actions.application_accept(
        member=city,
        application=done,
        prereview_notes="书面材料齐全。",
        site_notes="实地查看涉密区域与台账。",
        opinion="符合指南第十条，验收通过。",
        passed=True,
    )
    actions.notice_publish(
        member=city, application=done, start=today - timedelta(days=12), end=today - timedelta(days=5)
    )
    actions.application_recognise(
        member=city,
        application=done,
        document_number="绍市监竞〔2026〕9号",
        recognised_on=today - timedelta(days=2),
    )
    # Targets for the year the applications count towards (after the deadline, the next one).
    actions.targets_import(
        member=city,
        uploaded=SimpleUploadedFile("targets.csv", TARGETS_CSV.encode("utf-8"), content_type="text/csv"),
        year=done.year,
    )
