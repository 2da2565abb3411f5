"""Documents: an application as DOCX in the layout of the official tables (opened with python-docx and
checked cell by cell, merged cells included), the notice and recognition lists as DOCX and Excel limited
to what the member may see, and the public list of recognised bases."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from shangmi.apps.bases import actions
from shangmi.apps.bases.models import AppState, BaseApplication
from shangmi.apps.bases.views import documents as views

pytestmark = pytest.mark.django_db

FORM = {
    "head": "王越",
    "address": "越城区解放大道 1 号",
    "postcode": "312000",
    "org_type": "有限责任公司",
    "industry": "纺织",
    "contact": "李保密",
    "contact_title": "保密员",
    "phone": "0575-88001234",
    "work_summary": "成立领导小组，建立台账。\n全员培训两次。",
    "applicant_opinion": "申报材料真实。",
    "size": "120",
    "output_value": "35000.5",
}
CHECKLIST = {
    "organisation": "yes",
    "guarantee": "yes",
    "rules": "yes",
    "training": "no",
    "key_positions": "yes",
}


def _recognised_point(p) -> BaseApplication:
    a = actions.application_create(member=p.officer, kind="point", level="city")
    a = actions.application_update(member=p.officer, application=a, data=FORM, checklist_input=CHECKLIST)
    a = actions.application_submit(member=p.officer, application=a)
    actions.application_review(member=p.county, application=a, recommend=True, opinion="同意推荐")
    actions.application_accept(
        member=p.city,
        application=a,
        prereview_notes="齐全",
        site_notes="现场",
        opinion="验收通过",
        passed=True,
    )
    today = timezone.localdate()
    actions.notice_publish(
        member=p.city, application=a, start=today - timedelta(days=9), end=today - timedelta(days=2)
    )
    return actions.application_recognise(
        member=p.city, application=a, document_number="绍市监竞〔2026〕12号", recognised_on=today
    )


def _app(org, code: str, state: str, name: str, **extra) -> BaseApplication:
    values = {"kind": "point", "level": "city", "year": 2026, **extra}
    return BaseApplication.objects.create(applicant=org, district_id=code, state=state, name=name, **values)


def _docx(client, application) -> Document:
    response = client.get(reverse("bases:application_docx", args=[application.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    return Document(io.BytesIO(response.content))


def _texts(row) -> list[str]:
    """The row's cells as Word shows them: a merged cell once."""
    seen, texts = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            texts.append(cell.text)
    return texts


# ------------------------------------------------------------------------------------------ application


def test_a_point_in_the_layout_of_table_3_with_opinions_and_checklist(programme, login):
    a = _recognised_point(programme.people)
    document = _docx(login(programme.people.officer.user), a)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "附表 3"
    assert paragraphs[1] == "绍兴市商业秘密保护基地（示范点）申报表"
    form, checks = document.tables
    assert len(form.rows) == 8 and len(form.columns) == 6
    rows = [_texts(r) for r in form.rows]
    assert rows[0] == ["企业名称", "绍兴越秀纺织有限公司", "法定代表人", "王越"]
    assert form.cell(0, 1)._tc is form.cell(0, 3)._tc  # the name spans three columns, as in the table
    assert rows[1] == ["经营地址", "越城区解放大道 1 号", "邮政编码", "312000", "员工数量", "120"]
    assert rows[2] == ["企业类型", "有限责任公司", "所属行业", "纺织", "年产值", "35000.50 万元"]
    assert rows[3] == ["联系人", "李保密", "职务/职称", "保密员", "联系电话", "0575-88001234"]
    assert rows[4] == ["商业秘密保护工作开展情况", "成立领导小组，建立台账。\n全员培训两次。"]
    assert form.cell(4, 1)._tc is form.cell(4, 5)._tc
    today = timezone.localdate()
    day = f"{today.year} 年 {today.month} 月 {today.day} 日"
    assert rows[5] == ["申报企业意见", f"申报材料真实。\n负责人：{'　' * 8}（单位公章）\n{day}"]
    assert rows[6] == ["县市场监管局推荐意见", f"同意推荐\n负责人：{'　' * 8}（单位公章）\n{day}"]
    assert rows[7] == ["市局验收意见", f"验收通过\n负责人：{'　' * 8}（签名或盖章）\n{day}"]

    checklist_rows = [_texts(r) for r in checks.rows]
    assert checklist_rows[0] == ["条件", "依据", "填报值", "结论"]
    assert len(checklist_rows) == 7
    by_article = {r[1]: r for r in checklist_rows[1:]}
    # The value, then the evidence the pre-filled answer rests on (the platform's own records).
    value, evidence = by_article["第十条（一）"][2].split("\n", 1)
    assert (value, by_article["第十条（一）"][3]) == ("是", "符合")
    assert "专（兼）职保密员：1 人" in evidence
    assert [r[3] for r in checklist_rows if r[1] == "第十条（三）"] == ["符合", "不符合"]
    assert by_article["第十条（五）"][2].split("\n")[0] == "—" and by_article["第十条（五）"][3] == "未填报"
    assert "共 6 项条件，符合 4 项。" in paragraphs


