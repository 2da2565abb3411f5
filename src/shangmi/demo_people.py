"""The demo enterprise's people: departments, graded positions, personnel records linked to the demo
accounts, agreements signed (with their scans deposited), sent and drafted, non-compete terms, two
trainings with a quiz, and one departure audit under way. Made through the real actions, so every step
has its timeline row, audit event and deposited record. Loaded once (skipped if any employee exists)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from shangmi.apps.accounts.models import Membership, Organisation
from shangmi.apps.people.actions import agreements, departures, parties, staff, trainings
from shangmi.apps.people.models import Employee

# (position, sensitivity): the demo's graded management of key positions.
POSITIONS = [
    ("总经理", "core"),
    ("研发总监", "core"),
    ("保密员", "important"),
    ("工程师", "important"),
    ("技术员", "general"),
    ("销售经理", "general"),
]
KEY_POSITIONS = {"总经理", "研发总监"}


def _scan(title: str) -> bytes:
    """A small, valid one-page PDF standing in for a signed paper scan (the demo has no scanner)."""
    text = f"(shangmi demo scan: {title.encode('ascii', 'replace').decode()}) Tj"
    stream = f"BT /F1 12 Tf 72 720 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _signed(officer, kind: str, employee=None, party=None, *, signed_on: date, **fields):
    agreement = agreements.agreement_draft(officer, kind, employee=employee, party=party, **fields)
    agreements.agreement_send(officer, agreement)
    return agreements.agreement_sign(
        officer, agreement, f"{agreement.number}-signed.pdf", _scan(agreement.number), signed_on
    )


def load_people(org: Organisation) -> None:
    if Employee.objects.filter(organisation=org).exists():
        return
    officer = Membership.objects.select_related("user", "organisation").get(
        organisation=org, user__email="officer@lanxi.example"
    )
    today = timezone.localdate()

    members = list(
        Membership.objects.filter(organisation=org, is_active=True).select_related("user").order_by("pk")
    )
    departments = {
        name: staff.department_add(member=officer, name=name)
        for name in dict.fromkeys(m.department for m in members)
    }
    positions = {
        name: staff.position_add(member=officer, name=name, sensitivity=level) for name, level in POSITIONS
    }
    people: list[Employee] = []
    for number, member in enumerate(members, start=1):
        recent = number > len(members) - 2  # the last two joined this month
        hired = today - timedelta(days=12 + number) if recent else date(2019 + number % 6, 1 + number % 12, 1)
        people.append(
            staff.employee_add(
                officer,
                state="onboarding" if recent else "employed",
                number=f"LX{number:04d}",
                name=member.user.name,
                phone=member.user.phone or "",
                email=member.user.email,
                department=departments[member.department],
                position=positions.get(member.title),
                is_key_person=member.title in KEY_POSITIONS,
                customer_facing=member.department == "销售部",
                user=member.user.pk,
                hired_on=hired,
            )
        )
    by_title = {}
    for person, member in zip(people, members, strict=True):
        by_title.setdefault(member.title, []).append(person)
    entrusted = [p for p in people if p.is_entrusted and p.state == "employed"]

    # Employee NDAs: signed by the entrusted, one still out for signature; clean-hands pledges at hiring.
    for person in entrusted[:-1]:
        _signed(officer, "nda", person, signed_on=person.hired_on)
    agreements.agreement_send(officer, agreements.agreement_draft(officer, "nda", employee=entrusted[-1]))
    newcomer = people[-1]
    _signed(officer, "clean_hands", newcomer, signed_on=newcomer.hired_on)

    # Non-compete: the R&D director's, and an engineer's with enforcement started earlier this year.
    director = by_title["研发总监"][0]
    _signed(
        officer,
        "non_compete",
        director,
        signed_on=director.hired_on,
        scope="卫浴恒温阀芯、智能马桶控制系统的研发、生产与销售",
        region="中华人民共和国境内",
        months=24,
        monthly_compensation="9000",
    )

    # External dealings: the die-casting processor signs a processing NDA.
    processor = parties.party_add(
        member=officer,
        kind="processor",
        name="宁波北仑精工压铸厂（虚构）",
        contact="郑国强",
        phone="0574-86000000",
        address="宁波市北仑区（虚构）工业路 6 号",
    )
    _signed(
        officer,
        "processing_nda",
        party=processor,
        signed_on=today - timedelta(days=200),
        expires_on=today + timedelta(days=20),
    )

    partner = parties.party_add(
        member=officer, kind="partner", name="杭州栖木工业设计工作室（虚构）", contact="林栖"
    )
    agreements.agreement_draft(officer, "cooperation_nda", party=partner)

    # Trainings: the annual session with a quiz, and induction for the newcomers.
    annual = trainings.training_add(
        member=officer,
        topic="商业秘密保护年度培训：定密、标识与离职义务",
        held_on=today - timedelta(days=150),
        trainer="周敏（保密员）",
        hours="2",
        materials="《商业秘密保护制度》第 3–7 章；典型案例：离职前批量下载图纸",
        pass_mark=60,
    )
    for person in entrusted[:20]:
        trainings.attendance_record(
            member=officer, training=annual, employee=person, score=58 + len(person.name) * 9
        )
    induction = trainings.training_add(
        member=officer,
        topic="新员工保密须知",
        held_on=today - timedelta(days=2),
        trainer="周敏（保密员）",
        hours="1",
    )
    trainings.attendance_record(member=officer, training=induction, employee=people[-2])

    # A departure under way: a production technician has resigned.
    leaver = by_title["技术员"][-1]
    departures.employee_resign(
        member=officer,
        employee=leaver,
        resignation_on=today - timedelta(days=5),
        last_day=today + timedelta(days=25),
        reason="回老家发展",
    )
