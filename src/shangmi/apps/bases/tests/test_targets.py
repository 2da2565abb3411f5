"""Targets: the Shaoxing notice's table imported from Excel and CSV, bad tables refused row by row with
nothing stored, who may import, and the progress dashboard and its Excel export against applications in
every state and enterprises' self-checks."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.bases import targets
from shangmi.apps.bases.actions.targets import targets_import
from shangmi.apps.bases.models import AppState, BaseApplication, BaseTarget

pytestmark = pytest.mark.django_db

YEAR = 2026
SHAOXING = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
CODES = {
    "越城区": "330602",
    "柯桥区": "330603",
    "上虞区": "330604",
    "新昌县": "330624",
    "诸暨市": "330681",
    "嵊州市": "330683",
}
# The notice's header as printed (wrapped and spaced like the PDF).
HEADER = [
    "各区、县 （市）",
    "省级商业秘 密保护基地",
    "市级商业秘 密保护基地",
    "县级商业秘 密保护基地",
    "各地贯标 企业数",
]


def notice_rows(districts=SHAOXING, counts=(1, 5, 10, 20)) -> list[list]:
    """The annex-1 table: a title, the unit, the header, a row per district, the total and the note."""
    return [
        ["2026 年各区、县（市）商业秘密保护基地 建设任务"],
        ["单位：个"],
        HEADER,
        *[[name, *counts] for name in districts],
        ["合 计", *(c * len(districts) for c in counts)],
        ["备注：各地贯标企业数是指通过培训、指导，企业实施或探索开展商业秘密保护省级地方标准的数量"],
    ]


def xlsx_upload(rows, name="建设任务.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_upload(rows, *, encoding="utf-8", delimiter=",", name="建设任务.csv") -> SimpleUploadedFile:
    text = "\n".join(delimiter.join(str(c) for c in row) for row in rows) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding))


def stored() -> dict:
    return {(t.district_id, t.level): t.count for t in BaseTarget.objects.filter(year=YEAR).order_by("pk")}


def shaoxing_expected(counts=(1, 5, 10, 20)) -> dict:
    levels = ("province", "city", "county", "standard")
    return {(CODES[d], level): c for d in SHAOXING for level, c in zip(levels, counts, strict=True)}


# ------------------------------------------------------------------------------------------------ import


def test_the_shaoxing_table_is_imported_from_excel(programme):
    city = programme.people.city
    created = targets_import(member=city, uploaded=xlsx_upload(notice_rows()), year=YEAR)
    assert len(created) == 24
    assert stored() == shaoxing_expected()
    assert set(BaseTarget.objects.values_list("owner_id", flat=True)) == {programme.city.pk}
    event = AuditEvent.objects.get(organisation=programme.city, verb="bases.targets_import")
    assert event.changes["year"] == YEAR and event.changes["replaced"] == 0
    assert event.changes["targets"]["330602"] == {"province": 1, "city": 5, "county": 10, "standard": 20}


@pytest.mark.parametrize(
    "encoding,delimiter", [("utf-8-sig", ","), ("gb18030", ","), ("utf-8", "\t")], ids=["utf8", "gbk", "tab"]
)
def test_the_shaoxing_table_is_imported_from_csv(programme, encoding, delimiter):
    upload = csv_upload(notice_rows(), encoding=encoding, delimiter=delimiter)
    targets_import(member=programme.people.city, uploaded=upload, year=YEAR)
    assert stored() == shaoxing_expected()


def test_codes_and_full_names_are_accepted_and_an_import_replaces_the_year(programme):
    city = programme.people.city
    targets_import(member=city, uploaded=xlsx_upload(notice_rows()), year=YEAR)
    targets_import(member=city, uploaded=xlsx_upload(notice_rows(counts=(0, 1, 2, 3))), year=YEAR + 1)
    rows = [HEADER, ["330602", 2, 6, 11, 25], ["绍兴市柯桥区", 0, 3, "", "7个"]]
    targets_import(member=city, uploaded=xlsx_upload(rows), year=YEAR)
    assert stored() == {
        ("330602", "province"): 2,
        ("330602", "city"): 6,
        ("330602", "county"): 11,
        ("330602", "standard"): 25,
        ("330603", "province"): 0,
        ("330603", "city"): 3,
        ("330603", "county"): 0,  # a blank cell is no target
        ("330603", "standard"): 7,
    }
    # The other year is untouched.
    assert BaseTarget.objects.filter(year=YEAR + 1).count() == 24


def _problems(programme, upload) -> list[tuple[int, str, str]]:
    with pytest.raises(targets.TargetsInvalid) as refused:
        targets_import(member=programme.people.city, uploaded=upload, year=YEAR)
    return [(p.row, p.column, p.message) for p in refused.value.problems]


def test_bad_rows_are_all_named_and_nothing_is_stored(programme):
    targets_import(member=programme.people.city, uploaded=xlsx_upload(notice_rows()), year=YEAR)
    before = stored()
    rows = notice_rows()
    rows[3] = ["西湖区", 1, 5, 10, 20]  # a real district, but of Hangzhou
    rows[4] = ["柯桥区", 1, "五", 10, 20]  # not a number
    rows[5] = ["上虞区", 1, 5, -2, 2.5]  # negative, fraction
    rows[6] = ["越城区", 1, 5, 10, 20]  # 越城区 again? No: row 4 was replaced, so this is its first row
    rows[7] = ["柯桥区", 1, 5, 10, 20]  # 柯桥区 was on line 5
    problems = _problems(programme, xlsx_upload(rows))
    assert problems == [
        (4, "各区、县（市）", "“西湖区”不是绍兴市辖区内的区县"),
        (5, "市级商业秘密保护基地", "“五”不是数字；应为非负整数"),
        (6, "县级商业秘密保护基地", "“-2”应为非负整数"),
        (6, "各地贯标企业数", "“2.5”应为非负整数"),
        (8, "各区、县（市）", "“柯桥区”与第 5 行重复"),
    ]
    assert stored() == before
    assert AuditEvent.objects.filter(verb="bases.targets_import").count() == 1


def test_a_missing_column_is_named(programme):
    rows = [[c for i, c in enumerate(r) if i != 2] for r in notice_rows()]  # no 市级 column
    problems = _problems(programme, xlsx_upload(rows))
    assert problems == [(3, "市级商业秘密保护基地", problems[0][2])]
    assert "表头应为" in problems[0][2]
    assert not BaseTarget.objects.exists()


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("t.xlsx", b"not a workbook"), "不是 Excel 工作簿"),
        (SimpleUploadedFile("t.pdf", b"%PDF-1.4"), "只能导入"),
        (SimpleUploadedFile("t.csv", b""), "文件是空的"),
        (SimpleUploadedFile("t.csv", "各区、县（市）,省级\n越城区,1\n".encode()), "缺少此列"),
        (csv_upload([HEADER] + [["越城区", 1, 1, 1, 1]] * 600), "表格过长"),
    ],
    ids=["fake-xlsx", "pdf", "empty", "header", "too-long"],
)
def test_unreadable_files_are_refused(programme, upload, message):
    problems = _problems(programme, upload)
    assert message in problems[0][2]
    assert not BaseTarget.objects.exists()


def test_only_a_city_or_provincial_bureau_imports(programme, make_org, make_member):
    from shangmi.apps.accounts.models import Membership

    with pytest.raises(PermissionDenied):
        targets_import(member=programme.people.county, uploaded=xlsx_upload(notice_rows()), year=YEAR)
    with pytest.raises(PermissionDenied):
        targets_import(member=programme.people.officer, uploaded=xlsx_upload(notice_rows()), year=YEAR)
    assert not BaseTarget.objects.exists()
    province = make_org("regulator", name="浙江省市场监督管理局", region="330000")
    staff = Membership.objects.get(user=make_member(province, "staff"), organisation=province)
    targets_import(
        member=staff,
        uploaded=xlsx_upload([HEADER, ["绍兴市", 3, 30, 60, 120], ["杭州市", 4, 0, 0, 0]]),
        year=YEAR,
    )
    assert stored() == {
        ("330600", "province"): 3,
        ("330600", "city"): 30,
        ("330600", "county"): 60,
        ("330600", "standard"): 120,
        ("330100", "province"): 4,
        ("330100", "city"): 0,
        ("330100", "county"): 0,
        ("330100", "standard"): 0,
    }


# ------------------------------------------------------------------------------------------------- pages


def test_the_page_imports_and_shows_every_bad_row(programme, login):
    city = login(programme.people.city.user)
    url = reverse("bases:targets")
    bad = notice_rows()
    bad[3][0], bad[4][2] = "鄞州区", "x"
    response = city.post(url, {"year": YEAR, "file": xlsx_upload(bad)})
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('class="import-problem"') == 2
    assert "“鄞州区”不是绍兴市辖区内的区县" in page and "“x”不是数字" in page
    assert not BaseTarget.objects.exists()

    response = city.post(url, {"year": YEAR, "file": xlsx_upload(notice_rows())})
    assert response.status_code == 302 and response["Location"].endswith(f"?year={YEAR}")
    assert stored() == shaoxing_expected()
    page = city.get(response["Location"]).content.decode()
    assert 'id="import-form"' in page and 'data-chart="targets-chart-city"' in page


def test_county_bureaus_see_but_cannot_import_and_enterprises_are_refused(programme, login):
    url = reverse("bases:targets")
    targets_import(member=programme.people.city, uploaded=xlsx_upload(notice_rows()), year=YEAR)
    before = stored()
    county = login(programme.people.county.user)
    page = county.get(url, {"year": YEAR})
    assert page.status_code == 200 and 'id="import-form"' not in page.content.decode()
    assert 'data-district="330602"' in page.content.decode()
    assert 'data-district="330603"' not in page.content.decode()  # its own county only
    bad_counts = notice_rows(counts=(9, 9, 9, 9))
    assert county.post(url, {"year": YEAR, "file": xlsx_upload(bad_counts)}).status_code == 403
    assert county.get(reverse("bases:targets_template")).status_code == 403
    assert county.get(reverse("bases:targets_export"), {"year": YEAR}).status_code == 200

    firm = login(programme.people.officer.user)
    for name in ("bases:targets", "bases:targets_template", "bases:targets_export"):
        assert firm.get(reverse(name)).status_code == 403
    assert firm.post(url, {"year": YEAR, "file": xlsx_upload(bad_counts)}).status_code == 403
    assert stored() == before


def test_the_template_has_the_notice_header_and_the_districts_and_imports_back(programme, login):
    city = login(programme.people.city.user)
    response = city.get(reverse("bases:targets_template"), {"year": YEAR})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "各区、县（市）",
        "省级商业秘密保护基地",
        "市级商业秘密保护基地",
        "县级商业秘密保护基地",
        "各地贯标企业数",
    ]
    assert [r[0] for r in rows[1:]] == ["越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市"]
    for row in sheet.iter_rows(min_row=2):
        for cell, value in zip(row[1:], (1, 5, 10, 20), strict=True):
            cell.value = value
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    targets_import(
        member=programme.people.city, uploaded=SimpleUploadedFile("filled.xlsx", buffer.getvalue()), year=YEAR
    )
    assert stored() == shaoxing_expected()


# ---------------------------------------------------------------------------------------------- progress


def _app(org, code: str, state: str, level: str = "city", year: int = YEAR) -> BaseApplication:
    return BaseApplication.objects.create(
        applicant=org,
        kind="point",
        level=level,
        year=year,
        district_id=code,
        state=state,
        name=f"{code}-{state}",
    )


@pytest.fixture
def progress_data(programme, make_org, make_member):
    """Targets for the six districts, applications in every state, three enterprises' self-checks."""
    from shangmi.apps.assessment.tests.support import finished, member_of

    targets_import(member=programme.people.city, uploaded=xlsx_upload(notice_rows()), year=YEAR)
    firm = programme.firm
    for state in (AppState.RECOGNISED, AppState.RECOGNISED, AppState.SUBMITTED, AppState.NOTICE):
        _app(firm, "330602", state)
    for state in (AppState.DRAFT, AppState.RETURNED, AppState.REVOKED, AppState.REJECTED, AppState.WITHDRAWN):
        _app(firm, "330602", state)  # not counted: neither recognised nor in progress
    _app(firm, "330602", AppState.RECOGNISED, year=YEAR - 1)  # another year
    _app(firm, "330602", AppState.ACCEPTED, level="province")
    _app(firm, "330602", AppState.RECOMMENDED, level="county")
    _app(firm, "330603", AppState.RECOGNISED, level="county")
    _app(firm, "330212", AppState.RECOGNISED)  # Ningbo: outside the city
    # 贯标企业: a self-check answering "yes" to rules-standard counts; "no" does not; a draft does not.
    yes_firm = make_org("enterprise", name="越城甲公司", region="330602")
    finished(member_of(make_member(yes_firm, "officer"), yes_firm), choice="yes")
    no_firm = make_org("enterprise", name="越城乙公司", region="330602")
    finished(member_of(make_member(no_firm, "officer"), no_firm), choice="no")
    declared = make_org("enterprise", name="柯桥丙公司", region="330603")
    finished(member_of(make_member(declared, "officer"), declared), choice="no", declares=True)
    return programme