def test_a_county_level_zone_follows_table_1_and_its_level(programme, login):
    zone = _app(
        programme.firm,
        "330602",
        AppState.SUBMITTED,
        "越城高新园区",
        kind="zone",
        level="county",
        head="张主任",
        size=80,
        provincial_built=1,
        city_built=2,
        checklist={"protecting_share": 25, "trainings": 3},
    )
    document = _docx(login(programme.people.county.user), zone)
    assert document.paragraphs[0].text == "附表 1"
    assert document.paragraphs[1].text == "越城区商业秘密保护基地（示范区）申报表"
    form, checks = document.tables
    rows = [_texts(r) for r in form.rows]
    assert rows[0] == ["园区名称", "越城高新园区", "负责人", "张主任"]
    assert rows[2] == ["园区类型", "", "入园企业数量", "80", "园区产值", ""]
    assert rows[3] == ["省级示范站（点）已建数", "1", "市级示范站（点）已建数", "2"]
    assert form.cell(3, 1)._tc is form.cell(3, 2)._tc and form.cell(3, 4)._tc is form.cell(3, 5)._tc
    assert [r[0] for r in rows[5:]] == [
        "商业秘密保护工作开展情况",
        "园区管委会申报意见",
        "县市场监管局审核意见",
        "县局验收意见",
    ]
    assert rows[8][1].endswith("年　　月　　日")  # not accepted yet: the date is left to fill in
    outcomes = [_texts(x) for x in checks.rows[1:]]

    def outcome(start: str) -> list[str]:
        return next(r[2:] for r in outcomes if r[0].startswith(start))

    assert outcome("园区内开展商业秘密保护") == ["25", "不符合"]
    assert outcome("每年组织企业商业秘密保护培训") == ["3", "符合"]
    assert outcome("省级示范站（点）1 家以上") == ["1 / 2", "符合"]
    assert outcome("以政府（或管委会）名义") == ["—", "未填报"]


def test_a_station_follows_table_2(programme, login):
    station = _app(
        programme.firm, "330602", AppState.SUBMITTED, "越城纺织行业协会", kind="station", level="province"
    )
    document = _docx(login(programme.people.city.user), station)
    assert document.paragraphs[1].text == "浙江省商业秘密保护基地（示范指导站）申报表"
    rows = [_texts(r) for r in document.tables[0].rows]
    assert [r[0] for r in rows] == [
        "组织名称",
        "注册地址",
        "会员数量",
        "组织类型",
        "联系人",
        "商业秘密保护工作开展情况",
        "申报单位意见",
        "市市场监管局推荐意见",
        "省局验收意见",
    ]
    assert rows[2][::2] == ["会员数量", "省级示范点已建数", "市级示范点已建数"]


def test_only_those_who_may_see_the_application_get_its_document(programme, login):
    p = programme.people
    a = _recognised_point(p)
    url = reverse("bases:application_docx", args=[a.pk])
    for member in (p.other_county, p.outsider, p.employee):
        assert login(member.user).get(url).status_code == 404
    missing = reverse("bases:application_docx", args=[a.pk + 1000])
    assert login(p.city.user).get(missing).status_code == 404
    draft = actions.application_create(member=p.officer, kind="point", level="city")
    assert login(p.county.user).get(reverse("bases:application_docx", args=[draft.pk])).status_code == 404
    assert login(p.officer.user).get(reverse("bases:application_docx", args=[draft.pk])).status_code == 200


# ------------------------------------------------------------------------------------------------- lists


@pytest.fixture
def listed(programme):
    firm = programme.firm
    start, end = date(2026, 10, 8), date(2026, 10, 14)
    _app(firm, "330602", AppState.NOTICE, "越城公示甲", notice_start=start, notice_end=end)
    _app(firm, "330603", AppState.NOTICE, "柯桥公示乙", kind="station", notice_start=start, notice_end=end)
    _app(
        firm,
        "330602",
        AppState.NOTICE,
        "越城往年丙",
        year=2025,
        notice_start=date(2025, 10, 1),
        notice_end=end,
    )
    _app(
        firm,
        "330602",
        AppState.RECOGNISED,
        "=越城认定丁",
        document_number="绍市监竞〔2026〕3号",
        recognised_on=date(2026, 12, 1),
    )
    _app(
        firm,
        "330603",
        AppState.RECOGNISED,
        "柯桥认定戊",
        level="county",
        document_number="柯市监〔2026〕1号",
        recognised_on=date(2026, 11, 20),
    )
    _app(firm, "330602", AppState.REVOKED, "越城撤销己", document_number="x", recognised_on=date(2026, 1, 1))
    return programme


def _xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    return [
        list(r) for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    ]


