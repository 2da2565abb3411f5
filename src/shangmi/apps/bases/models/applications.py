"""Applications to become a demonstration base (商业秘密保护基地) and what happens to them: the applicant's
form (tables 1–3 of the Shaoxing guide) and eligibility checklist, the county's review and recommendation,
the accepting bureau's acceptance (written pre-review, site inspection with attachments, opinion), the public
notice with objections, recognition, annual reviews and revocation (art. 15, two-year ban).

The bureau that recommends is one level below the bureau that accepts: a county-level base is reviewed and
accepted by the county bureau, a city-level base is recommended by the county and accepted by the city, a
provincial-level base is recommended by the city and accepted by the province."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseKind(models.TextChoices):
    ZONE = "zone", _("示范区")
    STATION = "station", _("示范指导站")
    POINT = "point", _("示范点")


class BaseLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")


class AppState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核推荐")
    RETURNED = "returned", _("已退回")
    RECOMMENDED = "recommended", _("待验收")
    NOT_ACCEPTED = "not_accepted", _("验收未通过")
    ACCEPTED = "accepted", _("验收通过")
    NOTICE = "notice", _("公示中")
    REJECTED = "rejected", _("公示异议成立")
    RECOGNISED = "recognised", _("已认定")
    REVOKED = "revoked", _("已撤销")
    WITHDRAWN = "withdrawn", _("已撤回")


# States in which an application is "in progress" for the targets dashboard.
IN_PROGRESS = (AppState.SUBMITTED, AppState.RECOMMENDED, AppState.ACCEPTED, AppState.NOTICE)


class RevokeReason(models.TextChoices):
    """Art. 15 of the Shaoxing guide."""

    FALSE_MATERIALS = "false_materials", _("伪造虚假申报材料")
    SERIOUS_VIOLATION = (
        "serious_violation",
        _("在知识产权、重大生产安全、质量安全和环境保护等方面有严重违法违规行为"),
    )
    DISHONESTY = "dishonesty", _("存在严重失信行为记录")
    INFRINGEMENT = "infringement", _("发生重大商业秘密被侵权事件未积极维权或侵犯他人商业秘密")
    OTHER = "other", _("其他不符合指南规定的情形")


class BaseApplication(models.Model):
    applicant = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="base_applications"
    )
    kind = models.CharField(_("基地类型"), max_length=16, choices=BaseKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=BaseLevel.choices, default=BaseLevel.CITY)
    year = models.PositiveSmallIntegerField(_("申报年度"))
    # The applicant's county at submission; it decides which bureaus review and accept.
    district = models.ForeignKey(
        "accounts.Region", verbose_name=_("所在区县"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=16, choices=AppState.choices, default=AppState.DRAFT)

    # The form (tables 1–3)
    name = models.CharField(_("名称"), max_length=128)
    head = models.CharField(_("法定代表人/负责人"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    org_type = models.CharField(_("类型"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("企业、会员或员工数量"), null=True, blank=True)
    output_value = models.DecimalField(
        _("产值（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    provincial_built = models.PositiveIntegerField(_("省级示范站（点）已建数"), null=True, blank=True)
    city_built = models.PositiveIntegerField(_("市级示范站（点）已建数"), null=True, blank=True)
    industry = models.CharField(_("所属行业"), max_length=64, blank=True)
    contact = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_title = models.CharField(_("职务/职称"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    work_summary = models.TextField(_("商业秘密保护工作开展情况"), blank=True)
    applicant_opinion = models.TextField(_("申报单位意见"), blank=True)
    # Eligibility checklist: criterion key -> the applicant's figure or yes/no (see checklist.py)
    checklist = models.JSONField(default=dict, blank=True)

    recommend_opinion = models.TextField(_("县局推荐意见"), blank=True)
    prereview_notes = models.TextField(_("书面预审意见"), blank=True)
    site_notes = models.TextField(_("实地考察记录"), blank=True)
    acceptance_opinion = models.TextField(_("验收意见"), blank=True)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    document_number = models.CharField(_("认定文号"), max_length=64, blank=True)
    recognised_on = models.DateField(_("认定日期"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销理由"), max_length=32, choices=RevokeReason.choices, blank=True)
    revoke_number = models.CharField(_("撤销文号"), max_length=64, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-updated_at", "-id"]
        verbose_name = _("基地申报")
        verbose_name_plural = _("基地申报")
        indexes = [models.Index(fields=["state", "level"]), models.Index(fields=["district", "year"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}{self.get_kind_display()}）"

    @property
    def editable(self) -> bool:
        return self.state in (AppState.DRAFT, AppState.RETURNED)


ACTION_LABELS = {
    "create": _("创建申报"),
    "update": _("修改申报表"),
    "submit": _("提交申报"),
    "withdraw": _("撤回申报"),
    "recommend": _("审核推荐"),
    "return": _("退回修改"),
    "accept": _("验收通过"),
    "not_accept": _("验收未通过"),
    "attach": _("上传验收材料"),
    "notice": _("开始公示"),
    "objection": _("登记公示异议"),
    "objection_upheld": _("异议成立"),
    "objection_dismissed": _("异议不成立"),
    "recognise": _("发文认定"),
    "annual_review": _("年度复核"),
    "revoke": _("撤销认定"),
}


class ApplicationEvent(models.Model):
    """One step of an application's history, shown as its timeline."""

    application = models.ForeignKey(BaseApplication, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    state_from = models.CharField(max_length=16, blank=True)
    state_to = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def state_to_label(self) -> str:
        return str(AppState(self.state_to).label) if self.state_to in AppState.values else self.state_to


class Attachment(models.Model):
    """A file of the acceptance (site photos, minutes, the signed opinion)."""

    application = models.ForeignKey(BaseApplication, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("文件名"), max_length=255)
    path = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Objection(models.Model):
    """An objection received during the public notice, and how it was handled."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待处理")
        DISMISSED = "dismissed", _("异议不成立")
        UPHELD = "upheld", _("异议成立")

    application = models.ForeignKey(BaseApplication, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.CharField(_("异议人"), max_length=128)
    content = models.TextField(_("异议内容"))
    received_on = models.DateField(_("收到日期"))
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.TextField(_("处理意见"), blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.raised_by} {self.received_on}"


class AnnualReview(models.Model):
    """Dynamic management: the yearly review of a recognised base."""

    application = models.ForeignKey(BaseApplication, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("年度"))
    passed = models.BooleanField(_("复核通过"))
    notes = models.TextField(_("复核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["application", "year"], name="base_review_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.year}"
