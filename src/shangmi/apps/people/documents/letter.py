"""The reminder letter of continuing obligations (保密义务提醒函) handed to a leaver.

It names the secrets the person knew by code and name only (never their content), the carriers returned
or deleted, the non-compete decision if any, and whom to contact. The clauses are this project's own text.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.people.models import Departure
from shangmi.apps.people.models.choices import ItemKind, NonCompeteDecision
from shangmi.apps.registry.models import AccessGrant, TradeSecret
from shangmi.office.word import chinese_document, field_lines, title, to_bytes

LETTER_VERSION = "departure-letter/1"


def _known_secrets(departure: Departure) -> list[TradeSecret]:
    """Secrets the person was entrusted with (any grant, revoked or not) or held carriers of."""
    employee = departure.employee
    ids: set[int] = set()
    if employee.user_id:
        ids |= set(
            AccessGrant.objects.filter(
                organisation_id=departure.organisation_id, user_id=employee.user_id
            ).values_list("secret_id", flat=True)
        )
    for item in departure.items.filter(kind=ItemKind.CARRIER, carrier__isnull=False).select_related(
        "carrier"
    ):
        ids.add(item.carrier.secret_id)
    return list(TradeSecret.objects.filter(pk__in=ids).only("code", "name").order_by("code"))


def _non_compete_lines(departure: Departure) -> list[str]:
    lines = []
    items = departure.items.filter(kind=ItemKind.NON_COMPETE, agreement__isnull=False).select_related(
        "agreement"
    )
    for item in items:
        terms = getattr(item.agreement, "non_compete", None)
        if terms is None or terms.decision == NonCompeteDecision.PENDING:
            lines.append(
                _("《竞业限制协议》（编号 %(number)s）：公司尚未作出履行或放弃的决定，决定后将另行书面通知。")
                % {"number": item.agreement.number}
            )
        elif terms.decision == NonCompeteDecision.ENFORCE:
            period = ""
            if terms.starts_on and terms.ends_on:
                period = _("，期限自 %(start)s 至 %(end)s") % {
                    "start": terms.starts_on.isoformat(),
                    "end": terms.ends_on.isoformat(),
                }
            lines.append(
                _(
                    "《竞业限制协议》（编号 %(number)s）：公司决定履行竞业限制%(period)s，地域范围为%(region)s。"
                    "公司将按月支付竞业限制补偿金 %(amount)s 元；您应遵守协议约定的竞业限制义务。"
                )
                % {
                    "number": item.agreement.number,
                    "period": period,
                    "region": terms.region,
                    "amount": terms.monthly_compensation,
                }
            )
        else:
            lines.append(
                _(
                    "《竞业限制协议》（编号 %(number)s）：公司决定放弃竞业限制，您不再承担该协议约定的竞业限制义务，但保密义务不受影响。"
                )
                % {"number": item.agreement.number}
            )
    return lines


def reminder_letter(departure: Departure) -> bytes:
    """The letter as DOCX bytes."""
    employee = departure.employee
    organisation = departure.organisation
    document = chinese_document()
    title(document, _("保密义务提醒函"))
    document.add_paragraph(
        _("%(name)s（工号 %(number)s）：") % {"name": employee.name, "number": employee.number}
    )
    document.add_paragraph(
        _(
            "您已于 %(resigned)s 提出离职，最后工作日为 %(last)s。根据《中华人民共和国反不正当竞争法》第九条、"
            "《中华人民共和国劳动合同法》第二十三条、第二十四条及您与本公司签订的保密协议，特此提醒："
            "您在本公司任职期间知悉或接触的商业秘密，在离职后仍负有保密义务，该义务不因劳动关系的解除或终止而免除，"
            "直至相关信息依法为公众所知悉为止。"
        )
        % {"resigned": departure.resignation_on.isoformat(), "last": departure.last_day.isoformat()}
    )

    document.add_heading(_("一、继续履行的保密义务"), level=2)
    for clause in (
        _("不得披露、使用或允许他人使用您在任职期间知悉的本公司商业秘密；"),
        _("不得以任何方式保留、复制、带走载有本公司商业秘密的文件、图纸、源代码、样品、设备或电子数据；"),
        _("如发现仍持有任何载体，应立即归还本公司或经本公司确认后彻底删除；"),
        _("在新的工作中，不得将本公司的商业秘密用于新单位或自行经营；"),
        _("如有人向您打听、索取本公司的商业秘密，请拒绝并告知本公司。"),
    ):
        document.add_paragraph(clause, style="List Number")

    document.add_heading(_("二、您知悉的商业秘密（仅列编号与名称，不含内容）"), level=2)
    secrets = _known_secrets(departure)
    if secrets:
        table = document.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = _("编号"), _("名称")
        for secret in secrets:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = secret.code, secret.name
    else:
        document.add_paragraph(
            _("台账中无登记在您名下的知悉授权或载体；但您在工作中接触的其他商业秘密同样负有保密义务。")
        )

    document.add_heading(_("三、已归还或删除的载体"), level=2)
    carriers = list(
        departure.items.filter(kind=ItemKind.CARRIER).select_related("carrier").order_by("position", "pk")
    )
    if carriers:
        for item in carriers:
            state = item.get_outcome_display() if item.outcome else _("待确认")
            document.add_paragraph(f"{item.subject}：{state}", style="List Bullet")
    else:
        document.add_paragraph(_("台账中无由您保管的载体。"))

    non_compete = _non_compete_lines(departure)
    if non_compete:
        document.add_heading(_("四、竞业限制"), level=2)
        for line in non_compete:
            document.add_paragraph(line)

    document.add_heading(_("五、联系方式"), level=2)
    contact = departure.opened_by
    document.add_paragraph(_("如对上述义务有疑问，或发现仍持有本公司的载体，请联系本公司保密工作负责人："))
    field_lines(
        document,
        [
            (_("联系人"), contact.name if contact else ""),
            (_("电话"), (contact.phone or "") if contact else ""),
            (_("电子邮箱"), (contact.email or "") if contact else ""),
            (_("单位地址"), organisation.address),
        ],
    )
    document.add_paragraph(
        _("违反保密义务的，本公司将依法追究民事责任；情节严重构成犯罪的，依法移送公安机关。")
    )
    document.add_paragraph("")
    field_lines(
        document,
        [
            (_("单位"), organisation.name),
            (_("日期"), timezone.localdate().isoformat()),
        ],
    )
    document.add_paragraph("")
    document.add_paragraph(_("签收人：____________    签收日期：____________"))
    document.core_properties.title = _("保密义务提醒函")
    document.core_properties.subject = LETTER_VERSION
    return to_bytes(document)
