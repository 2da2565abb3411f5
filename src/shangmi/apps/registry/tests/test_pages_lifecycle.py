"""The lifecycle forms: 定密申请 with its secret points, review with the 非公知性 check, approval, 变更 and
解密 — each form's happy path, its field errors, and its refusals by role and state, changing nothing."""

from __future__ import annotations

import json
import re

import pytest

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import DesignationReview, SecretEvent, TradeSecret

pytestmark = pytest.mark.django_db

APPLY = "/registry/new/"
SEARCHED = "国家知识产权局专利检索：压铸 保压；中国知网"
FOUND = "未检索到相同参数组合"


def stored() -> tuple:
    """Everything a register form may write."""
    return (
        list(
            TradeSecret.objects.order_by("pk").values_list(
                "pk", "state", "level", "period_kind", "department"
            )
        ),
        SecretEvent.objects.count(),
        DesignationReview.objects.count(),
        Deposit.objects.count(),
        AuditEvent.objects.count(),
    )


def assert_csp_clean(body: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", body):
        assert 'type="application/json"' in tag or ("src=" in tag and "nonce=" in tag), tag
    assert not re.search(r"\sstyle=", body), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", body), "inline event handler"


def apply_data(**overrides) -> dict:
    data = {
        "name": "陶瓷阀芯研磨工艺",
        "category": "technical",
        "subcategory": "process",
        "level": "important",
        "period_kind": "long_term",
        "period_until": "",
        "department": "生产部",
        "responsible": "",
        "description": "阀芯研磨的粒度与时间",
        "value_estimate": "",
        "value_basis": "",
        "point_title": ["研磨粒度序列", "", "抛光时间"],
        "point_description": ["W40→W10→W3.5", "", "按硬度分档"],
    }
    data.update(overrides)
    return data


def test_apply_form_offers_three_point_rows_and_a_script_to_add_more(login, enterprise, make_member):
    org, people = enterprise
    engineer = make_member(org, "employee", department="工艺部")
    response = login(engineer).get(APPLY)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('name="point_title"') == 4  # three rows and the row template
    assert re.search(
        r'<button type="button" class="btn btn-sm btn-outline-secondary" id="add-point" hidden>', body
    )
    assert '<template id="point-row">' in body
    assert 'src="/static/shangmi/registry/registry.js" nonce=' in body
    assert_csp_clean(body)
    # Sub-categories are grouped by category; the member's department is the default.
    assert '<optgroup label="技术信息">' in body and '<optgroup label="经营信息">' in body
    assert re.search(r'<input type="text" name="department" value="工艺部"', body)
    assert body.count('<span class="text-danger">*</span>') == 7  # six fields and the points
    assert 'name="responsible"' in body and people["manager"].name in body


def test_apply_creates_the_application_with_its_points(login, enterprise):
    org, people = enterprise
    client = login(people["employee"])
    response = client.post(APPLY, apply_data(responsible=str(people["manager"].pk)))
    secret = TradeSecret.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registry/{secret.pk}/"
    assert (secret.organisation, secret.applicant, secret.responsible, secret.state) == (
        org,
        people["employee"],
        people["manager"],
        "applied",
    )
    assert [(p.number, p.title, p.description) for p in secret.points.all()] == [
        (1, "研磨粒度序列", "W40→W10→W3.5"),
        (2, "抛光时间", "按硬度分档"),
    ]
    assert list(secret.events.values_list("kind", flat=True)) == ["apply"]
    page = client.get(response["Location"]).content.decode()
    assert f"已提交定密申请，编号 {secret.code}。" in page


def test_apply_with_more_than_three_points(login, enterprise):
    _org, people = enterprise
    titles = [f"密点{n}" for n in range(1, 6)]
    response = login(people["employee"]).post(
        APPLY, apply_data(point_title=titles, point_description=[""] * 5)
    )
    assert response.status_code == 302
    assert list(TradeSecret.objects.get().points.values_list("title", flat=True)) == titles


def test_apply_errors_rerender_with_messages_and_store_nothing(login, enterprise):
    _org, people = enterprise
    client = login(people["employee"])
    before = stored()
    response = client.post(
        APPLY,
        apply_data(
            name="",
            category="business",
            subcategory="process",
            period_kind="date",
            point_title=["研磨粒度序列", ""],
            point_description=["", "只有说明没有名称"],
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert stored() == before
    form = response.context["form"]
    # One POST reports every problem the action finds, each on its field.
    assert form.errors == {
        "name": ["请填写名称"],
        "subcategory": ["细类不属于所选类别"],
        "period_until": ["保密期限为“至指定日期”时必须填写日期"],
    }
    assert "密点 2 缺少名称" in body
    # What was typed stays in the form.
    assert 'value="研磨粒度序列"' in body and 'value="只有说明没有名称"' in body
    assert_csp_clean(body)

    no_points = client.post(APPLY, apply_data(point_title=["", "", ""], point_description=["", "", ""]))
    assert no_points.status_code == 200
    assert "至少列出一个密点" in no_points.content.decode()
    assert stored() == before


def test_regulator_cannot_apply(login, make_org, make_member):
    regulator = make_org("regulator")
    staff = make_member(regulator, "staff")
    client = login(staff)
    assert client.get(APPLY).status_code == 403
    assert client.post(APPLY, apply_data()).status_code == 403
    assert not TradeSecret.objects.exists()


def test_review_records_the_non_public_check(login, enterprise, members, application):
    _org, people = enterprise
    secret = application(members["employee"])
    client = login(people["officer"])
    url = f"/registry/{secret.pk}/review/"
    page = client.get(url).content.decode()
    assert "模具预热曲线" in page and "非公知性检查" in page and 'name="searched"' in page
    assert_csp_clean(page)

    before = stored()
    missing = client.post(url, {"decision": "pass", "searched": "", "found": ""})
    assert missing.status_code == 200 and stored() == before
    assert missing.context["form"].errors == {
        "searched": ["请列出非公知性检索的范围：检索了哪些来源、用了哪些关键词"],
        "found": ["请写明检索结果：找到了什么，或未找到相同信息"],
    }

    response = client.post(
        url, {"decision": "pass", "searched": SEARCHED, "found": FOUND, "opinion": "建议定为核心"}
    )
    assert response.status_code == 302 and response["Location"] == f"/registry/{secret.pk}/"
    secret.refresh_from_db()
    assert secret.state == "reviewed"
    review = DesignationReview.objects.get(secret=secret)
    assert (review.reviewer, review.searched, review.found, review.opinion) == (
        people["officer"],
        SEARCHED,
        FOUND,
        "建议定为核心",
    )
    record = json.loads(secret.events.get(kind="review").record)
    assert record["data"]["searched"] == SEARCHED and record["data"]["found"] == FOUND
    # Now past review: the form explains why it cannot be used, and a POST changes nothing.
    again = client.get(url).content.decode()
    assert re.search(r'id="step-refusal">.*当前状态为“待批准”，不能审查', again)
    assert 'id="step-form"' not in again
    before = stored()
    refused = client.post(url, {"decision": "pass", "searched": SEARCHED, "found": FOUND})
    assert refused.status_code == 200 and stored() == before
    assert "当前状态为“待批准”，不能审查" in refused.content.decode()


def test_a_reviewer_reviews_once(login, enterprise, members, application):
    _org, people = enterprise
    actions.policy_update(
        member=members["officer"],
        code_pattern="{ORG}-{YEAR}-{NNNN}",
        reviewers=[people["officer"].pk, people["admin"].pk],
        reviews_required=2,
        reminder_days=30,
    )
    secret = application(members["employee"])
    client = login(people["officer"])
    url = f"/registry/{secret.pk}/review/"
    assert client.post(url, {"decision": "pass", "searched": SEARCHED, "found": FOUND}).status_code == 302
    secret.refresh_from_db()
    assert secret.state == "applied"  # one of two passes
    body = client.get(f"/registry/{secret.pk}/").content.decode()
    assert 'id="action-review"' not in body
    before = stored()
    again = client.post(url, {"decision": "pass", "searched": SEARCHED, "found": FOUND})
    assert again.status_code == 200 and stored() == before
    assert f"您已审查过“{secret.code}”，每位审查人只审查一次" in again.content.decode()
    assert (
        login(people["admin"])
        .post(url, {"decision": "pass", "searched": SEARCHED, "found": FOUND})
        .status_code
        == 302
    )
    secret.refresh_from_db()
    assert secret.state == "reviewed"


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_review_refused_to_members_outside_the_designation_group(
    login, enterprise, members, application, role
):
    _org, people = enterprise
    secret = application(members[role])  # their own application: visible, yet not theirs to review
    client = login(people[role])
    url = f"/registry/{secret.pk}/review/"
    before = stored()
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "pass", "searched": SEARCHED, "found": FOUND}).status_code == 403
    assert stored() == before


@pytest.fixture
def reviewed(members, application):
    secret = application(members["employee"])
    actions.secret_review(
        member=members["officer"], secret=secret, decision="pass", searched=SEARCHED, found=FOUND
    )
    secret.refresh_from_db()
    return secret


def test_manager_approves(login, enterprise, reviewed):
    _org, people = enterprise
    client = login(people["manager"])
    url = f"/registry/{reviewed.pk}/approve/"
    page = client.get(url).content.decode()
    assert SEARCHED in page and FOUND in page  # the review the approval rests on
    response = client.post(url, {"decision": "approve", "opinion": "同意定密"})
    assert response.status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.state == "designated" and reviewed.designated_at is not None
    assert json.loads(reviewed.events.get(kind="approve").record)["data"]["opinion"] == "同意定密"


def test_manager_refuses_only_with_a_reason(login, enterprise, reviewed):
    _org, people = enterprise
    client = login(people["manager"])
    url = f"/registry/{reviewed.pk}/approve/"
    before = stored()
    response = client.post(url, {"decision": "refuse", "opinion": ""})
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {"opinion": ["不予定密时请写明理由"]}
    assert client.post(url, {"decision": "refuse", "opinion": "已在产品说明书中公开"}).status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.state == "refused"


@pytest.mark.parametrize("role", ["employee", "officer"])
def test_approval_refused_to_other_roles(login, enterprise, members, reviewed, role):
    _org, people = enterprise
    if role == "employee":
        actions.grant_add(member=members["officer"], secret=reviewed, user=people["employee"], reason="调试")
    client = login(people[role])
    url = f"/registry/{reviewed.pk}/approve/"
    before = stored()
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert stored() == before
    reviewed.refresh_from_db()
    assert reviewed.state == "reviewed"


def test_approval_before_review_explains_and_changes_nothing(login, enterprise, members, application):
    _org, people = enterprise
    secret = application(members["employee"])
    client = login(people["manager"])
    url = f"/registry/{secret.pk}/approve/"
    assert "当前状态为“待审查”，不能批准" in client.get(url).content.decode()
    before = stored()
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 200 and stored() == before
    assert "当前状态为“待审查”，不能批准；只有“待批准”状态可以。" in response.content.decode()


@pytest.fixture
def designated(reviewed, members):
    return actions.secret_approve(member=members["manager"], secret=reviewed, approve=True)


def test_officer_amends_level_and_period(login, enterprise, designated):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/{designated.pk}/amend/"
    page = client.get(url)
    assert page.context["form"].initial["level"] == "core"
    response = client.post(
        url,
        {
            "level": "important",
            "period_kind": "date",
            "period_until": "2099-12-31",
            "department": designated.department,
            "responsible": "",
            "reason": "客户追加保密要求",
        },
    )
    assert response.status_code == 302
    designated.refresh_from_db()
    assert (designated.level, designated.period_kind, str(designated.period_until)) == (
        "important",
        "date",
        "2099-12-31",
    )
    record = json.loads(designated.events.get(kind="amend").record)
    assert record["data"]["changes"] == {
        "level": {"from": "core", "to": "important"},
        "period_kind": {"from": "long_term", "to": "date"},
        "period_until": {"from": None, "to": "2099-12-31"},
    }


def test_amend_without_change_or_reason_is_refused(login, enterprise, designated):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/{designated.pk}/amend/"
    same = {
        "level": "core",
        "period_kind": "long_term",
        "period_until": "",
        "department": designated.department,
        "responsible": "",
    }
    before = stored()
    response = client.post(url, {**same, "reason": "无"})
    assert response.status_code == 200 and "没有任何变更" in response.content.decode()
    response = client.post(url, {**same, "level": "general", "reason": ""})
    assert response.context["form"].errors == {"reason": ["请写明变更理由"]}
    assert stored() == before
    manager = login(people["manager"])
    assert manager.get(url).status_code == 403
    assert manager.post(url, {**same, "level": "general", "reason": "x"}).status_code == 403
    assert stored() == before


def test_officer_declassifies(login, enterprise, designated):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/{designated.pk}/declassify/"
    before = stored()
    response = client.post(url, {"reason": "other", "note": ""})
    assert response.context["form"].errors == {"note": ["原因为“其他”时请说明"]}
    assert stored() == before
    response = client.post(url, {"reason": "patented", "note": "已申请发明专利"})
    assert response.status_code == 302
    designated.refresh_from_db()
    assert designated.state == "declassified" and designated.declassified_at is not None
    page = client.get(f"/registry/{designated.pk}/").content.decode()
    assert "已申请专利 已申请发明专利" in page and f"已解密 {designated.code}" in page
    assert "当前状态为“已解密”，不能解密" in client.get(url).content.decode()


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_declassify_refused_to_non_officers(login, enterprise, members, designated, role):
    _org, people = enterprise
    actions.grant_add(member=members["officer"], secret=designated, user=people["employee"], reason="调试")
    client = login(people[role])
    url = f"/registry/{designated.pk}/declassify/"
    before = stored()
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "published"}).status_code == 403
    assert stored() == before


def test_foreign_and_missing_secrets_look_alike(login, enterprise, other_enterprise, designated):
    _other, other_people = other_enterprise
    client = login(other_people["officer"])
    before = stored()
    for step in ("review", "approve", "amend", "declassify", "carriers/new", "grants/new"):
        foreign = client.post(f"/registry/{designated.pk}/{step}/", {"reason": "published"})
        missing = client.post(f"/registry/987654321/{step}/", {"reason": "published"})
        assert foreign.status_code == missing.status_code == 404, step
    assert stored() == before
