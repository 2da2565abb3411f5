"""A person's dossier (人员保密档案) to hand to a lawyer: one ZIP holding a Chinese DOCX summary, every
signed agreement scan, training material and departure attachment, each timeline record's canonical JSON,
the evidence-log receipt of every deposited file and record, and MANIFEST.sha256 (sha256sum format) over
all of them. Each receipt verifies offline against the file beside it:
`shangmi verify records/….json records/….receipt`. Reads only; callers check who may export."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.evidence.bundle import MANIFEST, Bundle, first_file_deposit, zip_bundle
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.models import Attendance, Departure, Employee
from shangmi.apps.people.onboarding import onboarding_checklist
from shangmi.apps.people.queries import policy_of
from shangmi.apps.people.storage import read_document, safe_name
from shangmi.apps.people.timeline import person_timeline
from shangmi.office import word

SUMMARY = "summary.docx"


def _stored(bundle: Bundle, organisation_id: int, path: str, sha256: str, deposit: Deposit | None) -> None:
    try:
        data = read_document(organisation_id, sha256)
    except FileNotFoundError:
        bundle.missing.append(path)
        return
    path = bundle.add(path, data)
    bundle.add_receipt(f"{path}.receipt", deposit)


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _table(document, header: list[str], rows: list[list[object]]) -> None:
    word.table(document, header, rows, empty=_("（无）"))


def _summary_docx(employee: Employee, context: dict, bundle: Bundle) -> bytes:
    document = word.chinese_document()
    word.title(document, _("人员保密档案"))
    document.add_heading(_("一、人员信息"), level=1)
    word.field_lines(
        document,
        [
            (_("姓名"), employee.name),
            (_("工号"), employee.number),
            (_("部门"), employee.department or ""),
            (_("岗位"), employee.position or ""),
            (_("涉密等级"), employee.position.get_sensitivity_display() if employee.position_id else ""),
            (_("关键人员"), _("是") if employee.is_key_person else _("否")),
            (_("涉密人员"), _("是") if employee.is_entrusted else _("否")),
            (_("状态"), employee.get_state_display()),
            (_("入职日期"), employee.hired_on),
            (_("提出离职日期"), employee.resignation_on or ""),
            (_("最后工作日"), employee.last_day or ""),
            (_("档案生成时间"), _local(context["generated_at"])),
        ],
    )
    document.add_heading(_("二、入职检查"), level=1)
    _table(
        document,
        [_("事项"), _("状态"), _("说明")],
        [[i.label, context["item_states"][i.state], i.detail] for i in context["checklist"].items],
    )
    document.add_heading(_("三、协议"), level=1)
    _table(
        document,
        [_("协议编号"), _("类型"), _("状态"), _("签署日期"), _("到期日期"), _("扫描件 SHA-256")],
        [
            [a.number, a.get_kind_display(), a.get_state_display(), a.signed_on, a.expires_on, a.scan_sha256]
            for a in context["agreements"]
        ],
    )
    document.add_heading(_("四、保密培训"), level=1)
    _table(
        document,
        [_("日期"), _("主题"), _("培训人"), _("学时"), _("成绩"), _("结果")],
        [
            [
                a.training.held_on,
                a.training.topic,
                a.training.trainer,
                a.training.hours,
                "" if a.score is None else a.score,
                {None: _("已参加"), True: _("合格"), False: _("不合格")}[a.passed],
            ]
            for a in context["attendances"]
        ],
    )
    document.add_heading(_("五、离职审计"), level=1)
    if not context["departures"]:
        document.add_paragraph(_("（无）"))
    for departure in context["departures"]:
        word.field_lines(
            document,
            [
                (_("审计状态"), departure.get_state_display()),
                (_("提出离职日期"), departure.resignation_on),
                (_("最后工作日"), departure.last_day),
                (_("离职原因"), departure.reason),
                (_("完成时间"), _local(departure.closed_at)),
            ],
        )
        _table(
            document,
            [_("事项"), _("对象"), _("必须"), _("结果"), _("完成时间")],
            [
                [
                    i.get_kind_display(),
                    i.subject,
                    _("是") if i.mandatory else _("否"),
                    i.get_outcome_display() if i.outcome else _("未完成"),
                    _local(i.done_at),
                ]
                for i in departure.items.all()
            ],
        )
    document.add_heading(_("六、时间线"), level=1)
    _table(
        document,
        [_("时间"), _("事项"), _("摘要"), _("操作人"), _("记录 SHA-256"), _("存证")],
        [
            [
                _local(e.at),
                e.get_kind_display(),
                e.summary,
                e.actor_label,
                e.deposit.sha256 if e.deposit_id else "",
                e.deposit.get_state_display() if e.deposit_id else "",
            ]
            for e in context["events"]
        ],
    )
    document.add_heading(_("七、档案文件与核验方法"), level=1)
    document.add_paragraph(
        _(
            "MANIFEST.sha256 列出本档案每个文件的 SHA-256，可用 sha256sum -c MANIFEST.sha256 核对。"
            "文件 X 的存证回执为 X.receipt，记录 X.json 的存证回执为 X.receipt，均可离线核验："
            "shangmi verify X X.receipt（记录为 shangmi verify X.json X.receipt）。"
        )
    )
    for path in sorted(bundle.files):
        document.add_paragraph(path, style="List Bullet")
    if bundle.pending:
        document.add_paragraph(_("以下回执尚未生成（存证尚未写入证据日志，稍后重新导出即可）："))
        for path in bundle.pending:
            document.add_paragraph(path, style="List Bullet")
    if bundle.missing:
        document.add_paragraph(_("以下文件在数据目录中缺失："))
        for path in bundle.missing:
            document.add_paragraph(path, style="List Bullet")
    return word.to_bytes(document)


def dossier_zip(employee: Employee) -> bytes:
    org_id = employee.organisation_id
    bundle = Bundle()
    agreements = list(
        employee.agreements.select_related("scan_deposit__checkpoint").order_by("created_at", "pk")
    )
    for a in agreements:
        if a.scan_sha256:
            suffix = PurePosixPath(a.scan_name).suffix.lower() or ".bin"
            _stored(
                bundle,
                org_id,
                f"agreements/{safe_name(a.number)}-{a.kind}{suffix}",
                a.scan_sha256,
                a.scan_deposit,
            )
    attendances = list(
        Attendance.objects.filter(employee=employee)
        .select_related("training")
        .order_by("training__held_on", "pk")
    )
    for a in attendances:
        t = a.training
        if t.material_sha256:
            name = safe_name(t.material_name or "material")
            _stored(
                bundle,
                org_id,
                f"trainings/{t.held_on}-{t.pk}-{name}",
                t.material_sha256,
                first_file_deposit(org_id, t.material_sha256),
            )
    departures = list(
        Departure.objects.filter(employee=employee)
        .prefetch_related("items__file_deposit__checkpoint")
        .order_by("opened_at")
    )
    for d in departures:
        for item in d.items.all():
            if item.file_sha256:
                name = safe_name(item.file_name or "file")
                _stored(
                    bundle, org_id, f"departure/{d.pk}-{item.pk}-{name}", item.file_sha256, item.file_deposit
                )
    events = person_timeline(employee)
    for e in events:
        source = "" if e.source == "people" else "register-"
        stem = f"records/{timezone.localtime(e.at):%Y%m%d-%H%M%S}-{source}{e.pk}-{e.kind}"
        bundle.add(f"{stem}.json", e.record.encode())
        bundle.add_receipt(f"{stem}.receipt", e.deposit)
    today = timezone.localdate()
    context = {
        "generated_at": timezone.now(),
        "checklist": onboarding_checklist(employee, policy_of(org_id), today),
        "item_states": {
            "done": _("已完成"),
            "due": _("待完成"),
            "overdue": _("已逾期"),
            "missing": _("未签署"),
        },
        "agreements": agreements,
        "attendances": attendances,
        "departures": departures,
        "events": events,
    }
    files = {SUMMARY: _summary_docx(employee, context, bundle), **bundle.files}
    return zip_bundle(files, first=[SUMMARY, MANIFEST])


def dossier_name(employee: Employee) -> str:
    return f"dossier-{safe_name(employee.number)}-{timezone.localdate():%Y%m%d}.zip"
