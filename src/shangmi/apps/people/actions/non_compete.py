"""Non-compete (竞业限制) rules: the terms set when the agreement is drafted (at most 24 months, 劳动合同法
第二十四条), monthly compensation payments, the three-month unpaid warning (a former employee may ask to end
the restriction after three months without compensation) and the decision at departure to enforce or waive.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.people import permissions
from shangmi.apps.people.actions.records import record_person_event
from shangmi.apps.people.models import MAX_NON_COMPETE_MONTHS, Agreement, CompensationPayment, NonCompeteTerms
from shangmi.apps.people.models.choices import (
    AgreementKind,
    AgreementState,
    NonCompeteDecision,
    PersonEventKind,
)
from shangmi.apps.registry.actions.validation import TransitionRefused, raise_if, require

UNPAID_WARNING_MONTHS = 3  # 最高法劳动争议解释（一）第三十八条: three months unpaid lets the employee end it
MAX_COMPENSATION = Decimal("1e10")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def clean_terms(fields: dict[str, Any], errors: dict) -> dict[str, Any]:
    """scope, region, months (1–24), monthly_compensation (> 0) of a 竞业限制协议."""
    scope = str(fields.get("scope") or "").strip()
    if not scope:
        errors["scope"] = [_("请写明竞业限制的范围：哪些业务、产品或竞争单位")]
    region = str(fields.get("region") or "").strip()
    if not region:
        errors["region"] = [_("请写明竞业限制的地域范围")]
    elif len(region) > 200:
        errors["region"] = [_("地域范围最长 200 字")]
    months = fields.get("months")
    try:
        months = int(str(months).strip()) if months not in (None, "") else None
    except ValueError:
        months = None
        errors["months"] = [_("期限应为整数（月）")]
    if months is None:
        errors.setdefault("months", [_("请填写竞业限制期限（月）")])
    elif months > MAX_NON_COMPETE_MONTHS:
        errors["months"] = [
            _(
                "竞业限制期限不得超过二十四个月（《中华人民共和国劳动合同法》第二十四条），"
                "填写的是 %(months)s 个月"
            )
            % {"months": months}
        ]
    elif months < 1:
        errors["months"] = [_("竞业限制期限至少 1 个月")]
    raw = fields.get("monthly_compensation")
    compensation = None
    try:
        compensation = Decimal(str(raw).strip()) if raw not in (None, "") else None
    except InvalidOperation:
        errors["monthly_compensation"] = [_("月补偿金应为数字（元）")]
    if compensation is None:
        errors.setdefault("monthly_compensation", [_("请填写每月竞业限制补偿金（元）")])
    elif not compensation.is_finite() or compensation <= 0 or compensation >= MAX_COMPENSATION:
        errors["monthly_compensation"] = [_("月补偿金应大于 0 元：没有补偿的竞业限制对劳动者没有约束力")]
        compensation = None
    return {
        "scope": scope,
        "region": region,
        "months": months,
        "monthly_compensation": compensation.quantize(Decimal("0.01")) if compensation is not None else None,
    }


def terms_of(agreement: Agreement) -> NonCompeteTerms | None:
    if agreement.kind != AgreementKind.NON_COMPETE:
        return None
    return NonCompeteTerms.objects.filter(agreement=agreement).first()


# --- payments and the unpaid warning ----------------------------------------------------------------


def due_months(terms: NonCompeteTerms, today: date) -> list[date]:
    """The months (their first days) whose compensation is due by `today`: from the month the restriction
    starts (the day after the employee's last day) to the last month that has ended, within the period."""
    if terms.decision != NonCompeteDecision.ENFORCE:
        return []
    start = terms.starts_on
    if start is None:
        person = terms.agreement.employee
        last_day = person.last_day if person is not None else None
        start = last_day + timedelta(days=1) if last_day else None
    if start is None:
        return []
    end = terms.ends_on or add_months(start, terms.months) - timedelta(days=1)
    month, last = first_of_month(start), first_of_month(min(end, today))
    months = []
    while month <= last:
        month_end = add_months(month, 1) - timedelta(days=1)
        if month_end < today:  # the month has ended: its compensation is due
            months.append(month)
        month = add_months(month, 1)
    return months


def unpaid_streak(terms: NonCompeteTerms, today: date) -> int:
    """How many due months in a row, up to the latest one, have no payment recorded."""
    months = due_months(terms, today)
    if not months:
        return 0
    paid = set(terms.payments.values_list("month", flat=True))
    streak = 0
    for month in reversed(months):
        if month in paid:
            break
        streak += 1
    return streak


def unpaid_warning(terms: NonCompeteTerms | None, today: date | None = None) -> bool:
    return terms is not None and unpaid_streak(terms, today or timezone.localdate()) >= UNPAID_WARNING_MONTHS


def _require_non_compete(agreement: Agreement) -> NonCompeteTerms:
    terms = terms_of(agreement)
    if terms is None:
        raise TransitionRefused(_("“%(number)s”不是竞业限制协议") % {"number": agreement.number})
    return terms


@transaction.atomic
def payment_record(
    member,
    agreement: Agreement,
    month: date | None,
    amount: Any,
    paid_on: date | None,
    reference: str = "",
    *,
    request=None,
) -> CompensationPayment:
    """Record one month's compensation (one record per month) of an enforced non-compete."""
    require(permissions.can_manage(member) and agreement.organisation_id == member.organisation_id)
    agreement = (
        Agreement.objects.select_for_update(of=("self",)).select_related("employee").get(pk=agreement.pk)
    )
    terms = _require_non_compete(agreement)
    if terms.decision != NonCompeteDecision.ENFORCE:
        raise TransitionRefused(
            _("“%(number)s”尚未决定履行竞业限制（当前：%(decision)s），不能登记补偿支付")
            % {"number": agreement.number, "decision": terms.get_decision_display()}
        )
    errors: dict = {}
    today = timezone.localdate()
    if month is None:
        errors["month"] = [_("请选择所属月份")]
    else:
        month = first_of_month(month)
        if terms.starts_on and month < first_of_month(terms.starts_on):
            errors["month"] = [_("所属月份早于竞业限制起始日期 %(day)s") % {"day": terms.starts_on}]
        elif terms.ends_on and month > first_of_month(terms.ends_on):
            errors["month"] = [_("所属月份晚于竞业限制终止日期 %(day)s") % {"day": terms.ends_on}]
        elif terms.payments.filter(month=month).exists():
            errors["month"] = [_("%(month)s 的补偿已登记") % {"month": month.strftime("%Y-%m")}]
    try:
        value = Decimal(str(amount).strip()) if amount not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value >= MAX_COMPENSATION:
        errors["amount"] = [_("金额应为大于 0 的数字（元）")]
    if paid_on is None:
        errors["paid_on"] = [_("请填写支付日期")]
    elif paid_on > today:
        errors["paid_on"] = [_("支付日期不能晚于今天")]
    reference = str(reference or "").strip()
    if len(reference) > 64:
        errors["reference"] = [_("凭证号最长 64 字")]
    raise_if(errors)
    assert month is not None and value is not None and paid_on is not None  # raise_if saw to it
    payment = CompensationPayment.objects.create(
        terms=terms,
        month=month,
        amount=value.quantize(Decimal("0.01")),
        paid_on=paid_on,
        reference=reference,
        recorded_by=member.user,
    )
    record_person_event(
        member=member,
        organisation=agreement.organisation,
        kind=PersonEventKind.COMPENSATION,
        employee=agreement.employee,
        agreement=agreement,
        summary=_("%(month)s 竞业补偿 %(amount)s 元")
        % {"month": month.strftime("%Y-%m"), "amount": payment.amount},
        data={
            "month": month.strftime("%Y-%m"),
            "amount": payment.amount,
            "paid_on": paid_on,
            "reference": reference,
            "below_agreed": payment.amount < terms.monthly_compensation,
        },
        request=request,
        audit_obj=payment,
    )
    return payment


# --- the decision at departure -----------------------------------------------------------------------


@transaction.atomic
def non_compete_decide(member, agreement: Agreement, decision: str, reason: str = "", *, request=None):
    """Enforce or waive the non-compete when the employee leaves. Enforcing needs a signed agreement and
    the employee's last day; the restriction then runs from the next day for the agreed months. Waiving
    needs a reason. Decided once; returns the terms."""
    require(permissions.can_manage(member) and agreement.organisation_id == member.organisation_id)
    agreement = (
        Agreement.objects.select_for_update(of=("self",)).select_related("employee").get(pk=agreement.pk)
    )
    terms = _require_non_compete(agreement)
    if terms.decision != NonCompeteDecision.PENDING:
        raise TransitionRefused(
            _("“%(number)s”已作出竞业限制决定：%(decision)s")
            % {"number": agreement.number, "decision": terms.get_decision_display()}
        )
    errors: dict = {}
    reason = str(reason or "").strip()
    if decision not in (NonCompeteDecision.ENFORCE, NonCompeteDecision.WAIVE):
        errors["decision"] = [_("决定应为：履行竞业限制、放弃竞业限制")]
    if decision == NonCompeteDecision.WAIVE and not reason:
        errors["reason"] = [_("放弃竞业限制时请写明理由")]
    if len(reason) > 200:
        errors["reason"] = [_("理由最长 200 字")]
    raise_if(errors)
    if decision == NonCompeteDecision.ENFORCE:
        if agreement.state != AgreementState.SIGNED:
            raise TransitionRefused(
                _("“%(number)s”当前状态为“%(state)s”，只有已签署的竞业限制协议可以履行")
                % {"number": agreement.number, "state": agreement.get_state_display()}
            )
        person = agreement.employee
        last_day = person.last_day if person is not None else None
        if person is None or last_day is None:
            raise TransitionRefused(
                _("%(name)s 尚未确定最后工作日，无法确定竞业限制的起止日期")
                % {"name": person.name if person is not None else agreement.counterparty}
            )
        terms.starts_on = last_day + timedelta(days=1)
        terms.ends_on = add_months(last_day, terms.months)
    terms.decision = decision
    terms.decision_reason = reason
    terms.decided_at = timezone.now()
    terms.decided_by = member.user
    terms.save(
        update_fields=["decision", "decision_reason", "decided_at", "decided_by", "starts_on", "ends_on"]
    )
    record_person_event(
        member=member,
        organisation=agreement.organisation,
        kind=PersonEventKind.NON_COMPETE_DECISION,
        employee=agreement.employee,
        agreement=agreement,
        summary=str(NonCompeteDecision(decision).label)
        + (f"：{reason}" if reason else "")
        + (
            _("（%(start)s 至 %(end)s）") % {"start": terms.starts_on, "end": terms.ends_on}
            if terms.starts_on
            else ""
        ),
        data={
            "decision": decision,
            "reason": reason,
            "starts_on": terms.starts_on,
            "ends_on": terms.ends_on,
            "months": terms.months,
            "monthly_compensation": terms.monthly_compensation,
        },
        request=request,
    )
    return terms
