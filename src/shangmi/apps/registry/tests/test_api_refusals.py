"""Refusals over the API: every write refused (403) for each role that may not use it, bad input (422
naming the field), illegal transitions (422 with the explanation) — and in each case nothing stored
changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shangmi.apps.registry import actions
from shangmi.apps.registry.tests.api_support import APPLICATION, REVIEW, Api, role_apis, stored

pytestmark = pytest.mark.django_db

FORBIDDEN = {"detail": "无权执行此操作", "errors": []}
NOT_FOUND = {"detail": "未找到", "errors": []}


@pytest.fixture
def register(members, application):
    """Secrets in each state, all applied for by the employee; the designated one has a carrier and a
    personal grant to the employee."""
    officer, manager, employee = members["officer"], members["manager"], members["employee"]
    applied = application(employee, name="待审查的配方")
    reviewed = application(employee, name="待批准的图纸")
    actions.secret_review(member=officer, secret=reviewed, **REVIEW)
    designated = application(employee, name="已定密的工艺")
    actions.secret_review(member=officer, secret=designated, **REVIEW)
    actions.secret_approve(member=manager, secret=designated, approve=True)
    carrier = actions.carrier_add(member=officer, secret=designated, kind="paper", name="工艺卡")
    grant = actions.grant_add(member=officer, secret=designated, user=employee.user, reason="工艺实施")
    return {
        "applied": applied,
        "reviewed": reviewed,
        "designated": designated,
        "carrier": carrier,
        "grant": grant,
    }


def _writes(register, people) -> dict[str, tuple[str, str, dict | None]]:
    """Every write endpoint with a body that would succeed for a role allowed to use it."""
    applied, reviewed, designated = register["applied"].pk, register["reviewed"].pk, register["designated"].pk
    carrier, grant = register["carrier"].pk, register["grant"].pk
    today = timezone.localdate()
    return {
        "review": ("post", f"/secrets/{applied}/review", REVIEW),
        "approve": ("post", f"/secrets/{reviewed}/approve", {"approve": True}),
        "amend": ("post", f"/secrets/{designated}/amend", {"reason": "调整", "level": "general"}),
        "declassify": ("post", f"/secrets/{designated}/declassify", {"reason": "published"}),
        "carrier_add": ("post", f"/secrets/{designated}/carriers", {"kind": "sample", "name": "样品"}),
        "carrier_mark": ("post", f"/carriers/{carrier}/mark", None),
        "carrier_destroy": (
            "post",
            f"/carriers/{carrier}/destroy",
            {"method": "shred", "witness": "李监销", "destroyed_on": today},
        ),
        "grant_add": (
            "post",
            f"/secrets/{designated}/grants",
            {"user": people["manager"].pk, "reason": "审批"},
        ),
        "grant_revoke": ("post", f"/grants/{grant}/revoke", None),
        "grant_acknowledge": ("post", f"/grants/{grant}/acknowledge", None),
        "policy_update": (
            "put",
            "/policy",
            {"code_pattern": "{ORG}-{NNNN}", "reviewers": [], "reviews_required": 1, "reminder_days": 10},
        ),
    }


# Which enterprise roles may not use each write (the employee sees every object here: they applied).
REFUSED_ROLES = {
    "review": ("manager", "employee"),
    "approve": ("officer", "employee"),
    "amend": ("manager", "employee"),
    "declassify": ("manager", "employee"),
    "carrier_add": ("manager", "employee"),
    "carrier_mark": ("manager", "employee"),
    "carrier_destroy": ("manager", "employee"),
    "grant_add": ("manager", "employee"),
    "grant_revoke": ("manager", "employee"),
    # Only the entrusted person acknowledges: to anyone else the grant is not theirs (404, not 403).
    "grant_acknowledge": ("admin", "officer", "manager"),
    "policy_update": ("manager", "employee"),
}
REFUSALS = [(write, role) for write, roles in REFUSED_ROLES.items() for role in roles]


@pytest.mark.parametrize("write,role", REFUSALS, ids=[f"{w}-by-{r}" for w, r in REFUSALS])
def test_each_write_is_refused_for_roles_that_may_not_use_it(enterprise, register, write, role):
    _org, people = enterprise
    api = role_apis(enterprise)[role]
    method, path, body = _writes(register, people)[write]
    before = stored()
    response = getattr(api, method)(path, body)
    expected = (404, NOT_FOUND) if write == "grant_acknowledge" else (403, FORBIDDEN)
    assert (response.status_code, response.json()) == expected, response.content
    assert stored() == before


@pytest.mark.parametrize("write", sorted(REFUSED_ROLES))
def test_the_same_writes_succeed_for_an_allowed_role(enterprise, register, write):
    """Guards the test above: each refused request would have been accepted from the right person."""
    _org, people = enterprise
    allowed = {"approve": "manager", "grant_acknowledge": "employee"}.get(write, "officer")
    method, path, body = _writes(register, people)[write]
    response = getattr(role_apis(enterprise)[allowed], method)(path, body)
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("kind,role", [("regulator", "staff"), ("provider", "lawyer")])
def test_members_of_other_kinds_of_organisation_may_not_apply(make_org, make_member, kind, role):
    org = make_org(kind)
    api = Api(make_member(org, role), org)
    before = stored()
    assert api.post("/secrets", APPLICATION).status_code == 403
    assert api.put("/policy", _policy()).status_code == 403
    assert api.get("/policy").status_code == 403
    assert stored() == before


def _policy(**overrides) -> dict:
    return {
        "code_pattern": "{ORG}-{NNNN}",
        "reviewers": [],
        "reviews_required": 1,
        "reminder_days": 10,
        **overrides,
    }


def _errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    assert response.json()["detail"] in ("请求内容有误", "请求内容不是有效的 JSON")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_bad_applications_name_each_field(enterprise):
    api = role_apis(enterprise)["employee"]
    before = stored()
    errors = _errors(
        api.post(
            "/secrets",
            {
                **APPLICATION,
                "level": "绝密",
                "subcategory": "customers",
                "period_kind": "date",
                "department": " ",
                "points": [{"title": "", "description": "没有名称的密点"}],
                "value_estimate": "-1",
            },
        )
    )
    assert errors == {
        "level": "密级应为：核心、重要、一般",
        "subcategory": "细类不属于所选类别",
        "period_until": "保密期限为“至指定日期”时必须填写日期",
        "department": "请填写归属部门",
        "points.1.title": "密点 1 缺少名称",
        "value_estimate": "估值应为 0 至 1 万亿之间的数字（万元）",
    }
    missing = {k: v for k, v in APPLICATION.items() if k != "name"}
    assert _errors(api.post("/secrets", missing)) == {"name": "Field required"}
    assert set(_errors(api.post("/secrets", {**APPLICATION, "period_until": "明年"}))) == {"period_until"}
    assert stored() == before


def test_bad_bodies_on_object_routes_name_each_field(enterprise, register):
    _org, people = enterprise
    apis = role_apis(enterprise)
    officer, manager = apis["officer"], apis["manager"]
    applied, reviewed, designated = register["applied"].pk, register["reviewed"].pk, register["designated"].pk
    carrier = register["carrier"].pk
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = stored()
    assert _errors(officer.post(f"/secrets/{applied}/review", {**REVIEW, "searched": " "})) == {
        "searched": "请列出非公知性检索的范围：检索了哪些来源、用了哪些关键词"
    }
    assert _errors(officer.post(f"/secrets/{applied}/review", {"decision": "pass"})) == {
        "searched": "Field required",
        "found": "Field required",
    }
    assert _errors(manager.post(f"/secrets/{reviewed}/approve", {"approve": False})) == {
        "opinion": "不予定密时请写明理由"
    }
    assert _errors(manager.post(f"/secrets/{reviewed}/approve", {"approve": "也许"})) == {
        "approve": "Input should be a valid boolean, unable to interpret input"
    }
    assert _errors(officer.post(f"/secrets/{designated}/amend", {"reason": "无", "level": "core"})) == {
        "__all__": "没有任何变更"
    }
    assert _errors(officer.post(f"/secrets/{designated}/declassify", {"reason": "lost"})) == {
        "reason": "解密原因应为：已公开、已申请专利、保密期限届满、不再具有商业价值、其他"
    }
    assert _errors(
        officer.post(
            f"/secrets/{designated}/carriers", {"kind": "paper", "name": "卡", "copies": 0, "sha256": "xyz"}
        )
    ) == {
        "copies": "份数应为 1 至 100000 的整数",
        "sha256": "SHA-256 应为 64 位十六进制",
        "sm3": "SM3 应为 64 位十六进制",
        "size": "大小应为非负整数（字节）",
    }
    assert _errors(
        officer.post(
            f"/carriers/{carrier}/destroy", {"method": "shred", "witness": "李", "destroyed_on": tomorrow}
        )
    ) == {"destroyed_on": "销毁日期不能晚于今天"}
    assert _errors(officer.post(f"/secrets/{designated}/grants", {"reason": "无对象"})) == {
        "user": "请选择一名人员或填写一个岗位（二选一）"
    }
    assert _errors(officer.post(f"/secrets/{designated}/grants", {"user": 987654, "reason": "外人"})) == {
        "user": "不是本单位的在职成员"
    }
    assert _errors(officer.put("/policy", _policy(code_pattern="{ORG}-{YY}", reminder_days=0))) == {
        "code_pattern": "编号规则含未知占位符：{YY}",
        "reminder_days": "提前提醒天数应为 1 至 365",
    }
    assert _errors(
        officer.put("/policy", _policy(reviewers=[people["employee"].pk], reviews_required=2))
    ) == {"reviews_required": "所需审查通过人数不能多于审查小组人数"}
    assert _errors(officer.post(f"/secrets/{designated}/amend")) == {"body": "请求体不能为空"}
    response = officer.client.post(
        f"/api/v1/registry/secrets/{designated}/amend",
        "{reason: ",
        content_type="application/json",
        **officer.headers,
    )
    assert response.json()["detail"] == "请求内容不是有效的 JSON"
    assert list(_errors(response)) == ["body"]
    assert stored() == before


def test_illegal_transitions_explain_why(enterprise, register):
    apis = role_apis(enterprise)
    officer, manager, employee = apis["officer"], apis["manager"], apis["employee"]
    applied, designated = register["applied"], register["designated"]
    carrier, grant = register["carrier"], register["grant"]
    officer.post(f"/carriers/{carrier.pk}/mark")
    employee.post(f"/grants/{grant.pk}/acknowledge")
    before = stored()

    def explained(response) -> str:
        errors = _errors(response)
        assert list(errors) == ["__all__"]
        return errors["__all__"]

    assert explained(manager.post(f"/secrets/{applied.pk}/approve", {"approve": True})) == (
        f"“{applied.code}”当前状态为“待审查”，不能批准；只有“待批准”状态可以。"
    )
    assert explained(officer.post(f"/secrets/{applied.pk}/declassify", {"reason": "published"})) == (
        f"“{applied.code}”当前状态为“待审查”，不能解密；只有“已定密”状态可以。"
    )
    assert explained(officer.post(f"/secrets/{designated.pk}/review", REVIEW)) == (
        f"“{designated.code}”当前状态为“已定密”，不能审查；只有“待审查”状态可以。"
    )
    assert explained(officer.post(f"/carriers/{carrier.pk}/mark")) == f"载体“{carrier.code}”已标识"
    assert explained(employee.post(f"/grants/{grant.pk}/acknowledge")).startswith("您已于 ")
    assert (
        explained(officer.post(f"/secrets/{designated.pk}/grants", {"user": grant.user_id, "reason": "重复"}))
        == f"{grant.user.name} 已在知悉范围内"
    )
    assert stored() == before

    officer.post(f"/grants/{grant.pk}/revoke")
    officer.post(f"/secrets/{designated.pk}/declassify", {"reason": "published"})
    before = stored()
    assert explained(
        officer.post(f"/secrets/{designated.pk}/carriers", {"kind": "paper", "name": "迟到的载体"})
    ) == (f"“{designated.code}”当前状态为“已解密”，不能登记载体；只有“待审查、待批准、已定密”状态可以。")
    assert explained(officer.post(f"/secrets/{designated.pk}/amend", {"reason": "x", "level": "core"})) == (
        f"“{designated.code}”当前状态为“已解密”，不能变更；只有“已定密”状态可以。"
    )
    assert explained(officer.post(f"/grants/{grant.pk}/revoke")) == "该授权已撤销"
    assert stored() == before
