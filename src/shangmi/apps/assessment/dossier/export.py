"""The dossier as a Chinese DOCX (合理保密措施证明材料) and as a ZIP holding that DOCX, every record
(records/*.json), every stored file (agreement scans, training materials), the receipt `X.receipt` of each
deposited `X`, and MANIFEST.sha256. The same dossier always gives the same bytes.

`shangmi verify dossier.zip` checks every file against the manifest and every receipt against its file."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from shangmi.apps.assessment.dossier.measures import SHANGHAI, Dossier, Measure
from shangmi.apps.evidence.bundle import MANIFEST, Bundle, restamp, zip_bundle
from shangmi.apps.people.storage import read_document, safe_name
from shangmi.apps.registry.models import TradeSecret
from shangmi.office import word

SUMMARY = "summary.docx"
# The items of art. 6 of 法释〔2020〕7号, each its own message so that English can number them its own way.
ART6_ITEMS = {
    1: gettext_lazy("第（一）项"),
    2: gettext_lazy("第（二）项"),
    3: gettext_lazy("第（三）项"),
    4: gettext_lazy("第（四）项"),
    5: gettext_lazy("第（五）项"),
    6: gettext_lazy("第（六）项"),
    7: gettext_lazy("第（七）项"),
}


def art6_text(items: tuple[int, ...]) -> str:
    return _("、").join(str(ART6_ITEMS[i]) for i in items)


def _bundle(dossier: Dossier) -> Bundle:
    """Every record and stored file the measures name, each with its receipt once deposited."""
    bundle = Bundle()
    organisation_id = dossier.secret.organisation_id
    for m in dossier.measures:
        if m.record is not None and m.record_name not in bundle.files:
            bundle.files[m.record_name] = m.record
            bundle.add_receipt(m.receipt_name, m.deposit)
        stored = m.file
        if stored is None or stored.name in bundle.files or stored.name in bundle.missing:
            continue
        try:
            bundle.files[stored.name] = read_document(organisation_id, stored.sha256)
        except FileNotFoundError:
            bundle.missing.append(stored.name)
            continue
        bundle.add_receipt(f"{stored.name}.receipt", stored.deposit)
    return bundle


def _evidence(m: Measure, bundle: Bundle) -> str:
    lines = []
    for name, receipt in ((m.record_name, m.receipt_name), (m.file.name if m.file else "", "")):
        if not name:
            continue
        receipt = receipt or f"{name}.receipt"
        if name in bundle.missing:
            lines.append(_("%(name)s（文件缺失）") % {"name": name})
        elif receipt in bundle.files:
            lines.append(f"{name}\n{receipt}")
        else:
            lines.append(_("%(name)s（回执待生成）") % {"name": name})
    return "\n".join(lines) or _("（无电子记录）")


def _header(document, dossier: Dossier) -> None:
    secret = dossier.secret
    word.title(document, _("合理保密措施证明材料"))
    document.add_heading(_("一、商业秘密与截止日期"), level=1)
    word.field_lines(
        document,
        [
            (_("编号"), secret.code),
            (_("名称"), secret.name),
            (_("密级"), secret.get_level_display()),
            (_("类别"), f"{secret.get_category_display()} · {secret.get_subcategory_display()}"),
            (_("保密期限"), secret.period_display),
            (_("状态"), secret.get_state_display()),
            (pgettext("dossier", "截止日期"), dossier.cutoff.isoformat()),
            (_("生成时间"), dossier.generated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")),
        ],
    )
    document.add_paragraph(
        _(
            "截止日期通常为被诉侵权行为发生之日。日期在截止日（北京时间当日 24 时）之前或当日的措施标为"
            "“早于截止日”；之后采取的措施仍予列出，标为“晚于截止日”，不能证明侵权发生前已采取。"
            "“对应第六条”指《最高人民法院关于审理侵犯商业秘密民事案件适用法律若干问题的规定》"
            "（法释〔2020〕7号）第六条所列的保密措施。"
        )
    )


def _body(document, dossier: Dossier, bundle: Bundle) -> None:
    sections = dossier.sections()
    document.add_heading(_("二、措施汇总"), level=1)
    word.table(
        document,
        [_("类别"), _("对应第六条"), _("早于截止日"), _("晚于截止日"), _("合计")],
        [
            [s.category.label, art6_text(s.category.art6), s.before, s.after, len(s.measures)]
            for s in sections
        ],
    )
    document.add_heading(_("三、措施明细"), level=1)
    for n, s in enumerate(sections, 1):
        document.add_heading(f"{n}. {s.category.label}", level=2)
        if not s.measures:
            document.add_paragraph(_("（无）"))
            continue
        word.table(
            document,
            [_("日期"), _("措施"), _("说明"), _("截止日"), _("对应第六条"), _("记录与回执")],
            [
                [
                    m.when,
                    m.title,
                    m.detail,
                    _("早于截止日") if m.predates else _("晚于截止日"),
                    art6_text(m.art6),
                    _evidence(m, bundle),
                ]
                for m in s.measures
            ],
        )


def _closing(document, bundle: Bundle) -> None:
    document.add_heading(_("四、核验方法"), level=1)
    document.add_paragraph(
        _(
            "本材料随附的 ZIP 文件中，MANIFEST.sha256 列出每个文件的 SHA-256（亦可用 sha256sum -c 核对）。"
            "每个已存证的文件 X 旁有其存证回执 X.receipt。运行 shangmi verify dossier.zip（ZIP 文件或解压后"
            "的文件夹）逐个文件核对 MANIFEST.sha256，列出缺失或未列入清单的文件，并将每个 X.receipt 与 X "
            "离线核验（证据日志的签名检查点、默克尔包含证明与时间戳）；全部通过时退出码为 0。单个文件可用 "
            "shangmi verify X X.receipt 核验；可加 --vkey 指定可信的日志公钥、--tsa-ca 指定时间戳机构根证书。"
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


def _docx(dossier: Dossier, bundle: Bundle) -> bytes:
    document = word.chinese_document()
    properties = document.core_properties
    properties.title = _("合理保密措施证明材料")
    properties.author = properties.last_modified_by = "shangmi"
    properties.created = properties.modified = dossier.generated_at
    properties.revision = 1
    _header(document, dossier)
    _body(document, dossier, bundle)
    _closing(document, bundle)
    return restamp(word.to_bytes(document))


def dossier_docx(dossier: Dossier) -> bytes:
    return _docx(dossier, _bundle(dossier))


def dossier_zip(dossier: Dossier) -> bytes:
    bundle = _bundle(dossier)
    files = {SUMMARY: _docx(dossier, bundle), **bundle.files}
    return zip_bundle(files, first=[SUMMARY, MANIFEST])


def dossier_name(secret: TradeSecret, cutoff: date, suffix: str = "zip") -> str:
    return f"measures-{safe_name(secret.code)}-{cutoff:%Y%m%d}.{suffix}"
