"""The register list page (/registry/): filters, Chinese search, pagination, charts, visibility by role,
and a query count that does not grow with the page's rows."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shangmi.apps.accounts.models import Membership
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import TradeSecret
from shangmi.apps.registry.search import normalise, search_tokens

pytestmark = pytest.mark.django_db

URL = "/registry/"


def _shown(response) -> list[str]:
    """Codes of the secrets on the page, in order."""
    return re.findall(
        r'<tr data-secret="\d+">\s*<td class="text-nowrap"><a href="[^"]+" class="mono">([^<]+)</a>',
        response.content.decode(),
    )


def _carrier_cells(body: str) -> dict[str, str]:
    """Code -> the carriers cell's text ("total / unmarked")."""
    rows = re.findall(r'class="mono">([^<]+)</a>.*?<td class="text-end text-nowrap">(.*?)</td>', body, re.S)
    return {code: re.sub(r"<[^>]+>", "", cell) for code, cell in rows}


def _chart(body: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', body, re.S)
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def _chart_values(body: str, element_id: str) -> dict[str, int]:
    option = _chart(body, element_id)
    series = option["series"][0]
    if series["type"] == "pie":
        return {d["name"]: d["value"] for d in series["data"]}
    return dict(zip(option["yAxis"]["data"], series["data"], strict=True))


def _designate(secret, members):
    actions.secret_review(
        member=members["officer"], secret=secret, decision="pass", searched="专利库", found="无"
    )
    return actions.secret_approve(member=members["manager"], secret=secret, approve=True)


@pytest.fixture
def register(members, application):
    """Four secrets that differ in every filtered field."""
    officer = members["officer"]
    today = timezone.localdate()
    casting = application(officer)  # 高强度铝合金压铸工艺参数, technical/process, core, 研发部, long term
    glaze = application(
        officer,
        name="抗菌釉料配方",
        subcategory="formula",
        level="general",
        description="银离子釉料的配比",
        points=[("银离子载体比例", "")],
        period_kind="date",
        period_until=today + timedelta(days=20),
    )
    customers = application(
        officer,
        name="华东区重点客户名单",
        category="business",
        subcategory="customers",
        level="important",
        department="销售部",
        description="客户联系人与采购周期",
        points=[("客户采购周期", "")],
    )
    firmware = application(
        officer,
        name="恒温阀控制固件",
        subcategory="source_code",
        level="important",
        description="PID 参数整定",
        points=[("PID 整定表", "")],
        period_kind="date",
        period_until=today + timedelta(days=200),
    )
    _designate(firmware, members)
    actions.carrier_add(member=officer, secret=casting, kind="paper", name="工艺卡", marking="marked")
    actions.carrier_add(member=officer, secret=glaze, kind="paper", name="配方单")
    actions.carrier_add(member=officer, secret=glaze, kind="paper", name="配方单副本", marking="marked")
    return {"casting": casting, "glaze": glaze, "customers": customers, "firmware": firmware}


def test_officer_sees_the_whole_register_newest_first_with_carrier_counts(login, enterprise, register):
    _org, people = enterprise
    response = login(people["officer"]).get(URL)
    assert response.status_code == 200
    r = register
    assert _shown(response) == [r["firmware"].code, r["customers"].code, r["glaze"].code, r["casting"].code]
    body = response.content.decode()
    assert "共 4 项商业秘密" in body
    assert _carrier_cells(body) == {
        r["casting"].code: "1 / 0",
        r["glaze"].code: "2 / 1",
        r["customers"].code: "0 / 0",
        r["firmware"].code: "0 / 0",
    }
    glaze_row = re.search(rf'<tr data-secret="{r["glaze"].pk}">(.*?)</tr>', body, re.S).group(1)
    assert "抗菌釉料配方" in glaze_row and 'class="badge level-general">一般<' in glaze_row
    assert (
        "技术信息 · 配方" in glaze_row
        and (timezone.localdate() + timedelta(days=20)).isoformat() in glaze_row
    )
    assert re.search(r'>2 / <span class="text-danger fw-semibold"[^>]*>1</span>', glaze_row)
    # The officer's buttons, with the current query string on the exports.
    for element_id in (
        "registry-apply",
        "registry-import",
        "registry-settings",
        "export-xlsx",
        "export-docx",
    ):
        assert f'id="{element_id}"' in body, element_id
    filtered = login(people["officer"]).get(URL, {"level": "core"}).content.decode()
    assert 'href="/registry/export.xlsx?level=core"' in filtered
    assert 'href="/registry/export.docx?level=core"' in filtered


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"category": "business"}, ["customers"]),
        ({"level": "important"}, ["firmware", "customers"]),
        ({"state": "designated"}, ["firmware"]),
        ({"state": "applied"}, ["customers", "glaze", "casting"]),
        ({"department": "销售部"}, ["customers"]),
        ({"ending_within": "30"}, ["glaze"]),
        ({"ending_within": "365"}, ["firmware", "glaze"]),
        ({"unmarked": "1"}, ["glaze"]),
        ({"category": "technical", "level": "important"}, ["firmware"]),
        ({"level": "nonsense"}, ["firmware", "customers", "glaze", "casting"]),
        # A search and the other filters must both hold.
        ({"level": "important", "q": "客户"}, ["customers"]),
        ({"level": "core", "q": "客户"}, []),
        ({"unmarked": "1", "q": "釉料 银离子"}, ["glaze"]),
        ({"department": "研发部", "q": "参数"}, ["firmware", "casting"]),
    ],
)
def test_filters(login, enterprise, register, params, expected):
    _org, people = enterprise
    response = login(people["officer"]).get(URL, params)
    assert response.status_code == 200
    assert _shown(response) == [register[name].code for name in expected]