def test_progress_counts_recognised_and_in_progress_per_district_and_level(progress_data):
    result = targets.progress(progress_data.city.region, YEAR)
    assert [r.district.name for r in result.rows] == [
        "越城区",
        "柯桥区",
        "上虞区",
        "新昌县",
        "诸暨市",
        "嵊州市",
    ]
    cells = {
        (r.district.code, level): (c.target, c.recognised, c.in_progress)
        for r in result.rows
        for level, c in r.cells.items()
    }
    assert cells[("330602", "city")] == (5, 2, 2)
    assert cells[("330602", "province")] == (1, 0, 1)
    assert cells[("330602", "county")] == (10, 0, 1)
    assert cells[("330602", "standard")] == (20, 1, None)
    assert cells[("330603", "county")] == (10, 1, 0)
    assert cells[("330603", "standard")] == (20, 1, None)
    assert cells[("330604", "city")] == (5, 0, 0)
    totals = {level: (c.target, c.recognised, c.in_progress) for level, c in result.totals.items()}
    assert totals == {
        "province": (6, 0, 1),
        "city": (30, 2, 2),
        "county": (60, 1, 1),
        "standard": (120, 2, None),
    }
    assert result.rows[0].cells["city"].percent == 40
    # A year without targets: the counts stand, targets are None.
    empty = targets.progress(progress_data.city.region, YEAR - 1)
    assert (empty.rows[0].cells["city"].target, empty.rows[0].cells["city"].recognised) == (None, 1)


def test_the_dashboard_and_its_excel_export_show_the_same_figures(progress_data, login):
    city = login(progress_data.people.city.user)
    page = city.get(reverse("bases:targets"), {"year": YEAR}).content.decode()
    row = page.split('data-district="330602"')[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("<", 1)[0].strip() for c in row.split("<td")[1:]]
    assert cells == ["1", "0", "1", "5", "2", "2", "10", "0", "1", "20", "1", ""]

    response = city.get(reverse("bases:targets_export"), {"year": YEAR})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "2026 年度绍兴市商业秘密保护基地建设进度"
    assert rows[1][:6] == ["区县", "省级基地", None, None, None, "市级基地"]
    assert rows[2][1:5] == ["目标", "已认定", "在途", "完成率（%）"]
    assert rows[3] == ["越城区", 1, 0, 1, 0, 5, 2, 2, 40, 10, 0, 1, 0, 20, 1, None, 5]
    assert rows[-1] == ["合计", 6, 0, 1, 0, 30, 2, 2, 7, 60, 1, 1, 2, 120, 2, None, 2]
    assert "A2:A3" in {str(r) for r in sheet.merged_cells.ranges}