def test_the_notice_list_as_excel_and_word_for_the_city_and_a_county(listed, login):
    city, county = login(listed.people.city.user), login(listed.people.county.user)
    rows = _xlsx_rows(city.get(reverse("bases:notice_xlsx"), {"year": 2026}))
    assert rows[0][0] == "2026 年度商业秘密保护基地拟认定名单公示"
    assert rows[1] == ["序号", "名称", "类型", "级别", "所在区县", "公示开始", "公示结束"]
    body = [[r[1], r[2], r[3], r[4], r[5].date(), r[6].date()] for r in rows[2:]]
    assert body == [
        ["越城公示甲", "示范点", "市级", "越城区", date(2026, 10, 8), date(2026, 10, 14)],
        ["柯桥公示乙", "示范指导站", "市级", "柯桥区", date(2026, 10, 8), date(2026, 10, 14)],
    ]
    # Without a year, every year; a county sees its own county only.
    names = [r[1] for r in _xlsx_rows(county.get(reverse("bases:notice_xlsx")))[2:]]
    assert names == ["越城公示甲", "越城往年丙"]

    response = county.get(reverse("bases:notice_docx"), {"year": "2026"})
    document = Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "2026 年度商业秘密保护基地拟认定名单公示"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "名称",
        "类型",
        "级别",
        "所在区县",
        "公示开始",
        "公示结束",
    ]
    assert [[c.text for c in r.cells] for r in table.rows[1:]] == [
        ["1", "越城公示甲", "示范点", "市级", "越城区", "2026-10-08", "2026-10-14"]
    ]


def test_the_recognition_list_as_excel_and_word(listed, login):
    city = login(listed.people.city.user)
    rows = _xlsx_rows(city.get(reverse("bases:recognition_xlsx")))
    assert rows[1] == ["序号", "名称", "类型", "级别", "所在区县", "认定文号", "认定日期"]
    body = [r[:6] + [r[6].date()] for r in rows[2:]]
    assert body == [
        [1, "=越城认定丁", "示范点", "市级", "越城区", "绍市监竞〔2026〕3号", date(2026, 12, 1)],
        [2, "柯桥认定戊", "示范点", "县级", "柯桥区", "柯市监〔2026〕1号", date(2026, 11, 20)],
    ]  # a name starting with "=" stays text, revoked bases are not listed
    document = Document(io.BytesIO(city.get(reverse("bases:recognition_docx")).content))
    assert document.paragraphs[0].text == "商业秘密保护基地认定名单"
    assert [c.text for c in document.tables[0].rows[2].cells][1:] == [
        "柯桥认定戊",
        "示范点",
        "县级",
        "柯桥区",
        "柯市监〔2026〕1号",
        "2026-11-20",
    ]
    empty = Document(io.BytesIO(city.get(reverse("bases:recognition_docx"), {"year": 2030}).content))
    assert not empty.tables and "没有符合条件的基地。" in [p.text for p in empty.paragraphs]


def test_lists_are_limited_to_the_member(listed, login, make_org, make_member):
    p = listed.people
    own = [r[1] for r in _xlsx_rows(login(p.officer.user).get(reverse("bases:recognition_xlsx")))[2:]]
    assert own == ["=越城认定丁", "柯桥认定戊"]  # the applicant's own (the fixture filed both)
    assert _xlsx_rows(login(p.outsider.user).get(reverse("bases:recognition_xlsx")))[2:] == []
    assert login(p.employee.user).get(reverse("bases:notice_docx")).status_code == 403
    request = RequestFactory().get("/")
    request.user, request.membership = p.city.user, p.city
    for which, fmt in (("other", "docx"), ("notice", "pdf")):
        with pytest.raises(Http404):
            views.list_file(request, which=which, fmt=fmt)


# --------------------------------------------------------------------------------------- published list


def test_the_published_list_is_public_and_shows_only_the_public_columns(listed, client):
    BaseApplication.objects.filter(name="柯桥认定戊").update(phone="13900000000", work_summary="内部情况")
    response = client.get(reverse("bases:published"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="published-row"') == 2
    assert "=越城认定丁" in page and "绍市监竞〔2026〕3号" in page and "2026-12-01" in page
    assert "越城公示甲" not in page and "越城撤销己" not in page
    assert "13900000000" not in page and "内部情况" not in page and listed.firm.name not in page


@pytest.mark.parametrize(
    "query,names",
    [
        ({"q": "柯桥"}, ["柯桥认定戊"]),
        ({"level": "county"}, ["柯桥认定戊"]),
        ({"kind": "zone"}, []),
        ({"year": "2026", "kind": "point"}, ["=越城认定丁", "柯桥认定戊"]),
        ({"year": "2025"}, []),
    ],
)
def test_the_published_list_filters(listed, client, query, names):
    page = client.get(reverse("bases:published"), query).content.decode()
    rows = page.split('class="published-row"')[1:]
    assert [r.split("<td>")[1].split("</td>")[0].replace("&#x3D;", "=") for r in rows] == names


def test_the_published_list_is_paginated(programme, client):
    for n in range(35):
        _app(
            programme.firm,
            "330602",
            AppState.RECOGNISED,
            f"基地{n:02d}",
            recognised_on=date(2026, 1, 1) + timedelta(days=n),
        )
    first = client.get(reverse("bases:published")).content.decode()
    second = client.get(reverse("bases:published"), {"page": 2}).content.decode()
    assert first.count('class="published-row"') == 30 and second.count('class="published-row"') == 5
    assert "基地34" in first and "基地00" in second