@pytest.mark.parametrize(
    "q,expected",
    [
        ("压铸", ["casting"]),  # name
        ("预热曲线", ["casting"]),  # a secret point
        ("银离子", ["glaze"]),  # description and point
        ("销售部", ["customers"]),  # department
        ("压铸 模具", ["casting"]),  # every term must match (AND)
        ("ＰＩＤ", ["firmware"]),  # full-width folded to half-width, case folded
        ("压铸 客户", []),
        ("不存在的词", []),
    ],
)
def test_chinese_search(login, enterprise, register, q, expected):
    _org, people = enterprise
    response = login(people["officer"]).get(URL, {"q": q})
    assert _shown(response) == [register[name].code for name in expected]
    body = response.content.decode()
    if expected:
        assert f"符合条件的商业秘密 {len(expected)} 项" in body
    else:
        assert "没有符合条件的商业秘密。请调整筛选条件或搜索词。" in body
        assert 'id="registry-table"' not in body


def test_search_by_code(login, enterprise, register):
    _org, people = enterprise
    code = register["glaze"].code
    assert _shown(login(people["officer"]).get(URL, {"q": code.lower()})) == [code]


def test_search_terms_in_any_order_share_one_listing(login, enterprise, register):
    """The listing is cached by its terms, not their order; the page still links with the order typed."""
    _org, people = enterprise
    client = login(people["officer"])
    assert _shown(client.get(URL, {"q": "压铸 模具"})) == [register["casting"].code]
    listing_read = (
        '"registry_tradesecret"."level" AS "level", "registry_tradesecret"."category" AS "category"'
    )
    with CaptureQueriesContext(connection) as reversed_order:
        assert _shown(client.get(URL, {"q": "模具  压铸"})) == [register["casting"].code]
    assert not any(listing_read in q["sql"] for q in reversed_order)


def test_table_cells_escape_what_people_typed(login, enterprise, members, application):
    _org, people = enterprise
    application(members["officer"], name='<script>alert("x")</script>配方', department="研发部&<b>")
    body = login(people["officer"]).get(URL).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;配方" in body
    assert "研发部&amp;&lt;b&gt;" in body
    assert '<script>alert("x")' not in body


def test_htmx_filtering_returns_the_rows_partial_only(login, enterprise, register):
    _org, people = enterprise
    response = login(people["officer"]).get(URL, {"q": "釉料"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" not in body and "<html" not in body and 'id="registry-filters"' not in body
    assert "HX-Request" in response["Vary"]
    assert 'id="registry-table"' in body and "抗菌釉料配方" in body and "恒温阀控制固件" not in body
    assert 'href="/registry/export.xlsx?q=%E9%87%89%E6%96%99"' in body
    full = login(people["officer"]).get(URL).content.decode()
    assert 'hx-get="/registry/"' in full and 'hx-target="#rows"' in full and 'hx-push-url="true"' in full


def test_charts_count_the_filtered_set(login, enterprise, register):
    _org, people = enterprise
    body = login(people["officer"]).get(URL).content.decode()
    assert _chart_values(body, "chart-level") == {"核心": 1, "重要": 2, "一般": 1}
    assert _chart_values(body, "chart-category") == {"技术信息": 3, "经营信息": 1}
    assert _chart_values(body, "chart-department") == {"销售部": 1, "研发部": 3}
    assert 'src="/static/vendor/echarts/echarts.min.js" nonce=' in body
    assert 'data-chart="chart-level"' in body

    technical = login(people["officer"]).get(URL, {"category": "technical"}).content.decode()
    assert _chart_values(technical, "chart-level") == {"核心": 1, "重要": 1, "一般": 1}
    assert _chart_values(technical, "chart-category") == {"技术信息": 3}
    assert _chart_values(technical, "chart-department") == {"研发部": 3}


def test_department_filter_offers_the_departments(login, enterprise, register):
    _org, people = enterprise
    body = login(people["officer"]).get(URL, {"level": "core"}).content.decode()
    select = re.search(r'<select[^>]*name="department".*?</select>', body, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "研发部", "销售部"]


def test_pagination_50_a_page(login, enterprise):
    org, people = enterprise
    now = timezone.now()
    TradeSecret.objects.bulk_create(
        TradeSecret(
            organisation=org,
            code=f"BULK-{n:03d}",
            name=f"批量秘密{n}",
            category="technical",
            subcategory="process",
            level="general",
            period_kind="long_term",
            department="研发部",
            created_at=now - timedelta(minutes=n),
            search_text=normalise(f"BULK-{n:03d} 批量秘密{n} 研发部"),
            search_tokens=search_tokens(normalise(f"BULK-{n:03d} 批量秘密{n} 研发部")),
        )
        for n in range(1, 56)
    )
    client = login(people["officer"])
    first = client.get(URL)
    assert _shown(first) == [f"BULK-{n:03d}" for n in range(1, 51)]
    body = first.content.decode()
    assert "共 55 条，第 1–50 条" in body and 'href="?page=2"' in body and "共 55 项商业秘密" in body
    second = client.get(URL, {"page": 2})
    assert _shown(second) == [f"BULK-{n:03d}" for n in range(51, 56)]
    filtered = client.get(URL, {"q": "批量", "page": 2}).content.decode()
    assert 'href="?q=%E6%89%B9%E9%87%8F&page=1"' in filtered
    assert _shown(client.get(URL, {"page": 99})) == [f"BULK-{n:03d}" for n in range(51, 56)]


def test_queries_do_not_grow_with_rows(login, enterprise, members, application):
    """No N+1: the same number of queries for 2 secrets as for 12, carriers and responsible people included."""
    _org, people = enterprise
    client = login(people["officer"])

    def add(n):
        for _i in range(n):
            secret = application(members["officer"], responsible=people["manager"])
            actions.carrier_add(member=members["officer"], secret=secret, kind="paper", name="纸件")

    def count_queries():
        client.get(URL)  # the session settles (active organisation) on a first visit
        for store in caches.all():  # measure the work of an uncached view
            store.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return response, queries

    add(2)
    _response, few = count_queries()
    add(10)
    response, many = count_queries()
    assert len(_shown(response)) == 12
    assert len(many) == len(few), [q["sql"] for q in many]


def test_listing_is_cached_until_the_register_changes(login, enterprise, members, application):
    _org, people = enterprise
    client = login(people["officer"])
    application(members["officer"])
    # The listing (registry.listing): the ordered ids with the columns of the figures, in one query.
    grouped = '"registry_tradesecret"."level" AS "level", "registry_tradesecret"."category" AS "category"'
    with CaptureQueriesContext(connection) as first:
        assert "共 1 项商业秘密" in client.get(URL).content.decode()
    with CaptureQueriesContext(connection) as second:
        assert "共 1 项商业秘密" in client.get(URL).content.decode()
    assert sum(grouped in q["sql"] for q in first) == 1
    assert sum(grouped in q["sql"] for q in second) == 0
    # Any action moves the register to a new version: the next view counts again.
    application(members["employee"], level="general", department="销售部")
    with CaptureQueriesContext(connection) as third:
        body = client.get(URL).content.decode()
    assert sum(grouped in q["sql"] for q in third) == 1
    assert "共 2 项商业秘密" in body
    assert _chart_values(body, "chart-level") == {"核心": 1, "一般": 1}
    assert _chart_values(body, "chart-department") == {"研发部": 1, "销售部": 1}
    select = re.search(r'<select[^>]*name="department".*?</select>', body, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "研发部", "销售部"]
    # Each viewer has their own figures: the employee sees only their own application.
    employee_body = login(people["employee"]).get(URL).content.decode()
    assert "共 1 项商业秘密" in employee_body
    assert _chart_values(employee_body, "chart-level") == {"一般": 1}


def test_empty_register(login, enterprise):
    _org, people = enterprise
    body = login(people["officer"]).get(URL).content.decode()
    assert "台账中还没有您可以查看的商业秘密。" in body and "共 0 项商业秘密" in body
    assert 'id="registry-charts"' not in body


def test_employee_sees_only_granted_and_own_secrets(login, enterprise, members, register, application):
    _org, people = enterprise
    grant = actions.grant_add(
        member=members["officer"], secret=register["glaze"], user=people["employee"], reason="调试"
    )
    own = application(members["employee"], name="员工自己的申请")
    assert _shown(login(people["employee"]).get(URL)) == [own.code]  # not before the acknowledgement
    actions.grant_acknowledge(member=members["employee"], grant=grant)
    response = login(people["employee"]).get(URL)
    assert _shown(response) == [own.code, register["glaze"].code]
    body = response.content.decode()
    assert "高强度铝合金压铸工艺参数" not in body and "华东区重点客户名单" not in body
    # An employee proposes but does not manage: no import, settings or exports.
    assert 'id="registry-apply"' in body
    for element_id in ("registry-import", "registry-settings", "export-xlsx", "export-docx"):
        assert f'id="{element_id}"' not in body
    # Only the departments of what the employee sees; search stays within the visible set.
    select = re.search(r'<select[^>]*name="department".*?</select>', body, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "研发部"]
    assert _shown(login(people["employee"]).get(URL, {"q": "压铸"})) == [own.code]
    assert _chart_values(body, "chart-level") == {"核心": 1, "一般": 1}


def test_manager_sees_everything_regulator_and_other_enterprise_do_not(
    login, enterprise, other_enterprise, register, make_org, make_member
):
    _org, people = enterprise
    assert len(_shown(login(people["manager"]).get(URL))) == 4
    _other, other_people = other_enterprise
    other = login(other_people["officer"]).get(URL)
    assert other.status_code == 200 and _shown(other) == []
    assert "高强度铝合金压铸工艺参数" not in other.content.decode()
    regulator = make_org("regulator")
    staff = make_member(regulator, "staff")
    assert Membership.objects.get(user=staff).organisation.kind == "regulator"
    response = login(staff).get(URL)
    assert response.status_code == 403
    assert "压铸" not in response.content.decode()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_cached_filter_form_follows_the_filters_the_language_and_the_register(
    login, enterprise, members, application
):
    """list.html caches its filter form per viewer, register version, filters and language."""
    _org, people = enterprise
    client = login(people["officer"])
    application(members["officer"], department="研发部")

    def form(**params) -> str:
        body = client.get(URL, params).content.decode()
        return re.search(r'<form[^>]*id="registry-filters".*?</form>', body, re.S).group(0)

    assert 'value="压铸"' in form(q="压铸")
    assert 'value="模具"' in form(q="模具") and 'value="压铸"' not in form(q="模具")
    assert '<option value="core" selected>' in form(level="core")
    assert '<option value="core" selected>' not in form()
    application(members["officer"], department="销售部")  # a new version: a new department to offer
    assert '<option value="销售部"' in form()
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    assert "Search number, name, secret point, department, responsible person" in form()
